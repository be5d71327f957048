"""One env's resources: every model its last push recorded (and the env's root bucket and roles), with its id or
ARN and whether it still exists, read with describe/list calls only."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

from ..aws import Target
from ..categories.root import deployment_bucket_name
from ..deploy import RemoteState
from ..deploy.planner import rule_for
from .envs import ConsoleEnv


@dataclass(frozen=True)
class ResourceRow:
    """One cloud resource an env's last push made."""

    category: str  # the Amplify category, or "root" for the env's own bucket and roles
    resource: str  # the Amplify resource name
    type: str  # the model type: s3.Bucket, lambda.Function, ...
    name: str  # its name in the cloud
    id: str  # its id or ARN ("" when missing)
    state: str  # exists | missing
    endpoint: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def identities(env: ConsoleEnv) -> list[tuple[str, str, dict]]:
    """(category, resource, identity) for the root resources and every model each resource's push recorded."""
    providers = env.meta.get("providers", {}).get("awscloudformation", {})
    found: list[tuple[str, str, dict]] = []
    for category, resources in env.meta.items():
        if category == "providers":
            continue
        for resource, entry in resources.items():
            found += [(category, resource, identity) for identity in entry.get("providerMetadata", {}).get("resources", [])]
    seen = {(identity["type"], identity["name"]) for *_, identity in found}
    root = [("s3.Bucket", providers.get("DeploymentBucketName") or deployment_bucket_name(env.stack)),
            ("iam.Role", providers.get("AuthRoleName")), ("iam.Role", providers.get("UnauthRoleName"))]
    return [("root", "env", {"type": kind, "name": name}) for kind, name in root
            if name and (kind, name) not in seen] + found


def env_resources(env: ConsoleEnv, target: Target) -> list[ResourceRow]:
    """Each resource of the env with its id/ARN and whether it still exists, read from the cloud."""
    remote = RemoteState(target)
    endpoint_of = resource_endpoints(env)
    rows = []
    for category, resource, identity in identities(env):
        exists = rule_for(identity["type"]).exists(identity, remote)
        rows.append(ResourceRow(category, resource, identity["type"], identity["name"],
                                cloud_id(identity, remote) if exists else "", "exists" if exists else "missing",
                                endpoint_of.get((category, resource, identity["type"]), "")))
    return rows


# The model a category resource's endpoint is served by, best first (PROD hosting: the distribution, not its bucket).
SERVING_TYPES = ("cloudfront.Distribution", "apigateway.RestApi", "s3.Bucket")


def resource_endpoints(env: ConsoleEnv) -> dict[tuple[str, str, str], str]:
    """(category, resource, model type) -> the URL the category says the resource serves (its `endpoints`)."""
    from ..categories import load_categories

    recorded = {(category, resource, identity["type"]) for category, resource, identity in identities(env)}
    found = {}
    for category_name, category in load_categories().items():
        if not hasattr(category, "endpoints"):
            continue
        for resource, entry in env.meta.get(category_name, {}).items():
            urls = list(category.endpoints(resource, entry).values())
            serving = next((kind for kind in SERVING_TYPES if (category_name, resource, kind) in recorded), None)
            if urls and serving:
                found[category_name, resource, serving] = urls[0]
    return found


def cloud_id(identity: dict, remote: RemoteState) -> str:
    """The resource's id or ARN as its console shows it (read with describe/list calls)."""
    reader = ID_READERS.get(identity["type"])
    try:
        return (reader(identity, remote) if reader else "") or ""
    except (KeyError, TypeError, IndexError):
        return ""


def _role_arn(identity: dict, remote: RemoteState) -> str:
    role = remote.read("iam", "get_role", missing=("NoSuchEntity",), RoleName=identity["name"])
    return role["Role"]["Arn"] if role else ""


def _role_policy(identity: dict, remote: RemoteState) -> str:
    role, _, policy = identity["name"].partition("/")
    return f"{_role_arn({'name': role}, remote)} (inline policy {policy})"


def _user_pool(identity: dict, remote: RemoteState) -> str:
    from ..deploy.rules.cognito import find_user_pool

    pool = find_user_pool(identity["name"], remote)
    return remote.read("cognito-idp", "describe_user_pool", UserPoolId=pool["Id"])["UserPool"]["Arn"] if pool else ""


def _user_pool_client(identity: dict, remote: RemoteState) -> str:
    from ..deploy.rules.cognito import find_client, find_user_pool

    pool = find_user_pool(identity["user_pool"], remote)
    client = find_client(pool["Id"], identity["name"], remote) if pool else None
    return client["ClientId"] if client else ""


def _identity_pool(identity: dict, remote: RemoteState) -> str:
    from ..deploy.rules.cognito import find_identity_pool

    pool = find_identity_pool(identity["name"], remote)
    return pool["IdentityPoolId"] if pool else ""


def _rest_api(identity: dict, remote: RemoteState) -> str:
    from ..deploy.rules.apigateway import find_rest_api

    api = find_rest_api(identity["name"], remote, identity.get("owner"))
    return api["id"] if api else ""


def _distribution(identity: dict, remote: RemoteState) -> str:
    from ..deploy.rules.cloudfront import find_distribution

    found = find_distribution(remote, identity["name"])
    return found["ARN"] if found else ""


def _origin_access_control(identity: dict, remote: RemoteState) -> str:
    from ..deploy.rules.cloudfront import find_origin_access_control

    found = find_origin_access_control(remote, identity["name"])
    return found["Id"] if found else ""


ID_READERS: dict[str, Callable[[dict, RemoteState], str]] = {
    "s3.Bucket": lambda identity, remote: f"arn:aws:s3:::{identity['name']}",
    "iam.Role": _role_arn,
    "iam.RolePolicy": _role_policy,
    "dynamodb.Table": lambda identity, remote: remote.read("dynamodb", "describe_table",
                                                           TableName=identity["name"])["Table"]["TableArn"],
    "lambda.Function": lambda identity, remote: remote.read("lambda", "get_function_configuration",
                                                            FunctionName=identity["name"])["FunctionArn"],
    "lambda.Permission": lambda identity, remote: f"statement {identity['name'].partition('/')[2]}",
    "apigateway.RestApi": _rest_api,
    "cognito-idp.UserPool": _user_pool,
    "cognito-idp.UserPoolClient": _user_pool_client,
    "cognito-identity.IdentityPool": _identity_pool,
    "cognito-identity.IdentityPoolRoles": _identity_pool,
    "cloudfront.Distribution": _distribution,
    "cloudfront.OriginAccessControl": _origin_access_control,
}
