"""api (REST): `amplify add api` with API Gateway in front of Lambda functions.

On disk (Amplify's layout): amplify/backend/api/<name>/cli-inputs.json holds the paths, each with its function
and permissions ({"setting": private | protected | open, "auth": [...], "guest": [...]}), plus amplify_nb's
`authorization` (iam | cognito). backend-config's dependsOn names every function the API invokes (Name, Arn)
and, when access is restricted, the auth resource, so they are pushed first and cannot be removed under it.

Push: a REST API `<name>-<env>` (REGIONAL, tagged like the env's other resources) with `/path` and
`/path/{proxy+}` for each path, ANY (or, with a Cognito authorizer, one method per allowed HTTP method) proxied
to the function, an OPTIONS preflight answering Amplify's CORS headers, DEFAULT_4XX/5XX gateway responses with
the same headers, a deployment to the stage named after the env, the functions' permission for API Gateway
and, with IAM authorization, an execute-api:Invoke policy on the env's auth (and unauth) role per path and method.
"""
from __future__ import annotations

from pathlib import Path

from ..deploy.models import LambdaPermission, RestApi, RolePolicy
from ..deploy.plan import Joined
from ..deploy.rules.cognito import UserPool
from ..errors import AmplifyNbError, InputError
from ..fileio import read_json
from ..local.apis import local_api_root_url
from ..specs.api import OPERATION_METHODS, ApiSpec
from ..specs.base import resources_from_backend_config
from . import DeployContext, register
from .auth import Names, auth_resource_name
from .auth import read_inputs as read_auth_inputs
from .root import tags as root_tags

SERVICE = "API Gateway"
CLI_INPUTS = "cli-inputs.json"
SETTINGS = {"authenticated": "private", "authenticated_and_guests": "protected"}  # not restricted: "open"
WHO_OF_SETTING = {setting: who for who, setting in SETTINGS.items()}
ALLOWED_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent"
ALLOWED_METHODS = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
CORS_HEADERS = {  # the preflight's answer and the gateway responses' headers (values as API Gateway quotes them)
    "Access-Control-Allow-Origin": "'*'",
    "Access-Control-Allow-Headers": f"'{ALLOWED_HEADERS}'",
    "Access-Control-Allow-Methods": f"'{ALLOWED_METHODS}'",
}
PROXY = "{proxy+}"


# --- the files ---------------------------------------------------------------------------------------------------
def cli_inputs(spec: ApiSpec) -> dict:
    """Amplify's cli-inputs.json for a REST API, plus the authorization mode."""
    paths = {}
    for row in spec.paths():
        setting = SETTINGS[row["who"]] if row["restrict_access"] else "open"
        permissions: dict = {"setting": setting}
        if setting != "open":
            permissions["auth"] = list(row["auth_permissions"])
        if setting == "protected":
            permissions["guest"] = list(row["guest_permissions"])
        paths[row["path"]] = {"name": row["path"], "lambdaFunction": row["function"], "permissions": permissions}
    return {"version": 1, "paths": paths, "authorization": spec.authorization}


def read_inputs(project_root, resource_name: str) -> dict:
    path = Path(project_root) / "amplify" / "backend" / "api" / resource_name / CLI_INPUTS
    found = read_json(path, None)
    if not found or not found.get("paths"):
        raise AmplifyNbError(f"amplify/backend/api/{resource_name}/{CLI_INPUTS} is missing or has no paths: run "
                             f"`amplify-nb update api {resource_name}` to write it again (or remove the api).")
    return found


def path_answers(path: str, entry: dict) -> dict:
    """One path of cli-inputs.json as answers (guests read from Amplify's "guest" or a "guests" key)."""
    permissions = entry.get("permissions") or {}
    setting = permissions.get("setting", "private")
    answers = {"path": path, "function": entry.get("lambdaFunction", ""), "restrict_access": setting != "open"}
    if setting != "open":
        answers.update(who=WHO_OF_SETTING.get(setting, "authenticated"),
                       auth_permissions=list(permissions.get("auth") or []))
    if setting == "protected":
        answers["guest_permissions"] = list(permissions.get("guest") or permissions.get("guests") or [])
    return answers


def spec_from_inputs(resource_name: str, inputs: dict, project_name: str = "amplify", resources=None) -> ApiSpec:
    rows = [path_answers(path, entry) for path, entry in inputs["paths"].items()]
    first = rows[0]
    answers = {"name": resource_name, "lambda_source": "project", **first, "more_paths": rows[1:],
               "authorization": inputs.get("authorization", "iam")}
    return ApiSpec.for_project(project_name, resources, answers)


