"""push --rollback on the local cloud: the tutorial's api (notebook.ensure_api), then a new path and a changed
handler pushed, then rolled back: the old API shape (the new path answers 403 as API Gateway does for a path it
does not have) and the old code answer, status is No Change and a push plans nothing; a rollback killed at every
step converges when run again, leaving nothing behind; --plan changes nothing; no previous push and unpushed
changes are refused with exit 2."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from cli_runner import run_cli

from amplify_nb.notebook import ensure_api
from amplify_nb.project import Project, plan, resource_status
from amplify_nb.project.env_records import env_bucket
from amplify_nb.project.history import BUILDS_PREFIX, keep_pushed_record, kept_records
from amplify_nb.project.rollback import rollback

NEW_CODE = '''

_first_handler = handler


def handler(event, context):  # version 2: every answer says so
    response = _first_handler(event, context)
    response.setdefault("headers", {})["x-beer-version"] = "2"
    return response
'''


def files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def get(url: str):
    """The status and headers (looked up in any case) of a plain GET."""
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


class Tutorial:
    """The tutorial's api under names of its own (the session's local cloud is shared)."""

    def __init__(self, folder):
        self.suffix = uuid.uuid4().hex[:6]
        self.api, self.function = f"beerapi{self.suffix}", f"beerfn{self.suffix}"
        self.project = ensure_api(folder, "dev", function_name=self.function, table_name=f"beer{self.suffix}",
                                  name=self.api, path="/beer")
        self.root = self.project.root

    def change(self) -> None:
        """Add the open path /brewery and change the handler, then push."""
        answers = self.root.parent / f"more-{uuid.uuid4().hex[:6]}.json"
        answers.write_text(json.dumps({"more_paths": [
            {"path": "/brewery", "function": self.function, "restrict_access": False}]}))
        run_cli("update", "api", self.api, "--yes", "--answers", str(answers), "--project-dir", str(self.root))
        handler = self.root / "amplify/backend/function" / self.function / "src/index.py"
        handler.write_text(handler.read_text() + NEW_CODE)
        run_cli("push", "--yes", "--project-dir", str(self.root))

    @property
    def url(self) -> str:
        return self.project.amplify_meta()["api"][self.api]["output"]["RootUrl"]

    def paths(self) -> set[str]:
        client = self.project.target().client("apigateway")
        api_id = self.project.amplify_meta()["api"][self.api]["output"]["ApiId"]
        return {item["path"] for item in client.get_resources(restApiId=api_id)["items"]}

    def code_answers(self) -> str | None:
        """The deployed function's answer to GET /beer, invoked directly: its x-beer-version header, if any."""
        client = self.project.target().client("lambda")
        event = {"httpMethod": "GET", "path": "/beer", "resource": "/beer", "headers": {}, "pathParameters": None,
                 "queryStringParameters": None, "body": None, "isBase64Encoded": False}
        answer = json.loads(client.invoke(FunctionName=f"{self.function}-dev",
                                          Payload=json.dumps(event).encode())["Payload"].read())
        assert answer["statusCode"] == 200, answer
        return {k.lower(): v for k, v in (answer.get("headers") or {}).items()}.get("x-beer-version")

    def code_sha(self) -> str:
        client = self.project.target().client("lambda")
        return client.get_function(FunctionName=f"{self.function}-dev")["Configuration"]["CodeSha256"]

    def assert_first_shape(self) -> None:
        assert self.paths() == {"/", "/beer", "/beer/{proxy+}"}
        assert get(self.url + "/brewery")[0] == 403
        assert self.code_answers() is None
        assert {row.operation for row in resource_status(self.project, cloud=True)} == {"No Change"}
        assert [row["call"] for row in plan(self.project).rows()] == []


@pytest.fixture
def tutorial(tmp_path, local_cloud) -> Tutorial:
    return Tutorial(tmp_path / "rollback")


