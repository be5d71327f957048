"""A project on disk: the amplify/ folder is the single source of truth; this class reads it and guards writes."""
from __future__ import annotations

import contextlib
from pathlib import Path

from filelock import FileLock, Timeout

from ..aws import Target
from ..errors import ProjectNotFoundError, PushInProgressError
from ..fileio import atomic_write_json, read_json
from .paths import ProjectPaths


class Project:
    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser().resolve()
        self.paths = ProjectPaths(self.root)
        self._lock = FileLock(str(self.paths.push_lock), timeout=0)

    @classmethod
    def open(cls, root: Path | str = ".") -> "Project":
        """The project in `root` or in the nearest folder above it (as `amplify` finds it from a subfolder)."""
        start = Path(root).expanduser().resolve()
        for folder in (start, *start.parents):
            project = cls(folder)
            if project.exists:
                return project
        raise ProjectNotFoundError(
            f"No Amplify project in {start} or any folder above it: run `amplify-nb init` there first "
            "(or pass --project-dir).")

    @property
    def exists(self) -> bool:
        return self.paths.project_config.exists() and self.paths.local_env_info.exists()

    # --- files ---------------------------------------------------------------------------------------------
    @property
    def project_config(self) -> dict:
        return read_json(self.paths.project_config, {})

    @property
    def name(self) -> str:
        return self.project_config["projectName"]

    @property
    def env_name(self) -> str:
        return read_json(self.paths.local_env_info, {})["envName"]

    @property
    def frontend_config(self) -> dict:
        config = self.project_config
        return config.get(config.get("frontend", "javascript"), {}).get("config", {})

    @property
    def source_dir(self) -> Path:
        return self.root / self.frontend_config.get("SourceDir", "src")

    def target(self, env: str | None = None) -> Target:
        """Where this env deploys (local-aws-info.json); the local cloud unless configured otherwise."""
        info = read_json(self.paths.local_aws_info, {})
        return Target.from_aws_info(info.get(env or self.env_name))

    def backend_config(self, current: bool = False) -> dict:
        base = self.paths.current_cloud_backend if current else self.paths.backend
        return read_json(base / "backend-config.json", {})

    def amplify_meta(self, current: bool = False) -> dict:
        base = self.paths.current_cloud_backend if current else self.paths.backend
        return read_json(base / "amplify-meta.json", {})

    def team_provider_info(self) -> dict:
        return read_json(self.paths.team_provider_info, {})

    def env_info(self, env: str | None = None) -> dict:
        return self.team_provider_info().get(env or self.env_name, {})

    def write_json(self, path: Path, data) -> None:
        atomic_write_json(path, data)

    # --- one push at a time --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self):
        """Held by push, publish, init and every command that writes the backend: two at once would clash."""
        self.paths.config_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            raise PushInProgressError(
                f"Another amplify-nb command is pushing this project right now (lock {self.paths.push_lock}). "
                "Wait for it to finish, then run yours again.") from None
        try:
            yield self
        finally:
            self._lock.release()

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"
