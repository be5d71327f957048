"""REST API plans pinned with botocore's Stubber, where moto would forgive: the API is found by name across
get_rest_apis pages, a method comes before its integration and the preflight's integration before its response,
the deployment comes after every method and integration, a TooManyRequestsException is retried after the quota's
interval, an unchanged API plans nothing (its deployment's hash matches), and the Lambda permission is added only
when the function's policy lacks it."""
from __future__ import annotations

import json

import botocore.waiter
import pytest
from stubs import stubbed_target

from amplify_nb.deploy import Executor, RemoteState, plan_push
from amplify_nb.deploy.models import LambdaPermission, RestApi
from amplify_nb.deploy.plan import Joined
from amplify_nb.deploy.rules.apigateway import DEPLOYMENT_PREFIX, GATEWAY_TEMPLATE, shape_hash

ACCOUNT = "123456789012"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:beerLambda-dev"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations"
CORS = {"Access-Control-Allow-Origin": "'*'"}
PROXIED = {"authorization": "AWS_IAM", "function_arn": FUNCTION_ARN}
PREFLIGHT = {"authorization": "NONE", "function_arn": ""}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(botocore.waiter.time, "sleep", lambda seconds: None)
    monkeypatch.setattr("amplify_nb.deploy.executor.time.sleep", lambda seconds: None)


def api(**changes) -> RestApi:
    settings = dict(region="us-east-1", stage="dev", description="beer REST API", cors_headers=dict(CORS),
                    routes={"/beer": {"ANY": dict(PROXIED), "OPTIONS": dict(PREFLIGHT)}}, tags={"user:Stack": "dev"})
    return RestApi("beerapi-dev", **{**settings, **changes})


def other_apis(count: int, start: int = 0) -> list[dict]:
    return [{"id": f"other{n}", "name": f"other-{n}"} for n in range(start, start + count)]


