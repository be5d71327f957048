"""notebooks/05-function, 06-dynamodb and 07-environments run headless with papermill, each alone (bootstrapping init, the CRUD
function and its table) and twice without change: the function's real code answers API events from the local
table, an edited handler answers after a one-call push, and the table gains its index and the CSV's beers."""
from __future__ import annotations

import json
import re
import uuid

from test_notebooks import SECRET_PATTERNS, outputs_text, run_notebook

from amplify_nb.project import Project, plan, resource_status


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def test_function_notebook_alone_deploys_invokes_edits_and_a_second_run_changes_nothing(tmp_path, local_cloud):
    project_dir, function, table = tmp_path / "beer", unique("beerfn"), unique("beer")
    executed = run_notebook("05-function.ipynb", tmp_path, project_dir=str(project_dir), function_name=function,
                            table_name=table)
    project = Project.open(project_dir)
    assert set(project.backend_config()) == {"function", "storage"}
    dependency = project.backend_config()["function"][function]["dependsOn"][0]
    assert (dependency["category"], dependency["resourceName"]) == ("storage", table)
    lam = project.target().client("lambda")
    config = lam.get_function_configuration(FunctionName=f"{function}-dev")
    assert config["Environment"]["Variables"][f"STORAGE_{table.upper()}_NAME"] == f"{table}-dev"
    text = outputs_text(executed)
    assert "All checks passed." in text and "update_function_code" in text
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, text), pattern
    sha = config["CodeSha256"]

    run_notebook("05-function.ipynb", tmp_path, project_dir=str(project_dir), function_name=function, table_name=table)
    assert lam.get_function_configuration(FunctionName=f"{function}-dev")["CodeSha256"] == sha  # nothing re-uploaded
    assert not plan(project)


def test_dynamodb_notebook_alone_adds_the_index_and_loads_the_csv(tmp_path, local_cloud):
    project_dir, function, table = tmp_path / "beer", unique("beerfn"), unique("beer")
    executed = run_notebook("06-dynamodb.ipynb", tmp_path, project_dir=str(project_dir), function_name=function,
                            table_name=table)
    project = Project.open(project_dir)
    described = project.target().client("dynamodb").describe_table(TableName=f"{table}-dev")["Table"]
    assert [g["IndexName"] for g in described["GlobalSecondaryIndexes"]] == ["byType"]
    assert described["ItemCount"] >= 61  # the CSV's 60 beers and the one put by hand
    assert "All checks passed." in outputs_text(executed)
    inputs = json.loads((project.paths.resource_dir("storage", table) / "cli-inputs.json").read_text())
    assert inputs["gsi"] == [{"name": "byType", "partitionKey": {"fieldName": "type", "fieldType": "string"}}]

    run_notebook("06-dynamodb.ipynb", tmp_path, project_dir=str(project_dir), function_name=function, table_name=table)
    assert all(row.operation == "No Change" for row in resource_status(project)) and not plan(project)


def test_environments_notebook_alone_adds_pushes_finds_drift_repairs_and_removes_an_env_twice(tmp_path, local_cloud):
    project_dir, function, table = tmp_path / "beer", unique("beerfn"), unique("beer")
    for _ in range(2):  # run twice: the second run adds and removes the env again, with the same outcome
        executed = run_notebook("07-environments.ipynb", tmp_path, project_dir=str(project_dir),
                                function_name=function, table_name=table)
        text = outputs_text(executed)
        assert "All checks passed." in text
        assert "MemorySize: 128 -> 256 in the cloud" in text  # the console edit, found as drift
        assert "repairs drift" in text  # and named in the push plan
        for pattern in SECRET_PATTERNS:
            assert not re.search(pattern, text), pattern
        project = Project.open(project_dir)
        assert list(project.team_provider_info()) == ["dev"] and project.env_name == "dev"
        lam = project.target().client("lambda")
        assert f"{function}-test" not in {f["FunctionName"] for f in lam.list_functions()["Functions"]}
        assert not plan(project)