def deployed_api_name(resource_name: str, env: str) -> str:
    return f"{resource_name}-{env}"


def function_arn(region: str, account: str, function: str, env: str) -> str:
    """A function's ARN is known from its deployed name, so the API's shape (and its hash) never waits for it."""
    return f"arn:aws:lambda:{region}:{account}:function:{function}-{env}"


def resource_paths(path: str) -> list[str]:
    """The API Gateway resources a path needs: its parents, itself and its {proxy+} child."""
    parts = [p for p in path.split("/") if p]
    parents = ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]
    own = "/" + "/".join(parts)
    return parents + [own, (own.rstrip("/") + "/" + PROXY)]


def execute_arn(region: str, account: str, api_id, rest: str) -> Joined:
    return Joined((f"arn:aws:execute-api:{region}:{account}:", api_id, rest))


def iam_resource(path: str) -> str:
    """A path as an execute-api resource: parameters become * (/beer/{id} -> /beer/*)."""
    return "/".join("*" if part.startswith("{") else part for part in path.split("/"))


def invoke_policy(region: str, account: str, api_id, stage: str, grants: list[tuple[str, list[str]]]) -> dict:
    """execute-api:Invoke on each path (and everything under it) for the methods its operations allow."""
    resources = []
    for path, operations in grants:
        base = iam_resource(path).rstrip("/")
        for operation in operations:
            for method in OPERATION_METHODS[operation]:
                resources += [execute_arn(region, account, api_id, f"/{stage}/{method}{base or '/'}"),
                              execute_arn(region, account, api_id, f"/{stage}/{method}{base}/*")]
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": resources}]}


def policy_name(resource_name: str) -> str:
    return f"{resource_name}-api-invoke"


