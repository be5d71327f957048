"""Environments never touch each other's cloud: a second env made with `init --env` gets its own resources, and
the first env's website, user pool, users and roles are untouched; switching back finds dev exactly as it was."""
from __future__ import annotations

import json

import pytest
from cli_runner import run_cli
from test_hosting import fetch, unique_bucket

from amplify_nb import sample_app
from amplify_nb.client.auth import Auth
from amplify_nb.errors import AmplifyNbError
from amplify_nb.fileio import atomic_write_json
from amplify_nb.hosting import publish
from amplify_nb.project import Project, plan, push, resource_status
from amplify_nb.project.env_records import RECORD_KEY

PASSWORD = "correct horse 42"


def cloud_inventory(project: Project) -> dict:
    """Every resource a tutorial env has, with its id: what must survive another env's pushes."""
    target = project.target()
    idp, identity, iam, s3 = (target.client(name) for name in ("cognito-idp", "cognito-identity", "iam", "s3"))
    everything = lambda client, method, key, **params: list(  # noqa: E731  (every page: the session cloud is shared)
        client.get_paginator(method).paginate(**params).search(key))
    pools = {p["Name"]: p["Id"] for p in everything(idp, "list_user_pools", "UserPools", MaxResults=60)}
    return {
        "user_pools": pools,
        "clients": {(name, c["ClientName"]): c["ClientId"] for name, pool_id in pools.items()
                    for c in everything(idp, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool_id, MaxResults=60)},
        "identity_pools": {p["IdentityPoolName"]: p["IdentityPoolId"]
                           for p in everything(identity, "list_identity_pools", "IdentityPools", MaxResults=60)},
        "roles": {r["RoleName"]: r["RoleId"] for r in everything(iam, "list_roles", "Roles")},
        "buckets": {b["Name"] for b in s3.list_buckets()["Buckets"]},
    }


def of_project(inventory: dict, project: Project, env: str) -> dict:
    """The part of an inventory that is this project's env (the session's cloud holds other tests' projects)."""
    stack = project.env_info(env)["awscloudformation"]["StackName"]
    auth_name = next(iter(project.backend_config()["auth"]))
    bucket = json.loads((project.paths.resource_dir("hosting", "S3AndCloudFront") / "parameters.json").read_text())["bucketName"]

    def keep(name) -> bool:
        name = name if isinstance(name, str) else name[0]
        return stack in name or name == f"{bucket}-{env}" or (
            name.startswith(auth_name) and name.endswith((f"-{env}", f"__{env}")))

    return {kind: ({k: v for k, v in found.items() if keep(k)} if isinstance(found, dict) else {k for k in found if keep(k)})
            for kind, found in inventory.items()}


@pytest.fixture(scope="module")
def dev_project(tmp_path_factory, local_cloud) -> Project:
    """The tutorial's dev env: hosting with the published sample app, auth with one confirmed user."""
    project_dir = tmp_path_factory.mktemp("envs") / "beer"
    run_cli("init", "--yes", "--name", "beerenvs", "--project-dir", str(project_dir))
    run_cli("add", "hosting", "--yes", "--bucket-name", unique_bucket(), "--project-dir", str(project_dir))
    run_cli("add", "auth", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    sample_app.install(project)
    publish(project, progress=False)
    auth = Auth.from_project(project)
    auth.sign_up("dev-user@example.com", PASSWORD)
    auth.confirm_sign_up("dev-user@example.com", auth.latest_code("dev-user@example.com", "sign-up"))
    return project


def test_a_second_env_leaves_every_dev_resource_its_site_and_its_users_alone(dev_project):
    project = dev_project
    dev_site = project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["WebsiteURL"]
    dev_before = of_project(cloud_inventory(project), project, "dev")
    assert dev_before["user_pools"] and dev_before["identity_pools"] and len(dev_before["buckets"]) == 2

    added = run_cli("init", "--env", "test", "--yes", "--project-dir", str(project.root))
    assert "Added env test" in added.stdout
    assert project.env_name == "test"
    assert {row.operation for row in resource_status(project)} == {"Create"}  # test has nothing in the cloud yet
    assert json.loads(project.paths.project_config.read_text())["projectName"] == "beerenvs"
    run_cli("push", "--yes", "--project-dir", str(project.root))

    after = cloud_inventory(project)
    assert of_project(after, project, "dev") == dev_before  # same resources, same ids
    test_resources = of_project(after, project, "test")
    assert test_resources["user_pools"] and test_resources["identity_pools"] and len(test_resources["buckets"]) == 2
    assert not set(test_resources["user_pools"].values()) & set(dev_before["user_pools"].values())

    status, _, body = fetch(dev_site + "/")
    assert status == 200 and b"<title>Beer app</title>" in body

    run_cli("init", "--env", "dev", "--yes", "--project-dir", str(project.root))
    assert project.env_name == "dev"
    assert {row.operation for row in resource_status(project, cloud=True)} == {"No Change"}
    assert not plan(project)  # dev's record came back whole: nothing to create, nothing to sweep
    assert project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["WebsiteURL"] == dev_site
    user = Auth.from_project(project).sign_in("dev-user@example.com", PASSWORD)
    assert user.username


def test_each_push_keeps_its_envs_record_in_the_envs_deployment_bucket(dev_project):
    project = dev_project
    s3 = project.target().client("s3")
    bucket = project.env_info()["awscloudformation"]["DeploymentBucketName"]
    record = s3.get_object(Bucket=bucket, Key=RECORD_KEY)["Body"].read()
    assert record[:2] == b"PK"  # a zip of #current-cloud-backend, as Amplify keeps it


def test_a_record_of_another_env_is_refused_instead_of_swept(dev_project, tmp_path):
    project = dev_project
    meta_path = project.paths.current_cloud_backend / "amplify-meta.json"
    saved = meta_path.read_text()
    meta = json.loads(saved)
    meta["providers"]["awscloudformation"]["StackName"] = "amplify-beerenvs-other-abcde"
    atomic_write_json(meta_path, meta)
    try:
        with pytest.raises(AmplifyNbError, match="interrupted"):
            push(project, progress=False)
    finally:
        meta_path.write_text(saved)


def test_status_names_a_resource_deleted_behind_the_projects_back(tmp_path, local_cloud):
    project_dir = tmp_path / "gone"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    bucket = unique_bucket()
    run_cli("add", "hosting", "--yes", "--bucket-name", bucket, "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    project.target().client("s3").delete_bucket(Bucket=f"{bucket}-dev")

    shown = run_cli("status", "--project-dir", str(project_dir)).stdout
    assert "Update" in shown and f"missing in the cloud: s3.Bucket {bucket}-dev" in shown
    rows = json.loads(run_cli("status", "--json", "--project-dir", str(project_dir)).stdout)["resources"]
    assert rows == [{"category": "hosting", "resourceName": "S3AndCloudFront", "operation": "Update",
                     "providerPlugin": "awscloudformation", "detail": f"missing in the cloud: s3.Bucket {bucket}-dev"}]
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    assert {row.operation for row in resource_status(project, cloud=True)} == {"No Change"}


def test_commands_in_a_subfolder_work_on_the_project_above(tmp_path, local_cloud):
    project_dir = tmp_path / "above"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    deeper = project_dir / "src" / "components"
    deeper.mkdir(parents=True)
    shown = run_cli("status", cwd=deeper).stdout
    assert "Current Environment: dev" in shown
    run_cli("add", "hosting", "--yes", "--bucket-name", unique_bucket(), cwd=deeper)
    assert "hosting" in Project.open(project_dir).backend_config()
    assert not (deeper / "amplify").exists()
