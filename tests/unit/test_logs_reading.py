"""Reading a function's CloudWatch Logs, pinned with botocore's Stubber: every filter_log_events page, no group yet
= no lines, --since forms, and following prints each line once while re-reading a window for late lines."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from stubs import stubbed_target

from amplify_nb.errors import InputError
from amplify_nb.project import Project
from amplify_nb.project.logs import LATE_LINE_WINDOW_MS, follow_log_lines, log_group, parse_since, read_log_lines

GROUP = "/aws/lambda/beerfn-dev"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Project:
    config = tmp_path / "amplify" / ".config"
    config.mkdir(parents=True)
    (config / "project-config.json").write_text(json.dumps({"projectName": "beerapp"}))
    (config / "local-env-info.json").write_text(json.dumps({"envName": "dev"}))
    (tmp_path / "amplify" / "backend").mkdir()
    (tmp_path / "amplify" / "backend" / "backend-config.json").write_text(json.dumps(
        {"function": {"beerfn": {"service": "Lambda"}, "otherfn": {"service": "Lambda"}}}))
    target, stubs = stubbed_target("logs")
    monkeypatch.setattr(Project, "target", lambda self, env=None: target)
    project = Project(tmp_path)
    project.stub = stubs["logs"]
    return project


def event(number: int, timestamp: int, message: str, stream: str = "2026/12/01/[$LATEST]abc") -> dict:
    return {"eventId": str(number), "timestamp": timestamp, "message": message + "\n", "logStreamName": stream,
            "ingestionTime": timestamp}


def test_every_page_is_read_oldest_first(project):
    project.stub.add_response("filter_log_events", {"events": [event(2, 2000, "END")], "nextToken": "t1"},
                              {"logGroupName": GROUP, "startTime": 1000})
    project.stub.add_response("filter_log_events", {"events": [event(1, 1500, "START")]},
                              {"logGroupName": GROUP, "startTime": 1000, "nextToken": "t1"})
    lines = read_log_lines(project, "beerfn", 1000)
    assert [line.message for line in lines] == ["START\n", "END\n"]
    assert lines[0].text().endswith("Z  START") and lines[1].as_dict()["message"] == "END"


def test_a_function_never_invoked_has_no_lines(project):
    project.stub.add_client_error("filter_log_events", "ResourceNotFoundException", "The specified log group does not exist.")
    assert read_log_lines(project, "beerfn") == []


def test_an_unknown_function_is_refused_with_the_project_functions(project):
    with pytest.raises(InputError, match=r"no function named 'nosuch'.*beerfn, otherfn"):
        log_group(project, "nosuch")


@pytest.mark.parametrize("text, expected_ms", [
    ("10m", (10_000 - 600) * 1000), ("30s", (10_000 - 30) * 1000), ("2h", (10_000 - 7200) * 1000),
    ("1970-01-01T02:00:00", 7_200_000), ("1970-01-01T02:00:00Z", 7_200_000), ("1970-01-01T03:00:00+01:00", 7_200_000),
])
def test_since_takes_durations_and_iso_times(text, expected_ms):
    assert parse_since(text, now=10_000) == expected_ms


@pytest.mark.parametrize("text", ["yesterday", "10 minutes", "-5m", ""])
def test_since_refuses_anything_else(text):
    with pytest.raises(InputError, match="--since"):
        parse_since(text)


def test_following_prints_each_line_once_and_looks_back_for_late_lines(project):
    stop = threading.Event()
    newest = 100_000
    project.stub.add_response("filter_log_events", {"events": [event(1, 90_000, "a"), event(2, newest, "b")]},
                              {"logGroupName": GROUP, "startTime": 50_000})
    # the next poll starts a window before the newest line: b comes again, and c (late, older than b) is new
    project.stub.add_response("filter_log_events", {"events": [event(3, newest - 10, "c"), event(2, newest, "b")]},
                              {"logGroupName": GROUP, "startTime": newest - LATE_LINE_WINDOW_MS})
    got = []
    for line in follow_log_lines(project, "beerfn", 50_000, stop, interval=0):
        got.append(line.message.strip())
        if line.message.strip() == "c":
            stop.set()
    assert got == ["a", "b", "c"]
    project.stub.assert_no_pending_responses()
