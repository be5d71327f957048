"""Bad input on the command line: a clear message, exit code 2, and nothing written."""
import subprocess
import sys

import pytest

from amplify_nb.cli import main


@pytest.mark.parametrize("flags, expected", [
    (["--name", "ab"], "Project name should be between 3 and 20 characters and alphanumeric"),
    (["--name", "beer-app"], "Project name should be between 3 and 20 characters and alphanumeric"),
    (["--env", "Prod"], "Environment name must be between 2 and 10 characters, and lowercase only."),
    (["--editor", "notepad"], "Editor must be one of"),
    (["--source-dir", "../elsewhere"], "Source directory path must be a folder inside the project"),
    (["--distribution-dir", "/tmp/dist"], "Distribution directory path must be a folder inside the project"),
])
def test_init_refuses_bad_answers_with_exit_2_and_writes_nothing(tmp_path, capsys, flags, expected):
    project = tmp_path / "beer"
    project.mkdir()
    assert main(["init", "--yes", "--project-dir", str(project), *flags]) == 2
    assert expected in capsys.readouterr().err
    assert list(project.iterdir()) == []


def test_answers_file_with_a_bad_value_is_refused(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("name: x\nenv: dev\n")
    assert main(["init", "--yes", "--project-dir", str(tmp_path), "--answers", str(answers)]) == 2
    assert "Project name should be" in capsys.readouterr().err


def test_answers_file_with_an_unknown_name_is_refused(tmp_path, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text('{"projectname": "beer"}')
    assert main(["init", "--yes", "--project-dir", str(tmp_path), "--answers", str(answers)]) == 2
    assert "Unknown answer 'projectname'" in capsys.readouterr().err


def test_missing_answers_file_is_bad_input(tmp_path, capsys):
    assert main(["init", "--yes", "--project-dir", str(tmp_path), "--answers", str(tmp_path / "nope.yaml")]) == 2
    assert "Cannot read answers file" in capsys.readouterr().err


def test_configure_refuses_an_endpoint_without_scheme(tmp_path, capsys):
    assert main(["configure", "--project-dir", str(tmp_path), "--target", "endpoint", "--endpoint-url", "localhost:4566"]) == 2
    assert "http://" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_status_outside_a_project_says_to_init_first(tmp_path, capsys):
    assert main(["status", "--project-dir", str(tmp_path)]) == 1
    assert "amplify-nb init" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("argv, suggestion", [
    (["psuh"], "Did you mean push?"),
    (["add", "atuh"], "Did you mean auth?"),
    (["stauts"], "Did you mean status?"),
])
def test_a_mistyped_command_exits_2_and_suggests_the_close_one(capsys, argv, suggestion):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert suggestion in capsys.readouterr().err


def test_version_and_help_work_like_amplifys(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0 and capsys.readouterr().out.startswith("amplify-nb ")
    assert main(["help"]) == 0 and "COMMAND" in capsys.readouterr().out
    assert main(["help", "push"]) == 0 and "--plan" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["help", "pusj"])
    assert "Did you mean push?" in capsys.readouterr().err


def test_answers_files_may_use_the_flags_kebab_case_names(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("name: beer\nenv: dev\nsource-dir: ../outside\n")
    assert main(["init", "--yes", "--project-dir", str(tmp_path), "--answers", str(answers)]) == 2
    assert "Source directory path must be a folder inside the project" in capsys.readouterr().err



def test_the_sample_app_installs_from_the_cli_as_from_the_notebook(tmp_path, capsys):
    from test_auth_spec import project_without_cloud

    project = project_without_cloud(tmp_path)
    assert main(["app", "install", "--project-dir", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert "Sample app installed" in out and "python -m amplify_nb.sample_app build" in out
    assert (project.source_dir / "index.html").exists()
    assert main(["app", "install", "--project-dir", str(project.root)]) == 0  # again: nothing of yours replaced


@pytest.mark.parametrize(("args", "code", "said"), [
    (["--version"], 0, "amplify-nb "),
    (["status", "--project-dir", "{tmp}"], 1, "No Amplify project in"),
    (["pussh"], 2, "Did you mean push?"),
])
def test_the_program_exits_with_the_command_s_code_and_everything_said(tmp_path, args, code, said):
    """`amplify-nb` (cli.run) ends without the final garbage collection: its code and output must still arrive."""
    done = subprocess.run([sys.executable, "-c", "from amplify_nb.cli import run; run()",
                           *[arg.format(tmp=tmp_path) for arg in args]],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)

    assert done.returncode == code
    assert said in done.stdout + done.stderr
