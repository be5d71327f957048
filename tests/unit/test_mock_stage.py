"""The daemon's side of `mock api`: a POSTed description becomes the StageView the data plane serves, only a
project's function folders are run, and the mock's own invoke policies replace the pushed ones of that name."""
from __future__ import annotations

import pytest

from amplify_nb.local.services.apigateway.auth import Caller, stage_documents
from amplify_nb.local.services.apigateway.mock import MockError, stage_from_description
from amplify_nb.local.services.apigateway.models import MethodView, parts_to_json


def description(code_dir: str, **extra) -> dict:
    method = MethodView("ANY", "AWS_IAM", None, (), "AWS_PROXY",
                        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:"
                        "123456789012:function:beerfn-dev/invocations", 29000, {})
    parts = {"resources": {"/": ("r0", {}), "/beer": ("r1", {"ANY": method})}, "authorizers": {},
             "gateway_responses": {}, "binary_media_types": []}
    return {"name": "beerapi", "stage": "dev", "account_id": "123456789012", "region": "us-east-1",
            "parts": parts_to_json(parts), "functions": {"arn:aws:lambda:us-east-1:123456789012:function:beerfn-dev": {
                "name": "beerfn-dev", "code_dir": code_dir, "handler": "index.handler", "runtime": "python3.11",
                "timeout": 25.0, "memory": 128, "environment": {"ENV": "dev"}}}, **extra}


@pytest.fixture
def function_src(tmp_path):
    src = tmp_path / "amplify" / "backend" / "function" / "beerfn" / "src"
    src.mkdir(parents=True)
    (src / "index.py").write_text("def handler(event, context):\n    return {}\n")
    return src


def test_a_description_becomes_the_stage_served_under_the_mock_id(function_src):
    stage = stage_from_description(description(str(function_src), role_policies={"r": {"p": {}}}))
    assert (stage.api_id, stage.stage) == ("mock-beerapi", "dev")
    assert stage.resources["/beer"][1]["ANY"].function_arn in stage.local_functions
    assert stage.role_policies == {"r": {"p": {}}}


def test_only_a_project_function_folder_holding_the_handler_is_run(tmp_path, function_src):
    (tmp_path / "index.py").write_text("")
    with pytest.raises(MockError, match="not a project's function folder"):
        stage_from_description(description(str(tmp_path)))
    (function_src / "index.py").unlink()
    with pytest.raises(MockError, match="index.py"):
        stage_from_description(description(str(function_src)))
    with pytest.raises(MockError, match="not a mock API description"):
        stage_from_description({"name": "x"})
    with pytest.raises(MockError, match="bad mock name"):
        stage_from_description({**description(str(tmp_path)), "name": "../x"})


def test_the_mocks_invoke_policy_replaces_the_pushed_one_of_the_same_name(function_src):
    pushed, other = {"Statement": ["pushed"]}, {"Statement": ["other"]}
    mine = {"Statement": ["mock"]}
    caller = Caller("s", "t", False, "arn:aws:sts::123456789012:assumed-role/app-authRole/CognitoIdentityCredentials",
                    {}, [("beerapi-api-invoke", pushed), ("storage", other)])
    stage = stage_from_description(description(str(function_src),
                                               role_policies={"app-authRole": {"beerapi-api-invoke": mine}}))
    assert stage_documents(stage, caller) == [("storage", other), ("beerapi-api-invoke", mine)]
    plain = stage_from_description(description(str(function_src)))
    assert stage_documents(plain, caller) == [("beerapi-api-invoke", pushed), ("storage", other)]
