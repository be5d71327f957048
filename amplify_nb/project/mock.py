"""`amplify-nb mock function NAME`: run a function's unpushed src/ the way the local Lambda runtime runs it,
with the environment the push would give it, against the local cloud's tables (Amplify's own mock cannot
reach a local table). `amplify-nb mock api [NAME]`: serve the project's unpushed API the same way (see mock_api)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..categories.api import ApiCategory, authorization_mode, function_arn
from ..categories.auth import auth_resource_name
from ..categories.function import PARAMETERS, TABLE_ATTRIBUTES
from ..categories.storage import deployed_table_name
from ..deploy.rules.dynamodb import table_arn
from ..deploy.models import RestApi, RolePolicy
from ..deploy.plan import Joined, Var
from ..deploy.rules.apigateway import GATEWAY_RESPONSES, GATEWAY_TEMPLATE, integration_uri
from ..errors import AmplifyNbError, InputError
from ..fileio import read_json
from ..functions.environment import function_environment
from ..lambda_runtime import InvokeResult, invoke_local
from ..local.apis import local_api_root_url
from ..local.services.apigateway.mock import MOCK_PATH, mock_api_id
from ..local.services.apigateway.models import (DEFAULT_INTEGRATION_TIMEOUT_MS, AuthorizerView,
                                                GatewayResponseView, MethodView, parts_to_json, static_value)
from ..specs import FunctionSpec
from .project import Project
from .desired import deploy_context

API_CATEGORY = ApiCategory()

DEFAULT_MOCK_TIMEOUT = 10  # seconds, as `amplify mock function`


def load_event(path: str | Path | None) -> Any:
    """The event file's JSON ({} without one, as Amplify's default event)."""
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"Cannot read the event file {path}: {exc}") from None


def mock_environment(project: Project, name: str, saved: dict) -> dict:
    """ENV, REGION and STORAGE_<RES>_* as push sets them, with the values of this env's tables."""
    target, env = project.target(), project.env_name
    dynamodb = target.client("dynamodb")
    tables = {}
    for resource in saved.get("permissions", {}).get("storage", {}):
        table = deployed_table_name(project.root, resource, env)
        try:
            stream = dynamodb.describe_table(TableName=table)["Table"].get("LatestStreamArn", "")
        except dynamodb.exceptions.ResourceNotFoundException:
            stream = ""
        tables[resource] = dict(zip(TABLE_ATTRIBUTES, (table, table_arn(target.region, target.account_id, table), stream)))
    return function_environment(env, target.region, {"storage": tables}, extra=saved.get("environment"))


def _function_settings(project: Project, name: str) -> tuple[Path, dict, str]:
    """(folder, saved parameters, Lambda runtime) of function `name`; InputError when there is none."""
    folder = project.paths.resource_dir("function", name)
    saved = read_json(folder / PARAMETERS, None)
    if name not in project.backend_config().get("function", {}) or not saved:
        known = ", ".join(project.backend_config().get("function", {})) or "none"
        raise InputError(f"This project has no function {name!r} (functions: {known}).")
    return folder, saved, FunctionSpec.from_answers({"name": name, "runtime": saved["runtime"]}).lambda_runtime


def mock_function(project: Project, name: str, event: Any = None, timeout: float | None = None) -> InvokeResult:
    folder, saved, runtime = _function_settings(project, name)
    target = project.target()
    if not target.is_local:
        raise InputError("mock function runs against the local cloud: configure this env with --target local, "
                         "or invoke the pushed function on its cloud.")
    return invoke_local(folder / "src", "index.handler", {} if event is None else event, name=f"{name}-{project.env_name}",
                        runtime=runtime, timeout=timeout or DEFAULT_MOCK_TIMEOUT, memory=saved.get("memory", 128),
                        environment=mock_environment(project, name, saved), endpoint=target.endpoint(),
                        region=target.region)


# --- mock api ----------------------------------------------------------------------------------------------------
AUTHORIZER_ID = "mockauth"


