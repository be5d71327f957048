"""What the local API Gateway serves, read from moto's in-process apigateway backend, and the gateway's answers.

Callers hold the cloud's read lock (`context.lock.reading()`) around every function here that reads moto.
A stage serves what its deployment froze, as on AWS (a change is live only after a new deployment): moto keeps
no copy of an API per deployment, so `DeploymentSnapshots` records the API (resources, methods, authorizers,
gateway responses) when CreateDeployment succeeds, in <state>/apigateway/deployments.json. A deployment made
before this service saw it (none, normally) serves the API as it is now.
"""
from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .... import fileio
from ...wsgi import Answer

LAMBDA_URI = re.compile(r"^arn:aws:apigateway:[a-z0-9-]+:lambda:path/[\d-]+/functions/(?P<function>.+)/invocations$")
DEFAULT_INTEGRATION_TIMEOUT_MS = 29000
# The gateway's own error answers: response type -> (status, x-amzn-ErrorType).
GATEWAY_ERRORS = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "MissingAuthenticationTokenException"),
    "INVALID_SIGNATURE": (403, "InvalidSignatureException"),
    "EXPIRED_TOKEN": (403, "ExpiredTokenException"),
    "ACCESS_DENIED": (403, "AccessDeniedException"),
    "UNAUTHORIZED": (401, "UnauthorizedException"),
    "API_CONFIGURATION_ERROR": (500, "InternalServerErrorException"),
    "INTEGRATION_FAILURE": (502, "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "InternalServerErrorException"),
}


@dataclass(frozen=True)
class MethodView:
    http_method: str
    authorization_type: str
    authorizer_id: str | None
    scopes: tuple[str, ...]
    integration_type: str | None
    integration_uri: str | None
    timeout_ms: int
    mock_responses: dict[str, tuple[dict[str, str], dict[str, str]]]  # status -> (header params, templates)

    @property
    def function_arn(self) -> str | None:
        found = LAMBDA_URI.match(self.integration_uri or "")
        return found["function"] if found else None


@dataclass(frozen=True)
class AuthorizerView:
    id: str
    name: str
    type: str
    provider_arns: tuple[str, ...]
    identity_header: str  # from identitySource method.request.header.<Name>


@dataclass(frozen=True)
class GatewayResponseView:
    status: int | None
    headers: dict[str, str]
    templates: dict[str, str]


@dataclass
class StageView:
    api_id: str
    api_name: str
    stage: str
    deployment_id: str
    account_id: str
    region: str
    resources: dict[str, tuple[str, dict[str, MethodView]]]  # path -> (resource id, methods)
    authorizers: dict[str, AuthorizerView] = field(default_factory=dict)
    gateway_responses: dict[str, GatewayResponseView] = field(default_factory=dict)
    binary_media_types: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    # A mock stage's (`amplify-nb mock api`): function ARN -> the unpushed code run in its place, and
    # role name -> {policy name: document} replacing the pushed policies of the same name for its IAM checks.
    local_functions: dict[str, LocalFunction] = field(default_factory=dict)
    role_policies: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalFunction:
    """A function folder a mock stage runs (with `invoke_local`) instead of the deployed function."""

    name: str
    code_dir: str
    handler: str
    runtime: str
    timeout: float
    memory: int
    environment: dict[str, str]


def _find_api(api_id: str) -> tuple[str, str, Any] | None:
    from moto.apigateway.models import apigateway_backends

    for account_id, regions in list(apigateway_backends.items()):
        for region, backend in list(regions.items()):
            api = backend.apis.get(api_id)
            if api is not None:
                return account_id, region, api
    return None


def static_value(expression: str) -> str:
    """A mapping value such as `'*'` (a quoted constant) as its text."""
    text = str(expression).strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _method_view(method: Any) -> MethodView:
    integration = method.method_integration
    responses: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for status, response in ((integration.integration_responses or {}) if integration else {}).items():
        params = {name.split(".", 3)[-1]: static_value(value) for name, value in
                  (response.response_parameters or {}).items() if name.startswith("method.response.header.")}
        responses[str(status)] = (params, dict(response.response_templates or {}))
    timeout = int((integration.timeout_in_millis if integration else None) or DEFAULT_INTEGRATION_TIMEOUT_MS)
    return MethodView(
        http_method=method.http_method.upper(), authorization_type=(method.authorization_type or "NONE").upper(),
        authorizer_id=method.authorizer_id, scopes=tuple(method.authorization_scopes or ()),
        integration_type=(integration.integration_type or "").upper() if integration else None,
        integration_uri=integration.uri if integration else None, timeout_ms=timeout, mock_responses=responses)


