"""Watch mode without a cloud: which saved files count as a function's code, and the calls a code-only deploy
makes on real AWS (pinned with botocore's Stubber): the running CodeSha256 read first, update_function_code
retried while another update is in progress, a wait until LastUpdateStatus is Successful, then the record."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import botocore.waiter
import pytest
from botocore.stub import ANY
from stubs import stubbed_target

from amplify_nb.errors import AmplifyNbError
from amplify_nb.functions.build import BuildError
from amplify_nb.project import Project, resource_status
from amplify_nb.project.watch import deploy_function_code, is_watched, python_syntax_errors, sort_changes

STACK = "amplify-beerapp-dev-123456"
BUCKET = f"{STACK}-deployment"
FUNCTION = "beerfn-dev"


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """A project whose function beerfn was pushed with `v1`, and whose src/ now says `v2`."""
    amplify = tmp_path / "amplify"
    write(amplify / ".config" / "project-config.json", {"projectName": "beerapp", "version": "3.1"})
    write(amplify / ".config" / "local-env-info.json", {"envName": "dev"})
    write(amplify / "team-provider-info.json", {"dev": {"awscloudformation": {
        "StackName": STACK, "DeploymentBucketName": BUCKET, "Region": "us-east-1"}}})
    entry = {"build": True, "providerPlugin": "awscloudformation", "service": "Lambda", "dependsOn": []}
    write(amplify / "backend" / "backend-config.json", {"function": {"beerfn": entry}})
    function = amplify / "backend" / "function" / "beerfn"
    write(function / "function-parameters.json", {"permissions": {}, "runtime": "python3.12", "template": "hello-world",
                                                  "timeout": 25, "memory": 128, "environment": {}})
    write(function / "src" / "index.py", "def handler(event, context):\n    return 'v1'\n")
    meta = {"providers": {"awscloudformation": {"StackName": STACK}},
            "function": {"beerfn": {**entry, "output": {"Name": FUNCTION}, "lastPushDirHash": "pushed-v1"}}}
    write(amplify / "backend" / "amplify-meta.json", meta)
    shutil.copytree(amplify / "backend", amplify / "#current-cloud-backend")
    write(function / "src" / "index.py", "def handler(event, context):\n    return 'v2'\n")
    project = Project(tmp_path)
    target, stubs = stubbed_target("lambda", "s3")
    monkeypatch.setattr(Project, "target", lambda self, env=None: target)
    project.stubs = stubs
    return project


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(botocore.waiter.time, "sleep", lambda seconds: None)
    monkeypatch.setattr("amplify_nb.deploy.executor.time.sleep", lambda seconds: None)


def function_state(update: str) -> dict:
    return {"Configuration": {"FunctionName": FUNCTION, "State": "Active", "LastUpdateStatus": update}}


def test_a_code_only_deploy_on_aws_retries_a_busy_function_waits_for_the_update_then_records(project):
    awslambda, s3 = project.stubs["lambda"], project.stubs["s3"]
    assert [row.operation for row in resource_status(project)] == ["Update"]
    awslambda.add_response("get_function_configuration", {"FunctionName": FUNCTION, "CodeSha256": "running-v1"},
                           {"FunctionName": FUNCTION})
    awslambda.add_client_error("update_function_code", "ResourceConflictException",
                               "The operation cannot be performed at this time. An update is in progress for resource",
                               http_status_code=409, expected_params={"FunctionName": FUNCTION, "ZipFile": ANY})
    awslambda.add_response("update_function_code", {"FunctionName": FUNCTION}, {"FunctionName": FUNCTION, "ZipFile": ANY})
    awslambda.add_response("get_function", function_state("InProgress"), {"FunctionName": FUNCTION})
    awslambda.add_response("get_function", function_state("Successful"), {"FunctionName": FUNCTION})
    s3.add_response("put_object", {}, {"Bucket": BUCKET, "Key": "#current-cloud-backend.zip", "Body": ANY})

    done = deploy_function_code(project, "beerfn")

    awslambda.assert_no_pending_responses()
    s3.assert_no_pending_responses()
    assert done.uploaded and done.deployed_name == FUNCTION
    assert [row.operation for row in resource_status(project)] == ["No Change"]
    recorded = project.paths.resource_dir("function", "beerfn", current=True) / "src" / "index.py"
    assert "'v2'" in recorded.read_text()
    for current in (False, True):
        entry = project.amplify_meta(current=current)["function"]["beerfn"]
        assert entry["lastPushDirHash"] not in ("", "pushed-v1") and entry["output"] == {"Name": FUNCTION}


def test_code_that_does_not_compile_is_refused_before_any_call(project):
    source = project.paths.resource_dir("function", "beerfn") / "src" / "index.py"
    source.write_text("def handler(event, context)\n    return 'v2'\n")
    with pytest.raises(BuildError, match=r'(?s)does not compile.*File "src/index.py", line 1.*SyntaxError'):
        deploy_function_code(project, "beerfn")  # the stubs answer nothing: any call would fail the test
    assert [row.operation for row in resource_status(project)] == ["Update"]


def test_an_unpushed_function_is_not_deployed_by_watch(project):
    shutil.rmtree(project.paths.current_cloud_backend / "function")
    write(project.paths.current_cloud_backend / "backend-config.json", {})
    with pytest.raises(AmplifyNbError, match="not pushed yet"):
        deploy_function_code(project, "beerfn")


def test_saved_files_are_sorted_into_function_code_and_everything_else(project):
    backend = project.paths.backend
    saved = [backend / "function" / "beerfn" / "src" / "index.py",
             backend / "function" / "beerfn" / "src" / "lib" / "util.py",
             backend / "function" / "beerfn" / "function-parameters.json",
             backend / "function" / "newfn" / "src" / "index.py",  # not pushed: push creates it
             backend / "backend-config.json",
             backend / "amplify-meta.json",  # push's own output
             backend / "function" / "beerfn" / "dist" / "latest-build.zip",
             backend / "function" / "beerfn" / "src" / "__pycache__" / "index.cpython-312.pyc",
             backend / "function" / "beerfn" / "src" / ".index.py.swp",
             backend / "function" / "beerfn" / "src" / "index.py~"]
    changes = sort_changes(project, saved)
    assert changes.functions == ("beerfn",)
    assert changes.other_files == ("backend-config.json", "function/beerfn/function-parameters.json",
                                   "function/newfn/src/index.py")
    assert not is_watched(backend, project.paths.current_cloud_backend / "backend-config.json")
    assert not sort_changes(project, saved[5:])


def test_syntax_errors_name_the_file_and_line(tmp_path):
    write(tmp_path / "ok.py", "x = 1\n")
    write(tmp_path / "pkg" / "bad.py", "x = (\n")
    write(tmp_path / "__pycache__" / "bad.py", "x = (\n")  # caches are not the code
    errors = python_syntax_errors(tmp_path)
    assert len(errors) == 1 and 'File "src/pkg/bad.py", line 1' in errors[0] and "SyntaxError" in errors[0]