def test_rolling_back_brings_back_the_old_api_and_code_and_a_second_rollback_goes_further(tutorial):
    first_backend = files(tutorial.root / "amplify/backend/api")
    first_sha = tutorial.code_sha()
    tutorial.change()
    status, headers = get(tutorial.url + "/brewery")
    assert status == 200 and headers.get("x-beer-version") == "2"
    assert tutorial.paths() >= {"/brewery", "/brewery/{proxy+}"}
    changed_sha = tutorial.code_sha()
    assert changed_sha != first_sha

    shown = run_cli("push", "--rollback", "--plan", "--project-dir", str(tutorial.root))
    assert "Rolling back env 'dev' to push #" in shown.stdout and "update_function_code" in shown.stdout
    assert tutorial.paths() >= {"/brewery"}  # --plan changed nothing

    done = run_cli("push", "--rollback", "--yes", "--project-dir", str(tutorial.root))
    assert "✔ Env dev is back at push #" in done.stdout
    tutorial.assert_first_shape()
    assert tutorial.code_sha() == first_sha  # the zip that push deployed, not a rebuild
    assert files(tutorial.root / "amplify/backend/api") == first_backend
    assert "x-beer-version" not in (tutorial.root / "amplify/backend/function" / tutorial.function / "src/index.py").read_text()
    exports = json.loads((tutorial.root / "src/amplifyconfiguration.json").read_text())
    assert exports["aws_cloud_logic_custom"][0]["endpoint"] == tutorial.url
    newest = kept_records(tutorial.project, "dev")[-1]
    assert newest.restores < newest.sequence  # the rollback is a push, kept as restoring the older record

    # a second rollback goes back one more push (before the api was pushed), not forward to the undone one
    again = rollback(tutorial.project, plan_only=True)
    assert again.target.sequence < newest.restores
    assert any(row["call"].endswith("delete_rest_api") for row in again.plan.rows())


def test_a_rollback_killed_at_every_step_converges_when_run_again(tutorial):
    first_sha = tutorial.code_sha()
    tutorial.change()
    total = len(rollback(tutorial.project, plan_only=True).plan.steps)
    assert total >= 5
    for step in range(1, total + 1):
        if step > 1:
            tutorial.change()
        killed = run_cli("push", "--rollback", "--yes", "--project-dir", str(tutorial.root),
                         env={"AMPLIFY_NB_FAULT_AFTER_STEPS": str(step)}, check=False)
        assert killed.returncode == -9, killed.stdout + killed.stderr
        rerun = run_cli("push", "--rollback", "--yes", "--project-dir", str(tutorial.root))
        assert "Finishing the interrupted rollback" in rerun.stdout, f"killed after {step}"
        tutorial.assert_first_shape()
        assert tutorial.code_sha() == first_sha, f"killed after {step}"
        assert not (tutorial.root / "amplify/.config/local-rollback.json").exists()


def test_unpushed_changes_are_refused_without_yes_and_nothing_changes(tutorial):
    tutorial.change()
    handler = tutorial.root / "amplify/backend/function" / tutorial.function / "src/index.py"
    handler.write_text(handler.read_text() + "\n# an unpushed edit\n")
    before = files(tutorial.root / "amplify")
    done = run_cli("push", "--rollback", "--project-dir", str(tutorial.root), check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"function {tutorial.function}: Update" in done.stderr and "would be lost" in done.stderr
    assert files(tutorial.root / "amplify") == before
    assert tutorial.paths() >= {"/brewery"}


def test_no_previous_push_exits_2(tmp_path, local_cloud):
    folder = tmp_path / "fresh"
    run_cli("init", "--yes", "--project-dir", str(folder))
    project = Project.open(folder)
    assert len(kept_records(project, "dev")) == 1  # init's push of the root resources
    done = run_cli("push", "--rollback", "--yes", "--project-dir", str(folder), check=False)
    assert done.returncode == 2 and "no previous push to roll back to" in done.stderr


def test_pruning_keeps_the_newest_records_and_only_the_zips_they_name(tutorial):
    tutorial.change()
    project, s3 = tutorial.project, tutorial.project.target().client("s3")
    bucket = env_bucket(project, "dev")

    def zips() -> set[str]:
        return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=BUILDS_PREFIX).get("Contents", [])}

    assert len(zips()) == 2  # the first handler's zip and the changed one's
    newest = kept_records(project, "dev")[-1]
    keep_pushed_record(project, "dev", keep=1)  # nothing new to keep: only prunes
    assert kept_records(project, "dev") == [newest]
    assert zips() == {project.amplify_meta()["function"][tutorial.function]["s3Bucket"]["s3Key"]}
    done = run_cli("push", "--rollback", "--yes", "--project-dir", str(tutorial.root), check=False)
    assert done.returncode == 2 and "no previous push to roll back to" in done.stderr
