# amplify_nb developer commands.
#
#   make lab       start the local cloud, then JupyterLab on notebooks/
#   make test      install everything (venv + Debian chromium), run every test suite
#   make unit      fast unit tests only
#   make tutorial  run the numbered notebooks in order with papermill into build/executed/
#   make workshop  set up a project per trainee from ENVS (default examples/envs/workshop.yaml), TRAINEES="a b"
#   make bench     benchmarks against peer tools (publish vs aws s3 sync), printed as tables
#   make clean     remove build outputs and caches (keeps .venv; `make distclean` removes it too)
#
# Only python3 is needed up front: the venv and Chromium are installed on demand.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_BIN := $(VENV)/bin
VENV_PY := $(VENV_BIN)/python
STAMP := $(VENV)/.installed
BUILD := build
CHROMIUM := /usr/bin/chromium

# JupyterLab listens on loopback by default; Binder-like hosts can use e.g. `make lab LAB_IP=0.0.0.0`.
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_ARGS ?=
# Extra arguments for every pytest run of `make test` / `make unit` (e.g. PYTEST_ARGS=-x).
PYTEST_ARGS ?=
# Extra arguments for papermill in `make tutorial` (e.g. PAPERMILL_ARGS="-f examples/workshop.yaml").
PAPERMILL_ARGS ?=
# Under CI a missing Chromium fails the browser tests instead of skipping them.
REQUIRE_BROWSER ?= $(if $(CI),1,0)

# apt-get as root, or through sudo for a normal user; Jupyter refuses root unless told (containers, CI).
IS_ROOT := $(filter 0,$(shell id -u))
SUDO := $(if $(IS_ROOT),,sudo)
LAB_ALLOW_ROOT := $(if $(IS_ROOT),--allow-root,)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

START_LOCAL_CLOUD := $(VENV_BIN)/amplify-nb local start
STOP_LOCAL_CLOUD := $(VENV_PY) -c "from amplify_nb.local import LocalCloud, LocalSettings; LocalCloud(LocalSettings.from_env()).stop()"
FREE_PORT := $(VENV_PY) -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"

.PHONY: help install chromium graphviz lab test unit tutorial workshop bench clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------------------------------------
# Installation

# The package's bytecode is compiled here, as pip does for a regular install (an editable one skips it): with
# PYTHONDONTWRITEBYTECODE set (as in many containers) every command would compile its modules again at start.
# Python checks each .pyc against its source, so an edited module is simply compiled afresh.
install: $(STAMP)
	@$(VENV_PY) -m amplify_nb.lab install-git-filter
	@$(VENV_PY) -m compileall -q -j 0 -x '/templates/' amplify_nb

# The stamp is rebuilt whenever pyproject.toml changes, so `make test` picks up new dependencies.
$(STAMP): pyproject.toml
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  echo "python3 cannot create venvs here: installing Debian's python3-venv"; \
	  $(APT_GET) update && $(APT_GET) install -y --no-install-recommends python3-venv; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/pip install -e '.[test]'
	touch $@

# Playwright's own browser download does not work everywhere: the browser tests use Debian's chromium.
chromium:
	@if [ -x $(CHROMIUM) ] && fc-list 2>/dev/null | grep -qi "Noto Color Emoji"; then \
	  echo "chromium: $(CHROMIUM) and an emoji font are installed"; \
	elif command -v apt-get >/dev/null; then \
	  echo "chromium: installing Debian's chromium and an emoji font (the app and notebooks use a few) with apt-get"; \
	  $(APT_GET) update && $(APT_GET) install -y --no-install-recommends chromium fonts-noto-color-emoji; \
	else \
	  echo "chromium: $(CHROMIUM) is missing and apt-get is not available;" \
	       "browser tests will be skipped (or fail under CI)" >&2; \
	fi

# Graphviz's dot draws the console's diagram of an env (without it the console shows its tables only).
graphviz:
	@if command -v dot >/dev/null; then \
	  :; \
	elif command -v apt-get >/dev/null; then \
	  echo "graphviz: installing Debian's graphviz (dot draws the console's diagram) with apt-get"; \
	  $(APT_GET) update && $(APT_GET) install -y --no-install-recommends graphviz; \
	else \
	  echo "graphviz: dot is missing and apt-get is not available; the console will show its tables only" >&2; \
	fi

# ---------------------------------------------------------------------------------------------
# Using it

lab: install graphviz
	$(START_LOCAL_CLOUD)
	$(VENV_BIN)/jupyter lab --notebook-dir=notebooks --config=jupyter_server_config.py \
	  --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) $(LAB_ALLOW_ROOT) $(LAB_ARGS)

