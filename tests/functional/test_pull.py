"""`amplify-nb pull`: a fresh `git clone` of a teammate's project (amplify/backend and team-provider-info.json,
none of the files Amplify's .gitignore leaves out) gets a working env from the env's push record in its
deployment bucket: status No Change, nothing to push, aws-exports like the teammate's; local changes to
amplify/backend stop the pull (exit 2, nothing changed) unless --yes, which brings the pushed files back."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from cli_runner import run_cli
from env_helpers import exports, project_files, tutorial_envs

from amplify_nb.project import Project, plan, resource_status
from amplify_nb.project.pull import find_pull_project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed to clone the project")


def git(*args: str, cwd) -> None:
    subprocess.run(["git", "-c", "user.name=Teammate", "-c", "user.email=teammate@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def teammate(tmp_path_factory, local_cloud) -> Project:
    """The tutorial's backend pushed in dev and test, committed to git as a team would."""
    project = tutorial_envs(tmp_path_factory.mktemp("pull") / "beerpull", envs=("dev", "test"))
    git("init", "-q", cwd=project.root)
    git("add", "-A", cwd=project.root)
    git("commit", "-qm", "the backend", cwd=project.root)
    return project


def fresh_clone(teammate: Project, folder) -> Project:
    git("clone", "-q", str(teammate.root), str(folder), cwd=folder.parent)
    return find_pull_project(folder)


def test_the_clone_has_what_git_keeps_and_none_of_the_local_files(teammate, tmp_path):
    clone = fresh_clone(teammate, tmp_path / "clone")
    assert clone.paths.team_provider_info.exists() and clone.paths.backend_config.exists()
    for missing in (clone.paths.current_cloud_backend, clone.paths.local_env_info, clone.paths.local_aws_info,
                    clone.paths.amplify_meta, clone.source_dir / "aws-exports.js"):
        assert not missing.exists(), missing
    assert not clone.exists  # no local-env-info.json: every other command needs a pull (or init) first


@pytest.mark.parametrize("env", ["dev", "test"])
def test_pull_gives_a_fresh_clone_a_working_env(teammate, tmp_path, env):
    clone = fresh_clone(teammate, tmp_path / "clone")
    backend_before = project_files(clone.paths.backend)
    done = run_cli("pull", "--env", env, "--project-dir", str(clone.root), stdin="")
    assert f"Pulled env {env}" in done.stdout
    clone = Project.open(clone.root)
    assert clone.env_name == env
    assert {row.operation for row in resource_status(clone, cloud=True)} == {"No Change"}
    assert not plan(clone)  # the same function zip is rebuilt: nothing to push
    run_cli("env", "checkout", env, "--project-dir", str(teammate.root))
    assert exports(clone) == exports(teammate)
    after = project_files(clone.paths.backend)
    assert {name: after[name] for name in backend_before} == backend_before  # what git had is kept as it was
    assert "amplify-meta.json" in after


def test_pull_without_a_current_env_asks_which_one(teammate, tmp_path):
    clone = fresh_clone(teammate, tmp_path / "clone")
    before = project_files(clone.root)
    for args, message in ((("pull",), "choose one with --env NAME"),
                          (("pull", "--env", "nope"), "Please pass in a valid environment name")):
        done = run_cli(*args, "--project-dir", str(clone.root), check=False, stdin="")
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert project_files(clone.root) == before


def test_local_changes_stop_the_pull_unless_yes(teammate, tmp_path):
    clone = fresh_clone(teammate, tmp_path / "clone")
    run_cli("pull", "--env", "dev", "--project-dir", str(clone.root))
    function = next(iter(clone.backend_config()["function"]))
    handler = clone.paths.resource_dir("function", function) / "src" / "index.py"
    pushed = handler.read_text()
    handler.write_text(pushed + "\n# a local change\n")
    before = project_files(clone.root)

    refused = run_cli("pull", "--project-dir", str(clone.root), check=False, stdin="")
    assert refused.returncode == 2
    assert "Local changes detected" in refused.stderr and f"function/{function}" in refused.stderr
    assert project_files(clone.root) == before

    done = run_cli("pull", "--yes", "--project-dir", str(clone.root))
    assert f"function/{function}" in done.stdout
    assert handler.read_text() == pushed
    assert {row.operation for row in resource_status(clone, cloud=True)} == {"No Change"}
