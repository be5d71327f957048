"""`amplify-nb logs function NAME`: a function's CloudWatch Logs as Lambda writes them (START/END/REPORT, prints,
an unhandled error with its stack trace), --since, --json, --follow until Ctrl-C, and a bad name refused."""
from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

import pytest
from cli_runner import default_ctrl_c, run_cli

from amplify_nb.project import Project
from amplify_nb.project.logs import read_log_lines
from amplify_nb.views import function_logs

HANDLER = '''import json


def handler(event, context):
    print("marker:", event.get("marker"))
    if event.get("fail"):
        raise ValueError("the beer ran out")
    return {"statusCode": 200, "body": json.dumps(event.get("marker"))}
'''
DEADLINE_SECONDS = 60


@pytest.fixture
def pushed_function(tmp_path, local_cloud):
    """A project with one pushed function whose handler prints a marker and fails when asked."""
    folder, name = tmp_path / "logsapp", f"logfn{uuid.uuid4().hex[:6]}"
    run_cli("init", "--yes", "--project-dir", str(folder))
    run_cli("add", "function", "--yes", "--name", name, "--project-dir", str(folder))
    (folder / "amplify" / "backend" / "function" / name / "src" / "index.py").write_text(HANDLER)
    run_cli("push", "--yes", "--project-dir", str(folder))
    return Project.open(folder), name


def invoke(project: Project, name: str, **event) -> dict:
    return project.target().client("lambda").invoke(FunctionName=f"{name}-{project.env_name}",
                                                    Payload=json.dumps(event).encode())


def test_a_failing_invoke_shows_its_stack_trace_between_start_and_report(pushed_function):
    project, name = pushed_function
    answer = invoke(project, name, marker="m-fail", fail=True)
    assert answer.get("FunctionError") == "Unhandled"

    shown = run_cli("logs", "function", name, "--project-dir", str(project.root)).stdout
    assert "START RequestId:" in shown and "END RequestId:" in shown and "REPORT RequestId:" in shown
    assert "marker: m-fail" in shown
    assert "ValueError: the beer ran out" in shown
    assert "Traceback (most recent call last):" in shown.splitlines() and "\r" not in shown  # a line each
    assert any(line.strip().startswith('File "') and line.endswith('index.py", line 7, in handler')
               for line in shown.splitlines())
    assert shown.index("START RequestId:") < shown.index("the beer ran out") < shown.index("REPORT RequestId:")

    table = function_logs(project, name, since_minutes=10)  # the notebook's table reads the same lines
    assert table["message"].str.contains("the beer ran out").any()


def test_since_leaves_out_older_lines_and_json_gives_one_object_per_line(pushed_function):
    project, name = pushed_function
    invoke(project, name, marker="m-old")
    cut = max(line.timestamp for line in read_log_lines(project, name)) + 1
    invoke(project, name, marker="m-new")
    iso = datetime.fromtimestamp(cut / 1000, tz=timezone.utc).isoformat(timespec="milliseconds")

    recent = run_cli("logs", "function", name, "--since", iso, "--project-dir", str(project.root)).stdout
    assert "marker: m-new" in recent and "marker: m-old" not in recent
    both = run_cli("logs", "function", name, "--since", "1h", "--project-dir", str(project.root)).stdout
    assert "marker: m-old" in both and "marker: m-new" in both

    rows = [json.loads(line) for line in run_cli("logs", "function", name, "--json", "--since", iso,
                                                 "--project-dir", str(project.root)).stdout.splitlines()]
    assert rows and all(row["timestamp"] >= cut and row["stream"] and row["eventId"] for row in rows)
    assert any(row["message"] == "marker: m-new" for row in rows)


def test_bad_name_or_since_exit_2_naming_the_functions(pushed_function):
    project, name = pushed_function
    done = run_cli("logs", "function", "nosuchfn", "--project-dir", str(project.root), check=False)
    assert done.returncode == 2 and "nosuchfn" in done.stderr and name in done.stderr
    done = run_cli("logs", "function", name, "--since", "yesterday", "--project-dir", str(project.root), check=False)
    assert done.returncode == 2 and "--since" in done.stderr


def read_lines_into(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def wait_for_line(lines: queue.Queue, seen: list[str], wanted: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not any(wanted in line for line in seen):
        try:
            seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            raise AssertionError(f"{wanted!r} not printed within {DEADLINE_SECONDS} s; got:\n" + "\n".join(seen)) from None


def test_follow_prints_each_new_line_once_and_stops_on_ctrl_c(pushed_function):
    project, name = pushed_function
    invoke(project, name, marker="m-before")
    child = subprocess.Popen([sys.executable, "-m", "amplify_nb.cli", "logs", "function", name, "--follow",
                              "--project-dir", str(project.root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=default_ctrl_c)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines_into, args=(child.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        wait_for_line(lines, seen, "marker: m-before")
        invoke(project, name, marker="m-during")
        wait_for_line(lines, seen, "marker: m-during")
        invoke(project, name, marker="m-last")  # its poll reads m-during's lines again: they must not repeat
        wait_for_line(lines, seen, "marker: m-last")
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=DEADLINE_SECONDS) == 0, child.stderr.read()
    finally:
        if child.poll() is None:
            child.kill()
    assert "Traceback" not in child.stderr.read()
    for marker in ("m-before", "m-during", "m-last"):
        assert sum(line.endswith(f"marker: {marker}") for line in seen) == 1, "\n".join(seen)
    assert sum("START RequestId:" in line for line in seen) == 3
