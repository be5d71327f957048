"""storage (Content): an S3 bucket per env, `<bucketName>-<env>`, with Amplify's three access levels as inline
policies on the env's roles, as `amplify add storage` makes it.

Amplify's web library stores a user's files under public/ (every user), protected/<identity id>/ (every user
reads, only the owner writes) and private/<identity id>/ (only the owner); the policies name the caller's
identity id with the `${cognito-identity.amazonaws.com:sub}` variable. The auth role gets the chosen operations
on all three levels; the unauth role (guests, when chosen) only on public/. The bucket itself stays private
(public access blocked, TLS only) and answers the browser's CORS requests.
"""
from __future__ import annotations

import secrets

from ..deploy.models import Bucket, RolePolicy
from ..specs import StorageSpec
from ..specs.storage import CONTENT_OPERATIONS
from .root import tls_only_policy

SERVICE = "S3"
IDENTITY = "${cognito-identity.amazonaws.com:sub}"
ACTIONS = {"create_and_update": "s3:PutObject", "read": "s3:GetObject", "delete": "s3:DeleteObject"}
# cli-inputs.json names: storageAccess auth | authAndGuest, operations in upper case.
ACCESS_NAMES = {"auth": "auth", "auth_and_guest": "authAndGuest"}
CORS = {"CORSRules": [{
    "ID": "S3CORSRuleId1", "AllowedHeaders": ["*"], "AllowedMethods": ["GET", "HEAD", "PUT", "POST", "DELETE"],
    "AllowedOrigins": ["*"], "ExposeHeaders": ["x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2", "ETag"],
    "MaxAgeSeconds": 3000}]}


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def cli_inputs(spec: StorageSpec, policy_uuid: str | None = None) -> dict:
    """Amplify's cli-inputs.json for an S3 resource."""
    return {
        "resourceName": spec.resource_name,
        "policyUUID": policy_uuid or secrets.token_hex(4),
        "bucketName": spec.bucket_name,
        "storageAccess": ACCESS_NAMES.get(spec.storage_access, spec.storage_access),
        "guestAccess": [op.upper() for op in spec.guest_access] if spec.storage_access == "auth_and_guest" else [],
        "authAccess": [op.upper() for op in spec.auth_access],
        "triggerFunction": "NONE",
        "groupAccess": {},
    }


def answers_from_inputs(inputs: dict) -> dict:
    access = {name: key for key, name in ACCESS_NAMES.items()}
    answers = {
        "service": "content", "resource_name": inputs["resourceName"], "bucket_name": inputs["bucketName"],
        "storage_access": access.get(inputs.get("storageAccess"), inputs.get("storageAccess")),
        "auth_access": [op.lower() for op in inputs.get("authAccess", [])],
    }
    if inputs.get("guestAccess"):
        answers["guest_access"] = [op.lower() for op in inputs["guestAccess"]]
    return answers


def _actions(operations: list[str]) -> list[str]:
    return [ACTIONS[op] for op in ACTIONS if op in operations]


def _list_statement(sid: str, bucket: str, prefixes: list[str]) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn(bucket)],
            "Condition": {"StringLike": {"s3:prefix": [p for prefix in prefixes for p in (f"{prefix}/", f"{prefix}/*")]}}}


def auth_policy(bucket: str, operations: list[str]) -> dict:
    """Signed-in users: the operations on public/, their own protected/ and private/ folders; uploads/ for create;
    for read, every user's protected/ files and listing the folders they may read."""
    arn, actions = bucket_arn(bucket), _actions(operations)
    statements = [{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": [f"{arn}/{prefix}/*"]}
                  for sid, prefix in (("PublicObjects", "public"), ("OwnProtectedObjects", f"protected/{IDENTITY}"),
                                      ("OwnPrivateObjects", f"private/{IDENTITY}"))]
    statements += _common(bucket, operations, ["public", "protected", f"private/{IDENTITY}"])
    return {"Version": "2012-10-17", "Statement": statements}


def guest_policy(bucket: str, operations: list[str]) -> dict:
    """Guests: the operations on public/ only; uploads/ for create; for read, protected/ files and listing."""
    arn = bucket_arn(bucket)
    statements = [{"Sid": "PublicObjects", "Effect": "Allow", "Action": _actions(operations),
                   "Resource": [f"{arn}/public/*"]}]
    statements += _common(bucket, operations, ["public", "protected"])
    return {"Version": "2012-10-17", "Statement": statements}


def _common(bucket: str, operations: list[str], listed: list[str]) -> list[dict]:
    arn, statements = bucket_arn(bucket), []
    if "create_and_update" in operations:
        statements.append({"Sid": "Uploads", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"{arn}/uploads/*"]})
    if "read" in operations:
        statements.append({"Sid": "ReadProtected", "Effect": "Allow", "Action": ["s3:GetObject"],
                           "Resource": [f"{arn}/protected/*"]})
        statements.append(_list_statement("ListReadableFolders", bucket, listed))
    return statements


def policy_name(resource_name: str) -> str:
    """Unique per storage resource, so two buckets (or a function) can grant on one role independently."""
    return f"{resource_name}-content-access"


def content_models(spec: StorageSpec, env: str, stack_name: str, tags: dict) -> list:
    """The bucket, then the policies on the env's auth role (and unauth role when guests have access)."""
    bucket = spec.deployed_bucket_name(env)
    models: list = [Bucket(bucket, policy=tls_only_policy(bucket), cors=CORS, tags=tags),
                    RolePolicy.on(f"{stack_name}-authRole", policy_name(spec.resource_name),
                                  auth_policy(bucket, spec.auth_access))]
    if spec.storage_access == "auth_and_guest":
        models.append(RolePolicy.on(f"{stack_name}-unauthRole", policy_name(spec.resource_name),
                                    guest_policy(bucket, spec.guest_access)))
    return models


def access_summary(spec: StorageSpec) -> str:
    labels = dict(CONTENT_OPERATIONS)

    def named(ops: list[str]) -> str:
        return "/".join(labels.get(op, op) for op in ops)
    summary = f"signed-in users: {named(spec.auth_access)}"
    if spec.storage_access == "auth_and_guest":
        summary += f"; guests: {named(spec.guest_access)}"
    return summary
