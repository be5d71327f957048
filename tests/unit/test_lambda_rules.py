"""Lambda function plans, pinned with botocore's Stubber: create (retried while a new role is not assumable yet)
then wait until Active; a code change and a configuration change are separate updates, each followed by a wait
for LastUpdateStatus Successful (real Lambda refuses the second with ResourceConflictException; moto forgives)."""
from __future__ import annotations

import base64
import hashlib

import botocore.waiter
import pytest
from stubs import stubbed_target

from amplify_nb.deploy import Executor, RemoteState, Role, StoreValue, plan_push
from amplify_nb.deploy.plan import Plan
from amplify_nb.deploy.rules.awslambda import Function
from amplify_nb.errors import CloudError

NAME = "beerfn-dev"
ACCOUNT = "123456789012"
ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{NAME}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/beerfnLambdaRole-dev"
ROLE = Role("beerfnLambdaRole-dev")


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Waiters and retries go at once (a stubbed target counts as real AWS, which sleeps between tries)."""
    monkeypatch.setattr(botocore.waiter.time, "sleep", lambda seconds: None)
    monkeypatch.setattr("amplify_nb.deploy.executor.time.sleep", lambda seconds: None)


@pytest.fixture
def build(tmp_path):
    path = tmp_path / "latest-build.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip archive
    return path, base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def function(build, **changes):
    path, sha = build
    settings = dict(role=ROLE_ARN, zip_path=str(path), code_sha256=sha, runtime="python3.12",
                    environment={"ENV": "dev", "REGION": "us-east-1", "STORAGE_BEER_NAME": "beer-dev"}, tags={"user:Stack": "dev"})
    return Function(NAME, **{**settings, **changes})


def configuration(sha, state="Active", update="Successful", **changes):
    config = {"FunctionName": NAME, "FunctionArn": ARN, "Runtime": "python3.12", "Role": ROLE_ARN,
              "Handler": "index.handler", "Timeout": 25, "MemorySize": 128, "Description": "", "CodeSha256": sha,
              "Environment": {"Variables": {"ENV": "dev", "REGION": "us-east-1", "STORAGE_BEER_NAME": "beer-dev"}},
              "State": state, "LastUpdateStatus": update}
    return {**config, **changes}


def found(sha, **changes):
    return {"Configuration": configuration(sha, **changes), "Tags": {"user:Stack": "dev"}}


def missing(awslambda):
    awslambda.add_client_error("get_function", "ResourceNotFoundException", f"Function not found: {ARN}",
                               http_status_code=404, expected_params={"FunctionName": NAME})


def test_a_new_function_is_created_retried_while_its_new_role_propagates_then_waited_for_until_active(build):
    target, stubs = stubbed_target("lambda")
    awslambda = stubs["lambda"]
    missing(awslambda)
    model = function(build, role=ROLE.ref("Arn"))  # the role is created by the same plan
    plan = plan_push([model], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["lambda.create_function", "lambda.wait(function_active_v2)"]
    params = plan.calls[0].params
    assert params["Code"] == {"ZipFile": build[0].read_bytes()} and params["Timeout"] == 25
    assert params["Environment"] == {"Variables": model.environment} and params["Tags"] == {"user:Stack": "dev"}

    expected = {**params, "Role": ROLE_ARN}
    awslambda.add_client_error("create_function", "InvalidParameterValueException",
                               "The role defined for the function cannot be assumed by Lambda.", expected_params=expected)
    awslambda.add_response("create_function", configuration(build[1], state="Pending"), expected)
    awslambda.add_response("get_function", found(build[1], state="Pending"), {"FunctionName": NAME})
    awslambda.add_response("get_function", found(build[1]), {"FunctionName": NAME})
    variables = Executor(target, progress=False).run(Plan([StoreValue(f"{ROLE.key}.Arn", ROLE_ARN), *plan.instructions]))
    awslambda.assert_no_pending_responses()
    assert variables[f"{model.key}.Arn"] == ARN and variables[f"{model.key}.Name"] == NAME


def test_a_role_that_never_becomes_assumable_fails_with_the_step_named(build):
    target, stubs = stubbed_target("lambda")
    missing(stubs["lambda"])
    plan = plan_push([function(build)], [], RemoteState(target))
    for _ in range(30):
        stubs["lambda"].add_client_error("create_function", "InvalidParameterValueException",
                                         "The role defined for the function cannot be assumed by Lambda.")
    with pytest.raises(CloudError, match=r"create lambda.Function:beerfn-dev: lambda.create_function failed"):
        Executor(target, progress=False).run(plan)


def test_an_unchanged_function_plans_nothing(build):
    target, stubs = stubbed_target("lambda")
    stubs["lambda"].add_response("get_function", found(build[1]), {"FunctionName": NAME})
    plan = plan_push([function(build)], [], RemoteState(target))
    assert not plan
    assert {s.name: s.value for s in plan.instructions} == {
        "lambda.Function:beerfn-dev.Name": NAME, "lambda.Function:beerfn-dev.Arn": ARN}


def test_new_code_and_new_settings_are_two_updates_each_waited_for(build):
    target, stubs = stubbed_target("lambda")
    awslambda = stubs["lambda"]
    awslambda.add_response("get_function", found("OLDSHA=", Timeout=3), {"FunctionName": NAME})
    plan = plan_push([function(build)], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "lambda.update_function_code", "lambda.wait(function_updated_v2)",
        "lambda.update_function_configuration", "lambda.wait(function_updated_v2)"]

    awslambda.add_response("update_function_code", configuration(build[1], update="InProgress"),
                           {"FunctionName": NAME, "ZipFile": build[0].read_bytes()})
    awslambda.add_response("get_function", found(build[1], update="InProgress"), {"FunctionName": NAME})
    awslambda.add_response("get_function", found(build[1]), {"FunctionName": NAME})
    awslambda.add_response("update_function_configuration", configuration(build[1], update="InProgress"),
                           plan.calls[1].params)
    awslambda.add_response("get_function", found(build[1]), {"FunctionName": NAME})
    Executor(target, progress=False).run(plan)
    awslambda.assert_no_pending_responses()
    assert plan.calls[1].params["Timeout"] == 25


def test_only_the_code_changed_uploads_the_code_only(build):
    target, stubs = stubbed_target("lambda")
    stubs["lambda"].add_response("get_function", found("OLDSHA="), {"FunctionName": NAME})
    plan = plan_push([function(build)], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["lambda.update_function_code", "lambda.wait(function_updated_v2)"]


def test_an_environment_change_updates_the_configuration_only(build):
    target, stubs = stubbed_target("lambda")
    stubs["lambda"].add_response("get_function", found(build[1]), {"FunctionName": NAME})
    model = function(build, environment={"ENV": "dev", "REGION": "us-east-1"})
    plan = plan_push([model], [], RemoteState(target))
    assert [c.method for c in plan.calls] == ["update_function_configuration"]
    assert plan.calls[0].params["Environment"] == {"Variables": {"ENV": "dev", "REGION": "us-east-1"}}


def test_a_function_left_updating_by_a_killed_push_is_waited_for_before_the_next_update(build):
    target, stubs = stubbed_target("lambda")
    stubs["lambda"].add_response("get_function", found("OLDSHA=", update="InProgress"), {"FunctionName": NAME})
    plan = plan_push([function(build)], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "lambda.wait(function_updated_v2)", "lambda.update_function_code", "lambda.wait(function_updated_v2)"]


def test_missing_tags_are_added(build):
    target, stubs = stubbed_target("lambda")
    stubs["lambda"].add_response("get_function", found(build[1]), {"FunctionName": NAME})
    plan = plan_push([function(build, tags={"user:Stack": "dev", "user:Application": "beer"})], [], RemoteState(target))
    assert [(c.method, c.params) for c in plan.calls] == [
        ("tag_resource", {"Resource": ARN, "Tags": {"user:Application": "beer"}})]


def test_a_removed_function_is_deleted(build):
    target, stubs = stubbed_target("lambda")
    stubs["lambda"].add_response("get_function", found(build[1]), {"FunctionName": NAME})
    plan = plan_push([], [function(build).identity()], RemoteState(target))
    assert [(c.method, c.params) for c in plan.calls] == [("delete_function", {"FunctionName": NAME})]


def test_a_missing_build_is_a_clear_error(build, tmp_path):
    target, stubs = stubbed_target("lambda")
    missing(stubs["lambda"])
    with pytest.raises(CloudError, match="build of function beerfn-dev is missing"):
        plan_push([function(build, zip_path=str(tmp_path / "nowhere.zip"))], [], RemoteState(target))
