"""A function's CloudWatch Logs: read once, or followed as new lines arrive (`amplify-nb logs function NAME`).

Lambda writes each invoke's START / END / REPORT lines, the handler's prints and an unhandled error's stack trace
into the log group /aws/lambda/<function>-<env>, one stream per execution environment; the local cloud writes
the same group in its CloudWatch Logs. Both are read with filter_log_events, every page. The group exists only
after the function's first invoke, so a missing group means "no lines yet", not an error.

Following polls from a little before the newest line seen, because CloudWatch Logs may deliver a line seconds
after its timestamp; lines already printed are recognised by (stream, eventId) and never printed twice.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import InputError
from .project import Project

FOLLOW_INTERVAL_SECONDS = 1.0
LATE_LINE_WINDOW_MS = 30_000  # how far back each poll looks again for lines delivered late
SINCE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class LogLine:
    timestamp: int  # milliseconds since the epoch, as CloudWatch Logs stores it
    stream: str
    message: str
    event_id: str

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=timezone.utc)

    @property
    def readable(self) -> str:
        """The message with its lines on lines: Python's Lambda runtime joins a stack trace's lines with \\r (one
        CloudWatch event), which a terminal would print over each other."""
        return self.message.replace("\r\n", "\n").replace("\r", "\n").rstrip()

    def text(self) -> str:
        """One printed entry: its UTC time, then the message (a stack trace keeps its own lines)."""
        return f"{self.time.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z  {self.readable}"

    def as_dict(self) -> dict:
        return {"timestamp": self.timestamp, "time": self.time.isoformat(timespec="milliseconds"),
                "stream": self.stream, "message": self.message.rstrip("\n"), "eventId": self.event_id}


def function_names(project: Project) -> list[str]:
    return sorted(project.backend_config().get("function", {}))


def log_group(project: Project, function_name: str) -> str:
    """/aws/lambda/<name>-<env> of one of the project's functions; any other name is refused with the list."""
    names = function_names(project)
    if function_name not in names:
        known = ", ".join(names) if names else "none yet (add one with `amplify-nb add function`)"
        raise InputError(f"The project has no function named {function_name!r}. Its functions: {known}.")
    return f"/aws/lambda/{function_name}-{project.env_name}"


def parse_since(text: str, now: float | None = None) -> int:
    """--since as a start time in epoch milliseconds: a duration back from now (`30s`, `10m`, `2h`, `1d`, `1w`)
    or an ISO 8601 time (UTC when it names no zone)."""
    now = time.time() if now is None else now
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text or "")
    if match:
        return int((now - float(match[1]) * SINCE_UNITS[match[2]]) * 1000)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise InputError(f"--since {text!r} is neither a duration (30s, 10m, 2h, 1d, 1w) nor an ISO time "
                         "(2026-12-01T16:00:00).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def read_log_lines(project: Project, function_name: str, start_ms: int | None = None,
                   limit: int | None = None) -> list[LogLine]:
    """Every line of the function's group from start_ms on (all when None), oldest first; the newest `limit`."""
    group = log_group(project, function_name)
    return _read(project.target().client("logs"), group, start_ms, limit)


def follow_log_lines(project: Project, function_name: str, start_ms: int | None = None,
                     stop: threading.Event | None = None,
                     interval: float = FOLLOW_INTERVAL_SECONDS) -> Iterator[LogLine]:
    """The lines from start_ms on, then each new line as it arrives, until `stop` is set (or forever)."""
    group = log_group(project, function_name)
    logs = project.target().client("logs")
    stop = stop or threading.Event()
    seen: dict[tuple[str, str], int] = {}
    newest = start_ms
    while True:
        poll_from = start_ms if newest is None else max(start_ms or 0, newest - LATE_LINE_WINDOW_MS)
        for line in _read(logs, group, poll_from, None):
            key = (line.stream, line.event_id)
            if key in seen:
                continue
            seen[key] = line.timestamp
            newest = line.timestamp if newest is None else max(newest, line.timestamp)
            yield line
        if newest is not None:  # forget lines older than the next poll can return
            horizon = newest - LATE_LINE_WINDOW_MS
            seen = {key: stamp for key, stamp in seen.items() if stamp >= horizon}
        if stop.wait(interval):
            return


def _read(logs, group: str, start_ms: int | None, limit: int | None) -> list[LogLine]:
    params: dict = {"logGroupName": group}
    if start_ms is not None:
        params["startTime"] = max(0, int(start_ms))
    try:
        pages = logs.get_paginator("filter_log_events").paginate(**params)
        events = [event for page in pages for event in page.get("events", [])]
    except logs.exceptions.ResourceNotFoundException:  # no invoke yet: Lambda makes the group at the first
        return []
    lines = [LogLine(event["timestamp"], event.get("logStreamName", ""), event.get("message", ""),
                     str(event.get("eventId", ""))) for event in events]
    lines.sort(key=lambda line: line.timestamp)  # stable: a stream's own order is kept within a millisecond
    return lines[-limit:] if limit else lines
