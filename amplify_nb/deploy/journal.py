"""The push journal: which steps of the running push have finished, written after every step.

A push killed at any point leaves the journal behind; the next push says it is resuming and, because the
planner re-reads the cloud, does only what is still missing. The journal is removed when a push completes.
"""
from __future__ import annotations

import time
from pathlib import Path

from ..fileio import atomic_write_json, read_json


class Journal:
    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self.entry: dict = {}

    def interrupted(self) -> dict | None:
        """What an earlier, killed push had finished (None if the last push completed)."""
        return read_json(self.path) if self.path else None

    def begin(self, env: str, total: int) -> None:
        previous = self.interrupted() or {}
        self.entry = {
            "env": env,
            "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "resumes": previous.get("startedAt"),
            "total": total,
            "done": [],
        }
        self._write()

    def step_done(self, description: str) -> None:
        self.entry.setdefault("done", []).append(description)
        self._write()

    def finish(self) -> None:
        if self.path:
            self.path.unlink(missing_ok=True)

    def _write(self) -> None:
        if self.path:
            atomic_write_json(self.path, self.entry)
