"""storage and function through the amplify-nb command: bad answers exit 2 and write nothing, a table a
function uses cannot be removed, a push of table + CRUD function killed at any step converges when run again,
and removing one of two functions on one table leaves the other (its role, policies and access) working."""
from __future__ import annotations

import json
import uuid

import pytest
from cli_runner import run_cli
from test_envs import cloud_inventory

from amplify_nb.project import Project, plan

GET_ALL = {"httpMethod": "GET", "path": "/beer", "resource": "/beer", "pathParameters": None, "body": None}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def project_dir(tmp_path, local_cloud):
    folder = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(folder))
    return folder


def add_crud_function(project_dir, function: str, table: str, *extra: str):
    answers = project_dir.parent / f"{function}.yaml"
    answers.write_text(json.dumps({"name": function, "template": "crud-dynamodb",
                                   "new_table": {"resource_name": table, "table_name": table}}))
    return run_cli("add", "function", "--yes", "--answers", str(answers), *extra, "--project-dir", str(project_dir))


def invoke(project: Project, function: str, event: dict) -> dict:
    response = project.target().client("lambda").invoke(FunctionName=f"{function}-dev", Payload=json.dumps(event))
    assert "FunctionError" not in response
    return json.loads(response["Payload"].read())


@pytest.mark.parametrize("category, flags, message", [
    ("storage", ["--resource-name", "bad name"], "Resource name should be alphanumeric"),
    ("storage", ["--columns", "id:strin"], "data type must be one of"),
    ("storage", ["--partition-key", "nope"], "The partition key must be one of the table's columns"),
    ("storage", ["--columns", "id:boolean", "--partition-key", "id"], "The partition key must be one of"),
    ("function", ["--name", "bad-name"], "You can use the following characters: a-z A-Z 0-9"),
    ("function", ["--access", "storage/nosuchtable=create"], "nosuchtable"),
    ("function", ["--timeout", "0", "--advanced-settings", "yes"], "timeout must be a whole number between 1 and 900"),
])
def test_bad_answers_exit_2_and_write_nothing(project_dir, category, flags, message):
    before = files(project_dir)
    done = run_cli("add", category, "--yes", *flags, "--project-dir", str(project_dir), check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert files(project_dir) == before


def test_a_table_a_function_uses_cannot_be_removed(project_dir):
    add_crud_function(project_dir, "beerfn", unique("beer"))
    table = next(iter(Project.open(project_dir).backend_config()["storage"]))
    before = files(project_dir)
    done = run_cli("remove", "storage", table, "--yes", "--project-dir", str(project_dir), check=False)
    assert done.returncode == 2 and f"storage {table} is used by function beerfn" in done.stderr
    assert files(project_dir) == before


def count_steps(project_dir) -> int:
    shown = run_cli("push", "--plan", "--project-dir", str(project_dir)).stdout
    return int(next(line for line in shown.splitlines() if "step(s) would run" in line).split()[0])


def test_a_push_of_table_and_crud_function_killed_at_any_step_converges(tmp_path, local_cloud):
    table_base = unique("kill")
    total = None
    step = 1
    while total is None or step <= total:
        folder = tmp_path / f"killed{step}" / "beer"
        run_cli("init", "--yes", "--project-dir", str(folder))
        function, table = f"fn{table_base}{step}", f"{table_base}{step}"
        add_crud_function(folder, function, table)
        total = total or count_steps(folder)
        killed = run_cli("push", "--yes", "--project-dir", str(folder), env={"AMPLIFY_NB_FAULT_AFTER_STEPS": str(step)},
                         check=False)
        assert killed.returncode == -9, killed.stderr
        run_cli("push", "--yes", "--project-dir", str(folder))
        project = Project.open(folder)
        assert not plan(project), f"killed after step {step}: a push after the rerun still has work"
        assert invoke(project, function, GET_ALL)["statusCode"] == 200
        mine = {kind: sorted(name for name in found if table in str(name)) for kind, found in cloud_inventory(project).items()}
        assert len(mine["roles"]) == 1 and len(project.target().client("lambda").list_functions()["Functions"]) >= 1
        assert project.target().client("dynamodb").describe_table(TableName=f"{table}-dev")["Table"]["TableStatus"] == "ACTIVE"
        step += 1
    assert total >= 6


def test_removing_one_of_two_functions_on_a_table_leaves_the_other_working(project_dir):
    table = unique("beer")
    add_crud_function(project_dir, "firstfn", table)
    access = project_dir.parent / "second.yaml"
    access.write_text(json.dumps({"name": "secondfn", "template": "crud-dynamodb", "table": table}))
    run_cli("add", "function", "--yes", "--answers", str(access), "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    iam = project.target().client("iam")
    second_role = project.amplify_meta()["function"]["secondfn"]["output"]["LambdaExecutionRole"]
    policies = sorted(iam.list_role_policies(RoleName=second_role)["PolicyNames"])
    created = invoke(project, "firstfn", {**GET_ALL, "httpMethod": "POST",
                                          "body": json.dumps({"name": "Orval", "brand": "Orval", "type": "Trappist"})})
    assert created["statusCode"] == 201

    first_role = project.amplify_meta()["function"]["firstfn"]["output"]["LambdaExecutionRole"]
    run_cli("remove", "function", "firstfn", "--yes", "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    assert first_role not in {role["RoleName"] for role in iam.list_roles()["Roles"]}  # its role and policies went with it
    names = [f["FunctionName"] for f in project.target().client("lambda").list_functions()["Functions"]]
    assert "firstfn-dev" not in names and "secondfn-dev" in names
    assert sorted(iam.list_role_policies(RoleName=second_role)["PolicyNames"]) == policies
    listed = json.loads(invoke(project, "secondfn", GET_ALL)["body"])
    assert [beer["name"] for beer in listed] == ["Orval"]
    assert not plan(project)


def test_mock_function_runs_unpushed_code_against_the_local_table(project_dir):
    table = unique("beer")
    add_crud_function(project_dir, "beerfn", table)
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    project.target().client("dynamodb").put_item(TableName=f"{table}-dev", Item={
        "id": {"S": "b1"}, "name": {"S": "Orval"}, "brand": {"S": "Orval"}, "type": {"S": "Trappist"}})
    source = project.paths.resource_dir("function", "beerfn") / "src" / "index.py"
    source.write_text(source.read_text().replace('"Access-Control-Allow-Origin": "*",',
                                                 '"Access-Control-Allow-Origin": "*", "X-Unpushed": "yes",', 1))
    event = project_dir.parent / "event.json"
    event.write_text(json.dumps(GET_ALL))
    done = run_cli("mock", "function", "beerfn", "--event", str(event), "--project-dir", str(project_dir))
    assert "START RequestId" in done.stdout and "REPORT RequestId" in done.stdout
    answer = json.loads(done.stdout[done.stdout.index("Result:") + len("Result:"):done.stdout.index("Finished execution")])
    assert answer["headers"]["X-Unpushed"] == "yes" and json.loads(answer["body"])[0]["name"] == "Orval"
    missing = run_cli("mock", "function", "nosuch", "--project-dir", str(project_dir), check=False)
    assert missing.returncode == 2 and "no function 'nosuch'" in missing.stderr
    bad = run_cli("mock", "function", "beerfn", "--timeout", "0", "--project-dir", str(project_dir), check=False)
    assert bad.returncode == 2 and "--timeout" in bad.stderr
