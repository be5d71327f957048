"""Where the embedded local cloud listens and keeps its state, and the fixed identity clients use with it.

Every kernel, CLI command and test builds the same settings from two environment variables, so they all find
(and share) one daemon without passing anything around. The host is fixed to the loopback address: the local
cloud has no authentication, so it must never be reachable from another machine.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LocalCloudError

LOCAL_REGION = "us-east-1"
# moto accepts any credentials (IAM enforcement is off); these only make boto3's request signing happy.
LOCAL_ACCESS_KEY_ID = "local"
LOCAL_SECRET_ACCESS_KEY = "local"
# moto's default account: every ARN the local cloud returns carries it.
LOCAL_ACCOUNT_ID = "123456789012"

PORT_ENV = "AMPLIFY_NB_LOCAL_PORT"
STATE_DIR_ENV = "AMPLIFY_NB_LOCAL_STATE"
DEFAULT_PORT = 4710
DEFAULT_STATE_DIR = "~/.amplify-nb/local"
# A start replays at most about this much after the newest snapshot (a few hundred ms per hundred requests).
SNAPSHOT_EVERY_ENV = "AMPLIFY_NB_LOCAL_SNAPSHOT_EVERY"
SNAPSHOT_BYTES_ENV = "AMPLIFY_NB_LOCAL_SNAPSHOT_BYTES"
DEFAULT_SNAPSHOT_EVERY = 300
DEFAULT_SNAPSHOT_BYTES = 16 << 20
# ... taken once no write has come for this long (pickling the state holds every write meanwhile).
SNAPSHOT_IDLE_ENV = "AMPLIFY_NB_LOCAL_SNAPSHOT_IDLE_MS"
DEFAULT_SNAPSHOT_IDLE_MS = 1000


@dataclass(frozen=True)
class LocalSettings:
    """One local cloud: the port it serves on and the folder holding its state log, daemon log and lock files."""

    port: int = DEFAULT_PORT
    state_dir: Path = Path(DEFAULT_STATE_DIR)
    host: str = field(default="127.0.0.1", init=False)

    def __post_init__(self) -> None:
        # Resolved once, so the daemon and every client compare the same absolute path.
        object.__setattr__(self, "state_dir", Path(self.state_dir).expanduser().resolve())

    @classmethod
    def from_env(cls) -> LocalSettings:
        """Settings from AMPLIFY_NB_LOCAL_PORT and AMPLIFY_NB_LOCAL_STATE (defaults: 4710, ~/.amplify-nb/local)."""
        raw_port = os.environ.get(PORT_ENV, "").strip() or str(DEFAULT_PORT)
        if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
            raise LocalCloudError(
                f"{PORT_ENV}={raw_port!r} is not a port number. Choose one between 1024 and 65535, "
                f"for example: export {PORT_ENV}={DEFAULT_PORT + 1}"
            )
        state_dir = os.environ.get(STATE_DIR_ENV, "").strip() or DEFAULT_STATE_DIR
        return cls(port=int(raw_port), state_dir=Path(state_dir))

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def daemon_file(self) -> Path:
        """Written by the daemon once it serves: {pid, port, started_at}."""
        return self.state_dir / "daemon.json"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "daemon.log"

    @property
    def log_dir(self) -> Path:
        """The requests that changed state, one JSON line each, in segments (statelog.py)."""
        return self.state_dir / "log"

    @property
    def snapshots_dir(self) -> Path:
        """Snapshots of moto's backends; a start loads the newest and replays the log after it (snapshot.py)."""
        return self.state_dir / "snapshots"

    @property
    def snapshot_every(self) -> int:
        """A snapshot is taken once this many requests were logged since the last one."""
        return _positive_int_from_env(SNAPSHOT_EVERY_ENV, DEFAULT_SNAPSHOT_EVERY)

    @property
    def snapshot_bytes(self) -> int:
        """... or once the log since the last one is this large (large uploads)."""
        return _positive_int_from_env(SNAPSHOT_BYTES_ENV, DEFAULT_SNAPSHOT_BYTES)

    @property
    def snapshot_idle_seconds(self) -> float:
        """A due snapshot waits for this long without a write (persistence.py)."""
        return _positive_int_from_env(SNAPSHOT_IDLE_ENV, DEFAULT_SNAPSHOT_IDLE_MS) / 1000

    @property
    def start_lock_file(self) -> Path:
        """Held by a client while it starts a daemon, so concurrent callers start only one."""
        return self.state_dir / "start.lock"

    @property
    def run_lock_file(self) -> Path:
        """Held by the daemon for its whole life, so two daemons never append to one state log."""
        return self.state_dir / "daemon.lock"


def _positive_int_from_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise LocalCloudError(f"{name}={raw!r} is not a positive whole number (default {default}).")
    return int(raw)
