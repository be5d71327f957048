"""Shared by the env command, delete and pull tests: the tutorial backend in several envs, and the census of
what the cloud still holds for an env's stack (every resource type a tutorial env makes, found by its tags)."""
from __future__ import annotations

import json
import string
import uuid
from pathlib import Path

from amplify_nb.project import Project, push
from amplify_nb.project.envs import add_env

STACK_TAG = "amplify-nb:stack"


def env_name(number: int) -> str:
    """A distinct valid env name per number (letters only, as Amplify's rule wants): 1 -> kab, 2 -> kac."""
    letters = string.ascii_lowercase
    return "k" + letters[number // 26] + letters[number % 26]


def tutorial_envs(folder: Path, envs: tuple[str, ...] = ("dev",), suffix: str | None = None) -> Project:
    """The tutorial's whole backend (hosting, auth, api with a new CRUD function and table) pushed in each env;
    the first env made by init, the others by env add. Names carry a suffix (the session's cloud is shared)."""
    from test_api_push import tutorial_project

    project = tutorial_project(folder, suffix or uuid.uuid4().hex[:6])
    push(project, progress=False)
    for env in envs[1:]:
        add_env(project, env)
        push(project, progress=False)
    return project


def stack_of(project: Project, env: str) -> str:
    return project.env_info(env)["awscloudformation"]["StackName"]


def tagged_resources(project: Project, stacks: set[str], env: str = "dev") -> list[str]:
    """Every bucket, table, function, REST API, user pool, identity pool, role and distribution in env's cloud
    whose `amplify-nb:stack` tag is one of stacks ("kind name" each): what must be gone after a teardown.
    (Every env of these tests is on the one local cloud, which is also where a deleted project's envs were.)"""
    client = project.target(env).client
    found: list[str] = []

    def owned(tags: dict | None) -> bool:
        return (tags or {}).get(STACK_TAG) in stacks

    s3 = client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]}
        except s3.exceptions.ClientError:
            continue
        if owned(tags):
            found.append(f"bucket {bucket['Name']}")
    dynamodb = client("dynamodb")
    for table in _all(dynamodb, "list_tables", "TableNames"):
        arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
        if owned({t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=arn).get("Tags", [])}):
            found.append(f"table {table}")
    awslambda = client("lambda")
    for function in _all(awslambda, "list_functions", "Functions"):
        if owned(awslambda.list_tags(Resource=function["FunctionArn"]).get("Tags")):
            found.append(f"function {function['FunctionName']}")
    for api in _all(client("apigateway"), "get_rest_apis", "items"):
        if owned(api.get("tags")):
            found.append(f"rest api {api['name']}")
    idp = client("cognito-idp")
    for pool in _all(idp, "list_user_pools", "UserPools", MaxResults=60):
        if owned(idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags")):
            found.append(f"user pool {pool['Name']}")
    identity = client("cognito-identity")
    for pool in _all(identity, "list_identity_pools", "IdentityPools", MaxResults=60):
        if owned(identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"]).get("IdentityPoolTags")):
            found.append(f"identity pool {pool['IdentityPoolName']}")
    iam = client("iam")
    for role in _all(iam, "list_roles", "Roles"):
        if owned({t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])}):
            found.append(f"role {role['RoleName']}")
    cloudfront = client("cloudfront")
    for distribution in cloudfront.list_distributions()["DistributionList"].get("Items", []):
        tags = cloudfront.list_tags_for_resource(Resource=distribution["ARN"])["Tags"].get("Items", [])
        if owned({t["Key"]: t["Value"] for t in tags}):
            found.append(f"distribution {distribution['Id']}")
    return sorted(found)


def _all(client, method: str, key: str, **params) -> list:
    """Every page of a list call (the session's cloud holds every test's resources)."""
    if client.can_paginate(method):
        return list(client.get_paginator(method).paginate(**params).search(key))
    return client.__getattribute__(method)(**params).get(key, [])


def project_files(root: Path) -> dict[str, bytes]:
    """Every file of a project folder, to prove a refused command wrote nothing."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def exports(project: Project) -> dict:
    return json.loads((project.source_dir / "amplifyconfiguration.json").read_text())
