"""The content bucket's policies on the env's roles are Amplify's statements for exactly the chosen operations."""
import pytest

from amplify_nb.categories.storage_content import (
    CORS, IDENTITY, answers_from_inputs, auth_policy, cli_inputs, content_models, guest_policy)
from amplify_nb.deploy.models import Bucket, RolePolicy
from amplify_nb.specs import StorageSpec

ARN = "arn:aws:s3:::pics-dev"


def spec(**answers) -> StorageSpec:
    return StorageSpec.from_answers({"service": "content", "resource_name": "pics", "bucket_name": "pics", **answers})


def test_signed_in_users_with_every_operation_get_amplifys_statements():
    assert auth_policy("pics-dev", ["create_and_update", "read", "delete"])["Statement"] == [
        {"Sid": "PublicObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
         "Resource": [f"{ARN}/public/*"]},
        {"Sid": "OwnProtectedObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
         "Resource": [f"{ARN}/protected/{IDENTITY}/*"]},
        {"Sid": "OwnPrivateObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
         "Resource": [f"{ARN}/private/{IDENTITY}/*"]},
        {"Sid": "Uploads", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"{ARN}/uploads/*"]},
        {"Sid": "ReadProtected", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{ARN}/protected/*"]},
        {"Sid": "ListReadableFolders", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [ARN],
         "Condition": {"StringLike": {"s3:prefix": ["public/", "public/*", "protected/", "protected/*",
                                                    f"private/{IDENTITY}/", f"private/{IDENTITY}/*"]}}},
    ]


def test_read_only_guests_read_public_and_protected_files_and_list_only_those_folders():
    assert guest_policy("pics-dev", ["read"])["Statement"] == [
        {"Sid": "PublicObjects", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{ARN}/public/*"]},
        {"Sid": "ReadProtected", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{ARN}/protected/*"]},
        {"Sid": "ListReadableFolders", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [ARN],
         "Condition": {"StringLike": {"s3:prefix": ["public/", "public/*", "protected/", "protected/*"]}}},
    ]


def test_without_read_nothing_is_listed_or_read_and_without_create_nothing_is_uploaded():
    statements = auth_policy("pics-dev", ["delete"])["Statement"]
    assert {a for s in statements for a in s["Action"]} == {"s3:DeleteObject"}
    assert [s["Sid"] for s in statements] == ["PublicObjects", "OwnProtectedObjects", "OwnPrivateObjects"]


def test_the_unauth_role_gets_a_policy_only_when_guests_have_access():
    auth_only = content_models(spec(), "dev", "amplify-beer-dev-x", {"k": "v"})
    assert [m.name for m in auth_only] == ["pics-dev", "amplify-beer-dev-x-authRole/pics-content-access"]
    bucket = auth_only[0]
    assert isinstance(bucket, Bucket) and bucket.cors == CORS and bucket.tags == {"k": "v"}
    assert bucket.policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert all(bucket.block_public_access.values())
    with_guests = content_models(spec(storage_access="auth_and_guest"), "dev", "amplify-beer-dev-x", {})
    assert [m.name for m in with_guests if isinstance(m, RolePolicy)] == [
        "amplify-beer-dev-x-authRole/pics-content-access", "amplify-beer-dev-x-unauthRole/pics-content-access"]


@pytest.mark.parametrize("answers", [{}, {"storage_access": "auth_and_guest", "guest_access": ["read", "delete"]},
                                     {"auth_access": ["read"]}])
def test_cli_inputs_read_back_to_the_same_answers(answers):
    written = spec(**answers)
    inputs = cli_inputs(written, "abcd1234")
    assert inputs["policyUUID"] == "abcd1234" and inputs["triggerFunction"] == "NONE"
    assert set(inputs["authAccess"]) <= {"CREATE_AND_UPDATE", "READ", "DELETE"}
    read = StorageSpec.from_answers(answers_from_inputs(inputs))
    assert (read.bucket_name, read.storage_access, read.auth_access) == (written.bucket_name, written.storage_access,
                                                                         written.auth_access)
    if written.storage_access == "auth_and_guest":
        assert read.guest_access == written.guest_access
