"""The env's root resources, made by init (Amplify's root stack): deployment bucket, auth and unauth roles."""
from __future__ import annotations

import secrets
import string

from ..deploy.models import Bucket, Role

# Amplify creates the roles first with a placeholder Deny trust; adding auth later trusts its identity pool.
PLACEHOLDER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Deny",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }],
}


def new_stack_name(project_name: str, env: str) -> str:
    """amplify-<project>-<env>-<5 random chars>: chosen once per env and kept in team-provider-info.json."""
    suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    return f"amplify-{project_name.lower()}-{env}-{suffix}"


def tags(stack_name: str, project_name: str, env: str) -> dict:
    return {"user:Stack": env, "user:Application": project_name, "amplify-nb:stack": stack_name}


def deployment_bucket_name(stack_name: str) -> str:
    return f"{stack_name}-deployment"


def tls_only_policy(bucket: str) -> dict:
    """A bucket policy refusing every request made without TLS (as Amplify's buckets have)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    }


def root_resources(stack_name: str, project_name: str, env: str) -> list:
    bucket = deployment_bucket_name(stack_name)
    common_tags = tags(stack_name, project_name, env)
    return [
        Bucket(bucket, policy=tls_only_policy(bucket), tags=common_tags),
        Role(f"{stack_name}-authRole", assume_role_policy=PLACEHOLDER_TRUST, tags=common_tags,
             description=f"Signed-in users of {project_name} ({env})"),
        Role(f"{stack_name}-unauthRole", assume_role_policy=PLACEHOLDER_TRUST, tags=common_tags,
             description=f"Guest users of {project_name} ({env})"),
    ]


def root_outputs(stack_name: str, region: str, variables: dict) -> dict:
    """The env's `awscloudformation` block of team-provider-info.json, as Amplify names it."""
    auth, unauth = f"iam.Role:{stack_name}-authRole", f"iam.Role:{stack_name}-unauthRole"
    return {
        "AuthRoleName": variables[f"{auth}.Name"],
        "UnauthRoleArn": variables[f"{unauth}.Arn"],
        "AuthRoleArn": variables[f"{auth}.Arn"],
        "Region": region,
        "DeploymentBucketName": variables[f"s3.Bucket:{deployment_bucket_name(stack_name)}.Name"],
        "UnauthRoleName": variables[f"{unauth}.Name"],
        "StackName": stack_name,
    }
