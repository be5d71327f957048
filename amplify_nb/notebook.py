"""Helpers the numbered notebooks share: where the project is, and bootstrapping earlier steps when a notebook
runs alone (each notebook must work by itself under Run All and papermill)."""
from __future__ import annotations

import os
from pathlib import Path

from .aws import Target
from .project import Project, configure_project, init_project
from .fileio import read_json
from .specs import ConfigureSpec, InitSpec

DEFAULT_PROJECT_DIR = "beer-app"


def resolve_project_dir(project_dir: str | os.PathLike | None = "") -> Path:
    """The notebook parameter if given, else $AMPLIFY_NB_PROJECT_DIR, else ./beer-app next to the notebooks."""
    chosen = project_dir or os.environ.get("AMPLIFY_NB_PROJECT_DIR") or DEFAULT_PROJECT_DIR
    return Path(chosen).expanduser().resolve()


def ensure_configured(project_dir: Path, env_name: str, target: str = "local", **target_answers) -> Target:
    """Configure env_name for the target unless it already is (what 00-configure does)."""
    info = read_json(Project(project_dir).paths.local_aws_info, {}) or {}
    if env_name not in info:
        configure_project(project_dir, ConfigureSpec.from_answers({"target": target, **target_answers}), env=env_name)
    return Project(project_dir).target(env_name)


def ensure_initialized(project_dir: Path, env_name: str, target: str = "local", **init_answers) -> Project:
    """Init with the given answers (defaults otherwise) unless the project and env exist (what 01-init does)."""
    project = Project(project_dir)
    if project.exists and env_name in project.team_provider_info() and project.env_name == env_name:
        return project
    ensure_configured(project_dir, env_name, target)
    spec = InitSpec.for_project(project_dir, {**init_answers, "env": env_name})
    project, _ = init_project(project_dir, spec, progress=False)
    return project
