"""Start, find, reuse and stop the local cloud daemon, from any kernel or command.

The daemon is started on demand as a detached process (its own session, so closing a notebook kernel does not
end it) and found again through its health endpoint, which also tells it apart from another program on the
port. A file lock in the state dir makes concurrent callers start a single daemon; the daemon's own lock makes
sure only one process ever appends to a state dir's request log.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .errors import LocalCloudError
from .middleware import HEALTH_PATH, SERVICE_NAME
from .settings import PORT_ENV, STATE_DIR_ENV, LocalSettings

_HEALTH_TIMEOUT_SECONDS = 1.0
_POLL_SECONDS = 0.02
# SIGTERM makes the daemon snapshot its state before it exits (about 1 s for 50k items); after this, SIGKILL.
# Killing it mid-snapshot loses nothing: the next start loads the previous snapshot and replays a longer tail.
_TERMINATE_GRACE_SECONDS = 15.0
_SNAPSHOT_TIMEOUT_SECONDS = 300.0
_LOG_TAIL_LINES = 20
# Daemons this process started: polling them reaps them, so a stopped daemon is not left as a zombie.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class LocalCloud:
    """The local cloud of one state dir, served on one loopback port."""

    def __init__(self, settings: LocalSettings | None = None) -> None:
        self.settings = settings or LocalSettings.from_env()

    @property
    def endpoint(self) -> str:
        return self.settings.endpoint

    def status(self) -> dict[str, Any]:
        """{running, pid, port, endpoint, state_dir, started_at}; pid and started_at are None when not running."""
        health = self._find_daemon()
        if health is None:
            return self._status(running=False, pid=None, port=self.settings.port, started_at=None)
        return self._status_of(health)

    def ensure_running(self, timeout: float = 60.0) -> dict[str, Any]:
        """Reuse the daemon serving this state dir on this port, or start one. Returns status()."""
        health = probe_health(self.settings.port)
        if health is not None and self._serves_our_state(health):
            return self._status_of(health)
        return self.start(timeout=timeout)

    def start(self, timeout: float = 60.0) -> dict[str, Any]:
        """Start the daemon unless it already runs, and wait until it serves (its state restored)."""
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(self.settings.start_lock_file), timeout=timeout):
                return self._start_locked(timeout)
        except Timeout:
            raise LocalCloudError(
                f"Another process has been starting the local cloud in {self.settings.state_dir} for {timeout:.0f} s. "
                f"Check {self.settings.log_file}, then try again."
            ) from None

    def stop(self) -> bool:
        """End the daemon (SIGTERM: it snapshots, then exits; SIGKILL if it has not within 15 s).

        Returns whether one was running."""
        pid = self._daemon_pid()
        if pid is not None:
            _terminate(pid)
        self.settings.daemon_file.unlink(missing_ok=True)
        return pid is not None

    def state(self) -> dict[str, Any]:
        """The state on disk (running or not): sizes, the newest snapshot and its age, the log tail after it."""
        from .persistence import describe

        return describe(self.settings)

    def summary(self) -> list[tuple[str, str]]:
        """The local cloud in a few (what, value) rows, as `amplify-nb local status` says it and notebook 00
        shows it: where it runs, the state's size, the newest snapshot's age, the log tail a start replays."""
        return summary_rows({**self.status(), "state": self.state()})

    def restored(self) -> dict[str, Any] | None:
        """What the running daemon restored when it started (from daemon.json), or None."""
        record = self._read_daemon_file()
        return record.get("restored") if record else None

    def snapshot(self) -> dict[str, Any]:
        """Take a snapshot now (the daemon is started if needed); returns {file, index, bytes}."""
        status = self.ensure_running()
        return _post_json(status["port"], "/_amplify_nb/snapshot", timeout=_SNAPSHOT_TIMEOUT_SECONDS)

    def reset(self) -> list[str]:
        """Stop the daemon and delete the whole state: the next start is an empty cloud. Returns what was removed."""
        from .persistence import reset

        self.stop()
        with FileLock(str(self.settings.start_lock_file), timeout=60):
            return reset(self.settings)

    def rebuild(self, timeout: float = 3600.0) -> dict[str, Any]:
        """Stop, drop the snapshots, start: the whole request log is replayed (then snapshotted). Returns status()."""
        from .persistence import drop_snapshots

        self.stop()
        with FileLock(str(self.settings.start_lock_file), timeout=60):
            drop_snapshots(self.settings)
        return self.start(timeout=timeout)

    # --- starting -----------------------------------------------------------------------------------------
    def _start_locked(self, timeout: float) -> dict[str, Any]:
        health = self._find_daemon()
        if health is None and is_locked(self.settings.run_lock_file):
            health = self._wait_for_lock_holder(timeout)
        if health is not None:
            if health["port"] != self.settings.port:
                raise LocalCloudError(
                    f"The local cloud for {self.settings.state_dir} already runs on port {health['port']}, "
                    f"not {self.settings.port}. Use it (export {PORT_ENV}={health['port']}), "
                    "or stop it first: amplify-nb local stop"
                )
            return self._status_of(health)
        self._check_port_is_free()
        return self._spawn(timeout)

    def _check_port_is_free(self) -> None:
        port = self.settings.port
        if _port_is_free(port):
            return
        other = probe_health(port)
        if other is not None:
            raise LocalCloudError(
                f"Port {port} on 127.0.0.1 is used by another amplify-nb local cloud "
                f"(state dir {other.get('state_dir')}). "
                f"Stop it ({STATE_DIR_ENV}={other.get('state_dir')} amplify-nb local stop), "
                f"or choose another port: export {PORT_ENV}={_another_port(port)}"
            )
        raise LocalCloudError(
            f"Port {port} on 127.0.0.1 is used by another program. Stop it, "
            f"or choose another port: export {PORT_ENV}={_another_port(port)}"
        )

    def _spawn(self, timeout: float) -> dict[str, Any]:
        log_file = self.settings.log_file
        if log_file.exists():
            os.replace(log_file, log_file.with_name(log_file.name + ".1"))  # keep the previous run's log once
        command = [sys.executable, "-m", "amplify_nb.local.daemon",
                   "--port", str(self.settings.port), "--state-dir", str(self.settings.state_dir)]
        with open(log_file, "ab") as log:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.settings.state_dir, env=_daemon_environment(), start_new_session=True)
        _CHILDREN[child.pid] = child
        try:
            health = self._wait_until_serving(timeout, child)
        except BaseException:  # timeout, Ctrl-C in the notebook, ...: never leave a half-started daemon behind
            _terminate(child.pid)
            raise
        if health is None:
            _terminate(child.pid)
            raise LocalCloudError(
                f"The local cloud did not answer within {timeout:.0f} s (replaying a long request log takes time: "
                f"try again with a longer timeout).\n{self._log_tail()}"
            )
        return self._status_of(health)

    def _wait_until_serving(self, timeout: float, child: subprocess.Popen[bytes]) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while True:
            if child.poll() is not None:
                raise LocalCloudError(
                    f"The local cloud stopped while starting (exit code {child.returncode}).\n{self._log_tail()}"
                )
            health = self._find_daemon()
            if health is not None and health["pid"] == child.pid:
                return health
            if time.monotonic() >= deadline:
                return None
            time.sleep(_POLL_SECONDS)

    def _wait_for_lock_holder(self, timeout: float) -> dict[str, Any] | None:
        """A daemon process holds this state dir but does not serve: wait until it serves, or is gone.

        It is either starting (whoever started it was interrupted) or dying (killed: a large process frees its
        memory before its files, so it stops answering before it lets go of the lock).
        """
        deadline = time.monotonic() + timeout
        while True:
            health = self._find_daemon()
            if health is not None:
                return health
            if not is_locked(self.settings.run_lock_file):
                return None
            if time.monotonic() >= deadline:
                raise LocalCloudError(
                    f"A local cloud process holds {self.settings.state_dir} but has not answered for {timeout:.0f} s. "
                    f"Stop it (amplify-nb local stop) and try again.\n{self._log_tail()}"
                )
            time.sleep(_POLL_SECONDS)

    def _log_tail(self) -> str:
        try:
            lines = self.settings.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return f"(no log at {self.settings.log_file})"
        return f"Last lines of {self.settings.log_file}:\n" + "\n".join(lines[-_LOG_TAIL_LINES:])

    # --- finding ------------------------------------------------------------------------------------------
    def _find_daemon(self) -> dict[str, Any] | None:
        """Health of the daemon serving this state dir, on the port daemon.json names or the configured one."""
        record = self._read_daemon_file()
        ports = [record["port"]] if record else []
        if self.settings.port not in ports:
            ports.append(self.settings.port)
        for port in ports:
            health = probe_health(port)
            if health is not None and self._serves_our_state(health):
                return health
        return None

    def _daemon_pid(self) -> int | None:
        record = self._read_daemon_file()
        if record and _is_daemon_process(record["pid"], self.settings.state_dir):
            return record["pid"]
        health = self._find_daemon()
        if health is not None:
            return health["pid"]
        return _find_daemon_process(self.settings.state_dir)  # e.g. one still replaying, or wedged, without daemon.json

    def _read_daemon_file(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.settings.daemon_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(record, dict) and isinstance(record.get("pid"), int) and isinstance(record.get("port"), int):
            return record
        return None

    def _serves_our_state(self, health: dict[str, Any]) -> bool:
        return Path(str(health.get("state_dir"))) == self.settings.state_dir

    def _status_of(self, health: dict[str, Any]) -> dict[str, Any]:
        return self._status(running=True, pid=health["pid"], port=health["port"], started_at=health.get("started_at"))

    def _status(self, *, running: bool, pid: int | None, port: int, started_at: str | None) -> dict[str, Any]:
        return {"running": running, "pid": pid, "port": port, "endpoint": f"http://{self.settings.host}:{port}",
                "state_dir": str(self.settings.state_dir), "started_at": started_at,
                "restored": self.restored() if running else None}


def ensure_running() -> dict[str, Any]:
    """The local cloud configured by the environment, started if needed. Returns its status (with "endpoint")."""
    return LocalCloud(LocalSettings.from_env()).ensure_running()


def probe_health(port: int, timeout: float = _HEALTH_TIMEOUT_SECONDS) -> dict[str, Any] | None:
    """Our daemon's health answer on 127.0.0.1:port, or None (nothing there, no answer, or another program)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", HEALTH_PATH)
        response = connection.getresponse()
        body = json.loads(response.read()) if response.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()
    if isinstance(body, dict) and body.get("service") == SERVICE_NAME and isinstance(body.get("pid"), int):
        return body
    return None