@dataclass
class MockApi:
    """A mock of a project's API served by the local cloud until `stop()` (also a context manager)."""

    name: str
    stage: str
    api_id: str
    url: str
    endpoint: str
    routes: dict[str, str] = field(default_factory=dict)  # resource path -> its methods and authorization

    def stop(self) -> None:
        """Drop the mock from the local cloud (a mock already gone, or a daemon already stopped, is fine)."""
        request = urllib.request.Request(f"{self.endpoint}{MOCK_PATH}/{self.api_id}/{self.stage}", method="DELETE")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
        except urllib.error.URLError:
            pass

    def exports(self, project: Project) -> dict:
        """The project's aws-exports with this API's endpoint pointed at the mock (for the Python `API` client)."""
        from .exports import build_exports

        exports = build_exports(project)
        entries = [entry for entry in exports.get("aws_cloud_logic_custom") or [] if entry.get("name") != self.name]
        mode = authorization_mode(API_CATEGORY.read_spec(project, self.name))
        entries.append({"name": self.name, "endpoint": self.url, "region": project.target().region,
                        "authorization": mode})
        return {**exports, "aws_cloud_logic_custom": entries}

    def __enter__(self) -> "MockApi":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _resolved(value: Any, api_id: str) -> Any:
    """A model's document with its Vars (the API's id, unknown before a push) replaced by the mock's api id."""
    if isinstance(value, Joined):
        return "".join(api_id if isinstance(part, Var) else str(part) for part in value.parts)
    if isinstance(value, Var):
        return api_id
    if isinstance(value, dict):
        return {key: _resolved(item, api_id) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolved(item, api_id) for item in value]
    return value


def _pushed_auth(project: Project, entry: dict) -> dict:
    """The outputs of the env's pushed auth (its user pool and identity pool), {} when auth is not pushed."""
    named = next((d["resourceName"] for d in entry.get("dependsOn", []) if d.get("category") == "auth"), None)
    auth = named or auth_resource_name(project)
    return (project.amplify_meta().get("auth", {}).get(auth or "", {}) or {}).get("output") or {}


def _method_view(method: str, wanted: dict, region: str, cors: dict[str, str]) -> MethodView:
    function = wanted.get("function_arn")
    authorization = wanted.get("authorization", "NONE")
    return MethodView(
        http_method=method, authorization_type=authorization,
        authorizer_id=AUTHORIZER_ID if authorization == "COGNITO_USER_POOLS" else None, scopes=(),
        integration_type="AWS_PROXY" if function else "MOCK",
        integration_uri=integration_uri(region, function) if function else None,
        timeout_ms=DEFAULT_INTEGRATION_TIMEOUT_MS,
        mock_responses={} if function else {"200": (cors, {"application/json": ""})})


def local_function(project: Project, name: str) -> dict:
    """How the mock runs function `name`: its src/ folder, with the settings and environment a push gives it."""
    folder, saved, runtime = _function_settings(project, name)
    return {"name": f"{name}-{project.env_name}", "code_dir": str(folder / "src"), "handler": "index.handler",
            "runtime": runtime, "timeout": float(saved.get("timeout") or DEFAULT_MOCK_TIMEOUT),
            "memory": int(saved.get("memory") or 128), "environment": mock_environment(project, name, saved)}