def _live_parts(api: Any) -> dict[str, Any]:
    """What a deployment freezes of an API: its resources and methods, authorizers, gateway responses."""
    resources = {resource.get_path(): (resource.id, {name.upper(): _method_view(method) for name, method in
                                                    resource.resource_methods.items()})
                 for resource in list(api.resources.values())}
    authorizers = {}
    for authorizer in list(api.authorizers.values()):
        source = str(authorizer.identity_source or "method.request.header.Authorization")
        authorizers[authorizer.id] = AuthorizerView(
            authorizer.id, authorizer.name, str(authorizer.type or "").upper(), tuple(authorizer.provider_arns or ()),
            source.split("method.request.header.", 1)[-1] if "header." in source else "Authorization")
    responses = {}
    for kind, response in list(api.gateway_responses.items()):
        headers = {name.split("gatewayresponse.header.", 1)[-1]: static_value(value)
                   for name, value in (response.response_parameters or {}).items()
                   if name.startswith("gatewayresponse.header.")}
        status = int(response.status_code) if response.status_code else None
        responses[kind] = GatewayResponseView(status, headers, dict(response.response_templates or {}))
    return {"resources": resources, "authorizers": authorizers, "gateway_responses": responses,
            "binary_media_types": list(api.binaryMediaTypes or [])}


def parts_to_json(parts: dict[str, Any]) -> dict[str, Any]:
    return {"resources": {path: [rid, {m: asdict(v) for m, v in methods.items()}]
                          for path, (rid, methods) in parts["resources"].items()},
            "authorizers": {k: asdict(v) for k, v in parts["authorizers"].items()},
            "gateway_responses": {k: asdict(v) for k, v in parts["gateway_responses"].items()},
            "binary_media_types": parts["binary_media_types"]}


def parts_from_json(data: dict[str, Any]) -> dict[str, Any]:
    def method(entry: dict[str, Any]) -> MethodView:
        return MethodView(**{**entry, "scopes": tuple(entry["scopes"]),
                             "mock_responses": {k: (v[0], v[1]) for k, v in entry["mock_responses"].items()}})

    return {"resources": {path: (rid, {m: method(v) for m, v in methods.items()})
                          for path, (rid, methods) in data["resources"].items()},
            "authorizers": {k: AuthorizerView(**{**v, "provider_arns": tuple(v["provider_arns"])})
                            for k, v in data["authorizers"].items()},
            "gateway_responses": {k: GatewayResponseView(**v) for k, v in data["gateway_responses"].items()},
            "binary_media_types": list(data["binary_media_types"])}


