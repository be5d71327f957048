"""Browser tests: Debian's Chromium driven by Playwright's Python package, against a real JupyterLab.

Fixtures
--------
chromium_path       /usr/bin/chromium; skips when missing, except under CI (env CI or
                    AMPLIFY_NB_REQUIRE_BROWSER=1, set by `make test CI=1` and .ci/run) where it fails.
browser             a Playwright Browser (sync API) running that Chromium headless (session-wide).
page                a fresh browser context + page per test (closed afterwards).
start_jupyter_lab   factory: start_jupyter_lab(root_dir) -> JupyterLab, stopped at the end of the session.
jupyter_lab         JupyterLab serving <repo>/notebooks (session-wide).
open_notebook       open_notebook("01-init.ipynb", lab=None) -> LabNotebook, opened in `page`,
                    kernel started; lab defaults to `jupyter_lab`.

JupyterLab runs as a subprocess of this test session's Python (the venv), with this session's environment, so
the isolated local cloud of `make test` (AMPLIFY_NB_LOCAL_STATE / AMPLIFY_NB_LOCAL_PORT) reaches its kernels.
Its config, data and runtime dirs are temporary, so the developer's own Jupyter settings never leak in.
Kernels get AMPLIFY_NB_PROJECT_DIR pointing to a temporary folder unless it is already set, so notebooks
run from a browser test never write into the repository.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# Generous: the machine is shared and slow at times. These are limits, never assertions about speed.
SERVER_START_TIMEOUT_S = 240
PAGE_TIMEOUT_MS = 90_000
RUN_ALL_TIMEOUT_MS = 15 * 60_000

# JupyterLab user settings written into the temporary config dir: no news/update pop-ups over the page,
# every cell attached to the DOM (so get_by_text finds output below the fold), kernels start without a dialog.
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
}


def browser_required() -> bool:
    """True under CI, where a missing browser must fail the run rather than skip tests."""
    for name in ("CI", "AMPLIFY_NB_REQUIRE_BROWSER"):
        value = os.environ.get(name, "").strip().lower()
        if value and value not in {"0", "false", "no", "off"}:
            return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------------
# Browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    message = (
        f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`, or "
        "`apt-get install chromium`); Playwright's own browser download is not used"
    )
    if browser_required():
        pytest.fail(message + " (running under CI, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_session():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_TIMEOUT_MS)  # the default 5 s is too short on a busy shared machine
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(chromium_path, playwright_session):
    """Headless Chromium; Playwright gives every launch a fresh temporary user-data-dir."""
    browser = playwright_session.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


# ---------------------------------------------------------------------------------------------------------------
# JupyterLab server


@dataclass
class JupyterLab:
    """A running JupyterLab server started by these fixtures."""

    base_url: str  # "http://127.0.0.1:PORT/" (always ends with "/")
    token: str
    root_dir: Path
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def url(self, path: str = "lab") -> str:
        """A URL on this server that logs the browser in (token in the query string)."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path: str) -> object:
        """GET a Jupyter server REST endpoint (e.g. "api/contents") and decode its JSON."""
        request = urllib.request.Request(
            self.base_url + path.lstrip("/"), headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _write_lab_settings(config_dir: Path) -> None:
    settings_dir = config_dir / "lab" / "user-settings"
    for relative, values in LAB_USER_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


def _wait_until_serving(lab: JupyterLab) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {lab.process.returncode} before serving:\n{lab.log_tail()}"
            )
        try:
            lab.api("api/status")
            return
        except (urllib.error.URLError, ConnectionError, OSError, ValueError) as error:
            last_error = error
            time.sleep(0.5)
    raise RuntimeError(
        f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT_S}s ({last_error}):\n{lab.log_tail()}"
    )


