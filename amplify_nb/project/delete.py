"""Tearing down: every cloud resource of an env (`env remove`), or of every env and then the local files
(`amplify delete`).

One mechanism for both, the push's own sweeper: what to delete is the env's root resources, every resource its
last push record lists, and every resource a push of the project's backend would make for it (so what a killed
push made before it could record it is not orphaned). The sweeper deletes, in reverse creation order, only what
exists and only what carries this env's tags (a bucket emptied of every version first; a role's policies first;
the deployment bucket, which holds the record, last). The executor journals each step, so a teardown killed at
any step is finished by running it again: the plan is re-read from the cloud, and the env's entries in
team-provider-info.json / local-aws-info.json go only once its resources are gone.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..categories.root import root_resources, tags
from ..deploy import Executor, Journal, Plan, RemoteState
from ..deploy.planner import plan_sweep
from ..fileio import read_json
from .desired import deploy_context, desired_resources
from .env_records import env_names, fetch_record, forget_env, record_identities, record_json, record_owner, stack_name
from .project import Project

DELETE_MESSAGE = ("Are you sure you want to continue? This CANNOT be undone. (This will delete all the environments "
                  "of the project from the cloud and wipe out all the local files created by Amplify CLI)")
# amplify/ is renamed to this before it is removed, so a delete killed while removing files is finished by a rerun.
DELETING_SUFFIX = ".deleting"
GENERATED_FILES = ("aws-exports.js", "amplifyconfiguration.json")


@dataclass
class TeardownResult:
    env: str
    plan: Plan
    calls_made: list[str] = field(default_factory=list)
    resumed: dict | None = None

    def summary(self) -> str:
        calls = len(self.calls_made)
        return f"{calls} cloud call{'' if calls == 1 else 's'}"


@dataclass
class DeleteResult:
    root: Path
    envs: list[TeardownResult] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)


def teardown_journal(project: Project) -> Journal:
    """The journal of a teardown in progress (gitignored, like every amplify/.config/local-* file)."""
    return Journal(project.paths.config_dir / "local-teardown-journal.json")


def teardown_identities(project: Project, env: str) -> list[dict]:
    """Everything env may have in the cloud, in creation order, each resource once: root resources, what its
    last push recorded, then what a push of the backend would make for it."""
    ctx = deploy_context(project, env)
    identities = [model.identity() for model in root_resources(ctx.stack_name, ctx.project_name, env)]
    identities += last_push_identities(project, env)
    identities += [model.identity() for model in desired_resources(project, ctx, build=False)[0]]
    unique: dict[str, dict] = {}
    for identity in identities:
        unique.setdefault(f"{identity['type']}:{identity['name']}", identity)
    return list(unique.values())


def last_push_identities(project: Project, env: str) -> list[dict]:
    """The category resources env's last push recorded: the local record when it is env's, else its bucket's."""
    if record_owner(project) == stack_name(project, env):
        return record_identities(project.amplify_meta(current=True), project.backend_config(current=True))
    record = fetch_record(project, env)
    if record is None:
        return []
    return record_identities(record_json(record, "amplify-meta.json"), record_json(record, "backend-config.json"))


def plan_teardown(project: Project, env: str) -> Plan:
    """The calls deleting what env has in the cloud now (none when it is all gone); read-only."""
    ctx = deploy_context(project, env)
    return plan_sweep([], teardown_identities(project, env), RemoteState(ctx.target),
                      owner_tags=tags(ctx.stack_name, ctx.project_name, env))


def teardown_env(project: Project, env: str, progress: bool = False) -> TeardownResult:
    """Delete env's cloud resources, then its entries. The caller holds the project lock."""
    journal = teardown_journal(project)
    result = TeardownResult(env=env, plan=Plan(), resumed=journal.interrupted())
    if stack_name(project, env):  # an env whose add never chose a stack name has nothing in the cloud
        ctx = deploy_context(project, env)
        result.plan = plan_teardown(project, env)
        executor = Executor(ctx.target, journal, progress=progress)
        executor.run(result.plan, env=env)
        result.calls_made = executor.calls_made
    forget_env(project, env)
    journal.finish()
    return result


def find_project_to_delete(start: Path | str) -> Project | Path:
    """The project to delete from `start`: a delete killed while removing files there is finished first (its
    leftover folder is returned), else the project in start or above it, as every command finds it."""
    folder = Path(start).expanduser().resolve()
    leftover = folder / ("amplify" + DELETING_SUFFIX)
    if leftover.exists() and not Project(folder).exists:
        return folder
    return Project.open(folder)


def delete_project(project: Project | Path, progress: bool = False) -> DeleteResult:
    """`amplify delete`: every env's cloud resources (the other envs first, the current one last), then the local
    files Amplify made (aws-exports.js, amplifyconfiguration.json, amplify/). Run again after a kill at any step,
    it finishes the job."""
    if isinstance(project, Path):  # only the files of a delete killed while removing them are left
        result = DeleteResult(root=project)
        result.files_removed = _remove_amplify_folder(project)
        return result
    result = DeleteResult(root=project.root)
    with project.lock():
        current = read_json(project.paths.local_env_info, {}).get("envName")
        for env in sorted(env_names(project), key=lambda name: name == current):
            result.envs.append(teardown_env(project, env, progress=progress))
        result.files_removed = _remove_generated_files(project)
        os.replace(project.paths.amplify, project.root / ("amplify" + DELETING_SUFFIX))
    result.files_removed += _remove_amplify_folder(project.root)
    return result


def _remove_generated_files(project: Project) -> list[str]:
    removed = []
    for name in GENERATED_FILES:
        path = project.source_dir / name
        if path.exists():
            path.unlink()
            removed.append(str(path.relative_to(project.root)))
    return removed


def _remove_amplify_folder(root: Path) -> list[str]:
    leftover = root / ("amplify" + DELETING_SUFFIX)
    if not leftover.exists():
        return []
    shutil.rmtree(leftover)
    return ["amplify/"]