def _post_json(port: int, path: str, timeout: float) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body=b"")
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise LocalCloudError(f"The local cloud on port {port} did not answer POST {path}: {exc}") from None
    finally:
        connection.close()
    if response.status != 200:
        raise LocalCloudError(f"The local cloud answered POST {path} with HTTP {response.status}: "
                              f"{body[:500].decode('utf-8', 'replace')}")
    return json.loads(body)


def _port_is_free(port: int) -> bool:
    """Whether the daemon could bind the port (same SO_REUSEADDR as werkzeug, so TIME_WAIT does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _another_port(port: int) -> int:
    return port + 1 if port < 65535 else port - 1


def is_locked(lock_file: Path) -> bool:
    """Whether another process holds this file lock (the daemon holds its run lock for its whole life)."""
    lock = FileLock(str(lock_file))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _daemon_environment() -> dict[str, str]:
    """The daemon imports amplify_nb from wherever this process did, whatever its working directory."""
    environment = dict(os.environ, PYTHONUNBUFFERED="1")
    package_root = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH", "")]))
    return environment


def _is_daemon_process(pid: int, state_dir: Path) -> bool:
    """Whether pid is alive and is the daemon of state_dir (not a stranger that got a recycled pid)."""
    if not _pid_alive(pid):
        return False
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc (macOS): trust the live pid
    except OSError:
        return False
    return _is_daemon_command_line(command_line, state_dir)


def _find_daemon_process(state_dir: Path) -> int | None:
    """The live daemon process of state_dir, found by its command line (Linux only)."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command_line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if _is_daemon_command_line(command_line, state_dir) and _pid_alive(int(entry.name)):
            return int(entry.name)
    return None


