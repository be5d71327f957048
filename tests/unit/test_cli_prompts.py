"""In a terminal without --yes, the CLI asks each question with its default shown and re-asks a bad answer."""
import sys

import amplify_nb.project as project_module
from amplify_nb.cli import main
from amplify_nb.errors import InputError


def test_init_asks_each_question_shows_defaults_and_reasks_bad_answers(tmp_path, monkeypatch, capsys):
    replies = iter(["n", "ab", "beerapp", "Prod", "prod", "", "", "4", "", "", "", ""])
    prompts = []

    def fake_input(prompt=""):
        prompts.append(prompt)
        return next(replies)

    received = {}

    def fake_init(project_dir, spec, progress=True):
        received["spec"] = spec
        raise InputError("stop here")  # the answers are what this test is about

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(project_module, "init_project", fake_init)
    assert main(["init", "--project-dir", str(tmp_path / "my-beer")]) == 2

    out = capsys.readouterr().out
    assert "Initialize the project with the above configuration?" in prompts[0]
    assert prompts[1] == "? Enter a name for the project (mybeer) "
    assert "Project name should be between 3 and 20 characters and alphanumeric" in out
    assert "Environment name must be between 2 and 10 characters" in out
    assert "1. Visual Studio Code  (default)" in out
    spec = received["spec"]
    assert (spec.name, spec.env, spec.framework, spec.distribution_dir) == ("beerapp", "prod", "react", "build")