class DeploymentSnapshots:
    """The API as each deployment froze it, by deployment id (kept across restarts in one JSON file)."""

    def __init__(self, folder: Path) -> None:
        self.file = Path(folder) / "deployments.json"
        self._lock = threading.Lock()
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            self._parts = {key: parts_from_json(value) for key, value in raw.items()}
        except (OSError, ValueError, KeyError, TypeError):
            self._parts = {}

    def record(self, api_id: str, deployment_id: str) -> None:
        """Freeze API `api_id` for `deployment_id` (the caller holds the read lock)."""
        found = _find_api(api_id)
        if found is None:
            return
        with self._lock:
            self._parts[f"{api_id}/{deployment_id}"] = _live_parts(found[2])
            fileio.atomic_write_json(self.file, {key: parts_to_json(value) for key, value in self._parts.items()})

    def get(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._parts.get(f"{api_id}/{deployment_id}")


def read_stage(api_id: str, stage_name: str, snapshots: DeploymentSnapshots | None = None) -> StageView | None:
    """The deployed stage `stage_name` of API `api_id`, or None when either (or the deployment) does not exist."""
    found = _find_api(api_id)
    if found is None:
        return None
    account_id, region, api = found
    stage = api.stages.get(stage_name)
    if stage is None or stage.deployment_id not in api.deployments:
        return None
    parts = (snapshots.get(api_id, stage.deployment_id) if snapshots else None) or _live_parts(api)
    return StageView(api.id, api.name, stage_name, stage.deployment_id, account_id, region, parts["resources"],
                     parts["authorizers"], parts["gateway_responses"], parts["binary_media_types"],
                     dict(stage.variables or {}))


def api_exists(api_id: str) -> bool:
    return _find_api(api_id) is not None


def gateway_answer(stage: StageView | None, response_type: str, message: str, request_id: str,
                   status: int | None = None, error_type: str | None = None, body_key: str = "message") -> Answer:
    """An error the gateway makes itself, shaped by the API's gateway responses (the type's own, else DEFAULT_4XX
    or DEFAULT_5XX): their status, headers (Amplify's CORS headers) and template."""
    default_status, default_error = GATEWAY_ERRORS.get(response_type, (status or 500, "InternalServerErrorException"))
    status = status or default_status
    responses = stage.gateway_responses if stage else {}
    chosen = responses.get(response_type) or responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
    body = json.dumps({body_key: message}).encode()
    headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
    if chosen is not None:
        status = chosen.status or status
        template = chosen.templates.get("application/json")
        if template:
            body = (template.replace("$context.error.messageString", json.dumps(message))
                    .replace("$context.error.message", message)).encode()
        headers += list(chosen.headers.items())
    headers += [("x-amzn-ErrorType", error_type or default_error), ("x-amzn-RequestId", request_id),
                ("x-amz-apigw-id", uuid.uuid4().hex[:16])]
    return Answer(status, headers, body)


# --- Lambda and IAM, read from moto --------------------------------------------------------------------------
def lambda_permits(function_arn: str, source_arn: str) -> bool:
    """Whether the function's resource policy lets apigateway.amazonaws.com invoke it for `source_arn`."""
    from moto.awslambda.exceptions import LambdaClientError
    from moto.awslambda.utils import get_backend

    from .policy import wildcard_match

    parts = function_arn.split(":")
    if len(parts) < 7:
        return False
    try:
        function = get_backend(parts[4], parts[3]).get_function(parts[6], parts[7] if len(parts) > 7 else None)
    except LambdaClientError:
        return False
    for statement in list(getattr(function.policy, "statements", []) or []):
        principal = statement.get("Principal") or {}
        service = principal.get("Service") if isinstance(principal, dict) else principal
        services = service if isinstance(service, list) else [service]
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect", "Allow") != "Allow" or "apigateway.amazonaws.com" not in services:
            continue
        if not any(wildcard_match(str(a), "lambda:InvokeFunction", ignore_case=True) for a in actions):
            continue
        conditions = statement.get("Condition") or {}
        arns = [value for test in conditions.values() if isinstance(test, dict)
                for key, value in test.items() if key.lower() == "aws:sourcearn"]
        if not arns or any(wildcard_match(str(arn), source_arn) for arn in arns):
            return True
    return False


def role_documents(role_arn: str) -> tuple[str | None, list[tuple[str, Any]]]:
    """(role id, [(policy name, document)]) of a role: inline and attached policies (None: no such role)."""
    from moto.iam.models import iam_backends

    name = role_arn.rsplit("/", 1)[-1]
    account_id = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    for account, partitions in list(iam_backends.items()):
        if account_id and account != account_id:
            continue
        for backend in list(partitions.values()):
            role = next((r for r in list(backend.roles.values()) if r.name == name), None)
            if role is None:
                continue
            documents: list[tuple[str, Any]] = list(role.policies.items())
            for arn, policy in list(role.managed_policies.items()):
                version = next((v for v in policy.versions if v.is_default), None)
                if version is not None:
                    documents.append((arn, version.document))
            return role.id, documents
    return None, []


def iam_user_by_key(access_key_id: str) -> tuple[Any, str, list[tuple[str, Any]]] | None:
    """(user, secret, [(policy name, document)]) of an IAM user's active access key, else None."""
    from moto.iam.models import iam_backends

    for partitions in list(iam_backends.values()):
        for backend in list(partitions.values()):
            for user in list(backend.users.values()):
                for key in user.access_keys:
                    if key.access_key_id == access_key_id and key.status == "Active":
                        documents: list[tuple[str, Any]] = list(user.policies.items())
                        for arn, policy in list(user.managed_policies.items()):
                            version = next((v for v in policy.versions if v.is_default), None)
                            if version is not None:
                                documents.append((arn, version.document))
                        return user, key.secret_access_key, documents
    return None
