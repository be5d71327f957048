"""`amplify-nb env add | checkout | list | remove` with the tutorial's whole backend (hosting with the published
app, auth with a user, api + function + table) in two envs of one project on one local cloud: both envs listed
with their own endpoints, aws-exports following checkout, removing one env deleting every resource it had (its
buckets emptied, versions too) while the other's site, sign-in and API keep working; bad names, missing envs and
the current env refused with Amplify's messages (exit 2, nothing changed); env add and env remove killed at
every step converging when run again, with nothing orphaned."""
from __future__ import annotations

import json
import urllib.error
import uuid

import pytest
from cli_runner import run_cli
from env_helpers import env_name, exports, project_files, stack_of, tagged_resources, tutorial_envs
from test_hosting import fetch

from amplify_nb.client import API, Auth, BeerApi
from amplify_nb.hosting import publish
from amplify_nb.notebook import ensure_api
from amplify_nb.project import Project, plan, push, resource_status
from amplify_nb.project.delete import plan_teardown
from amplify_nb.project.env_records import is_initialized
from amplify_nb.project.envs import add_env, checkout_env, remove_env
from amplify_nb.specs.init import ENV_NAME_MESSAGE

PASSWORD = "correct horse 42"
FAULT = "AMPLIFY_NB_FAULT_AFTER_STEPS"


def sign_up(project: Project, email: str) -> None:
    auth = Auth.from_project(project)
    auth.sign_up(email, PASSWORD)
    auth.confirm_sign_up(email, auth.latest_code(email, "sign-up"))


@pytest.fixture(scope="module")
def two_envs(tmp_path_factory, local_cloud) -> Project:
    """dev and test, each with the tutorial's backend pushed, the app published and one confirmed user."""
    suffix = uuid.uuid4().hex[:6]
    folder = tmp_path_factory.mktemp("envcmds") / f"beer{suffix}"
    project = ensure_api(folder, "dev", function_name=f"beerfn{suffix}", table_name=f"beer{suffix}", path="/beer")
    sign_up(project, "dev-user@example.com")
    added = run_cli("env", "add", "test", "--yes", "--project-dir", str(folder))
    assert "Added env test" in added.stdout and project.env_name == "test"
    assert {row.operation for row in resource_status(project)} == {"Create"}  # its categories wait for a push
    publish(project, progress=False)
    sign_up(project, "test-user@example.com")
    return project


def site_status(url: str) -> int:
    """The status of a site's front page; 0 when nothing answers any more."""
    try:
        return fetch(url + "/")[0]
    except urllib.error.URLError:
        return 0


def listed(project: Project, *flags: str) -> dict:
    shown = json.loads(run_cli("env", "list", "--json", *flags, "--project-dir", str(project.root)).stdout)
    return {row["env"]: row for row in shown}


def test_env_list_shows_both_envs_with_their_own_stacks_and_endpoints(two_envs):
    project = two_envs
    envs = listed(project)
    assert list(envs) == ["dev", "test"]
    assert [envs["dev"]["current"], envs["test"]["current"]] == [False, True]
    for env, row in envs.items():
        assert row["stack"] == stack_of(project, env) and row["pushed"] and row["target"].startswith("local cloud")
        assert row["resources"] == 5 and row["last_push"]  # hosting, auth, api, function, storage
        assert set(row["endpoints"]) == {"REST API endpoint", "Hosting endpoint"}
    assert "/dev/" in envs["dev"]["endpoints"]["REST API endpoint"] + "/"
    assert "/test/" in envs["test"]["endpoints"]["REST API endpoint"] + "/"
    assert envs["dev"]["endpoints"]["Hosting endpoint"] != envs["test"]["endpoints"]["Hosting endpoint"]
    detailed = listed(project, "--details")
    assert detailed["dev"]["details"]["DeploymentBucketName"] == f"{stack_of(project, 'dev')}-deployment"

    text = run_cli("env", "list", "--project-dir", str(project.root)).stdout
    test_line = next(line for line in text.splitlines() if stack_of(project, "test") in line)
    assert "*" in test_line and envs["test"]["endpoints"]["Hosting endpoint"] in test_line


def test_checkout_brings_each_envs_exports_and_record_back(two_envs):
    project = two_envs
    envs = listed(project)
    for env in ("dev", "test", "dev"):
        run_cli("env", "checkout", env, "--project-dir", str(project.root))
        assert project.env_name == env
        api = exports(project)["aws_cloud_logic_custom"][0]
        assert api["endpoint"] == envs[env]["endpoints"]["REST API endpoint"]
        assert {row.operation for row in resource_status(project, cloud=True)} == {"No Change"}
        assert not plan(project)  # the env's own record came back: nothing to create, nothing to sweep


