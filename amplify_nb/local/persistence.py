"""State that survives a restart of the local cloud: a log of the requests that changed moto's state.

moto cannot snapshot its backends, so a restart rebuilds the state by sending the requests that changed it to a
fresh moto, in order. recorder.py appends one JSON line per state-changing request to <state dir>/state-log.jsonl
(reads are left out: they are most of the traffic and change nothing); this module writes those lines and
replays them at start.

Ids must come back identical: user pool clients, user subs, REST API and distribution ids end up in projects
and web pages. moto draws every id (and every response's request id) from one random generator, so before each
logged request, live and replayed, the generator is reseeded from the request's index in the log (`reseed`):
a request draws the same numbers whatever reads ran before it. Cognito pool and client ids are derived from
hashes instead (the two HASH strategies). Limit: a moto backend that draws random numbers when it is first
created (autoscaling, eks, ssoadmin and textract in moto 5.2.5; none is used by amplify-nb) would shift the ids
of a logged request that happens to create it.

The replay runs on a private server on an ephemeral loopback port before the daemon serves its public port, so
no other request slips in, and the host:port the requests were sent to does not matter.

A state dir made before this log existed holds moto's own recording instead (moto-recording.jsonl: reads
included, one seed for the whole run). It is replayed first, the way it was made, at every start, and never
written again; new requests go to the state log.
"""
from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

log = logging.getLogger("amplify_nb.local.persistence")

# The seed moto's recorder-era state dirs were made with (POST /moto-api/seed?a=1 before recording began).
LEGACY_SEED = 1
# Seed of the request at index i of the state log: SEED_BASE + i. Any fixed base works; this one keeps the
# seeds apart from the legacy seed.
SEED_BASE = 1 << 32
# Held while a line is written: the daemon's exit handler waits for it, so a SIGTERM never cuts a line.
APPEND_LOCK = threading.Lock()
# Hop-by-hop and framing headers: the logged body is complete and its length is sent again at replay.
_UNLOGGED_HEADERS = frozenset({"content-length", "transfer-encoding", "expect", "connection", "keep-alive"})
_REPLAY_TIMEOUT_SECONDS = 600.0  # one request; a large upload is the slowest
_URI_SAFE = "".join(chr(code) for code in range(33, 127))
_MISMATCHES_SHOWN = 5


def configure_environment() -> None:
    """Set moto's id strategies before moto is imported (moto reads some settings at import)."""
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
    os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
    # moto's own recorder stays off: it would log every request, reads included, to a file in the cwd.
    os.environ.pop("MOTO_ENABLE_RECORDING", None)


def reseed(index: int) -> None:
    """Put moto's random generator where logged request `index` finds it, live and at every replay."""
    _seed(SEED_BASE + index)


def _seed(value: int) -> None:
    """Seed the generator every moto id comes from (the one POST /moto-api/seed sets)."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(value)


class StateLog:
    """The state log: `count` lines so far, which is also the index of the next request logged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0  # set by restore()
        self._file: Any = None

    def append(self, method: str, uri: str, headers: Iterable[tuple[str, str]], body: bytes, status: int) -> None:
        """Write one request as one line and flush it to the OS.

        A killed daemon then loses at most the line being written (dropped at the next start by `repair`); no
        fsync, so only a power cut could lose more, and every request would pay a disk round trip for it.
        """
        entry = {
            "method": method,
            "uri": uri,
            "headers": [[name, value] for name, value in headers if name.lower() not in _UNLOGGED_HEADERS],
            "body": base64.b64encode(body).decode("ascii"),
            "status": status,
        }
        line = json.dumps(entry, separators=(",", ":")).encode("utf-8") + b"\n"
        with APPEND_LOCK:
            if self._file is None:
                self._file = open(self.path, "ab")  # noqa: SIM115  (kept open for the daemon's life)
            self._file.write(line)
            self._file.flush()
            self.count += 1


def restore(moto_app: Any, make_server: Callable[[int, Any], Any], legacy_recording: Path, state_log: StateLog) -> int:
    """Replay the legacy recording (if any), then the state log, into moto; return how many requests were replayed."""
    for path in (legacy_recording, state_log.path):
        if repair(path):
            log.warning("Dropped a half-written last line from %s (the daemon was killed while writing it)", path)
    server = make_server(0, moto_app)
    # A short poll interval: shutdown() below waits up to one interval, and it delays every start.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=_REPLAY_TIMEOUT_SECONDS)
    try:
        _seed(LEGACY_SEED)  # the order the recorder-era daemon started in: seed, config, replay
        _post_json(connection, "/moto-api/config", {"lambda": {"use_docker": False}})
        legacy = _replay_legacy(connection, legacy_recording)
        state_log.count = _replay_state_log(connection, state_log.path)
    finally:
        connection.close()
        server.shutdown()
        server.server_close()
        thread.join()
    if legacy:
        log.info("Replayed %d requests of the legacy recording %s", legacy, legacy_recording)
    return legacy + state_log.count


def _replay_legacy(connection: http.client.HTTPConnection, path: Path) -> int:
    """moto's recorder format, replayed as moto replayed it: in order, one seed before the first request."""
    count = 0
    for count, entry in enumerate(_entries(path), start=1):
        body = entry.get("body") or ""
        body = base64.b64decode(body) if entry.get("body_encoded") else body.encode("utf-8")
        parts = urlsplit(entry["url"])
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        _send(connection, entry["method"], uri, entry["headers"].items(), body)
    return count


def _replay_state_log(connection: http.client.HTTPConnection, path: Path) -> int:
    """Every logged request after its reseed; a status other than the live one is logged (the state drifted)."""
    mismatches = []
    count = 0
    for count, entry in enumerate(_entries(path), start=1):
        reseed(count - 1)
        status = _send(connection, entry["method"], entry["uri"], entry["headers"], base64.b64decode(entry["body"]))
        if status != entry["status"]:
            mismatches.append(f"line {count} {entry['method']} {entry['uri'][:80]}: {entry['status']} then, {status} now")
    if mismatches:  # e.g. a sign-out: its access token is a JWT stamped with the time it was made, now unknown
        log.info("%d replayed requests answered differently than when they were logged: %s",
                 len(mismatches), "; ".join(mismatches[:_MISMATCHES_SHOWN]))
    return count


def _entries(path: Path) -> Iterable[dict[str, Any]]:
    if not path.exists():
        return
    with open(path, "rb") as file:
        for number, line in enumerate(file, start=1):
            try:
                yield json.loads(line)
            except ValueError:
                raise ValueError(f"line {number} of {path} is not JSON") from None


def _send(connection: http.client.HTTPConnection, method: str, uri: str, headers: Iterable[Any], body: bytes) -> int:
    """One request with exactly these headers (Host included); returns the status, the answer read and dropped."""
    # http.client sends the request line as ASCII: percent-encode any raw byte a client sent above it.
    connection.putrequest(method, quote(uri, safe=_URI_SAFE, encoding="latin-1"), skip_host=True,
                          skip_accept_encoding=True)
    for name, value in headers:
        if name.lower() not in _UNLOGGED_HEADERS:
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