def mock_api_description(project: Project, name: str) -> dict:
    """The mock stage of API `name` as the project's files describe it now (what `push` would deploy): the api
    category's desired models, with this env's pushed user pool as the authorizer and each function's local
    folder as its integration. InputError when the API restricts access and the env's auth is not pushed."""
    apis = project.backend_config().get("api", {})
    if name not in apis:
        raise InputError(f"This project has no API {name!r} (APIs: {', '.join(apis) or 'none'}).")
    ctx = deploy_context(project)
    target, env, region, account = ctx.target, ctx.env, ctx.target.region, ctx.target.account_id
    mock_id = mock_api_id(name)
    models = API_CATEGORY.resources(ctx, name, apis[name])
    rest_api = next(model for model in models if isinstance(model, RestApi))
    spec = API_CATEGORY.read_spec(project, name)
    auth = _pushed_auth(project, apis[name])
    authorizers: dict[str, AuthorizerView] = {}
    if spec.any_restricted():
        needed = "UserPoolId" if rest_api.authorizer else "IdentityPoolId"
        if not auth.get(needed):
            pool = "user pool" if needed == "UserPoolId" else "identity pool"
            raise InputError(f"The API {name!r} restricts access, so its mock checks callers against this env's "
                             f"pushed {pool}: add auth if needed and run `amplify-nb push` first.")
        if rest_api.authorizer:
            pool_arn = f"arn:aws:cognito-idp:{region}:{account}:userpool/{auth['UserPoolId']}"
            authorizers[AUTHORIZER_ID] = AuthorizerView(AUTHORIZER_ID, rest_api.authorizer, "COGNITO_USER_POOLS",
                                                        (pool_arn,), "Authorization")
    cors = {header: static_value(value) for header, value in rest_api.cors_headers.items()}
    resources = {"/": ("mockroot", {})}
    for index, (path, methods) in enumerate(sorted(rest_api.routes.items())):
        views = {method.upper(): _method_view(method.upper(), wanted, rest_api.region, cors)
                 for method, wanted in methods.items()}
        resources[path] = (f"mock{index:04d}", views)
    gateway = {kind: GatewayResponseView(None, dict(cors), {"application/json": GATEWAY_TEMPLATE})
               for kind in GATEWAY_RESPONSES}
    role_policies: dict[str, dict] = {}
    for model in models:
        if isinstance(model, RolePolicy):
            role, policy = model.name.split("/", 1)
            role_policies.setdefault(role, {})[policy] = _resolved(model.document, mock_id)
    functions = {str(function_arn(region, account, function, env)): local_function(project, function)
                 for function in spec.functions()}
    parts = {"resources": resources, "authorizers": authorizers, "gateway_responses": gateway,
             "binary_media_types": []}
    return {"name": name, "stage": env, "account_id": account, "region": region, "parts": parts_to_json(parts),
            "functions": functions, "role_policies": role_policies, "endpoint": target.endpoint()}


def mock_api(project: Project, name: str | None = None, port: int | None = None) -> MockApi:
    """Serve API `name` (the project's only API by default) as the files describe it, unpushed, on the local
    cloud: the same paths, auth, events and errors as the pushed API, each function running its local src/.
    Call `.stop()` (or use `with`) to remove it; the URL is `.url`: under the local cloud's port, or with `port`
    (0: any free one) at `http://127.0.0.1:<port>/<env>`, the shape of API Gateway's invoke URL."""
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
        raise InputError(f"The port must be a whole number between 0 and 65535 (got {port!r}).")
    apis = list(project.backend_config().get("api", {}))
    if name is None:
        if len(apis) != 1:
            raise InputError("Name the API to mock: " + (", ".join(apis) if apis else "this project has no API."))
        name = apis[0]
    target = project.target()
    if not target.is_local:
        raise InputError("mock api runs against the local cloud: configure this env with --target local.")
    description = {**mock_api_description(project, name), "port": port}
    endpoint = description.pop("endpoint").rstrip("/")
    request = urllib.request.Request(f"{endpoint}{MOCK_PATH}", data=json.dumps(description).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            registered = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        message = error.read().decode(errors="replace")
        if error.code == 409:
            raise InputError(f"Cannot serve the mock on port {port}: {json.loads(message)['message']}") from None
        raise AmplifyNbError(f"The local cloud refused the mock: {message}") from None
    routes = {path: ", ".join(f"{m} ({view['authorization_type']})" if view["authorization_type"] != "NONE" else m
                              for m, view in sorted(methods.items()))
              for path, (_, methods) in description["parts"]["resources"].items() if methods}
    own = registered.get("port")
    url = f"http://127.0.0.1:{own}/{registered['stage']}" if own else \
        local_api_root_url(endpoint, registered["api_id"], registered["stage"])
    return MockApi(name, registered["stage"], registered["api_id"], url, endpoint, routes)
