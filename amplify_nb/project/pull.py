"""pull: an env's backend and its #current-cloud-backend rebuilt from its last push, as `amplify pull` does.

A teammate's project, freshly cloned, has amplify/backend/ (without amplify-meta.json or build output),
amplify/team-provider-info.json and amplify/.config/project-config.json, but none of the gitignored files:
no #current-cloud-backend/, local-env-info.json or local-aws-info.json, no aws-exports. The env's push record,
kept in its deployment bucket (team-provider-info names it), gives all of them back: after a pull the env is
current, status is No Change and aws-exports points at the env's resources. Local changes to amplify/backend/
(files that differ from the record) stop the pull, since it would overwrite them, unless it is forced.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem, ProjectNotFoundError
from ..fileio import read_json, replace_tree
from .env_records import env_names, fetch_record, is_initialized, switch_env, unpack_record
from .envs import check_env_exists
from .project import Project
from .status import folder_hash

LOCAL_CHANGES_MESSAGE = ("Local changes detected in amplify/backend ({changes}). Pulling changes from the cloud will "
                         "override your local changes: run `amplify-nb pull --yes` to pull anyway, or push them first.")


class LocalChangesError(InputError):
    """amplify/backend/ differs from the env's last push: a pull would overwrite it."""


@dataclass
class PullResult:
    env: str
    overwritten: list[str] = field(default_factory=list)  # backend resources the pull replaced (forced)
    backend_restored: bool = False  # amplify/backend/ was rebuilt from the record


def find_pull_project(start: Path | str) -> Project:
    """The project in start or above it; a fresh clone counts (it has project-config.json but, gitignored, no
    local-env-info.json, which other commands need)."""
    folder = Path(start).expanduser().resolve()
    for candidate in (folder, *folder.parents):
        project = Project(candidate)
        if project.paths.project_config.exists() and project.paths.team_provider_info.exists():
            return project
    raise ProjectNotFoundError(f"No Amplify project in {folder} or any folder above it (amplify/.config/project-config"
                               ".json and amplify/team-provider-info.json): clone the project, or pass --project-dir.")


def pull_env_name(project: Project, env: str | None) -> str:
    """The env to pull: the one given, else the current env, else the project's only env."""
    names = env_names(project)
    chosen = env or read_json(project.paths.local_env_info, {}).get("envName") or (names[0] if len(names) == 1 else None)
    if chosen is None:
        raise InputError([Problem("env", f"This project has several environments ({', '.join(names)}): "
                                         "choose one with --env NAME.")])
    check_env_exists(project, chosen)
    if not is_initialized(project, chosen):
        raise InputError([Problem("env", f"Environment {chosen!r} was never pushed (team-provider-info.json has no "
                                         "deployment bucket for it): nothing to pull.")])
    return chosen


def local_changes(backend: Path, record_folder: Path) -> list[str]:
    """The backend resources whose files differ from the record's (`category/resource`), and backend-config.json
    when it differs; amplify-meta.json and build output do not count (gitignored, regenerated)."""
    changes = []
    if not backend.is_dir():
        return changes
    mine = read_json(backend / "backend-config.json", {})
    theirs = read_json(record_folder / "backend-config.json", {})
    if mine != theirs:
        changes.append("backend-config.json")
    resources = {(category, name) for config in (mine, theirs) for category, entries in config.items() for name in entries}
    for category, name in sorted(resources):
        if folder_hash(backend / category / name) != folder_hash(record_folder / category / name):
            changes.append(f"{category}/{name}")
    return changes


def pull(project_dir: Path | str, env: str | None = None, force: bool = False) -> PullResult:
    """Make env current from its last push record: #current-cloud-backend/, amplify-meta.json, local-env-info.json,
    its local-aws-info.json entry (the local cloud unless configured), aws-exports; amplify/backend/ too when it
    differs from the record (only when forced: a local change is refused, nothing written)."""
    project = find_pull_project(project_dir)
    env = pull_env_name(project, env)
    with project.lock():
        record = fetch_record(project, env)
        if record is None:
            raise InputError([Problem("env", f"Environment {env!r} has no push record in its deployment bucket "
                                             "(#current-cloud-backend.zip): push it once, then pull.")])
        with tempfile.TemporaryDirectory(prefix="amplify-nb-pull-") as staging:
            unpack_record(env, record, Path(staging))
            changes = local_changes(project.paths.backend, Path(staging))
            if changes and not force:
                raise LocalChangesError([Problem("backend", LOCAL_CHANGES_MESSAGE.format(changes=", ".join(changes)))])
            remember_target(project, env)
            switch_env(project, env, refresh=True)
            result = PullResult(env=env, overwritten=changes)
            if changes or not (project.paths.backend / "backend-config.json").exists():
                replace_tree(project.paths.current_cloud_backend, project.paths.backend)
                result.backend_restored = True
        return result


def remember_target(project: Project, env: str) -> None:
    """A clone has no local-aws-info.json: the env deploys to the target it falls back to until configured."""
    info = read_json(project.paths.local_aws_info, {})
    if env not in info:
        info[env] = project.target(env).to_aws_info()
        project.write_json(project.paths.local_aws_info, info)


def describe(result: PullResult) -> str:
    lines = [f"✔ Pulled env {result.env}: amplify/#current-cloud-backend, amplify-meta.json and aws-exports now "
             "follow its last push."]
    if result.overwritten:
        lines.append("Overwritten from the cloud: " + ", ".join(result.overwritten) + ".")
    elif result.backend_restored:
        lines.append("amplify/backend was rebuilt from the record.")
    return "\n".join(lines)

