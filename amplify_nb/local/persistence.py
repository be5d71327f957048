"""State that survives a restart of the local cloud, built on moto's request recorder.

moto cannot snapshot its backends, but it can record every request it receives and replay them. A restart
therefore rebuilds the state by replaying the recording into a fresh moto. For the replayed resources to get
the same ids as the first time, moto's random generator is seeded with the same number before the first
recorded request and before the replay, and Cognito pool/client ids are derived from hashes (the two HASH
strategies below). The order at every start is: seed, config (no Docker), replay, start recording (appending).

The restore runs on a private server on an ephemeral loopback port before the daemon serves its public port,
so no other request can slip in between and shift the random sequence, and the recorded host:port does not
matter (the user may have changed the port since).
"""
from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

RECORDING_SEED = 1
RECORDING_LOCK = threading.Lock()
_REPLAY_TIMEOUT_SECONDS = 3600.0  # a replay re-runs every recorded request, reads included


def configure_environment(recording_file: Path) -> None:
    """Set moto's recorder file and id strategies; before moto is imported, as moto reads some of them then."""
    os.environ["MOTO_RECORDER_FILEPATH"] = str(recording_file)
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
    os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
    # Recording must begin after the replay, never at import (the seed and config calls are not part of it).
    os.environ.pop("MOTO_ENABLE_RECORDING", None)
    # moto replays with `requests`, which would send loopback calls through a corporate proxy if one is set.
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name, ""), "127.0.0.1", "localhost"]))


def repair_recording(recording_file: Path) -> bool:
    """Drop a half-written last line (the daemon was killed while recording); return whether anything changed.

    A last line that is complete JSON but lacks its newline is kept and given one, so the next appended
    request starts on a line of its own.
    """
    if not recording_file.exists():
        return False
    with open(recording_file, "rb+") as file:
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


def take_over_recorder(recording_file: Path) -> None:
    """Point moto's recorder at our file, stopped, and make each recorded request one whole line.

    Setting the file here too (not only through the environment) keeps the recording in the state dir even
    if some module imported moto before configure_environment ran. moto appends the JSON and its newline in
    separate, unlocked writes: two large concurrent uploads could interleave. Holding RECORDING_LOCK around
    each write fixes that, and lets the daemon exit between two writes.
    """
    from moto.moto_api import recorder

    recorder._location = str(recording_file)
    recorder.stop_recording()
    record = recorder._record_request

    def locked_record(request: Any, body: bytes | None = None) -> None:
        with RECORDING_LOCK:
            record(request, body)

    recorder._record_request = locked_record  # type: ignore[method-assign]


def restore(moto_app: Any, make_server: Callable[[int, Any], Any], recording_file: Path) -> int:
    """Seed moto, switch Lambda off Docker, replay the recording, start recording; return the lines replayed."""
    server = make_server(0, moto_app)
    # A short poll interval: shutdown() below waits up to one interval, and it delays every start.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        _post(port, f"/moto-api/seed?a={RECORDING_SEED}")
        _post(port, "/moto-api/config", {"lambda": {"use_docker": False}})
        lines = _count_lines(recording_file)
        if lines:
            _post(port, "/moto-api/recorder/replay-recording", timeout=_REPLAY_TIMEOUT_SECONDS)
        _post(port, "/moto-api/recorder/start-recording")
        return lines
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _count_lines(recording_file: Path) -> int:
    if not recording_file.exists():
        return 0
    with open(recording_file, "rb") as file:
        return sum(1 for _ in file)


def _post(port: int, path: str, payload: Any = None, timeout: float = 30.0) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        if response.status >= 300:
            raise RuntimeError(f"POST {path} answered HTTP {response.status}: {text[-2000:]}")
    finally:
        connection.close()
