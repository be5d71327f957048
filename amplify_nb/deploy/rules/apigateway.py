"""API Gateway REST APIs and the Lambda permissions that let them invoke functions: planner rules.

A REST API is found by its name (get_rest_apis is paged, 25 per page on AWS), then compared piece by piece with
the model: the authorizer, each resource (parents first), each method with its integration (the CORS preflight
with its method and integration responses), the gateway responses. Only what is missing or different is sent,
in the order API Gateway needs (a method before its integration, an integration before its response, every
method and integration before the deployment); what the model no longer has is deleted last. A deployment is
made only when the API changed: its description carries a hash of the shape it deployed, compared at plan time.

Real AWS throttles the control plane per account (CreateRestApi 1 per 3 s, CreateResource 5/s, CreateDeployment
1 per 5 s, DeleteRestApi 1 per 30 s, other calls 10/s): every call retries TooManyRequestsException after at
least the quota's interval, on top of botocore's own retries.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from ..models import LambdaPermission, RestApi
from ..plan import APICall, Joined, Retry, StoreValue, Var
from ..planner import rule
from ..remote import RemoteState

NOT_FOUND = ("NotFoundException",)
THROTTLED = ("TooManyRequestsException",)
CREATE_API_RETRY = Retry(codes=THROTTLED, attempts=10, delay=3.0)
RESOURCE_RETRY = Retry(codes=THROTTLED, attempts=10, delay=1.0)
DEPLOY_RETRY = Retry(codes=THROTTLED, attempts=10, delay=5.0)
DELETE_API_RETRY = Retry(codes=THROTTLED, attempts=6, delay=30.0)
CALL_RETRY = Retry(codes=THROTTLED, attempts=10, delay=1.0)
GATEWAY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")
PREFLIGHT_TEMPLATE = '{"statusCode": 200}'
GATEWAY_TEMPLATE = '{"message":$context.error.messageString}'
DEPLOYMENT_PREFIX = "amplify-nb "
PAGE = 25  # get_rest_apis' default page on AWS


def integration_uri(region: str, function_arn: Any) -> Any:
    """The AWS_PROXY target of a function (always invoked with POST, whatever the method)."""
    parts = (f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/", function_arn, "/invocations")
    return "".join(parts) if isinstance(function_arn, str) else Joined(parts)


def shape_hash(api: RestApi) -> str:
    """A hash of what a deployment of this API serves: its routes, authorizer and CORS headers.

    The user pool's ARN is left out (it may be known only once the pool is made in the same push): a new pool
    means a new authorizer, a change that deploys anyway."""
    shape = {"routes": api.routes, "authorizer": api.authorizer, "cors": api.cors_headers}
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()[:32]


from ..ownership import OWNER_TAG  # noqa: E402  (the env's root stack: unique per project and env)


def find_rest_api(name: str, remote: RemoteState, owner: str | None = None) -> dict | None:
    """The REST API of that name, reading every page. Names are not unique in API Gateway, and another project's
    env may have an API of the same name on the same cloud: with `owner` (the env's stack) only an API tagged with
    it is ours, so a push never adopts (or changes, or deletes) another project's API. Of several, the oldest."""
    found = [api for api in remote.paginate("apigateway", "get_rest_apis", "items", PaginationConfig={"PageSize": PAGE})
             if api.get("name") == name and (owner is None or (api.get("tags") or {}).get(OWNER_TAG) == owner)]
    return min(found, key=lambda api: str(api.get("createdDate", ""))) if found else None


def _owner(tags: dict) -> str | None:
    return tags.get(OWNER_TAG)


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _part(path: str) -> str:
    return path.rsplit("/", 1)[1]


def _cors_parameters(prefix: str, headers: dict, literal: bool) -> dict:
    return {f"{prefix}{name}": (value if literal else False) for name, value in headers.items()}


@rule(RestApi)
class RestApiRule:
    def plan(self, api: RestApi, remote: RemoteState) -> list:
        key = api.key
        found = find_rest_api(api.name, remote, _owner(api.tags))
        steps: list = []
        if found is None:
            params = {"name": api.name, "description": api.description,
                      "endpointConfiguration": {"types": ["REGIONAL"]}}
            if api.tags:
                params["tags"] = dict(api.tags)
            steps.append(APICall(key, "create", "apigateway", "create_rest_api", params,
                                 store={f"{key}.Id": "id", f"{key}.RootResourceId": "rootResourceId"},
                                 retry=CREATE_API_RETRY))
            api_id: Any = api.ref("Id")
            existing: dict = {"/": {"id": api.ref("RootResourceId")}}
            authorizers: list = []
            responses: dict = {}
        else:
            api_id = found["id"]
            steps.append(StoreValue(f"{key}.Id", api_id))
            existing = {r["path"]: r for r in remote.paginate(
                "apigateway", "get_resources", "items", restApiId=api_id, embed=["methods"],
                PaginationConfig={"PageSize": 500})}
            authorizers = (remote.read("apigateway", "get_authorizers", restApiId=api_id, limit=500) or {}).get("items", [])
            responses = {kind: remote.read("apigateway", "get_gateway_response", missing=NOT_FOUND, restApiId=api_id,
                                           responseType=kind) for kind in GATEWAY_RESPONSES}
            steps += self._tag_drift(api, found, remote)
        changes: list = []
        authorizer_id, stale_authorizers = self._plan_authorizer(api, api_id, authorizers, changes)
        resource_ids = self._plan_resources(api, api_id, existing, steps, changes)
        for path, methods in api.routes.items():
            current = (existing.get(path) or {}).get("resourceMethods") or {}
            for method, wanted in methods.items():
                changes += self._plan_method(api, api_id, resource_ids[path], method, wanted, current.get(method),
                                             authorizer_id)
            changes += [APICall(key, "delete", "apigateway", "delete_method",
                                {"restApiId": api_id, "resourceId": resource_ids[path], "httpMethod": method},
                                ok_codes=NOT_FOUND, retry=CALL_RETRY)
                        for method in sorted(set(current) - set(methods))]
        changes += self._plan_gateway_responses(api, api_id, responses)
        changes += self._plan_removed_resources(api, api_id, existing)
        changes += [APICall(key, "delete", "apigateway", "delete_authorizer",
                            {"restApiId": api_id, "authorizerId": stale}, ok_codes=NOT_FOUND, retry=CALL_RETRY)
                    for stale in stale_authorizers]
        steps += changes
        changed = any(isinstance(step, APICall) for step in changes)
        if found is None or changed or self._deployed_hash(api, api_id, remote) != shape_hash(api):
            steps.append(APICall(key, "update", "apigateway", "create_deployment",
                                 {"restApiId": api_id, "stageName": api.stage,
                                  "description": DEPLOYMENT_PREFIX + shape_hash(api)},
                                 store={f"{key}.DeploymentId": "id"}, retry=DEPLOY_RETRY))
        return steps

    # --- parts ---------------------------------------------------------------------------------------------------
    def _tag_drift(self, api: RestApi, found: dict, remote: RemoteState) -> list:
        current = found.get("tags") or {}
        missing = {k: v for k, v in api.tags.items() if current.get(k) != v}
        if not missing:
            return []
        arn = f"arn:aws:apigateway:{remote.region}::/restapis/{found['id']}"
        return [APICall(api.key, "update", "apigateway", "tag_resource", {"resourceArn": arn, "tags": missing},
                        retry=CALL_RETRY)]

    def _plan_authorizer(self, api: RestApi, api_id: Any, authorizers: list, changes: list) -> tuple[Any, list]:
        """The user-pool authorizer's id (a Var when it is created now) and the ids of authorizers to delete
        once no method uses them (another name, or a pool that is no longer the project's)."""
        ours = [a for a in authorizers if a.get("name") == api.authorizer] if api.authorizer else []
        matching = [a for a in ours if a.get("providerARNs") == [api.user_pool_arn]
                    and a.get("identitySource") == "method.request.header.Authorization"
                    and a.get("type") == "COGNITO_USER_POOLS"]
        stale = [a["id"] for a in authorizers if a not in matching[:1]]
        if not api.authorizer:
            return "", stale
        if matching:
            changes.append(StoreValue(f"{api.key}.AuthorizerId", matching[0]["id"]))
            return matching[0]["id"], stale
        changes.append(APICall(api.key, "create", "apigateway", "create_authorizer", {
            "restApiId": api_id, "name": api.authorizer, "type": "COGNITO_USER_POOLS",
            "providerARNs": [api.user_pool_arn], "identitySource": "method.request.header.Authorization"},
            store={f"{api.key}.AuthorizerId": "id"}, retry=CALL_RETRY))
        return api.ref("AuthorizerId"), stale

    def _plan_resources(self, api: RestApi, api_id: Any, existing: dict, steps: list, changes: list) -> dict:
        """Every resource's id: known ones stored, missing ones created after their parent."""
        ids: dict = {}
        for path in sorted(set(api.routes) | {"/"}, key=lambda p: (p.count("/") if p != "/" else 0, p)):
            variable = f"{api.key}.resource:{path}"
            if path in existing:
                ids[path] = existing[path]["id"]
                if not isinstance(ids[path], Var):
                    steps.append(StoreValue(variable, ids[path]))
                continue
            changes.append(APICall(api.key, "create", "apigateway", "create_resource",
                                   {"restApiId": api_id, "parentId": ids[_parent(path)], "pathPart": _part(path)},
                                   store={variable: "id"}, retry=RESOURCE_RETRY))
            ids[path] = Var(variable)
        return ids

    def _plan_method(self, api: RestApi, api_id: Any, resource_id: Any, method: str, wanted: dict,
                     current: dict | None, authorizer_id: Any) -> list:
        key = api.key
        where = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": method}
        authorization = wanted.get("authorization", "NONE")
        method_params = {**where, "authorizationType": authorization, "apiKeyRequired": False}
        if authorization == "COGNITO_USER_POOLS":
            method_params["authorizerId"] = authorizer_id
        preflight = not wanted.get("function_arn")
        if preflight:
            integration = {**where, "type": "MOCK", "requestTemplates": {"application/json": PREFLIGHT_TEMPLATE},
                           "passthroughBehavior": "NEVER"}
        else:
            integration = {**where, "type": "AWS_PROXY", "integrationHttpMethod": "POST",
                           "uri": integration_uri(api.region, wanted["function_arn"]),
                           "passthroughBehavior": "WHEN_NO_MATCH"}
        method_response = {**where, "statusCode": "200", "responseModels": {"application/json": "Empty"},
                           "responseParameters": _cors_parameters("method.response.header.", api.cors_headers, False)}
        integration_response = {**where, "statusCode": "200", "responseTemplates": {"application/json": ""},
                                "responseParameters": _cors_parameters("method.response.header.", api.cors_headers, True)}

        def call(method_name: str, params: dict, action: str = "create") -> APICall:
            return APICall(key, action, "apigateway", method_name, params, retry=CALL_RETRY)

        whole = [call("put_method", method_params)]
        whole += [call("put_method_response", method_response)] if preflight else []
        whole += [call("put_integration", integration)]
        whole += [call("put_integration_response", integration_response)] if preflight else []
        if current is None:
            return whole
        same_method = (current.get("authorizationType") == authorization
                       and (authorization != "COGNITO_USER_POOLS" or current.get("authorizerId") == authorizer_id)
                       and not current.get("authorizationScopes"))
        if preflight:
            declared = ((current.get("methodResponses") or {}).get("200") or {}).get("responseParameters") or {}
            same_method = same_method and declared == method_response["responseParameters"]
        if not same_method:  # replaced whole: API Gateway keeps the stage's deployed copy until the new deployment
            return [call("delete_method", where, "update")] + [
                APICall(c.resource, "update", c.service, c.method, c.params, retry=c.retry) for c in whole]
        have = current.get("methodIntegration") or {}
        steps: list = []
        if not _same_integration(have, integration):
            steps.append(call("put_integration", integration, "update"))
            if preflight:
                steps.append(call("put_integration_response", integration_response, "update"))
        elif preflight:
            answered = ((have.get("integrationResponses") or {}).get("200") or {}).get("responseParameters") or {}
            if answered != integration_response["responseParameters"]:
                steps.append(call("put_integration_response", integration_response, "update"))
        return steps

    def _plan_gateway_responses(self, api: RestApi, api_id: Any, responses: dict) -> list:
        wanted = _cors_parameters("gatewayresponse.header.", api.cors_headers, True)
        steps = []
        for kind in GATEWAY_RESPONSES:
            current = responses.get(kind) or {}
            if current.get("responseParameters") == wanted and not current.get("defaultResponse", False):
                continue
            steps.append(APICall(api.key, "update" if current else "create", "apigateway", "put_gateway_response", {
                "restApiId": api_id, "responseType": kind, "responseParameters": wanted,
                "responseTemplates": {"application/json": GATEWAY_TEMPLATE}}, retry=CALL_RETRY))
        return steps

    def _plan_removed_resources(self, api: RestApi, api_id: Any, existing: dict) -> list:
        """Resources the model no longer has (a removed path), deepest first: API Gateway would delete the
        children with their parent, moto leaves them behind (and then refuses to deploy), so each goes itself."""
        gone = [path for path in existing if path != "/" and path not in api.routes]
        return [APICall(api.key, "delete", "apigateway", "delete_resource",
                        {"restApiId": api_id, "resourceId": existing[path]["id"]}, ok_codes=NOT_FOUND,
                        retry=RESOURCE_RETRY) for path in sorted(gone, key=lambda p: (-p.count("/"), p))]

    def _deployed_hash(self, api: RestApi, api_id: Any, remote: RemoteState) -> str | None:
        stage = remote.read("apigateway", "get_stage", missing=NOT_FOUND, restApiId=api_id, stageName=api.stage)
        if not stage or not stage.get("deploymentId"):
            return None
        deployment = remote.read("apigateway", "get_deployment", missing=NOT_FOUND, restApiId=api_id,
                                 deploymentId=stage["deploymentId"])
        description = (deployment or {}).get("description") or ""
        return description[len(DEPLOYMENT_PREFIX):] if description.startswith(DEPLOYMENT_PREFIX) else None

    # --- deletion ----------------------------------------------------------------------------------------------
    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return find_rest_api(identity["name"], remote, identity.get("owner")) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = find_rest_api(identity["name"], remote, identity.get("owner"))
        return (found.get("tags") or {}) if found else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        found = find_rest_api(identity["name"], remote, identity.get("owner"))
        if found is None:
            return []
        return [APICall(f"{RestApi.type_name}:{identity['name']}", "delete", "apigateway", "delete_rest_api",
                        {"restApiId": found["id"]}, ok_codes=NOT_FOUND, retry=DELETE_API_RETRY)]


def _same_integration(have: dict, wanted: dict) -> bool:
    if have.get("type") != wanted["type"]:
        return False
    if wanted["type"] == "MOCK":
        return (have.get("requestTemplates") or {}).get("application/json") == PREFLIGHT_TEMPLATE
    return have.get("uri") == wanted["uri"] and have.get("httpMethod") == "POST"


# --- Lambda permissions -------------------------------------------------------------------------------------------
LAMBDA_MISSING = ("ResourceNotFoundException",)


def _statement(permission: LambdaPermission, remote: RemoteState) -> dict | None:
    found = remote.read("lambda", "get_policy", missing=LAMBDA_MISSING, FunctionName=permission.function_name)
    if not found:
        return None
    policy = found["Policy"]
    statements = (json.loads(policy) if isinstance(policy, str) else policy).get("Statement", [])
    return next((s for s in statements if s.get("Sid") == permission.statement_id), None)


@rule(LambdaPermission)
class LambdaPermissionRule:
    """Added only when the function's policy lacks the statement (re-adding a StatementId is a conflict)."""

    def plan(self, permission: LambdaPermission, remote: RemoteState) -> list:
        current = _statement(permission, remote)
        if current is not None and _same_statement(current, permission):
            return []
        steps = []
        if current is not None:
            steps.append(APICall(permission.key, "update", "lambda", "remove_permission", {
                "FunctionName": permission.function_name, "StatementId": permission.statement_id},
                ok_codes=LAMBDA_MISSING))
        steps.append(APICall(permission.key, "create" if current is None else "update", "lambda", "add_permission", {
            "FunctionName": permission.function_name, "StatementId": permission.statement_id,
            "Action": "lambda:InvokeFunction", "Principal": permission.principal, "SourceArn": permission.source_arn}))
        return steps

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return _statement(LambdaPermission(identity["name"]), remote) is not None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        permission = LambdaPermission(identity["name"])
        if _statement(permission, remote) is None:
            return []
        return [APICall(permission.key, "delete", "lambda", "remove_permission", {
            "FunctionName": permission.function_name, "StatementId": permission.statement_id}, ok_codes=LAMBDA_MISSING)]


def _same_statement(statement: dict, permission: LambdaPermission) -> bool:
    principal = statement.get("Principal")
    service = principal.get("Service") if isinstance(principal, dict) else principal
    source = ((statement.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn")
    return (service == permission.principal and source == permission.source_arn
            and statement.get("Action") in ("lambda:InvokeFunction", ["lambda:InvokeFunction"]))
