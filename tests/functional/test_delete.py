"""`amplify-nb delete`: Amplify's "This CANNOT be undone" confirmation; every env's cloud resources deleted (the
buckets emptied first, every version too; the deployment buckets and roles), then the local Amplify files; nothing
carrying the project's stacks left on the local cloud; a delete killed at any step, in the cloud or while removing
the files, finished by running it again."""
from __future__ import annotations

import pytest
from cli_runner import run_cli
from env_helpers import project_files, stack_of, tagged_resources, tutorial_envs

import amplify_nb.project.delete as delete_module
from amplify_nb.project import Project
from amplify_nb.project.delete import DELETING_SUFFIX, delete_project, find_project_to_delete, plan_teardown
from amplify_nb.project.envs import add_env

FAULT = "AMPLIFY_NB_FAULT_AFTER_STEPS"


def stacks(project: Project) -> set[str]:
    return {stack_of(project, env) for env in project.team_provider_info()}


def assert_only_user_files_left(root) -> None:
    assert not (root / "amplify").exists() and not (root / ("amplify" + DELETING_SUFFIX)).exists()
    assert not (root / "src" / "aws-exports.js").exists()
    assert not (root / "src" / "amplifyconfiguration.json").exists()
    assert (root / ".gitignore").exists()  # the user's files stay


def test_delete_removes_every_env_in_the_cloud_then_the_local_files(tmp_path, local_cloud):
    project = tutorial_envs(tmp_path / "beerdelete", envs=("dev", "test"))
    every_stack = stacks(project)
    assert len(tagged_resources(project, every_stack)) >= 20
    s3 = project.target().client("s3")  # the deployment bucket versioned, with old versions and a delete marker
    bucket = project.env_info("test")["awscloudformation"]["DeploymentBucketName"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.put_object(Bucket=bucket, Key="old-build.zip", Body=body)
    s3.delete_object(Bucket=bucket, Key="old-build.zip")

    before = project_files(project.root)
    refused = run_cli("delete", "--project-dir", str(project.root), check=False, stdin="")
    assert refused.returncode == 2 and "no terminal to ask" in refused.stderr
    assert project_files(project.root) == before

    done = run_cli("delete", "--yes", "--project-dir", str(project.root))
    assert "Env dev" in done.stdout and "Env test" in done.stdout and "Project deleted" in done.stdout
    assert tagged_resources(project, every_stack) == []
    assert_only_user_files_left(project.root)

    again = run_cli("delete", "--yes", "--project-dir", str(project.root), check=False)
    assert again.returncode == 1 and "No Amplify project" in again.stderr


KILL_CHUNKS = 4  # the kills are split over several tests, each well under the per-test timeout


def two_env_project(folder) -> Project:
    """dev with the tutorial's backend, then test (current) with its root resources only, to keep the steps few."""
    project = tutorial_envs(folder)
    add_env(project, "test")
    return project


@pytest.fixture(scope="module")
def kills(tmp_path_factory, local_cloud) -> list[tuple[int, ...]]:
    """Every step of a delete, as the kill hook reaches it: it counts the steps of one env's teardown, so test's
    steps (torn down second) are reached by a delete killed after dev's last step and then again in test's
    teardown, as a user pressing Ctrl-C twice would."""
    probe = two_env_project(tmp_path_factory.mktemp("killdelete") / "beerprobe")
    dev_steps, test_steps = (len(plan_teardown(probe, env).steps) for env in ("dev", "test"))
    assert dev_steps >= 20 and test_steps >= 4
    delete_project(probe)
    return [(step,) for step in range(1, dev_steps + 1)] + [(dev_steps, step) for step in range(1, test_steps + 1)]


@pytest.mark.parametrize("chunk", range(KILL_CHUNKS))
def test_delete_killed_at_every_step_converges_with_nothing_orphaned(tmp_path, kills, chunk):
    for number, steps in enumerate(kills[chunk::KILL_CHUNKS]):
        project = two_env_project(tmp_path / f"killed{number}" / "beerkilled")
        every_stack = stacks(project)
        for step in steps:
            killed = run_cli("delete", "--yes", "--project-dir", str(project.root), env={FAULT: str(step)}, check=False)
            assert killed.returncode == -9, killed.stdout + killed.stderr
        assert list(project.team_provider_info()) == (["test"] if len(steps) == 2 else ["dev", "test"])
        run_cli("delete", "--yes", "--project-dir", str(project.root))
        assert tagged_resources(project, every_stack) == [], f"killed after steps {steps}"
        assert_only_user_files_left(project.root)


def test_a_delete_killed_while_removing_the_files_is_finished_by_a_rerun(tmp_path, local_cloud, monkeypatch):
    run_cli("init", "--yes", "--project-dir", str(tmp_path / "beerfiles"))
    project = Project.open(tmp_path / "beerfiles")
    every_stack = stacks(project)

    def killed(root):
        leftover = root / ("amplify" + DELETING_SUFFIX)
        (leftover / ".config" / "project-config.json").unlink()  # half of the folder was removed
        raise KeyboardInterrupt

    monkeypatch.setattr(delete_module, "_remove_amplify_folder", killed)
    with pytest.raises(KeyboardInterrupt):
        delete_project(project)
    monkeypatch.undo()
    assert not (project.root / "amplify").exists() and (project.root / ("amplify" + DELETING_SUFFIX)).exists()
    assert find_project_to_delete(project.root) == project.root

    done = run_cli("delete", "--yes", "--project-dir", str(project.root))
    assert "removed amplify/" in done.stdout
    assert tagged_resources(project, every_stack) == []
    assert_only_user_files_left(project.root)


def test_an_env_whose_function_no_longer_builds_is_still_torn_down(tmp_path, local_cloud):
    from amplify_nb.functions.build import BuildError
    from amplify_nb.project.push import plan

    project = two_env_project(tmp_path / "beerbroken")  # dev has the function; test, the current env, does not
    dev_stack = stack_of(project, "dev")
    assert any(name.startswith("function ") for name in tagged_resources(project, {dev_stack}))
    function = next(iter(project.backend_config()["function"]))
    requirements = project.paths.resource_dir("function", function) / "src" / "requirements.txt"
    requirements.write_text("this is === not a requirement\n")  # the user's edit breaks the build
    with pytest.raises(BuildError):
        plan(project)

    removed = run_cli("env", "remove", "dev", "--yes", "--project-dir", str(project.root))

    assert "Removed env dev" in removed.stdout
    assert tagged_resources(project, {dev_stack}) == []
