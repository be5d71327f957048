"""An environment file is checked whole before anything is written: each problem names its key path, unknown
keys are refused with the closest known one, kebab-case keys work as the CLI's flags do, and the api's nested
function and table become resources of their own, added in the order they depend on each other."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from amplify_nb.aws import Target
from amplify_nb.cli import main
from amplify_nb.errors import InputError
from amplify_nb.project.setup import plan_environment, plan_workshop
from amplify_nb.specs.environment import parse_environment, parse_environment_text, resource_sections

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "envs"


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as raised:
        parse_environment(data)
    return [str(p) for p in raised.value.problems]


def test_the_example_files_parse_into_the_tutorials_resources_in_dependency_order():
    environment = parse_environment(yaml.safe_load((EXAMPLES / "dev-local.yaml").read_text()))
    order = [(s.category, s.path) for s in resource_sections(environment)]
    assert order == [("hosting", "hosting"), ("auth", "auth"), ("storage", "api.new_function.new_table"),
                     ("function", "api.new_function"), ("api", "api")]
    api = next(s for s in resource_sections(environment) if s.category == "api")
    assert api.answers["function"] == "beerfn" and "new_function" not in api.answers
    function = next(s for s in resource_sections(environment) if s.category == "function")
    assert function.answers["table"] == "beer" and function.answers["data_source"] == "project"
    assert environment.configure.target == "local" and environment.env == "dev" and environment.publish

    workshop = yaml.safe_load((EXAMPLES / "workshop.yaml").read_text())
    assert parse_environment(workshop, trainee="ana").init["name"] == "beerana"
    assert parse_environment(workshop, trainee="ana").trainees == ("ana", "ben", "chloe")


@pytest.mark.parametrize("data, expected", [
    ({"api": {"new_function": {"runtime": "ruby"}}}, "api.new_function.runtime: The runtime must be one of"),
    ({"api": {"new_function": {"runtim": "python"}}}, "api.new_function.runtim: unknown key. Did you mean runtime?"),
    ({"api": {"new_function": {"new_table": {"columns": [{"name": "id", "typ": "string"}]}}}},
     "api.new_function.new_table.columns[0].typ: unknown key. Did you mean type?"),
    ({"api": {"new_function": {"new_table": {"partition_key": "nope"}}}}, "api.new_function.new_table.partition_key:"),
    ({"api": {"path": "beer"}}, "api.path: Path must begin with /"),
    ({"api": {"new_function": "yes"}}, "api.new_function: must be a mapping of function answers"),
    ({"api": {"new_function": {"new_table": [1]}}}, "api.new_function.new_table: must be a mapping of storage answers"),
    ({"api": {"new_function": {"new_table": {"columns": "id:strin"}}}}, "api.new_function.new_table.columns: Column 1 (id): The data type"),
    ({"hostin": {}}, "hostin: unknown key. Did you mean hosting?"),
    ({"hosting": {"environment": "STAGING"}}, "hosting.environment: Environment setup must be one of"),
    ({"hosting": {"publish": "yes"}}, "hosting.publish: must be true or false"),
    ({"auth": {"password_min_length": 3}}, "auth.password_min_length: Minimum password length"),
    ({"auth": "email"}, "auth: must be a mapping of answers"),
    ({"init": {"env": "DEV"}}, "init.env: Environment name must be between 2 and 10 characters"),
    ({"init": {"nmae": "beerapp"}}, "init.nmae: unknown key. Did you mean name?"),
    ({"target": "aws"}, "profile: The aws target needs a named profile"),
    ({"target": "cloud"}, "target: Target must be one of"),
    ({"storage": [{"columns": [{"name": "id"}]}]}, "storage[0].resource_name: each entry of storage needs a resource_name"),
    ({"storage": [{"resource_name": "a1"}, {"resource_name": "a1"}]}, "storage[1]: storage 'a1' is also made by storage[0]"),
    ({"functions": [{"name": "f-1"}]}, "functions[0].name: You can use the following characters"),
    ({"functions": "stats"}, "functions: must be a list of function answers"),
    ({"trainees": ["Ana"]}, "trainees[0]: 'Ana' must be 1-16 lowercase letters"),
    ({"trainees": ["ana", "ana"]}, "trainees: ana appear more than once"),
])
def test_every_problem_names_its_key_path(data, expected):
    assert any(message.startswith(expected) for message in problems_of(data)), problems_of(data)


def test_every_problem_of_a_file_is_reported_at_once():
    found = problems_of({"init": {"env": "DEV"}, "auth": {"mfa": "always"}, "api": {"path": "x"}})
    assert [m.split(":")[0] for m in found] == ["init.env", "auth.mfa", "api.path"]


def test_kebab_case_keys_are_read_like_the_cli_flags():
    environment = parse_environment({"init": {"source-dir": "web"}, "auth": {"sign-in-with": "username"},
                                     "api": {"new-function": {"new-table": {"resource-name": "beer"}}}})
    assert environment.init == {"source_dir": "web"}
    assert environment.section("auth").answers == {"sign_in_with": "username"}
    assert [s.answers["resource_name"] for s in resource_sections(environment) if s.category == "storage"] == ["beer"]


def test_text_that_is_not_a_mapping_is_refused():
    with pytest.raises(InputError, match="must hold a mapping"):
        parse_environment_text("- a\n- b\n", "env.yaml")
    with pytest.raises(InputError, match="Cannot read env.yaml as YAML"):
        parse_environment_text("a: [b\n", "env.yaml")


def test_answers_checked_against_the_project_name_their_key_and_nothing_is_written(tmp_path):
    project_dir = tmp_path / "beer-app"
    with pytest.raises(InputError) as raised:
        plan_environment({"api": {"path": "/beer"},
                          "functions": [{"name": "stats", "advanced_settings": True,
                                         "access": {"storage": {"nope": ["read"]}}}]}, project_dir)
    messages = [str(p) for p in raised.value.problems]
    assert any(m.startswith("api.restrict_access: Restricting API access needs auth") for m in messages)
    assert any(m.startswith("functions[0].access: The project has no storage resource 'nope'") for m in messages)
    assert not project_dir.exists()


def test_a_function_may_use_a_table_the_same_file_adds(tmp_path):
    planned = plan_environment({"storage": [{"resource_name": "reviews"}],
                                "functions": [{"name": "stats", "template": "crud-dynamodb", "table": "reviews"}]},
                               tmp_path / "beer-app")
    assert [(r.category, r.name, r.action) for r in planned.resources] == [("storage", "reviews", "add"),
                                                                          ("function", "stats", "add")]
    assert planned.init_action == "create project"


def test_a_workshop_gives_each_trainee_a_project_and_refuses_names_they_would_share(tmp_path):
    data = yaml.safe_load((EXAMPLES / "workshop.yaml").read_text())
    plans = plan_workshop(data, workshop_dir=tmp_path / "class")
    assert [(t, p.project_dir.name, p.init.name) for t, p in plans] == [
        ("ana", "ana", "beerana"), ("ben", "ben", "beerben"), ("chloe", "chloe", "beerchloe")]
    data["api"]["new_function"]["name"] = "beerfn"
    with pytest.raises(InputError, match=r"api.new_function.name: 'beerfn' is the same for ana and ben"):
        plan_workshop(data, workshop_dir=tmp_path / "class")
    assert plan_workshop(data, trainees=["dora"], workshop_dir=tmp_path / "class")[0][1].init.name == "beerdora"
    assert not (tmp_path / "class").exists()


def test_the_setup_command_exits_2_on_a_bad_file_and_changes_nothing(tmp_path, capsys):
    bad = tmp_path / "env.yaml"
    bad.write_text("init:\n  name: beerapp\nauth:\n  sign-in-with: fax\n")
    assert main(["setup", str(bad), "--project-dir", str(tmp_path / "app"), "--yes"]) == 2
    assert "auth.sign_in_with: Sign-in method must be one of" in capsys.readouterr().err
    assert not (tmp_path / "app").exists()


def test_the_setup_command_plans_without_changing_anything(tmp_path, capsys):
    assert main(["setup", str(EXAMPLES / "dev-local.yaml"), "--project-dir", str(tmp_path / "app"), "--plan"]) == 0
    out = capsys.readouterr().out
    assert "create project" in out and "api.new_function.new_table" in out
    assert not (tmp_path / "app").exists()


def write_project(folder: Path, backend_config: dict, aws_info: dict) -> None:
    """The few files that make a folder an Amplify project (as init writes them)."""
    config = folder / "amplify" / ".config"
    config.mkdir(parents=True)
    (config / "project-config.json").write_text(json.dumps({"projectName": "beerapp", "version": "3.1"}))
    (config / "local-env-info.json").write_text(json.dumps({"projectPath": str(folder), "envName": "dev"}))
    (config / "local-aws-info.json").write_text(json.dumps(aws_info))
    (folder / "amplify" / "team-provider-info.json").write_text(json.dumps({"dev": {"awscloudformation": {}}}))
    (folder / "amplify" / "backend").mkdir()
    (folder / "amplify" / "backend" / "backend-config.json").write_text(json.dumps(backend_config))


def snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_file_cannot_move_an_env_to_another_target_or_rename_the_project(tmp_path):
    write_project(tmp_path, {}, {"dev": Target(kind="aws", profile="class").to_aws_info()})
    before = snapshot(tmp_path)
    with pytest.raises(InputError) as raised:
        plan_environment({"target": "local", "init": {"name": "otherapp"}}, tmp_path)
    messages = [str(p) for p in raised.value.problems]
    assert any(m.startswith("target: env dev of this project deploys to the AWS") for m in messages), messages
    assert any(m.startswith("init.name: ") and "'beerapp'" in m for m in messages), messages
    assert snapshot(tmp_path) == before
    assert plan_environment({"init": {"env": "dev"}}, tmp_path).init_action == "none"  # no target: the env's own


def test_an_unnamed_api_must_be_named_when_the_project_has_several(tmp_path):
    apis = {"api": {"first": {"service": "API Gateway"}, "second": {"service": "API Gateway"}}}
    write_project(tmp_path, apis, {"dev": Target().to_aws_info()})
    with pytest.raises(InputError, match=r"api.name: this project has several APIs \(first, second\)"):
        plan_environment({"auth": {}, "api": {"path": "/beer"}}, tmp_path)