def _stop(lab: JupyterLab) -> None:
    """SIGTERM lets the server shut its kernels down; whatever remains of its process group is killed."""
    if lab.process.poll() is None:
        lab.process.terminate()
        try:
            lab.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.process.kill()
            lab.process.wait(timeout=30)
    try:
        os.killpg(lab.process.pid, signal.SIGKILL)  # the group we created with start_new_session
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="session")
def start_jupyter_lab(tmp_path_factory) -> Iterator[Callable[[Path], JupyterLab]]:
    """Factory: start_jupyter_lab(root_dir) starts a JupyterLab serving root_dir; all are stopped at session end."""
    started: list[JupyterLab] = []

    def start(root_dir: Path) -> JupyterLab:
        root_dir = Path(root_dir).resolve()
        if not root_dir.is_dir():
            raise FileNotFoundError(f"cannot serve {root_dir}: not a folder")
        work = tmp_path_factory.mktemp("jupyter-lab")
        config_dir, data_dir, runtime_dir = work / "config", work / "data", work / "runtime"
        for folder in (config_dir, data_dir, runtime_dir):
            folder.mkdir()
        _write_lab_settings(config_dir)

        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(config_dir),
            JUPYTER_DATA_DIR=str(data_dir),
            JUPYTER_RUNTIME_DIR=str(runtime_dir),
            JUPYTER_PLATFORM_DIRS="1",
            PYTHONUNBUFFERED="1",
        )
        env.setdefault("AMPLIFY_NB_PROJECT_DIR", str(work / "project"))

        port, token = free_port(), secrets.token_hex(24)
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--notebook-dir={root_dir}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands, read kernel state
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no PyPI queries from the extension manager
        ]
        if os.geteuid() == 0:  # CI machines and containers run as root
            command.append("--allow-root")
        log_path = work / "jupyter-lab.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        lab = JupyterLab(f"http://127.0.0.1:{port}/", token, root_dir, process, log_path, env)
        started.append(lab)
        _wait_until_serving(lab)
        return lab

    yield start
    for lab in reversed(started):
        _stop(lab)


@pytest.fixture(scope="session")
def jupyter_lab(start_jupyter_lab) -> JupyterLab:
    """JupyterLab serving the repository's notebooks/ folder, as `make lab` does."""
    if not NOTEBOOKS_DIR.is_dir():
        message = f"{NOTEBOOKS_DIR} does not exist yet"
        if browser_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return start_jupyter_lab(NOTEBOOKS_DIR)


# ---------------------------------------------------------------------------------------------------------------
# Notebooks in the browser

