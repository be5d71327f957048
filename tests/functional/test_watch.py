"""Watch mode: a saved handler is deployed as code only and answers the next invoke, the push record follows
(status No Change, an empty plan); a change elsewhere prints the plan and pushes nothing; a file that does not
compile is reported and watching goes on; Ctrl-C ends `push --watch` with exit 0."""
from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from cli_runner import default_ctrl_c, run_cli
from test_logs import DEADLINE_SECONDS, read_lines_into

from amplify_nb.project import Project, resource_status
from amplify_nb.project.watch import start_watch

HANDLER = '''import json

VERSION = "{version}"


def handler(event, context):
    return {{"statusCode": 200, "body": json.dumps(VERSION)}}
'''


@pytest.fixture
def pushed_function(tmp_path, local_cloud):
    folder, name = tmp_path / "watchapp", f"watchfn{uuid.uuid4().hex[:6]}"
    run_cli("init", "--yes", "--project-dir", str(folder))
    run_cli("add", "function", "--yes", "--name", name, "--project-dir", str(folder))
    source(Project.open(folder), name).write_text(HANDLER.format(version="v1"))
    run_cli("push", "--yes", "--project-dir", str(folder))
    return Project.open(folder), name


def source(project: Project, name: str):
    return project.paths.resource_dir("function", name) / "src" / "index.py"


def answer(project: Project, name: str) -> str:
    reply = project.target().client("lambda").invoke(FunctionName=f"{name}-{project.env_name}", Payload=b"{}")
    return json.loads(json.loads(reply["Payload"].read())["body"])


def function_status(project: Project, name: str) -> str:
    return next(row.operation for row in resource_status(project) if row.resource_name == name)


class WatchProcess:
    """`amplify-nb push --watch --yes` in its own process, its stdout read line by line."""

    def __init__(self, project: Project):
        self.child = subprocess.Popen([sys.executable, "-m", "amplify_nb.cli", "push", "--watch", "--yes",
                                       "--project-dir", str(project.root)], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, preexec_fn=default_ctrl_c)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=read_lines_into, args=(self.child.stdout, self.lines), daemon=True)
        self.reader.start()

    def wait_for(self, text: str, after: int = 0) -> str:
        """The first line holding text among those printed after the first `after` lines."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            found = [line for line in self.seen[after:] if text in line]
            if found:
                return found[0]
            try:
                self.seen.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"{text!r} not printed; got:\n" + "\n".join(self.seen)) from None

    def stop(self) -> int:
        """Ctrl-C, then its exit code once every line it printed is in `seen`."""
        self.child.send_signal(signal.SIGINT)
        try:
            code = self.child.wait(timeout=DEADLINE_SECONDS)
        finally:
            if self.child.poll() is None:
                self.child.kill()
        self.reader.join(timeout=DEADLINE_SECONDS)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


def test_a_saved_handler_answers_the_next_invoke_and_status_says_no_change(pushed_function):
    project, name = pushed_function
    watch = WatchProcess(project)
    try:
        watch.wait_for("watching")
        mark = len(watch.seen)
        source(project, name).write_text(HANDLER.format(version="v2"))
        watch.wait_for("deployed the new code", after=mark)
        assert answer(project, name) == "v2"
        assert function_status(project, name) == "No Change"
        assert "No changes: the cloud already matches the project." in \
            run_cli("push", "--plan", "--project-dir", str(project.root)).stdout
        recorded = project.amplify_meta()["function"][name]
        assert recorded == project.amplify_meta(current=True)["function"][name]
        assert watch.stop() == 0
    finally:
        watch.stop()
    assert "stopped watching" in "\n".join(watch.seen)
    assert "Traceback" not in watch.child.stderr.read()


def test_a_syntax_error_is_shown_and_watching_goes_on(pushed_function):
    project, name = pushed_function
    watch = WatchProcess(project)
    try:
        watch.wait_for("watching")
        mark = len(watch.seen)
        source(project, name).write_text(HANDLER.format(version="v2").replace("def handler(event, context):",
                                                                               "def handler(event, context)"))
        failure = watch.wait_for("does not compile", after=mark)
        watch.wait_for("SyntaxError", after=mark)
        assert name in failure
        assert 'File "src/index.py", line 6' in "\n".join(watch.seen[mark:])
        assert answer(project, name) == "v1"  # nothing was deployed
        assert function_status(project, name) == "Update"

        mark = len(watch.seen)
        source(project, name).write_text(HANDLER.format(version="v3"))
        watch.wait_for("deployed the new code", after=mark)
        assert answer(project, name) == "v3"
        assert function_status(project, name) == "No Change"
        assert watch.stop() == 0
    finally:
        watch.stop()


def wait_for_event(handle, kind: str, count: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while sum(event.kind == kind for event in handle.events) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind!r} event; events: {[event.text() for event in handle.events]}")
        time.sleep(0.05)


def test_a_change_elsewhere_prints_the_plan_and_pushes_nothing(pushed_function):
    project, name = pushed_function
    parameters = project.paths.resource_dir("function", name) / "function-parameters.json"
    lambda_client = project.target().client("lambda")
    before = lambda_client.get_function_configuration(FunctionName=f"{name}-dev")
    with start_watch(project) as handle:
        assert handle.state == "watching"
        parameters.write_text(json.dumps({**json.loads(parameters.read_text()), "timeout": before["Timeout"] + 15}))
        wait_for_event(handle, "plan", 1)
        shown = next(event for event in handle.events if event.kind == "plan")
        assert shown.subject == f"function/{name}/function-parameters.json"
        assert f"lambda.Function:{name}-dev" in shown.message and "Nothing was pushed" in shown.message
        assert f"function {name}: Update" in shown.message
        assert "plan" in handle._repr_html_() and len(handle.table()) == len(handle.events)
    assert handle.state == "stopped" and not handle.running
    after = lambda_client.get_function_configuration(FunctionName=f"{name}-dev")
    assert after["Timeout"] == before["Timeout"] and after["CodeSha256"] == before["CodeSha256"]
    assert function_status(project, name) == "Update"
