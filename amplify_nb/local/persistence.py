"""State that survives a restart: the newest snapshot of moto's backends plus the log of the changes since it.

A start loads the newest snapshot (snapshot.py) and replays only the requests logged after it (statelog.py),
so it costs about the same with 50k items as with none. A snapshot is taken at a clean stop, on
`amplify-nb local snapshot`, and once `snapshot_every` logged requests or `snapshot_bytes` of log have piled up
after the last one, as soon as no write has come for a second (snapshot_idle_seconds): taking one holds every write for the time
of pickling the whole state (0.3 s for a published site, seconds with 50k items), which would stall an upload
or a bulk load in the middle. A tail URGENT_FACTOR times longer than that is snapshotted at once, so a cloud
written to without a pause still never has a long tail to replay.

kill -9 at any moment loses at most the request in flight: a request is answered only once its line is in
the log, a snapshot is renamed into place only once complete, and the log is never cut at a snapshot (a new
segment starts), so the older snapshot plus a longer tail always still gives the same state.

Ids come back identical: user pool clients, user subs, REST API and distribution ids end up in projects and
web pages. moto draws every id from one random generator, so before each logged request, live and replayed,
the generator is reseeded from the request's index in the log (`reseed`): a request draws the same numbers
whatever reads ran before it, and whether it runs live, replayed from the start, or replayed after a snapshot.
Cognito pool and client ids are derived from hashes instead (the two HASH strategies). Limit: a moto backend
that draws random numbers when it is first created (autoscaling, eks, ssoadmin and textract in moto 5.2.5;
none is used by amplify-nb) would shift the ids of a logged request that happens to create it.

The replay runs on a private server on an ephemeral loopback port before the daemon serves its public port,
so no other request slips in, and the host:port the requests were sent to does not matter.
"""
from __future__ import annotations

import http.client
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import snapshot
from .rwlock import ReadWriteLock
from .settings import LocalSettings
from .statelog import UNLOGGED_HEADERS, Entry, StateLog, segment_name

log = logging.getLogger("amplify_nb.local.persistence")

# Seed of the request at index i of the log: SEED_BASE + i. Any fixed base works.
SEED_BASE = 1 << 32
# The single-file log of amplify-nb before snapshots: it becomes the first segment.
SINGLE_FILE_LOG = "state-log.jsonl"
_REPLAY_TIMEOUT_SECONDS = 600.0  # one request; a large upload is the slowest
_URI_SAFE = "".join(chr(code) for code in range(33, 127))
_MISMATCHES_SHOWN = 5
URGENT_FACTOR = 4  # a due snapshot waits for a pause in the writes unless the tail is this many times as long


def configure_environment() -> None:
    """Set moto's id strategies before moto is imported (moto reads some settings at import)."""
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
    os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
    # moto's own recorder stays off: it would log every request, reads included, to a file in the cwd.
    os.environ.pop("MOTO_ENABLE_RECORDING", None)
    from . import lazy_imports

    lazy_imports.install()


def reseed(index: int) -> None:
    """Put moto's random generator where logged request `index` finds it, live and at every replay."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(SEED_BASE + index)


@dataclass
class Restored:
    """What a start brought back: said in the daemon's log and in daemon.json."""

    snapshot_index: int | None = None
    snapshot_created: float | None = None
    tail: int = 0
    seconds: float = 0.0
    mismatches: list[str] = field(default_factory=list)

    def text(self) -> str:
        if self.snapshot_index is None and not self.tail:
            return "an empty local cloud (nothing logged yet)"
        parts = []
        if self.snapshot_index is not None:
            age = _age(time.time() - (self.snapshot_created or time.time()))
            parts.append(f"the snapshot of {self.snapshot_index} logged requests (taken {age} ago)")
        parts.append(f"{self.tail} logged request{'s' if self.tail != 1 else ''} replayed after it"
                     if self.snapshot_index is not None else f"{self.tail} logged requests replayed")
        return " + ".join(parts) + f" in {self.seconds:.2f} s"

    def as_dict(self) -> dict[str, Any]:
        return {"snapshot_index": self.snapshot_index, "snapshot_created": self.snapshot_created,
                "tail": self.tail, "seconds": round(self.seconds, 3), "text": self.text()}


