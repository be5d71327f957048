"""Where Amplify Gen 1 keeps each file of a project (same names and shapes as the Amplify CLI)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What Amplify adds to .gitignore: local state and generated files, never committed.
GITIGNORE_ENTRIES = (
    "amplify/#current-cloud-backend",
    "amplify/.config/local-*",
    "amplify/logs",
    "amplify/mock-data",
    "amplify/backend/amplify-meta.json",
    "amplify/backend/.temp",
    "build/",
    "dist/",
    "node_modules/",
    "aws-exports.js",
    "awsconfiguration.json",
    "amplifyconfiguration.json",
    "amplifyconfiguration.dart",
    "amplify-build-config.json",
    "amplify-gradle-config.json",
    "amplifytools.xcconfig",
    ".secret-*",
)


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def amplify(self) -> Path:
        return self.root / "amplify"

    @property
    def config_dir(self) -> Path:
        return self.amplify / ".config"

    @property
    def project_config(self) -> Path:
        return self.config_dir / "project-config.json"

    @property
    def local_env_info(self) -> Path:
        return self.config_dir / "local-env-info.json"

    @property
    def local_aws_info(self) -> Path:
        return self.config_dir / "local-aws-info.json"

    @property
    def team_provider_info(self) -> Path:
        return self.amplify / "team-provider-info.json"

    @property
    def backend(self) -> Path:
        return self.amplify / "backend"

    @property
    def backend_config(self) -> Path:
        return self.backend / "backend-config.json"

    @property
    def amplify_meta(self) -> Path:
        return self.backend / "amplify-meta.json"

    @property
    def current_cloud_backend(self) -> Path:
        return self.amplify / "#current-cloud-backend"

    @property
    def push_lock(self) -> Path:
        return self.config_dir / "local-push.lock"

    @property
    def push_journal(self) -> Path:
        return self.config_dir / "local-push-journal.json"

    @property
    def gitignore(self) -> Path:
        return self.root / ".gitignore"

    def resource_dir(self, category: str, resource: str, current: bool = False) -> Path:
        base = self.current_cloud_backend if current else self.backend
        return base / category / resource