def test_an_api_on_the_second_page_is_found_and_an_unchanged_one_plans_nothing():
    target, stubs = stubbed_target("apigateway")
    stub = stubs["apigateway"]
    wanted = api()
    stub.add_response("get_rest_apis", {"items": other_apis(25), "position": "page2"}, {"limit": 25})
    stub.add_response("get_rest_apis", {"items": other_apis(3, 25) + [
        {"id": "abc123", "name": "beerapi-dev", "tags": {"user:Stack": "dev"}}]}, {"limit": 25, "position": "page2"})
    integration = {"type": "AWS_PROXY", "httpMethod": "POST", "uri": URI}
    preflight = {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                 "integrationResponses": {"200": {"statusCode": "200", "responseParameters": {
                     "method.response.header.Access-Control-Allow-Origin": "'*'"}}}}
    stub.add_response("get_resources", {"items": [
        {"id": "root", "path": "/"},
        {"id": "r1", "parentId": "root", "pathPart": "beer", "path": "/beer", "resourceMethods": {
            "ANY": {"httpMethod": "ANY", "authorizationType": "AWS_IAM", "methodIntegration": integration},
            "OPTIONS": {"httpMethod": "OPTIONS", "authorizationType": "NONE", "methodIntegration": preflight,
                        "methodResponses": {"200": {"statusCode": "200", "responseParameters": {
                            "method.response.header.Access-Control-Allow-Origin": False}}}}}}]},
        {"restApiId": "abc123", "embed": ["methods"], "limit": 500})
    stub.add_response("get_authorizers", {"items": []}, {"restApiId": "abc123", "limit": 500})
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        stub.add_response("get_gateway_response", {"responseType": kind, "defaultResponse": False, "responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}, {"restApiId": "abc123", "responseType": kind})
    stub.add_response("get_stage", {"stageName": "dev", "deploymentId": "d1"}, {"restApiId": "abc123", "stageName": "dev"})
    stub.add_response("get_deployment", {"id": "d1", "description": DEPLOYMENT_PREFIX + shape_hash(wanted)},
                      {"restApiId": "abc123", "deploymentId": "d1"})
    planned = plan_push([wanted], [], RemoteState(target))
    assert planned.calls == []
    stub.assert_no_pending_responses()


def test_a_new_api_is_made_in_the_order_api_gateway_needs_with_throttling_retried():
    target, stubs = stubbed_target("apigateway")
    stub = stubs["apigateway"]
    stub.add_response("get_rest_apis", {"items": other_apis(2)}, {"limit": 25})
    planned = plan_push([api()], [], RemoteState(target))
    assert [call.method for call in planned.calls] == [
        "create_rest_api", "create_resource",
        "put_method", "put_integration",  # ANY: the method before its integration
        "put_method", "put_method_response", "put_integration", "put_integration_response",  # the CORS preflight
        "put_gateway_response", "put_gateway_response", "create_deployment"]
    created = planned.calls[0].params
    assert created["endpointConfiguration"] == {"types": ["REGIONAL"]} and created["tags"] == {"user:Stack": "dev"}

    stub.add_client_error("create_rest_api", "TooManyRequestsException", "Too Many Requests", 429)
    stub.add_response("create_rest_api", {"id": "new1", "rootResourceId": "root1"},
                      {"name": "beerapi-dev", "description": "beer REST API",
                       "endpointConfiguration": {"types": ["REGIONAL"]}, "tags": {"user:Stack": "dev"}})
    stub.add_response("create_resource", {"id": "res1"}, {"restApiId": "new1", "parentId": "root1", "pathPart": "beer"})
    where = {"restApiId": "new1", "resourceId": "res1"}
    stub.add_response("put_method", {}, {**where, "httpMethod": "ANY", "authorizationType": "AWS_IAM", "apiKeyRequired": False})
    stub.add_response("put_integration", {}, {**where, "httpMethod": "ANY", "type": "AWS_PROXY", "integrationHttpMethod": "POST",
                                              "uri": URI, "passthroughBehavior": "WHEN_NO_MATCH"})
    stub.add_response("put_method", {}, {**where, "httpMethod": "OPTIONS", "authorizationType": "NONE", "apiKeyRequired": False})
    stub.add_response("put_method_response", {}, {**where, "httpMethod": "OPTIONS", "statusCode": "200",
                                                  "responseModels": {"application/json": "Empty"},
                                                  "responseParameters": {"method.response.header.Access-Control-Allow-Origin": False}})
    stub.add_response("put_integration", {}, {**where, "httpMethod": "OPTIONS", "type": "MOCK", "passthroughBehavior": "NEVER",
                                              "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    stub.add_response("put_integration_response", {}, {**where, "httpMethod": "OPTIONS", "statusCode": "200",
                                                       "responseTemplates": {"application/json": ""},
                                                       "responseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"}})
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        stub.add_response("put_gateway_response", {}, {
            "restApiId": "new1", "responseType": kind, "responseTemplates": {"application/json": GATEWAY_TEMPLATE},
            "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}})
    stub.add_client_error("create_deployment", "TooManyRequestsException", "Too Many Requests", 429)
    stub.add_response("create_deployment", {"id": "dep1"}, {"restApiId": "new1", "stageName": "dev",
                                                            "description": DEPLOYMENT_PREFIX + shape_hash(api())})
    variables = Executor(target, progress=False).run(planned)
    stub.assert_no_pending_responses()
    assert variables["apigateway.RestApi:beerapi-dev.Id"] == "new1"
    assert planned.calls[0].retry.delay >= 3 and planned.calls[-1].retry.delay >= 5  # the quotas' intervals


def test_a_changed_method_is_replaced_a_removed_path_deleted_and_the_api_redeployed_last():
    target, stubs = stubbed_target("apigateway")
    stub = stubs["apigateway"]
    stub.add_response("get_rest_apis", {"items": [{"id": "abc123", "name": "beerapi-dev", "tags": {"user:Stack": "dev"}}]},
                      {"limit": 25})
    integration = {"type": "AWS_PROXY", "httpMethod": "POST", "uri": URI}
    stub.add_response("get_resources", {"items": [
        {"id": "root", "path": "/"},
        {"id": "r1", "path": "/beer", "resourceMethods": {
            "ANY": {"httpMethod": "ANY", "authorizationType": "NONE", "methodIntegration": integration}}},
        {"id": "r2", "path": "/old", "resourceMethods": {}},
        {"id": "r3", "path": "/old/{proxy+}", "resourceMethods": {}}]},
        {"restApiId": "abc123", "embed": ["methods"], "limit": 500})
    stub.add_response("get_authorizers", {"items": []}, {"restApiId": "abc123", "limit": 500})
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        stub.add_response("get_gateway_response", {"responseType": kind, "responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}, {"restApiId": "abc123", "responseType": kind})
    planned = plan_push([api(routes={"/beer": {"ANY": dict(PROXIED)}})], [], RemoteState(target))
    assert [(call.method, call.params.get("resourceId")) for call in planned.calls] == [
        ("delete_method", "r1"), ("put_method", "r1"), ("put_integration", "r1"),  # NONE -> AWS_IAM
        ("delete_resource", "r3"), ("delete_resource", "r2"),  # deepest first
        ("create_deployment", None)]
    stub.assert_no_pending_responses()


def test_the_lambda_permission_is_added_only_when_the_policy_lacks_it():
    target, stubs = stubbed_target("lambda")
    stub = stubs["lambda"]
    source = Joined((f"arn:aws:execute-api:us-east-1:{ACCOUNT}:", "abc123", "/*/*/*"))
    permission = LambdaPermission.on("beerLambda-dev", "beerapi-dev-invoke", "arn:aws:execute-api:us-east-1:"
                                     f"{ACCOUNT}:abc123/*/*/*")
    stub.add_client_error("get_policy", "ResourceNotFoundException", "no policy", 404, {"FunctionName": "beerLambda-dev"})
    planned = plan_push([LambdaPermission.on("beerLambda-dev", "beerapi-dev-invoke", source)], [], RemoteState(target))
    assert [(c.method, c.params["SourceArn"]) for c in planned.calls] == [("add_permission", permission.source_arn)]

    statement = {"Sid": "beerapi-dev-invoke", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                 "Action": "lambda:InvokeFunction", "Resource": FUNCTION_ARN,
                 "Condition": {"ArnLike": {"AWS:SourceArn": permission.source_arn}}}
    stub.add_response("get_policy", {"Policy": json.dumps({"Statement": [statement]})}, {"FunctionName": "beerLambda-dev"})
    assert plan_push([permission], [], RemoteState(target)).calls == []

    moved = {**statement, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:1:old/*/*/*"}}}
    stub.add_response("get_policy", {"Policy": json.dumps({"Statement": [moved]})}, {"FunctionName": "beerLambda-dev"})
    assert [c.method for c in plan_push([permission], [], RemoteState(target)).calls] == ["remove_permission", "add_permission"]
    stub.assert_no_pending_responses()


def test_removing_the_api_deletes_it_once_its_tags_say_it_is_this_envs():
    from amplify_nb.errors import UnsafeDeletionError

    target, stubs = stubbed_target("apigateway")
    stub = stubs["apigateway"]
    found = {"items": [{"id": "abc123", "name": "beerapi-dev", "tags": {"user:Stack": "dev"}}]}
    for _ in range(2):
        stub.add_response("get_rest_apis", found, {"limit": 25})
    planned = plan_push([], [api().identity()], RemoteState(target), owner_tags={"user:Stack": "dev"})
    assert [(c.method, c.params) for c in planned.calls] == [("delete_rest_api", {"restApiId": "abc123"})]
    assert planned.calls[0].retry.delay >= 30  # DeleteRestApi: 1 per 30 s

    stub.add_response("get_rest_apis", {"items": [{"id": "abc123", "name": "beerapi-dev", "tags": {"user:Stack": "prod"}}]},
                      {"limit": 25})
    with pytest.raises(UnsafeDeletionError):
        plan_push([], [api().identity()], RemoteState(target), owner_tags={"user:Stack": "dev"})
    stub.assert_no_pending_responses()


def test_an_api_of_the_same_name_tagged_for_another_project_is_never_adopted():
    """Two projects (or envs) may both have `beerapi-dev` on one cloud: an env only ever plans on the API tagged
    with its own stack, so the other's is neither changed nor deleted, and this env gets its own."""
    target, stubs = stubbed_target("apigateway")
    stub = stubs["apigateway"]
    mine = api(tags={"user:Stack": "dev", "amplify-nb:stack": "amplify-mine-dev-abc12"})
    theirs = {"id": "theirs1", "name": "beerapi-dev", "tags": {"user:Stack": "dev", "amplify-nb:stack": "amplify-other-dev-zz9"}}
    stub.add_response("get_rest_apis", {"items": [theirs]}, {"limit": 25})
    planned = plan_push([mine], [], RemoteState(target))
    assert planned.calls[0].method == "create_rest_api"
    assert all(call.params.get("restApiId") != "theirs1" for call in planned.calls)
    stub.assert_no_pending_responses()

    target, stubs = stubbed_target("apigateway")  # the sweeper: removing our API never finds theirs
    stubs["apigateway"].add_response("get_rest_apis", {"items": [theirs]}, {"limit": 25})
    from amplify_nb.deploy.rules.apigateway import RestApiRule

    assert RestApiRule().plan_delete(mine.identity(), RemoteState(target)) == []
