"""The env commands' input rules, on project files alone (no cloud): Amplify's env name rule and messages, an
existing env refused by env add unless its add was interrupted, env remove refusing the current and unknown envs,
and pull's local-change detection."""
from __future__ import annotations

import json

import pytest

from amplify_nb.errors import InputError
from amplify_nb.fileio import atomic_write_json
from amplify_nb.project import Project
from amplify_nb.project.envs import (CURRENT_ENV_MESSAGE, check_can_remove_env, check_env_exists, check_new_env,
                                     env_name_problems)
from amplify_nb.project.pull import local_changes
from amplify_nb.specs.init import ENV_NAME_MESSAGE


@pytest.fixture
def project(tmp_path) -> Project:
    """dev (current, pushed), staging (pushed) and half (its add was killed before its root push finished)."""
    project = Project(tmp_path)
    atomic_write_json(project.paths.project_config, {"projectName": "beerunit", "providers": ["awscloudformation"]})
    atomic_write_json(project.paths.local_env_info, {"projectPath": str(tmp_path), "envName": "dev"})
    pushed = lambda env: {"awscloudformation": {"StackName": f"amplify-beerunit-{env}-abcde",  # noqa: E731
                                                "DeploymentBucketName": f"amplify-beerunit-{env}-abcde-deployment"}}
    atomic_write_json(project.paths.team_provider_info, {
        "dev": pushed("dev"), "staging": pushed("staging"),
        "half": {"awscloudformation": {"StackName": "amplify-beerunit-half-abcde"}}})
    return project


@pytest.mark.parametrize("name", ["dev", "test", "ab", "abcdefghij"])
def test_amplifys_env_names_are_accepted(name):
    assert env_name_problems(name) == []


@pytest.mark.parametrize("name", ["a", "abcdefghijk", "Test", "test1", "te-st", "te st", "", None, 12])
def test_other_env_names_get_amplifys_message(name):
    assert [problem.message for problem in env_name_problems(name)] == [ENV_NAME_MESSAGE]


def test_env_add_refuses_an_env_the_project_has(project):
    with pytest.raises(InputError, match="An environment named 'staging' already exists"):
        check_new_env(project, "staging")
    with pytest.raises(InputError, match=ENV_NAME_MESSAGE):
        check_new_env(project, "Staging")
    check_new_env(project, "prod")


def test_env_add_may_finish_an_env_whose_add_was_interrupted(project):
    check_new_env(project, "half")  # its root push never recorded: a rerun finishes it
    atomic_write_json(project.paths.push_journal, {"env": "staging", "done": ["create ..."]})
    check_new_env(project, "staging")  # killed after its last root step, before the push finished


def test_env_remove_refuses_the_current_env_and_envs_the_project_lacks(project):
    with pytest.raises(InputError) as refused:
        check_can_remove_env(project, "dev")
    assert str(refused.value) == CURRENT_ENV_MESSAGE
    with pytest.raises(InputError, match="Please pass in a valid environment name.*dev, staging, half"):
        check_can_remove_env(project, "prod")
    check_can_remove_env(project, "staging")
    with pytest.raises(InputError, match="valid environment name"):
        check_env_exists(project, None)


def write_resource(base, category, name, files: dict) -> None:
    for relative, text in files.items():
        path = base / category / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_local_changes_are_files_that_differ_from_the_record_not_build_output(tmp_path):
    backend, record = tmp_path / "backend", tmp_path / "record"
    config = {"function": {"fn": {"service": "Lambda"}}}
    for base in (backend, record):
        base.mkdir()
        (base / "backend-config.json").write_text(json.dumps(config))
        write_resource(base, "function", "fn", {"src/index.py": "def handler(e, c): return 1\n"})
    (record / "amplify-meta.json").write_text("{}")  # generated, gitignored: never a local change
    write_resource(backend, "function", "fn", {"dist/latest-build.zip": "zip"})
    assert local_changes(backend, record) == []
    assert local_changes(tmp_path / "no-backend", record) == []

    write_resource(backend, "function", "fn", {"src/index.py": "def handler(e, c): return 2\n"})
    assert local_changes(backend, record) == ["function/fn"]
    (backend / "backend-config.json").write_text(json.dumps({**config, "storage": {"beer": {}}}))
    write_resource(backend, "storage", "beer", {"cli-inputs.json": "{}"})
    assert local_changes(backend, record) == ["backend-config.json", "function/fn", "storage/beer"]


def test_env_add_in_a_terminal_asks_the_name_and_reasks_a_bad_one(project, monkeypatch, capsys):
    import sys

    import amplify_nb.project.envs as envs_module
    from amplify_nb.cli import main

    replies = iter(["Test", "staging", "prod"])
    prompts: list[str] = []
    received = {}

    def fake_input(prompt=""):
        prompts.append(prompt)
        return next(replies)

    def fake_add_env(project, env, progress=False):
        received["env"] = env
        raise InputError("stop here")  # the question is what this test is about

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(envs_module, "add_env", fake_add_env)
    assert main(["env", "add", "--project-dir", str(project.root)]) == 2
    out = capsys.readouterr().out
    assert prompts == ["? Enter a name for the environment "] * 3
    assert ENV_NAME_MESSAGE in out and "An environment named 'staging' already exists" in out
    assert received["env"] == "prod"