def test_removing_an_env_deletes_everything_it_had_and_the_other_env_keeps_working(two_envs):
    project = two_envs
    checkout_env(project, "dev")
    test_stack, dev_stack = stack_of(project, "test"), stack_of(project, "dev")
    assert len(tagged_resources(project, {test_stack})) >= 10
    dev_before = tagged_resources(project, {dev_stack})
    test_site = listed(project)["test"]["endpoints"]["Hosting endpoint"]
    s3 = project.target().client("s3")  # a versioned bucket: every version and delete marker must go too
    hosting_bucket = next(name.split(" ", 1)[1] for name in tagged_resources(project, {test_stack})
                          if name.startswith("bucket ") and "hostingbucket" in name)
    s3.put_bucket_versioning(Bucket=hosting_bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.put_object(Bucket=hosting_bucket, Key="notes.txt", Body=body)
    s3.delete_object(Bucket=hosting_bucket, Key="notes.txt")

    removed = run_cli("env", "remove", "test", "--yes", "--project-dir", str(project.root))
    assert "Removed env test" in removed.stdout
    assert tagged_resources(project, {test_stack}) == []
    assert tagged_resources(project, {dev_stack}) == dev_before
    assert list(project.team_provider_info()) == ["dev"]
    assert "test" not in json.loads(project.paths.local_aws_info.read_text())
    assert list(listed(project)) == ["dev"]
    assert site_status(test_site) != 200

    dev = listed(project)["dev"]["endpoints"]
    status, _, body = fetch(dev["Hosting endpoint"] + "/")
    assert status == 200 and b"<title>Beer app</title>" in body
    auth = Auth.from_project(project)
    auth.sign_in("dev-user@example.com", PASSWORD)
    beers = BeerApi(API(project, auth=auth))
    added = beers.add("Punk IPA", "BrewDog", "IPA")
    assert added["id"] in beers.list()["id"].tolist()
    assert not plan(project)


@pytest.fixture(scope="module")
def small_project(tmp_path_factory, local_cloud) -> Project:
    """A project with dev (current) and other, root resources only."""
    folder = tmp_path_factory.mktemp("envbad") / "beerbad"
    run_cli("init", "--yes", "--project-dir", str(folder))
    project = Project.open(folder)
    add_env(project, "other")
    checkout_env(project, "dev")
    return project


@pytest.mark.parametrize(("args", "message"), [
    (("env", "add", "Test"), ENV_NAME_MESSAGE),
    (("env", "add", "x"), ENV_NAME_MESSAGE),
    (("env", "add", "elevenchars"), ENV_NAME_MESSAGE),
    (("env", "add", "other"), "An environment named 'other' already exists"),
    (("env", "add"), "Name the new environment"),
    (("env", "checkout", "nope"), "Please pass in a valid environment name"),
    (("env", "checkout"), "Environment name was not specified"),
    (("env", "remove", "dev", "--yes"), "You cannot delete your current environment."),
    (("env", "remove", "nope", "--yes"), "Please pass in a valid environment name"),
    (("env", "remove", "other"), "no terminal to ask"),
])
def test_bad_env_commands_exit_2_with_amplifys_message_and_change_nothing(small_project, args, message):
    before = project_files(small_project.root)
    done = run_cli(*args, "--project-dir", str(small_project.root), check=False, stdin="")
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert project_files(small_project.root) == before
    assert is_initialized(small_project, "other")


def test_env_add_killed_at_every_step_converges_when_run_again(tmp_path, local_cloud):
    folder = tmp_path / "beerkilladd"
    run_cli("init", "--yes", "--project-dir", str(folder))
    project = Project.open(folder)
    killed_steps = 0
    for step in range(1, 50):
        name = env_name(step)
        killed = run_cli("env", "add", name, "--yes", "--project-dir", str(folder), env={FAULT: str(step)}, check=False)
        if killed.returncode == 0:  # the add has fewer steps than this: each of them was killed once
            checkout_env(project, "dev")
            remove_env(project, name)
            break
        assert killed.returncode == -9, killed.stdout + killed.stderr
        killed_steps = step
        assert not is_initialized(project, name)
        run_cli("env", "add", name, "--yes", "--project-dir", str(folder))
        assert project.env_name == name and is_initialized(project, name)
        assert not plan(project), f"killed after {step}: the env still has work"
        kinds = sorted(found.split(" ")[0] for found in tagged_resources(project, {stack_of(project, name)}))
        assert kinds == ["bucket", "role", "role"], f"killed after {step}"
        if step == 1:  # once the add has finished, the name is taken
            again = run_cli("env", "add", name, "--yes", "--project-dir", str(folder), check=False)
            assert again.returncode == 2 and "already exists" in again.stderr
        checkout_env(project, "dev")
        remove_env(project, name)
    assert killed_steps >= 5  # bucket, its public access block, policy and tags; two roles


KILL_CHUNKS = 3  # the kills are split over several tests, each well under the per-test timeout


@pytest.fixture(scope="module")
def removable(tmp_path_factory, local_cloud) -> tuple[Project, int, list[str]]:
    """dev with the tutorial's backend; how many steps tearing down another env of it takes; dev's resources."""
    project = tutorial_envs(tmp_path_factory.mktemp("killrm") / "beerkillrm")
    add_env(project, "probe")
    push(project, progress=False)
    total = len(plan_teardown(project, "probe").steps)
    checkout_env(project, "dev")
    remove_env(project, "probe")
    return project, total, tagged_resources(project, {stack_of(project, "dev")})


@pytest.mark.parametrize("chunk", range(KILL_CHUNKS))
def test_env_remove_killed_at_every_step_converges_with_nothing_orphaned(removable, chunk):
    project, total, dev_before = removable
    assert total >= 20
    for step in range(1 + chunk, total + 1, KILL_CHUNKS):
        name = env_name(step)
        add_env(project, name)
        push(project, progress=False)
        checkout_env(project, "dev")
        stack = stack_of(project, name)
        killed = run_cli("env", "remove", name, "--yes", "--project-dir", str(project.root),
                         env={FAULT: str(step)}, check=False)
        assert killed.returncode == -9, killed.stdout + killed.stderr
        assert name in project.team_provider_info()  # entries go only once the cloud resources are gone
        rerun = run_cli("env", "remove", name, "--yes", "--project-dir", str(project.root))
        assert "interrupted" in rerun.stdout
        assert tagged_resources(project, {stack}) == [], f"killed after {step}"
        assert name not in project.team_provider_info()
    assert tagged_resources(project, {stack_of(project, "dev")}) == dev_before
    assert not plan(project)