_NOTEBOOK_STATE_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const widget = app.shell.currentWidget;
  if (!widget || !widget.context || widget.context.path !== path || !widget.content) return null;
  const session = widget.sessionContext && widget.sessionContext.session;
  const kernel = session && session.kernel;
  const cells = widget.content.widgets.map((cell) => {
    const model = cell.model;
    const info = {type: model.type, executionCount: null, running: false, errors: []};
    if (model.type === 'code') {
      info.executionCount = model.executionCount;
      info.running = model.executionState === 'running';
      for (const output of model.outputs.toJSON()) {
        if (output.output_type === 'error') info.errors.push(`${output.ename}: ${output.evalue}`);
      }
    }
    return info;
  });
  return {
    ready: widget.context.isReady && !!kernel,
    kernelStatus: kernel ? kernel.status : null,
    cells,
  };
}
"""


class LabNotebook:
    """A notebook opened in JupyterLab in a Playwright page, with the actions a trainee takes."""

    def __init__(self, page, lab: JupyterLab, path: str):
        self.page = page
        self.lab = lab
        self.path = path

    # -- opening ------------------------------------------------------------------------------------------
    def open(self) -> "LabNotebook":
        """Navigate to lab/tree/<path> and wait until the notebook is shown with an idle kernel."""
        self.page.goto(self.lab.url(f"lab/tree/{self.path}"))
        self.page.locator(".jp-NotebookPanel").first.wait_for(state="visible")
        self.page.wait_for_function(
            "(path) => { const s = (" + _NOTEBOOK_STATE_JS + ")(path);"
            " return !!s && s.ready && s.kernelStatus === 'idle'; }",
            arg=self.path,
            timeout=PAGE_TIMEOUT_MS * 2,
        )
        return self

    # -- state --------------------------------------------------------------------------------------------
    def state(self) -> dict:
        state = self.page.evaluate(_NOTEBOOK_STATE_JS, self.path)
        if state is None:
            raise AssertionError(f"{self.path} is not the current JupyterLab widget")
        return state

    def kernel_status(self) -> str | None:
        return self.state()["kernelStatus"]

    def errors(self) -> list[str]:
        """'Name: value' of every error output in the notebook (empty when every cell ran cleanly)."""
        return [error for cell in self.state()["cells"] for error in cell["errors"]]

    def unexecuted_code_cells(self) -> list[int]:
        """Indexes of code cells without an execution count (e.g. after Run All stopped at an error)."""
        return [
            index for index, cell in enumerate(self.state()["cells"])
            if cell["type"] == "code" and cell["executionCount"] is None
        ]

    def output_text(self, text: str):
        """A locator for `text` inside the cell outputs (widgets included)."""
        return self.page.locator(".jp-NotebookPanel .jp-OutputArea").get_by_text(text)

    # -- running ------------------------------------------------------------------------------------------
    def run_all(self, via: str = "menu", timeout_ms: int = RUN_ALL_TIMEOUT_MS) -> "LabNotebook":
        """Run > Run All Cells, then wait until every cell is done and the kernel is idle.

        via="menu" clicks the menu like a trainee; via="command" runs JupyterLab's notebook:run-all-cells command.
        A failing cell stops the run (later cells stay unexecuted): check errors() afterwards.
        """
        if via == "menu":
            self.page.locator(".jp-NotebookPanel").first.click(position={"x": 5, "y": 5})
            self.page.get_by_role("menuitem", name="Run", exact=True).click()
            self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        elif via == "command":
            self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        else:
            raise ValueError(f"via must be 'menu' or 'command', not {via!r}")
        self.wait_until_idle(timeout_ms=timeout_ms, expect_start=True)
        return self

    def wait_until_idle(self, timeout_ms: int = RUN_ALL_TIMEOUT_MS, expect_start: bool = False) -> None:
        """Wait for: no code cell running, kernel idle, and that state holding for a moment.

        With expect_start, first wait (briefly) for the run to begin, so a run that has been requested
        but not yet started is not mistaken for a finished one.
        """
        if expect_start:
            try:
                self.page.wait_for_function(
                    "(path) => { const s = (" + _NOTEBOOK_STATE_JS + ")(path);"
                    " return !!s && (s.kernelStatus !== 'idle' || s.cells.some((c) => c.running)"
                    " || s.cells.some((c) => c.errors.length)"
                    " || s.cells.every((c) => c.type !== 'code' || c.executionCount !== null)); }",
                    arg=self.path,
                    timeout=30_000,
                )
            except Exception:  # a very short run may start and finish between two polls
                pass
        settled_js = (
            "(path) => { const s = (" + _NOTEBOOK_STATE_JS + ")(path);"
            " return !!s && s.kernelStatus === 'idle' && !s.cells.some((c) => c.running); }"
        )
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            remaining_ms = max(1_000, int((deadline - time.monotonic()) * 1000))
            self.page.wait_for_function(settled_js, arg=self.path, timeout=remaining_ms, polling=250)
            self.page.wait_for_timeout(750)  # still settled a moment later: not between two cells
            if self.page.evaluate(settled_js, self.path):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path}: kernel still busy after {timeout_ms / 1000:.0f}s")


@pytest.fixture
def open_notebook(page, request) -> Callable[..., LabNotebook]:
    """open_notebook("01-init.ipynb", lab=None): open a notebook (path relative to the lab's root) in `page`.

    Without `lab`, the notebook is opened in the `jupyter_lab` fixture serving the repository's notebooks/.
    """

    def open_(path: str, lab: JupyterLab | None = None) -> LabNotebook:
        if lab is None:
            lab = request.getfixturevalue("jupyter_lab")
        return LabNotebook(page, lab, path).open()

    return open_
