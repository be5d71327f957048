"""init, status and push against the local cloud, as a user drives them from a terminal."""
from __future__ import annotations

import json

import pytest
from cli_runner import run_cli
from filelock import FileLock

from amplify_nb.project import Project, plan, push


def root_state(boto3_client, endpoint, stack):
    """Everything init creates, read with plain boto3 (names normalised so two projects compare)."""
    s3, iam = boto3_client("s3", endpoint), boto3_client("iam", endpoint)
    bucket = f"{stack}-deployment"
    state = {
        "bucket_policy": json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
        "public_access_block": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
        "tags": sorted((t["Key"], t["Value"]) for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]),
        "roles": {kind: iam.get_role(RoleName=f"{stack}-{kind}")["Role"]["AssumeRolePolicyDocument"]
                  for kind in ("authRole", "unauthRole")},
    }
    return json.loads(json.dumps(state).replace(stack, "STACK"))


def stack_of(project_dir):
    return json.loads((project_dir / "amplify/team-provider-info.json").read_text())["dev"]["awscloudformation"]["StackName"]


def test_init_yes_creates_amplifys_layout_and_the_root_resources(tmp_path, local_cloud, endpoint, boto3_client):
    project_dir = tmp_path / "beer-app"
    project_dir.mkdir()
    done = run_cli("init", "--yes", cwd=project_dir)
    assert "Current Environment: dev" in done.stdout

    for relative in ("amplify/.config/project-config.json", "amplify/.config/local-env-info.json",
                     "amplify/.config/local-aws-info.json", "amplify/team-provider-info.json",
                     "amplify/backend/backend-config.json", "amplify/backend/amplify-meta.json",
                     "amplify/#current-cloud-backend/backend-config.json",
                     "amplify/#current-cloud-backend/amplify-meta.json", "src/aws-exports.js", "src/amplifyconfiguration.json"):
        assert (project_dir / relative).is_file(), relative
    config = json.loads((project_dir / "amplify/.config/project-config.json").read_text())
    assert config["projectName"] == "beerapp" and config["providers"] == ["awscloudformation"]
    assert config["javascript"]["config"]["DistributionDir"] == "dist"

    team = json.loads((project_dir / "amplify/team-provider-info.json").read_text())["dev"]["awscloudformation"]
    assert team["StackName"].startswith("amplify-beerapp-dev-")
    assert team["DeploymentBucketName"] == f"{team['StackName']}-deployment"
    assert team["AuthRoleArn"].endswith(f":role/{team['StackName']}-authRole")

    s3, iam = boto3_client("s3", endpoint), boto3_client("iam", endpoint)
    assert team["DeploymentBucketName"] in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    policy = json.loads(s3.get_bucket_policy(Bucket=team["DeploymentBucketName"])["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert iam.get_role(RoleName=team["UnauthRoleName"])["Role"]["Arn"] == team["UnauthRoleArn"]

    exports = (project_dir / "src/aws-exports.js").read_text()
    assert "WARNING: DO NOT EDIT" in exports and '"aws_project_region": "us-east-1"' in exports
    assert "aws-exports.js" in (project_dir / ".gitignore").read_text()
    for secretish in ("aws_secret_access_key", "SecretAccessKey"):
        assert all(secretish not in p.read_text() for p in project_dir.rglob("*.json"))

    status = json.loads(run_cli("status", "--json", cwd=project_dir).stdout)
    assert status == {"env": "dev", "resources": [], "endpoints": {}}
    assert "No changes" in run_cli("push", "--plan", cwd=project_dir).stdout


def test_push_with_no_change_makes_no_mutating_call(tmp_path, local_cloud):
    run_cli("init", "--yes", "--project-dir", str(tmp_path / "beer"))
    project = Project.open(tmp_path / "beer")
    meta_before = project.paths.amplify_meta.read_text()
    result = push(project, progress=False)
    assert result.calls_made == [] and not result.plan
    assert project.paths.amplify_meta.read_text() == meta_before


def test_push_repairs_drift_made_outside_amplify(tmp_path, local_cloud, endpoint, boto3_client):
    run_cli("init", "--yes", "--project-dir", str(tmp_path / "beer"))
    project = Project.open(tmp_path / "beer")
    stack = stack_of(project.root)
    boto3_client("s3", endpoint).delete_bucket_policy(Bucket=f"{stack}-deployment")
    assert [call.operation for call in plan(project).calls] == ["s3.put_bucket_policy"]
    assert push(project, progress=False).calls_made == ["s3.put_bucket_policy"]
    assert not plan(project)


def test_a_second_push_at_the_same_time_is_refused(tmp_path, local_cloud):
    run_cli("init", "--yes", "--project-dir", str(tmp_path / "beer"))
    project = Project.open(tmp_path / "beer")
    with FileLock(str(project.paths.push_lock)):
        done = run_cli("push", "--yes", "--project-dir", str(project.root), check=False)
    assert done.returncode == 1
    assert "Another amplify-nb command is pushing this project" in done.stderr


def test_init_twice_changes_nothing(tmp_path, local_cloud):
    project_dir = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    before = {p: p.read_bytes() for p in project_dir.rglob("*") if p.is_file()}
    done = run_cli("init", "--yes", "--project-dir", str(project_dir))
    assert "Env dev of project beer is now the current env." in done.stdout
    assert {p: p.read_bytes() for p in project_dir.rglob("*") if p.is_file()} == before


def test_a_second_env_gets_its_own_stack_and_becomes_current(tmp_path, local_cloud):
    project_dir = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    run_cli("init", "--yes", "--env", "prod", "--project-dir", str(project_dir))
    team = json.loads((project_dir / "amplify/team-provider-info.json").read_text())
    assert set(team) == {"dev", "prod"}
    assert team["dev"]["awscloudformation"]["StackName"] != team["prod"]["awscloudformation"]["StackName"]
    assert json.loads((project_dir / "amplify/.config/local-env-info.json").read_text())["envName"] == "prod"


def test_init_in_a_project_of_another_name_is_refused(tmp_path, local_cloud):
    project_dir = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    done = run_cli("init", "--yes", "--name", "otherapp", "--project-dir", str(project_dir), check=False)
    assert done.returncode == 2 and "already holds the Amplify project 'beer'" in done.stderr


def test_configure_records_the_target_without_secrets(tmp_path, local_cloud):
    done = run_cli("configure", "--target", "local", "--project-dir", str(tmp_path))
    assert "arn:aws:sts::123456789012" in done.stdout
    info = json.loads((tmp_path / "amplify/.config/local-aws-info.json").read_text())
    assert info == {"dev": {"configLevel": "project", "target": "local", "region": "us-east-1"}}


def test_configure_refuses_an_endpoint_that_does_not_answer(tmp_path, local_cloud, free_port):
    keys = {"AWS_ACCESS_KEY_ID": "endpoint-user", "AWS_SECRET_ACCESS_KEY": "endpoint-secret"}  # its user's keys
    done = run_cli("configure", "--target", "endpoint", "--endpoint-url", f"http://127.0.0.1:{free_port()}",
                   "--project-dir", str(tmp_path), check=False, env=keys)
    assert done.returncode == 1 and "Cannot reach the endpoint" in done.stderr
    assert not (tmp_path / "amplify").exists()


@pytest.fixture(scope="module")
def uninterrupted_state(tmp_path_factory, local_cloud, boto3_client):
    project_dir = tmp_path_factory.mktemp("baseline") / "beer"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    steps = len(json.loads(run_cli("status", "--json", "--project-dir", str(project_dir)).stdout)["resources"])
    return project_dir, root_state(boto3_client, local_cloud.endpoint, stack_of(project_dir)), steps


def count_steps_of_fresh_init(tmp_path):
    """How many steps a first push of the root resources has (plan of a configured, not yet pushed env)."""
    from amplify_nb.project.init import write_project_files
    from amplify_nb.specs import InitSpec

    project = Project(tmp_path / "count")
    project.root.mkdir()
    write_project_files(project, InitSpec.for_project(project.root), project.target("dev"))
    return len(plan(project).steps)


def test_init_killed_at_any_step_then_rerun_ends_like_an_uninterrupted_one(tmp_path, local_cloud, boto3_client,
                                                                         uninterrupted_state):
    baseline_dir, baseline, _ = uninterrupted_state
    total = count_steps_of_fresh_init(tmp_path)
    assert total >= 6
    for step in range(1, total + 1):  # the last step too: the record is written only after it
        project_dir = tmp_path / f"killed{step}" / "beer"
        killed = run_cli("init", "--yes", "--project-dir", str(project_dir),
                         env={"AMPLIFY_NB_FAULT_AFTER_STEPS": str(step)}, check=False)
        assert killed.returncode == -9, killed.stderr
        assert (project_dir / "amplify/.config/local-push-journal.json").exists()
        run_cli("init", "--yes", "--project-dir", str(project_dir))
        assert root_state(boto3_client, local_cloud.endpoint, stack_of(project_dir)) == baseline, f"killed after {step}"
        assert not (project_dir / "amplify/.config/local-push-journal.json").exists()
        for relative in ("amplify/backend/amplify-meta.json", "amplify/team-provider-info.json"):
            ours = (project_dir / relative).read_text().replace(stack_of(project_dir), "S")
            theirs = (baseline_dir / relative).read_text().replace(stack_of(baseline_dir), "S")
            assert ours == theirs, relative
        assert not plan(Project.open(project_dir)), f"a push after the rerun still has work (killed after {step})"


def test_project_survives_a_restart_of_the_local_cloud(tmp_path, local_cloud, boto3_client):
    project_dir = tmp_path / "beer"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    before = root_state(boto3_client, local_cloud.endpoint, stack_of(project_dir))
    local_cloud.stop()
    local_cloud.start()
    assert root_state(boto3_client, local_cloud.endpoint, stack_of(project_dir)) == before
    assert "No changes" in run_cli("push", "--plan", "--project-dir", str(project_dir)).stdout
