"""`push --rollback`: return the env to its previous push, as a push of that push's record.

The previous record (history.py) comes back as amplify/backend, with the function zips that push deployed as
the functions' last builds (nothing is rebuilt), and then an ordinary push runs: the same planner and sweeper
(what the current record lists and the old one does not is deleted), the same executor and journal. Its record is
kept as restoring the old one, so a second rollback goes back one push further instead of undoing the first.

Order for a kill at any point: nothing changes until a marker under amplify/.config names the record being
brought back; from then on a rerun of `push --rollback` finishes that same rollback (the journaled push resumes,
the planner re-reads the cloud), and the push that records it removes the marker.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..deploy import DisplayOnly, Journal, Plan
from ..errors import InputError
from ..fileio import read_json, swapped_tree
from ..functions.build import adopt_build
from ..specs import FunctionSpec
from .env_records import unpack_record
from .history import (KeptRecord, function_zip_keys, kept_records, mark_restore, pending_restore, previous_record,
                      read_kept, record_meta, state_digest)
from .project import Project
from .push import PushResult, plan, push
from .status import StatusRow, resource_status


@dataclass
class Rollback:
    """A rollback ready to run: the record it brings back, its plan, and the unpushed changes it would discard."""

    env: str
    target: KeptRecord
    record: bytes = field(repr=False)
    zips: dict[str, bytes] = field(repr=False)  # function resource name -> the zip its push deployed
    plan: Plan
    unpushed: list[StatusRow]
    resuming: bool = False

    def describe(self) -> str:
        verb = "Finishing the interrupted rollback of" if self.resuming else "Rolling back"
        lines = [f"{verb} env {self.env!r} to {self.target.label}."]
        if self.unpushed:
            lines.append("Unpushed changes in amplify/backend that it replaces: " + _changes(self.unpushed) + ".")
        return "\n".join(lines)

    def check_discard(self, discard_unpushed: bool) -> None:
        if self.unpushed and not discard_unpushed:
            raise InputError(
                f"amplify/backend has changes that were never pushed ({_changes(self.unpushed)}); rolling back replaces "
                f"it with {self.target.label}, so they would be lost. Push them first, or pass --yes to discard them. "
                "Nothing was changed.")


def rollback(project: Project, plan_only: bool = False, discard_unpushed: bool = False,
             progress: bool = True) -> Rollback | PushResult:
    """Return the env to its previous push; plan_only returns the prepared rollback (its `plan`) and changes nothing."""
    with project.lock():
        prepared = prepare_rollback(project)
        if plan_only:
            return prepared
        return run_rollback(project, prepared, discard_unpushed=discard_unpushed, progress=progress)


def show_rollback(project: Project) -> DisplayOnly:
    return DisplayOnly(prepare_rollback(project).plan)


def prepare_rollback(project: Project) -> Rollback:
    """Find the record to bring back, fetch it and its zips, and plan the rollback in a scratch copy of the project
    (reads only: refuses with InputError when there is nothing to roll back to)."""
    env = project.env_name
    marker = pending_restore(project, env)
    if marker is None and Journal(project.paths.push_journal).interrupted():
        raise InputError(f"The last push of env {env!r} was interrupted: run `amplify-nb push` to finish it, then roll "
                         "back. Nothing was changed.")
    records = kept_records(project, env)
    if marker is not None:
        target = next((record for record in records if record.key == marker["key"]), None)
        if target is None:
            raise InputError(f"The record an interrupted rollback was bringing back ({marker['key']}) is no longer kept "
                             "in the env's deployment bucket: run `amplify-nb push` to push amplify/backend as it is.")
    else:
        folder = project.paths.current_cloud_backend
        target = previous_record(records, state_digest(folder) if folder.is_dir() else "")
        if target is None:
            raise InputError(f"Env {env!r} has no previous push to roll back to (pushes kept: {len(records)}). "
                             "Nothing was changed.")
    record = read_kept(project, env, target.key)
    zips = {name: read_kept(project, env, key) for name, key in function_zip_keys(record_meta(record)).items()}
    unpushed = [] if marker is not None else [row for row in resource_status(project) if row.operation != "No Change"]
    with _scratch_project(project, record, zips) as scratch:
        planned = plan(scratch)
    return Rollback(env, target, record, zips, planned, unpushed, resuming=marker is not None)


def run_rollback(project: Project, prepared: Rollback, discard_unpushed: bool = False,
                 progress: bool = True) -> PushResult:
    """Mark the rollback, bring the record back as amplify/backend, and push it (re-planned under the lock)."""
    prepared.check_discard(discard_unpushed)
    with project.lock():
        if not prepared.resuming:
            mark_restore(project, prepared.env, prepared.target)
        write_backend(project.paths.backend, prepared.record, prepared.zips, prepared.env, project.paths.amplify_meta)
        return push(project, progress=progress)


def write_backend(backend: Path, record: bytes, zips: dict[str, bytes], env: str, keep_meta: Path | None = None) -> None:
    """amplify/backend := the record's files, each function's zip as its last build, and (when given) the
    amplify-meta.json that describes what the cloud has now, until the push records the rollback; swapped whole."""
    meta = keep_meta.read_bytes() if keep_meta is not None and keep_meta.is_file() else None
    with swapped_tree(backend) as staging:
        unpack_record(env, record, staging)
        for name, zip_bytes in zips.items():
            folder = staging / "function" / name
            runtime = (read_json(folder / "function-parameters.json", {}) or {}).get("runtime")
            if runtime and (folder / "src").is_dir():
                adopt_build(folder / "src", folder / "dist",
                            FunctionSpec.from_answers({"name": name, "runtime": runtime}).lambda_runtime, zip_bytes)
        if meta is not None:
            (staging / "amplify-meta.json").write_bytes(meta)


@contextlib.contextmanager
def _scratch_project(project: Project, record: bytes, zips: dict[str, bytes]) -> Iterator[Project]:
    """A throwaway copy of the project whose amplify/backend is the record: planning reads a project's files, and
    the real ones must not change for `--plan`."""
    with tempfile.TemporaryDirectory(prefix="amplify-nb-rollback-") as tmp:
        root = Path(tmp) / project.root.name
        amplify = root / "amplify"
        amplify.mkdir(parents=True)
        shutil.copytree(project.paths.config_dir, amplify / ".config", ignore=shutil.ignore_patterns("*.lock"))
        shutil.copy2(project.paths.team_provider_info, amplify / "team-provider-info.json")
        if project.paths.current_cloud_backend.is_dir():
            shutil.copytree(project.paths.current_cloud_backend, amplify / "#current-cloud-backend")
        scratch = Project(root)
        write_backend(scratch.paths.backend, record, zips, project.env_name, project.paths.amplify_meta)
        yield scratch


def _changes(rows: list[StatusRow]) -> str:
    return ", ".join(f"{row.category} {row.resource_name}: {row.operation}" for row in rows)
