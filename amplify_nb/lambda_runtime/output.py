"""A worker's stdout and stderr as log lines, each told apart by the invoke that printed it.

The handler prints and logs through one pipe, read here line by line. To know which lines an invoke wrote,
this side writes a marker into the same pipe (it keeps the pipe's write end open) once the invoke has
answered: everything the handler wrote before answering is already in the pipe, ahead of the marker, so the
lines read before the marker are exactly the invoke's. A marker is one short write, hence atomic in a pipe.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

_MARK_START = b"\x00\x1eamplify-nb-mark "
_MARK_END = b"\x1e\x00\n"
_READ_SIZE = 65536
_TAKE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class LogLine:
    """One CloudWatch Logs event: milliseconds since the epoch and the message (ending in a newline, as Lambda's)."""

    timestamp: int
    message: str


def now_ms() -> int:
    return int(time.time() * 1000)


class OutputCapture:
    """The read side of a worker's output pipe; `write_fd` is handed to the worker as its stdout and stderr."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self._lines: list[LogLine] = []
        self._condition = threading.Condition()
        self._marks_written = 0
        self._marks_read = 0
        self._closed = False
        self._stopping = False
        self._thread = threading.Thread(target=self._read, name="lambda-worker-output", daemon=True)
        self._thread.start()

    def take(self) -> list[LogLine]:
        """Every line written to the pipe before this call (a line left open is ended), and forget them."""
        with self._condition:
            if not self._closed and not self._stopping:
                self._marks_written += 1
                mark = self._marks_written
                os.write(self.write_fd, _MARK_START + str(mark).encode() + _MARK_END)
                self._condition.wait_for(lambda: self._marks_read >= mark or self._closed, _TAKE_TIMEOUT_SECONDS)
            lines, self._lines = self._lines, []
        return lines

    def close(self) -> None:
        """Stop reading (call once the worker process is gone): what it wrote last is still read first."""
        with self._condition:
            if self._stopping:
                return
            self._stopping = True
        os.close(self.write_fd)
        self._thread.join(_TAKE_TIMEOUT_SECONDS)
        os.close(self.read_fd)

    def _read(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self.read_fd, _READ_SIZE)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending = self._consume(pending + chunk)
        with self._condition:
            self._add(pending, end_open_line=True)
            self._closed = True
            self._condition.notify_all()

    def _consume(self, data: bytes) -> bytes:
        """Add the complete lines and markers in data; return the unfinished rest."""
        while True:
            start = data.find(_MARK_START)
            end = data.find(_MARK_END, start) if start >= 0 else -1
            if start < 0 or end < 0:
                cut = data.rfind(b"\n") + 1
                with self._condition:
                    self._add(data[:cut], end_open_line=False)
                return data[cut:]
            mark = int(data[start + len(_MARK_START):end])
            with self._condition:
                self._add(data[:start], end_open_line=True)
                self._marks_read = mark
                self._condition.notify_all()
            data = data[end + len(_MARK_END):]

    def _add(self, data: bytes, end_open_line: bool) -> None:
        if not data:
            return
        stamp = now_ms()
        # Split on newlines only: the runtime joins the lines of an error record with carriage returns.
        *lines, rest = data.decode("utf-8", errors="replace").split("\n")
        if rest and end_open_line:
            lines.append(rest)
        self._lines.extend(LogLine(stamp, _as_record(line) + "\n") for line in lines)


def _as_record(line: str) -> str:
    """The runtime client writes an error record to stdout with its lines joined by carriage returns (one line);
    Lambda's log agent stores that record as one event with newlines, and so do we."""
    return line.replace("\r", "\n") if line.startswith("[ERROR]") else line