# Runs the whole tutorial, in order, against the local cloud; executed copies go to build/executed/.
tutorial: install
	$(START_LOCAL_CLOUD)
	mkdir -p $(BUILD)/executed
	@shopt -s nullglob; notebooks=(notebooks/[0-9][0-9]-*.ipynb); \
	if [ $${#notebooks[@]} -eq 0 ]; then echo "tutorial: no numbered notebooks in notebooks/"; exit 1; fi; \
	for nb in "$${notebooks[@]}"; do \
	  name=$$(basename "$$nb"); \
	  echo "== tutorial: $$name -> $(BUILD)/executed/$$name"; \
	  $(VENV_BIN)/papermill --kernel python3 --cwd notebooks $(PAPERMILL_ARGS) \
	    "$$nb" "$(BUILD)/executed/$$name"; \
	done

# A class: every environment file in ENVS set up (checked whole first, then applied), one project per trainee
# (the file's trainees, or TRAINEES="ana ben") under WORKSHOP_DIR/<trainee>/ (a file without trainees is one
# trainee's project, WORKSHOP_DIR/<file name>/), and a summary table at the end.
# Running it again changes nothing; a changed answer updates only that resource.
ENVS ?= examples/envs/workshop.yaml
TRAINEES ?=
WORKSHOP_DIR ?= workshop
workshop: install
	$(START_LOCAL_CLOUD)
	$(VENV_BIN)/amplify-nb setup --yes --workshop-dir "$(WORKSHOP_DIR)" $(ENVS) \
	  $(if $(strip $(TRAINEES)),--trainees "$(TRAINEES)",)

# ---------------------------------------------------------------------------------------------
# Tests

# One shell for the whole run: an isolated local cloud (fresh state dir under build/tmp/, free port)
# is shared by every suite and stopped on exit, whether the tests pass or not.
# Every suite runs even if an earlier one failed; the exit status is a failure if any suite failed.
# pytest exit code 5 (no tests collected) counts as success while suites are still being written.
test: install chromium graphviz
	@mkdir -p $(BUILD)/tmp
	@export AMPLIFY_NB_LOCAL_STATE="$$(mktemp -d "$(CURDIR)/$(BUILD)/tmp/local-cloud.XXXXXX")"; \
	export AMPLIFY_NB_LOCAL_PORT="$$($(FREE_PORT))"; \
	export AMPLIFY_NB_REQUIRE_BROWSER=$(REQUIRE_BROWSER); \
	echo "test: local cloud state $$AMPLIFY_NB_LOCAL_STATE, port $$AMPLIFY_NB_LOCAL_PORT"; \
	stop_local_cloud() { \
	  echo "test: stopping the test local cloud"; \
	  $(STOP_LOCAL_CLOUD) || echo "test: could not stop the local cloud (was it ever started?)" >&2; \
	}; \
	trap stop_local_cloud EXIT; \
	trap 'exit 130' INT TERM; \
	run_pytest() { \
	  local rc=0; \
	  echo "== pytest $$*"; \
	  $(VENV_BIN)/pytest $(PYTEST_ARGS) "$$@" || rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "(no tests collected in $$*: fine for now)"; rc=0; fi; \
	  return $$rc; \
	}; \
	existing() { local d; for d in "$$@"; do if [ -e "$$d" ]; then echo "$$d"; fi; done; }; \
	failed=(); \
	suites=($$(existing tests/unit tests/functional tests/notebooks)); \
	if [ $${#suites[@]} -gt 0 ]; then run_pytest "$${suites[@]}" || failed+=("$${suites[*]}"); \
	else echo "(no tests/unit, tests/functional or tests/notebooks yet)"; fi; \
	if compgen -G 'notebooks/*.ipynb' >/dev/null; then \
	  project_dir="$$(mktemp -d "$(CURDIR)/$(BUILD)/tmp/nbval-project.XXXXXX")"; \
	  echo "test: notebooks write their project into $$project_dir"; \
	  (export AMPLIFY_NB_PROJECT_DIR="$$project_dir"; \
	   run_pytest --nbval-lax --nbval-current-env notebooks/) || failed+=("nbval notebooks/"); \
	else echo "(no notebooks yet)"; fi; \
	if [ -e tests/browser ]; then run_pytest tests/browser || failed+=("tests/browser"); \
	else echo "(no tests/browser yet)"; fi; \
	if [ $${#failed[@]} -gt 0 ]; then \
	  printf 'test: FAILED: %s\n' "$${failed[@]}" >&2; exit 1; \
	fi; \
	echo "test: all suites passed"

unit: install
	@rc=0; $(VENV_BIN)/pytest $(PYTEST_ARGS) tests/unit || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "(no unit tests collected: fine for now)"; rc=0; fi; \
	exit $$rc

# Each benchmark starts its own local cloud (free port, temporary state under build/tmp/) and stops it.
# BENCH_ARGS are passed to every benchmark (e.g. BENCH_ARGS="--runs 1").
BENCH_ARGS ?=
bench: install
	@mkdir -p $(BUILD)/tmp
	@shopt -s nullglob; for bench in benchmarks/bench_*.py; do \
	  echo "== $$bench"; \
	  BENCH_TMP="$(CURDIR)/$(BUILD)/tmp" $(VENV_PY) "$$bench" $(BENCH_ARGS); \
	done

# ---------------------------------------------------------------------------------------------
# Cleaning

clean:
	rm -rf $(BUILD) .pytest_cache *.egg-info
	find . -path ./$(VENV) -prune -o \
	  \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