class CloudState:
    """The daemon's state on disk: its request log, its snapshots, and when to take the next one."""

    def __init__(self, settings: LocalSettings, lock: ReadWriteLock) -> None:
        self.settings = settings
        self.lock = lock
        self.log = StateLog(settings.log_dir)
        self.snapshot_index = 0  # the log index the newest snapshot covers up to
        self.restored: Restored | None = None
        self._snapshotting = threading.Lock()
        self._snapshot_thread: threading.Thread | None = None
        self._last_write = time.monotonic()
        # Read once: after_logged asks after every logged request, and the settings read the environment.
        self._every, self._bytes = settings.snapshot_every, settings.snapshot_bytes

    # --- start ------------------------------------------------------------------------------------------------
    def restore(self, moto_app: Any, make_server: Callable[[int, Any], Any]) -> Restored:
        """Load the newest usable snapshot, then replay the log after it into moto, before anything is served."""
        began = time.monotonic()
        _adopt_single_file_log(self.settings)
        self.log.open_for_append()
        report = Restored()
        start = 0
        for info in snapshot.existing(self.settings.snapshots_dir, clean=True):
            if info.index > self.log.count:
                log.warning("Ignoring snapshot %s: it covers %d requests, the log holds %d",
                            info.path.name, info.index, self.log.count)
                continue
            try:
                payload = snapshot.load(info)  # SnapshotVersionError: refused, nothing loaded, the start fails
            except snapshot.SnapshotVersionError:
                raise
            except (snapshot.SnapshotError, OSError) as exc:
                log.warning("Skipping snapshot %s: %s; trying the one before", info.path.name, exc)
                continue
            snapshot.install(payload)
            report.snapshot_index, report.snapshot_created, start = info.index, info.created, info.index
            break
        self.snapshot_index = start
        report.tail, report.mismatches = _replay(moto_app, make_server, self.log.entries(start))
        report.seconds = time.monotonic() - began
        self.restored = report
        return report

    # --- snapshots --------------------------------------------------------------------------------------------
    @property
    def tail(self) -> int:
        return self.log.count - self.snapshot_index

    def after_logged(self) -> None:
        """Called after each logged request (under the writing lock): when the tail is long, a snapshot is
        taken once writes pause (or at once when it is very long), by a thread of its own."""
        self._last_write = time.monotonic()
        if self._due() and self.restored is not None and not self._snapshotting.locked():
            if self._snapshot_thread is None or not self._snapshot_thread.is_alive():
                self._snapshot_thread = threading.Thread(target=self._snapshot_when_idle, name="snapshot", daemon=True)
                self._snapshot_thread.start()

    def _due(self, factor: int = 1) -> bool:
        return self.tail >= factor * self._every or (
            self.log.segment_start == self.snapshot_index and self.log.segment_bytes >= factor * self._bytes)

    def _snapshot_when_idle(self) -> None:
        idle = self.settings.snapshot_idle_seconds
        while not self._due(URGENT_FACTOR):
            quiet = time.monotonic() - self._last_write
            if quiet >= idle:
                break
            time.sleep(min(idle - quiet, 0.1))
        try:
            self.take_snapshot()
        except Exception:  # the log still holds every change: nothing is lost, the next start replays more
            log.exception("Taking a snapshot failed")

    def take_snapshot(self, force: bool = False) -> snapshot.SnapshotInfo | None:
        """Capture moto's backends with no change in flight, start a new log segment, write the file.

        The capture holds the writing side (a read could still make a region's backend appear mid-capture);
        the file is written after the lock is let go.
        """
        if self.restored is None:
            raise RuntimeError("the state is not restored yet: a snapshot now would miss part of it")
        with self._snapshotting:
            with self.lock.writing():
                index = self.log.count
                if index == self.snapshot_index and not force and snapshot.existing(self.settings.snapshots_dir):
                    return None
                began = time.monotonic()
                payload = snapshot.capture()
                self.log.start_segment()
            info = snapshot.write(self.settings.snapshots_dir, index, payload)
            self.snapshot_index = index
            log.info("Snapshot %s: %d logged requests, %.1f MB, in %.2f s", info.path.name, index,
                     len(payload) / 1e6, time.monotonic() - began)
            return info

    def describe(self) -> dict[str, Any]:
        return describe(self.settings)


