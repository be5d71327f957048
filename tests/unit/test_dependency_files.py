"""The dependency lists for pip (pyproject.toml), conda (environment.yml) and Binder (binder/) must agree.

Trainees arrive through any of the three doors; a dependency added to pyproject.toml but forgotten in
an environment file only shows up as an ImportError in the middle of a workshop, so it is caught here.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (pytest depends on tomli there)
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = REPO / "pyproject.toml"
CONDA_ENV = REPO / "environment.yml"
BINDER_ENV = REPO / "binder" / "environment.yml"
BINDER_POSTBUILD = REPO / "binder" / "postBuild"
BINDER_START = REPO / "binder" / "start"

ENV_FILES = [pytest.param(CONDA_ENV, id="environment.yml"), pytest.param(BINDER_ENV, id="binder/environment.yml")]

# `-e .`, `-e ./`, `--editable .`, `.`: ways a pip line can install this repository itself.
INSTALLS_THIS_REPO = re.compile(r"^(?:(?:-e|--editable)\s+)?\.(?:/)?(?:\[[^\]]*\])?$")


def normalised(requirement: str) -> tuple[str, tuple[str, ...], str, str]:
    """A requirement as (name, extras, specifiers, marker), insensitive to case, order and spacing."""
    req = Requirement(requirement)
    return (
        canonicalize_name(req.name),
        tuple(sorted(canonicalize_name(extra) for extra in req.extras)),
        str(SpecifierSet(str(req.specifier))),
        str(req.marker or ""),
    )


def by_name(requirements: list[str]) -> dict[str, tuple[tuple[str, tuple[str, ...], str, str], str]]:
    """{canonical name: (normalised requirement, line as written)}."""
    result = {}
    for line in requirements:
        norm = normalised(line)
        assert norm[0] not in result, f"{norm[0]} is listed twice"
        result[norm[0]] = (norm, line)
    return result


def pyproject() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def pyproject_dependencies() -> list[str]:
    return list(pyproject()["project"]["dependencies"])


def conda_environment(path: Path) -> dict:
    assert path.is_file(), f"{path.relative_to(REPO)} is missing"
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(env, dict) and isinstance(env.get("dependencies"), list), (
        f"{path.relative_to(REPO)} has no `dependencies:` list"
    )
    return env


def conda_packages(env: dict) -> list[str]:
    return [dep for dep in env["dependencies"] if isinstance(dep, str)]


def pip_lines(env: dict) -> list[str]:
    sections = [dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict) and "pip" in dep]
    assert len(sections) == 1, "expected exactly one `- pip:` section"
    return [str(line).strip() for line in sections[0]]


def pip_requirements(env: dict) -> list[str]:
    """The pip lines that name a package (not the repository itself, not options)."""
    return [line for line in pip_lines(env) if not INSTALLS_THIS_REPO.match(line) and not line.startswith("-")]


def describe_differences(expected: dict, actual: dict, where: str) -> list[str]:
    problems = []
    for name in sorted(expected.keys() - actual.keys()):
        problems.append(f"{where} lacks {name} (pyproject.toml has it)")
    for name in sorted(actual.keys() - expected.keys()):
        problems.append(f"{where} has {name}, which is not in pyproject.toml [project.dependencies]")
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name][0] != actual[name][0]:
            problems.append(f"{name}: pyproject.toml says {expected[name][1]!r}, {where} says {actual[name][1]!r}")
    return problems


def test_pyproject_dependencies_are_valid_requirements():
    for line in pyproject_dependencies():
        try:
            Requirement(line)
        except InvalidRequirement as error:  # pragma: no cover - shown on failure only
            pytest.fail(f"pyproject.toml dependency {line!r} is not a valid requirement: {error}")


@pytest.mark.parametrize("env_file", ENV_FILES)
def test_conda_pip_section_lists_exactly_the_pyproject_dependencies(env_file: Path):
    env = conda_environment(env_file)
    problems = describe_differences(
        by_name(pyproject_dependencies()), by_name(pip_requirements(env)), str(env_file.relative_to(REPO))
    )
    assert not problems, "dependency lists disagree:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("env_file", ENV_FILES)
def test_conda_environment_installs_pip_from_conda_forge(env_file: Path):
    env = conda_environment(env_file)
    assert "conda-forge" in (env.get("channels") or [])
    assert "pip" in [re.split(r"[=<>! ]", pkg)[0] for pkg in conda_packages(env)], (
        "conda needs `- pip` among the dependencies to install the `pip:` section"
    )


@pytest.mark.parametrize("env_file", ENV_FILES)
def test_conda_python_version_satisfies_requires_python(env_file: Path):
    env = conda_environment(env_file)
    pythons = [pkg for pkg in conda_packages(env) if re.match(r"^python\b", pkg)]
    assert len(pythons) == 1, "pin exactly one python version"
    match = re.match(r"^python\s*={1,2}\s*(\d+\.\d+)", pythons[0])
    assert match, f"python pin {pythons[0]!r} should look like python=3.11"
    requires_python = SpecifierSet(pyproject()["project"]["requires-python"])
    assert requires_python.contains(match.group(1)), (
        f"{env_file.relative_to(REPO)} pins {pythons[0]} but pyproject.toml requires-python is {requires_python}"
    )


def test_conda_environment_installs_the_package_itself():
    lines = pip_lines(conda_environment(CONDA_ENV))
    assert any(INSTALLS_THIS_REPO.match(line) for line in lines), (
        "environment.yml should end its pip section with `-e .` so `amplify-nb` and the package are installed"
    )


def test_binder_environment_leaves_installing_the_package_to_postbuild():
    # repo2docker installs environment.yml before the repository is copied in: `-e .` would fail there.
    lines = pip_lines(conda_environment(BINDER_ENV))
    assert not any(INSTALLS_THIS_REPO.match(line) for line in lines), (
        "binder/environment.yml must not install the repository; binder/postBuild does"
    )


def script_commands(path: Path) -> list[str]:
    """The script's non-comment, non-blank lines, stripped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_binder_postbuild_installs_the_package_and_stops_on_errors():
    assert BINDER_POSTBUILD.is_file(), "binder/postBuild is missing"
    text = BINDER_POSTBUILD.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash"), "binder/postBuild should start with #!/bin/bash"
    commands = script_commands(BINDER_POSTBUILD)
    assert "set -e" in commands, "binder/postBuild should `set -e` so a failed install fails the build"
    installs = [
        cmd for cmd in commands
        if re.match(r"^(?:python3? -m )?pip3? install\b", cmd)
        and any(INSTALLS_THIS_REPO.match(arg) or arg in {"-e .", "--editable ."} for arg in _install_targets(cmd))
    ]
    assert installs, "binder/postBuild should run `pip install -e .` (repo2docker skips it when binder/ exists)"
    assert commands.index("set -e") < commands.index(installs[0]), "`set -e` must come before the install"


def _install_targets(command: str) -> list[str]:
    words = command.split()
    targets = []
    for i, word in enumerate(words):
        if word in {"-e", "--editable"} and i + 1 < len(words):
            targets.append(f"{word} {words[i + 1]}")
        elif not word.startswith("-"):
            targets.append(word)
    return targets


def test_binder_scripts_are_executable():
    for script in (BINDER_POSTBUILD, BINDER_START):
        assert script.is_file(), f"{script.relative_to(REPO)} is missing"
        assert os.access(script, os.X_OK), f"{script.relative_to(REPO)} should be executable (chmod +x)"


def test_binder_start_hands_over_to_the_jupyter_server():
    assert BINDER_START.is_file(), "binder/start is missing"
    commands = script_commands(BINDER_START)
    assert commands and commands[-1] == 'exec "$@"', 'binder/start must end with exec "$@"'
