"""The real `amplify-nb` never changes a project it could not ask about: piped input without --yes exits 2 with
nothing written; Ctrl-D or Ctrl-C at a real prompt (a pseudo-terminal) aborts with 130 and nothing written; a
"no" at a confirmation changes nothing."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from cli_runner import default_ctrl_c, run_cli

from amplify_nb.prompts import NO_TERMINAL


def snapshot(folder: Path) -> dict:
    """Every file under the folder with its content and modification time."""
    return {str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def project_with_hosting(tmp_path, local_cloud) -> Path:
    folder = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(folder))
    run_cli("add", "hosting", "--yes", "--project-dir", str(folder))
    return folder


def assert_refused_without_terminal(done, folder: Path, before: dict) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert NO_TERMINAL in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(folder) == before


@pytest.mark.parametrize("piped", ["n\n", "y\n", ""], ids=["echo-n", "echo-y", "dev-null"])
def test_push_without_a_terminal_or_yes_pushes_nothing(project_with_hosting, piped):
    before = snapshot(project_with_hosting)
    done = run_cli("push", cwd=project_with_hosting, stdin=piped, check=False)
    assert_refused_without_terminal(done, project_with_hosting, before)
    assert "Create" in run_cli("status", cwd=project_with_hosting).stdout  # still to be pushed


def test_remove_without_a_terminal_or_yes_removes_nothing(project_with_hosting):
    before = snapshot(project_with_hosting)
    done = run_cli("remove", "hosting", cwd=project_with_hosting, stdin="", check=False)
    assert_refused_without_terminal(done, project_with_hosting, before)


def test_add_without_a_terminal_asks_for_answers(project_with_hosting):
    before = snapshot(project_with_hosting)
    done = run_cli("add", "auth", cwd=project_with_hosting, stdin="y\n", check=False)
    assert_refused_without_terminal(done, project_with_hosting, before)


def test_add_with_an_answers_file_proceeds_without_a_terminal(tmp_path, local_cloud):
    folder = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(folder))
    answers = tmp_path / "hosting.yaml"
    answers.write_text(yaml.safe_dump({"environment": "DEV"}))
    done = run_cli("add", "hosting", "--answers", str(answers), cwd=folder, stdin="", check=False)
    assert done.returncode == 0, done.stderr
    assert (folder / "amplify/backend/hosting/S3AndCloudFront").is_dir()


def test_init_without_a_terminal_writes_nothing(tmp_path):
    folder = tmp_path / "fresh"
    folder.mkdir()
    done = run_cli("init", "--project-dir", str(folder), stdin="", check=False)
    assert_refused_without_terminal(done, folder, {})


def test_a_bad_answer_given_is_reported_before_the_missing_terminal(tmp_path):
    done = run_cli("init", "--name", "ab", "--project-dir", str(tmp_path), stdin="", check=False)
    assert done.returncode == 2 and "Project name should be between 3 and 20 characters" in done.stderr


# --- a real terminal ---------------------------------------------------------------------------------------------
def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "amplify_nb.cli", *args], cwd=str(cwd), env=dict(os.environ),
                         encoding="utf-8", timeout=120, preexec_fn=default_ctrl_c)


def finished(child: pexpect.spawn) -> tuple[int, str]:
    rest = child.read()  # until the process closes the terminal
    child.close()
    return child.exitstatus, rest


def test_ctrl_d_at_the_init_confirmation_aborts_with_nothing_written(tmp_path):
    child = spawn("init", "--project-dir", str(tmp_path / "fresh"), cwd=tmp_path)
    child.expect_exact("Initialize the project with the above configuration?")
    child.sendeof()
    status, rest = finished(child)
    assert status == 130 and "Aborted." in rest and "Traceback" not in rest
    assert not (tmp_path / "fresh").exists()


def test_ctrl_c_at_a_question_aborts_with_nothing_written(tmp_path):
    child = spawn("init", "--project-dir", str(tmp_path / "fresh"), cwd=tmp_path)
    child.expect_exact("Initialize the project with the above configuration?")
    child.sendline("n")
    child.expect_exact("Enter a name for the project")
    child.sendintr()
    status, rest = finished(child)
    assert status == 130 and "Aborted." in rest and "Traceback" not in rest
    assert not (tmp_path / "fresh").exists()


def test_ctrl_d_at_the_remove_confirmation_keeps_the_resource(project_with_hosting):
    before = snapshot(project_with_hosting)
    child = spawn("remove", "hosting", cwd=project_with_hosting)
    child.expect_exact("Are you sure you want to delete")
    child.sendeof()
    status, rest = finished(child)
    assert status == 130 and "Aborted." in rest
    assert snapshot(project_with_hosting) == before


def test_no_at_the_remove_confirmation_says_so_and_keeps_the_resource(project_with_hosting):
    before = snapshot(project_with_hosting)
    child = spawn("remove", "hosting", cwd=project_with_hosting)
    child.expect_exact("Are you sure you want to delete")
    child.sendline("n")
    status, rest = finished(child)
    assert status == 0 and "Remove cancelled: nothing was changed." in rest
    assert snapshot(project_with_hosting) == before


def test_no_at_the_push_confirmation_pushes_nothing(project_with_hosting):
    before = snapshot(project_with_hosting)
    child = spawn("push", cwd=project_with_hosting)
    child.expect_exact("Are you sure you want to continue?")
    child.sendline("n")
    status, rest = finished(child)
    assert status == 0 and "Push cancelled: nothing was changed." in rest
    assert snapshot(project_with_hosting) == before
