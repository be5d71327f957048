"""The request log: every request that changed moto's state, one JSON line each, in segments.

<state dir>/log/<first index>.jsonl holds the requests from that index on, until the next segment. A new
segment starts at every snapshot, so the tail a start must replay (the requests after the newest snapshot) is
a few small files, while the whole history stays on disk: it rebuilds the cloud from nothing when a snapshot
cannot be loaded (another moto version, see snapshot.py).

A killed daemon loses at most the line being written: each line is flushed to the OS as it is written (no
fsync: only a power cut could lose more, and every request would pay a disk round trip), and a cut last line
is dropped at the next start by `repair`.
"""
from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Hop-by-hop and framing headers: the logged body is complete and its length is sent again at replay.
UNLOGGED_HEADERS = frozenset({"content-length", "transfer-encoding", "expect", "connection", "keep-alive"})
SEGMENT_SUFFIX = ".jsonl"
_INDEX_DIGITS = 12


@dataclass(frozen=True)
class Entry:
    index: int
    method: str
    uri: str
    headers: list[tuple[str, str]]
    body: bytes
    status: int


def segment_name(first_index: int) -> str:
    return f"{first_index:0{_INDEX_DIGITS}d}{SEGMENT_SUFFIX}"


def segments(folder: Path) -> list[tuple[int, Path]]:
    """(first index, path) of every segment, oldest first."""
    found = []
    for path in folder.glob(f"*{SEGMENT_SUFFIX}"):
        if path.stem.isdigit():
            found.append((int(path.stem), path))
    return sorted(found)


class StateLog:
    """The log being appended to: `count` requests so far, which is also the index of the next one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0  # set by open_for_append()
        self.segment_start = 0
        self.segment_bytes = 0
        self.lock = threading.Lock()  # held while a line is written: a SIGTERM never cuts a line
        self._file: Any = None

    # --- reading ----------------------------------------------------------------------------------------------
    def entries(self, start: int = 0) -> Iterator[Entry]:
        """Every logged request from index `start` on, in order; a gap between segments is an error."""
        expected = None
        for first, path in segments(self.folder):
            if expected is not None and first != expected:
                raise ValueError(f"the request log has a gap: {path.name} starts at {first}, expected {expected}")
            index = first
            for number, line in enumerate(_lines(path), start=1):
                if index >= start:
                    try:
                        raw = json.loads(line)
                    except ValueError:
                        raise ValueError(f"line {number} of {path} is not JSON") from None
                    yield Entry(index, raw["method"], raw["uri"], [tuple(h) for h in raw["headers"]],
                                base64.b64decode(raw["body"]), raw["status"])
                index += 1
            expected = index

    def total(self) -> tuple[int, int]:
        """(requests logged, bytes on disk), counted from the files."""
        count = size = 0
        for _, path in segments(self.folder):
            size += path.stat().st_size
            count += sum(1 for _ in _lines(path))
        return count, size

    def tail(self, start: int) -> tuple[int, int]:
        """(requests, bytes) logged from index `start` on: what a start replays after a snapshot at `start`."""
        count = size = 0
        for first, path in segments(self.folder):
            index = first
            for line in _lines(path):
                if index >= start:
                    count += 1
                    size += len(line)
                index += 1
        return count, size

    # --- writing ----------------------------------------------------------------------------------------------
    def open_for_append(self) -> None:
        """Repair the last segment, count what is logged; appends go to the last segment (or a first one)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        found = segments(self.folder)
        if found:
            repair(found[-1][1])
        self.count = 0
        for first, path in found:
            self.count = first + sum(1 for _ in _lines(path))
        self.segment_start = found[-1][0] if found else 0
        self.segment_bytes = found[-1][1].stat().st_size if found else 0

    def append(self, method: str, uri: str, headers: Iterable[tuple[str, str]], body: bytes, status: int) -> None:
        """Write one request as one line and flush it to the OS."""
        entry = {
            "method": method,
            "uri": uri,
            "headers": [[name, value] for name, value in headers if name.lower() not in UNLOGGED_HEADERS],
            "body": base64.b64encode(body).decode("ascii"),
            "status": status,
        }
        line = json.dumps(entry, separators=(",", ":")).encode("utf-8") + b"\n"
        with self.lock:
            if self._file is None:
                self._file = open(self.folder / segment_name(self.segment_start), "ab")  # noqa: SIM115
            self._file.write(line)
            self._file.flush()
            self.count += 1
            self.segment_bytes += len(line)

    def start_segment(self) -> None:
        """Later requests go to a new segment named after the next index (called when a snapshot is taken)."""
        with self.lock:
            if self.count == self.segment_start:
                return
            if self._file is not None:
                self._file.close()
                self._file = None
            self.segment_start = self.count
            self.segment_bytes = 0

    def close(self) -> None:
        with self.lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as file:
        for line in file:
            if line.strip():
                yield line


def repair(path: Path) -> bool:
    """Drop a half-written last line (the daemon was killed while writing); return whether anything changed.

    A last line that is complete JSON but lacks its newline is kept and given one, so the next appended
    request starts on a line of its own.
    """
    if not path.exists():
        return False
    with open(path, "rb+") as file:
        end = file.seek(0, os.SEEK_END)
        line_start = _start_of_last_line(file, end)
        if line_start == end:
            return False
        file.seek(line_start)
        tail = file.read()
        try:
            json.loads(tail)
        except ValueError:
            file.truncate(line_start)
        else:
            file.write(b"\n")
    return True


def _start_of_last_line(file: Any, end: int, chunk_size: int = 1 << 16) -> int:
    """Offset just after the last newline (0 if none), scanning back from the end in chunks."""
    position = end
    while position > 0:
        size = min(chunk_size, position)
        position -= size
        file.seek(position)
        newline = file.read(size).rfind(b"\n")
        if newline != -1:
            return position + newline + 1
    return 0