def _replay(moto_app: Any, make_server: Callable[[int, Any], Any], entries: Iterable[Entry]) -> tuple[int, list[str]]:
    """Send every entry to moto after its reseed; a status other than the live one is noted (the state drifted)."""
    server = make_server(0, moto_app)
    # A short poll interval: shutdown() below waits up to one interval, and it delays every start.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=_REPLAY_TIMEOUT_SECONDS)
    mismatches: list[str] = []
    count = 0
    try:
        _post_json(connection, "/moto-api/config", {"lambda": {"use_docker": False}})
        for entry in entries:
            reseed(entry.index)
            status = _send(connection, entry.method, entry.uri, entry.headers, entry.body)
            count += 1
            if status != entry.status:
                mismatches.append(f"request {entry.index} {entry.method} {entry.uri[:80]}: "
                                  f"{entry.status} then, {status} now")
    finally:
        connection.close()
        server.shutdown()
        server.server_close()
        thread.join()
    if mismatches:  # e.g. a sign-out: its access token is a JWT stamped with the time it was made, now unknown
        log.info("%d replayed requests answered differently than when they were logged: %s",
                 len(mismatches), "; ".join(mismatches[:_MISMATCHES_SHOWN]))
    return count, mismatches


def _send(connection: http.client.HTTPConnection, method: str, uri: str, headers: Iterable[Any], body: bytes) -> int:
    """One request with exactly these headers (Host included); returns the status, the answer read and dropped."""
    # http.client sends the request line as ASCII: percent-encode any raw byte a client sent above it.
    connection.putrequest(method, quote(uri, safe=_URI_SAFE, encoding="latin-1"), skip_host=True,
                          skip_accept_encoding=True)
    for name, value in headers:
        if name.lower() not in UNLOGGED_HEADERS:
            connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    response.read()
    return response.status


def _post_json(connection: http.client.HTTPConnection, path: str, payload: Any) -> None:
    body = json.dumps(payload).encode("utf-8")
    status = _send(connection, "POST", path, [("Host", "127.0.0.1"), ("Content-Type", "application/json")], body)
    if status >= 300:
        raise RuntimeError(f"POST {path} answered HTTP {status}")


def _adopt_single_file_log(settings: LocalSettings) -> None:
    """A state dir from before snapshots has one state-log.jsonl: it becomes the log's first segment."""
    single = settings.state_dir / SINGLE_FILE_LOG
    if single.exists():
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        first = settings.log_dir / segment_name(0)
        if first.exists():
            raise RuntimeError(f"both {single} and {first} exist: move one aside")
        os.replace(single, first)
        log.info("Moved %s to %s (the log is kept in segments now)", single.name, first)


# --- from the files alone (the daemon may be stopped) --------------------------------------------------------
def describe(settings: LocalSettings) -> dict[str, Any]:
    """Sizes and ages of the state on disk: newest snapshot, log tail after it, whole log."""
    snapshots = snapshot.existing(settings.snapshots_dir)
    newest = snapshots[0] if snapshots else None
    state_log = StateLog(settings.log_dir)
    logged, log_bytes = state_log.total() if settings.log_dir.exists() else (0, 0)
    start = newest.index if newest else 0
    tail, tail_bytes = state_log.tail(start) if settings.log_dir.exists() else (0, 0)
    return {
        "state_bytes": _folder_size(settings.state_dir),
        "snapshot": None if newest is None else {
            "file": str(newest.path), "index": newest.index, "bytes": newest.size, "created": newest.created,
            "age_seconds": round(time.time() - newest.created, 1), "moto": newest.header.get("moto"),
            "amplify_nb": newest.header.get("amplify_nb")},
        "tail_requests": tail,
        "tail_bytes": tail_bytes,
        "logged_requests": logged,
        "log_bytes": log_bytes,
    }


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def reset(settings: LocalSettings) -> list[str]:
    """Delete the state (log, snapshots, our services' folders and files); keep the daemon's log and locks.

    Call it only while no daemon serves this state dir. Returns the names removed.
    """
    kept = {settings.log_file.name, settings.log_file.name + ".1", settings.start_lock_file.name,
            settings.run_lock_file.name}
    removed = []
    if not settings.state_dir.exists():
        return removed
    for path in sorted(settings.state_dir.iterdir()):
        if path.name in kept:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def drop_snapshots(settings: LocalSettings) -> int:
    """Delete every snapshot, so the next start replays the whole log (`local rebuild`). Returns how many."""
    snapshots = list(settings.snapshots_dir.glob(f"*{snapshot.SUFFIX}")) if settings.snapshots_dir.exists() else []
    for path in snapshots:
        path.unlink()
    return len(snapshots)


def _age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def age_text(seconds: float) -> str:
    return _age(seconds)