def _is_daemon_command_line(command_line: bytes, state_dir: Path) -> bool:
    arguments = command_line.split(b"\0")
    return b"amplify_nb.local.daemon" in arguments and str(state_dir).encode() in arguments


def _pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not yet reaped by the process that started it) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _terminate(pid: int) -> None:
    """SIGTERM, up to 1.5 s grace, then SIGKILL the daemon's process group (and anything it spawned)."""
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    owns_group = group == pid  # started with start_new_session: the group is the daemon and its children
    _send(pid, signal.SIGTERM)
    if not _wait_until_gone(pid, _TERMINATE_GRACE_SECONDS):
        if owns_group:
            _send_group(group, signal.SIGKILL)
        else:
            _send(pid, signal.SIGKILL)
        _wait_until_gone(pid, 0.4)
    if owns_group:
        _send_group(group, signal.SIGKILL)  # workers left behind by a daemon that exited on SIGTERM


def _wait_until_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


def _send(pid: int, signum: signal.Signals) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _send_group(group: int, signum: signal.Signals) -> None:
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        pass


def summary_rows(status: dict[str, Any]) -> list[tuple[str, str]]:
    """LocalCloud.summary() from a status() with its "state" (the JSON `local status --json` prints)."""
    from .persistence import age_text

    disk, restored = status["state"], status.get("restored") or {}
    snapshot = disk["snapshot"]
    rows = [("running", f"at {status['endpoint']} (pid {status['pid']})" if status["running"] else "not running"),
            ("state", f"{megabytes(disk['state_bytes'])} in {status['state_dir']}"),
            ("snapshot", f"{snapshot['index']} logged requests, {megabytes(snapshot['bytes'])}, "
                         f"taken {age_text(snapshot['age_seconds'])} ago" if snapshot else "none yet"),
            ("log tail", f"{disk['tail_requests']} requests ({megabytes(disk['tail_bytes'])}) to replay at the next "
                         f"start; {disk['logged_requests']} logged in all")]
    if status["running"] and restored.get("text"):
        rows.append(("restored at start", restored["text"]))
    return rows


def megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"
