"""Content storage through the amplify-nb command against the local cloud: the bucket is private with CORS and the
TLS-only policy, the env's roles get exactly the chosen access, aws-exports names the bucket, a second push plans
nothing, and removing the storage deletes its (non-empty) bucket and its policies only."""
from __future__ import annotations

import json
import uuid

import pytest
from cli_runner import run_cli
from test_storage_function import files

from amplify_nb.categories.storage_content import CORS, IDENTITY
from amplify_nb.project import Project, plan
from amplify_nb.views import resource_table


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


@pytest.fixture
def project_dir(tmp_path, local_cloud):
    folder = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(folder))
    return folder


def add_content(project_dir, resource: str, bucket: str, **answers):
    path = project_dir.parent / f"{resource}.json"
    path.write_text(json.dumps({"service": "content", "resource_name": resource, "bucket_name": bucket, **answers}))
    return run_cli("add", "storage", "--yes", "--answers", str(path), "--project-dir", str(project_dir))


def role_policies(project: Project, role: str) -> dict:
    iam = project.target().client("iam")
    return {name: iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]}


def exports(project_dir) -> dict:
    return json.loads((project_dir / "src" / "amplifyconfiguration.json").read_text())


def actions_on(document: dict, resource_suffix: str) -> set[str]:
    return {action for statement in document["Statement"] for action in statement["Action"]
            for resource in statement["Resource"] if resource.endswith(resource_suffix)}


def test_content_storage_push_update_and_remove(project_dir):
    run_cli("add", "auth", "--yes", "--project-dir", str(project_dir))
    bucket = unique("photos")
    add_content(project_dir, "photos", bucket, auth_access=["create_and_update", "read"])
    run_cli("push", "--yes", "--project-dir", str(project_dir))

    project = Project.open(project_dir)
    s3, stack = project.target().client("s3"), project.env_info("dev")["awscloudformation"]["StackName"]
    deployed = f"{bucket}-dev"
    assert all(s3.get_public_access_block(Bucket=deployed)["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_cors(Bucket=deployed)["CORSRules"][0]["AllowedMethods"] == CORS["CORSRules"][0]["AllowedMethods"]
    policy = json.loads(s3.get_bucket_policy(Bucket=deployed)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    auth = role_policies(project, f"{stack}-authRole")
    assert list(auth) == ["photos-content-access"]
    document = auth["photos-content-access"]
    arn = f"arn:aws:s3:::{deployed}"
    assert actions_on(document, f"{arn}/public/*") == {"s3:PutObject", "s3:GetObject"}
    assert actions_on(document, f"{arn}/private/{IDENTITY}/*") == {"s3:PutObject", "s3:GetObject"}
    assert "s3:DeleteObject" not in json.dumps(document)
    assert role_policies(project, f"{stack}-unauthRole") == {}
    assert {k: v for k, v in exports(project_dir).items() if k.startswith("aws_user_files")} == {
        "aws_user_files_s3_bucket": deployed, "aws_user_files_s3_bucket_region": project.target().region}
    assert not plan(project), plan(project).rows()
    described = dict(resource_table(project, "storage", "photos").values.tolist())
    assert described["Bucket name"] == deployed and described["Public access"] == "blocked"
    assert described["Bucket policy"] == "present" and described["CORS"].startswith("GET,HEAD,PUT,POST,DELETE from *")
    assert described["Access"] == "signed-in users: create/update/read"

    # update: guests may read; only the unauth role gains a policy
    add_answers = project_dir.parent / "guests.json"
    add_answers.write_text(json.dumps({"storage_access": "auth_and_guest", "guest_access": ["read"]}))
    run_cli("update", "storage", "photos", "--yes", "--answers", str(add_answers), "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    guest = role_policies(project, f"{stack}-unauthRole")["photos-content-access"]
    assert actions_on(guest, f"{arn}/public/*") == {"s3:GetObject"}
    assert not any("private/" in r for s in guest["Statement"] for r in s["Resource"])

    # a second bucket's policy on the same role survives removing the first (non-empty) bucket
    other = unique("docs")
    add_content(project_dir, "docs", other)
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    s3.put_object(Bucket=deployed, Key="public/beer.jpg", Body=b"jpeg")
    run_cli("remove", "storage", "photos", "--yes", "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert deployed not in buckets and f"{other}-dev" in buckets
    assert list(role_policies(project, f"{stack}-authRole")) == ["docs-content-access"]
    assert role_policies(project, f"{stack}-unauthRole") == {}
    assert project.target().client("iam").get_role(RoleName=f"{stack}-authRole")
    assert exports(project_dir)["aws_user_files_s3_bucket"] == f"{other}-dev"


def test_a_function_with_bucket_access_gets_its_name_and_exactly_that_access(project_dir):
    run_cli("add", "auth", "--yes", "--project-dir", str(project_dir))
    bucket = unique("uploads")
    add_content(project_dir, "uploads", bucket)
    path = project_dir.parent / "fn.json"
    path.write_text(json.dumps({"name": "thumbs", "advanced_settings": True,
                                "access": {"storage": {"uploads": ["read"]}}}))
    run_cli("add", "function", "--yes", "--answers", str(path), "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))

    project = Project.open(project_dir)
    config = project.target().client("lambda").get_function_configuration(FunctionName="thumbs-dev")
    variables = config["Environment"]["Variables"]
    assert variables["STORAGE_UPLOADS_BUCKETNAME"] == f"{bucket}-dev"
    assert not any(name.startswith("STORAGE_UPLOADS_") and name != "STORAGE_UPLOADS_BUCKETNAME" for name in variables)
    role = config["Role"].rsplit("/", 1)[1]
    statements = role_policies(project, role)["amplify-resources-policy"]["Statement"]
    assert {(tuple(s["Action"]), tuple(s["Resource"])) for s in statements} == {
        (("s3:ListBucket",), (f"arn:aws:s3:::{bucket}-dev",)), (("s3:GetObject",), (f"arn:aws:s3:::{bucket}-dev/*",))}
    # removing the function keeps the bucket's policy on the auth role
    stack = project.env_info("dev")["awscloudformation"]["StackName"]
    run_cli("remove", "function", "thumbs", "--yes", "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    assert list(role_policies(project, f"{stack}-authRole")) == ["uploads-content-access"]


@pytest.mark.parametrize("with_auth, answers, message", [
    (True, {"bucket_name": "Photos"}, "Bucket name can only use the following characters"),
    (True, {"auth_access": []}, "Select at least one kind of access for Authenticated users"),
    (False, {}, "add auth first"),
])
def test_bad_content_answers_exit_2_and_write_nothing(project_dir, with_auth, answers, message):
    if with_auth:
        run_cli("add", "auth", "--yes", "--project-dir", str(project_dir))
    path = project_dir.parent / "bad.json"
    path.write_text(json.dumps({"service": "content", **answers}))
    before = files(project_dir)
    done = run_cli("add", "storage", "--yes", "--answers", str(path), "--project-dir", str(project_dir), check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert files(project_dir) == before


def test_auth_cannot_be_removed_while_content_storage_grants_on_its_roles(project_dir):
    run_cli("add", "auth", "--yes", "--project-dir", str(project_dir))
    add_content(project_dir, "pics", unique("pics"))
    auth = next(iter(Project.open(project_dir).backend_config()["auth"]))
    before = files(project_dir)
    done = run_cli("remove", "auth", auth, "--yes", "--project-dir", str(project_dir), check=False)
    assert done.returncode == 2 and f"auth {auth} is used by storage pics" in done.stderr
    assert files(project_dir) == before