class ApiCategory:
    name = "api"
    spec = ApiSpec
    single = False

    def default_spec(self, project) -> ApiSpec:
        return ApiSpec.for_project(project.name, resources_from_backend_config(project.backend_config()))

    def resource_name(self, spec: ApiSpec) -> str:
        return spec.name

    def companions(self, spec: ApiSpec) -> list:
        """Resources added with this one: the new function (which brings its new table)."""
        new = spec.new_function_spec()
        return [("function", new)] if new is not None else []

    def read_spec(self, project, resource_name: str) -> ApiSpec:
        inputs = read_inputs(project.root, resource_name)
        return spec_from_inputs(resource_name, inputs, project.name,
                                resources_from_backend_config(project.backend_config()))

    def write(self, project, resource_name: str, spec: ApiSpec) -> dict:
        folder = project.paths.resource_dir(self.name, resource_name)
        if (folder / CLI_INPUTS).exists():
            problems = spec.problems_for_update(self.read_spec(project, resource_name))
            if problems:
                raise InputError(problems)
        project.write_json(folder / CLI_INPUTS, cli_inputs(spec))
        depends = [{"category": "function", "resourceName": name, "attributes": ["Name", "Arn"]}
                   for name in spec.functions()]
        auth = auth_resource_name(project)
        if spec.any_restricted() and auth:
            depends.append({"category": "auth", "resourceName": auth, "attributes": ["UserPoolId"]})
        return {"service": SERVICE, "providerPlugin": "awscloudformation", "dependsOn": depends}

    # --- push -------------------------------------------------------------------------------------------------
    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        inputs = read_inputs(ctx.project_root, resource_name)
        spec = spec_from_inputs(resource_name, inputs, ctx.project_name)
        region, account, env = ctx.target.region, ctx.target.account_id, ctx.env
        cognito = spec.authorization == "cognito" and spec.any_restricted()
        api = RestApi(deployed_api_name(resource_name, env), region=region, stage=env,
                      description=f"{ctx.project_name} REST API {resource_name} ({env})",
                      routes=self._routes(spec, region, account, env, cognito),
                      authorizer=f"{resource_name}-cognito" if cognito else "",
                      user_pool_arn=self._user_pool_arn(ctx, entry) if cognito else "",
                      cors_headers=dict(CORS_HEADERS), tags=root_tags(ctx.stack_name, ctx.project_name, env))
        api_id = api.ref("Id")
        models: list = [api]
        models += [LambdaPermission.on(f"{function}-{env}", f"{api.name}-invoke",
                                       execute_arn(region, account, api_id, "/*/*/*"))
                   for function in spec.functions()]
        if spec.any_restricted() and not cognito:
            rows = [row for row in spec.paths() if row["restrict_access"]]
            for role, field in ((f"{ctx.stack_name}-authRole", "auth_permissions"),
                                (f"{ctx.stack_name}-unauthRole", "guest_permissions")):
                grants = [(row["path"], row[field]) for row in rows if row[field]]
                if grants:
                    models.append(RolePolicy.on(role, policy_name(resource_name),
                                                invoke_policy(region, account, api_id, env, grants)))
        return models

    @staticmethod
    def _routes(spec: ApiSpec, region: str, account: str, env: str, cognito: bool) -> dict:
        routes: dict = {}
        for row in spec.paths():
            target = function_arn(region, account, row["function"], env)
            if not row["restrict_access"]:
                methods = {"ANY": {"authorization": "NONE", "function_arn": target}}
            elif cognito:
                allowed = [m for op in row["auth_permissions"] for m in OPERATION_METHODS[op]]
                methods = {m: {"authorization": "COGNITO_USER_POOLS", "function_arn": target}
                           for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in allowed}
            else:
                methods = {"ANY": {"authorization": "AWS_IAM", "function_arn": target}}
            methods["OPTIONS"] = {"authorization": "NONE", "function_arn": ""}
            paths = resource_paths(row["path"])
            for parent in paths[:-2]:
                routes.setdefault(parent, {})
            for own in paths[-2:]:
                routes[own] = dict(methods)
        return routes

    @staticmethod
    def _user_pool_arn(ctx: DeployContext, entry: dict):
        auth = next((d["resourceName"] for d in entry.get("dependsOn", []) if d.get("category") == "auth"), None)
        if auth is None:
            raise InputError("A Cognito authorizer needs the project's user pool: add auth, then run "
                             "`amplify-nb update api` again.")
        inputs = read_auth_inputs(Path(ctx.project_root) / "amplify" / "backend" / "auth" / auth)
        pool = UserPool(Names(auth, inputs["cognitoConfig"]["sharedId"]).deployed_user_pool(ctx.env))
        return pool.ref("Arn")

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict:
        deployed = deployed_api_name(resource_name, ctx.env)
        api_id = variables.get(f"{RestApi.type_name}:{deployed}.Id")
        inputs = read_inputs(ctx.project_root, resource_name)
        spec = spec_from_inputs(resource_name, inputs, ctx.project_name)
        return {"RootUrl": root_url(ctx.target, api_id, ctx.env), "ApiName": resource_name, "ApiId": api_id,
                "Region": ctx.target.region, "Authorization": authorization_mode(spec)}

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict:
        output = meta_entry.get("output", {})
        return {"aws_cloud_logic_custom": [{
            "name": output.get("ApiName", resource_name), "endpoint": output.get("RootUrl"),
            "region": output.get("Region", region), "authorization": output.get("Authorization", "iam")}]}

    def endpoints(self, resource_name: str, meta_entry: dict) -> dict:
        url = (meta_entry.get("output") or {}).get("RootUrl")
        return {"REST API endpoint": url} if url else {}

    def describe(self, project, resource_name: str, meta_entry: dict) -> list:
        """The REST API as the API Gateway console shows it (read from the cloud)."""
        output = meta_entry["output"]
        client = project.target().client("apigateway")
        api = client.get_rest_api(restApiId=output["ApiId"])
        stage = client.get_stage(restApiId=output["ApiId"], stageName=project.env_name)
        resources = client.get_paginator("get_resources").paginate(restApiId=output["ApiId"], embed=["methods"])
        routes = [f"{r['path']} ({', '.join(sorted(r.get('resourceMethods', {})))})"
                  for page in resources for r in page["items"] if r.get("resourceMethods")]
        return [
            ("API name", api["name"]), ("API id", api["id"]),
            ("Endpoint type", ", ".join(api.get("endpointConfiguration", {}).get("types", []))),
            ("Stage", stage["stageName"]), ("Deployment", stage.get("deploymentId")),
            ("Invoke URL", output.get("RootUrl")), ("Authorization", output.get("Authorization")),
            ("Resources", "; ".join(routes)),
        ]


def authorization_mode(spec: ApiSpec) -> str:
    """How clients call this API: iam (SigV4), cognito (the ID token) or none (no path is restricted)."""
    if not spec.any_restricted():
        return "none"
    return spec.authorization


def root_url(target, api_id: str | None, stage: str) -> str | None:
    """API Gateway's invoke URL of the stage; on the local cloud (or another endpoint) its local form."""
    if not api_id:
        return None
    if target.kind == "aws":
        return f"https://{api_id}.execute-api.{target.region}.amazonaws.com/{stage}"
    return local_api_root_url(target.endpoint(), api_id, stage)


register(ApiCategory())
