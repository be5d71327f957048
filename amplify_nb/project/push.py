"""push: plan from the project's files and the cloud, run the plan, then record what now exists.

Recording happens only after every step succeeded, so amplify-meta.json, #current-cloud-backend/ and
aws-exports always describe a finished push. A killed push is simply pushed again (see deploy/journal.py).
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..categories import DeployContext
from ..categories.root import root_outputs, tags
from ..deploy import DisplayOnly, Executor, Journal, Plan, RemoteState, plan_push
from ..fileio import atomic_write_json, swapped_tree
from .desired import deploy_context, deployable_category, desired_resources, env_root_resources, recorded_resources
from .drift import explain_repairs
from .env_records import save_record
from .exports import write_exports
from .history import keep_function_zips, keep_pushed_record
from .project import Project
from .status import IGNORED_DIRS, StatusRow, folder_hash, resource_status


@dataclass
class PushResult:
    plan: Plan
    calls_made: list[str] = field(default_factory=list)
    waits_done: list[str] = field(default_factory=list)
    status_before: list[StatusRow] = field(default_factory=list)
    resumed: dict | None = None

    @property
    def changed(self) -> bool:
        return bool(self.calls_made) or any(row.operation != "No Change" for row in self.status_before)

    def summary(self) -> str:
        """What the push did, in words that add up to its progress bar's steps ("7 cloud calls and 1 wait
        (root-deployment-bucket: bucket_exists)")."""
        calls = len(self.calls_made)
        text = f"{calls} cloud call{'' if calls == 1 else 's'}"
        if self.waits_done:
            waits = len(self.waits_done)
            text += f" and {waits} wait{'' if waits == 1 else 's'} ({', '.join(self.waits_done)})"
        return text


def plan(project: Project, answers: dict | None = None) -> Plan:
    """`answers`: the cloud's answers shared with other plans of this moment (RemoteState)."""
    ctx = deploy_context(project)
    builds: dict = {}
    desired, _ = desired_resources(project, ctx, builds)
    planned = plan_env(ctx, desired, recorded_resources(project, ctx), answers)
    planned.notes += [f"{category} {name}: {build.summary}" for (category, name), build in builds.items()
                      if getattr(build, "changed", False)]
    return planned


def plan_env(ctx: DeployContext, desired: list, recorded: list[dict], answers: dict | None = None) -> Plan:
    """The plan of one env: deletions are refused for resources tagged as another env's or project's."""
    return plan_push(desired, recorded, RemoteState(ctx.target, answers), owner_tags=tags(ctx.stack_name, ctx.project_name, ctx.env))


def show_plan(project: Project) -> DisplayOnly:
    """The plan as shown before a push, its steps that repair drift (a console edit) marked as such. The drift
    check reads the same resources as the plan, at the same moment: it is given the plan's answers."""
    answers: dict = {}
    return DisplayOnly(explain_repairs(project, plan(project, answers), answers))


def push(project: Project, progress: bool = True, planned: Plan | None = None, root_only: bool = False) -> PushResult:
    """Run a push; `planned` is a plan just shown to the user under the same lock (else plan now).

    root_only pushes the env's root resources alone (init of a new env: its categories stay "Create").
    """
    with project.lock():
        ctx = deploy_context(project)
        journal = Journal(project.paths.push_journal)
        result = PushResult(plan=Plan(), status_before=[] if root_only else resource_status(project),
                            resumed=journal.interrupted())
        if root_only:
            desired, owners = env_root_resources(project, ctx), {}
        else:
            desired, owners = desired_resources(project, ctx)
        result.plan = planned if planned is not None else plan_env(ctx, desired, recorded_resources(project, ctx))
        executor = Executor(ctx.target, journal, progress=progress)
        variables = executor.run(result.plan, env=ctx.env)
        result.calls_made, result.waits_done = executor.calls_made, executor.waits_done
        if result.changed or result.resumed or not project.paths.current_cloud_backend.exists():
            record_push(project, ctx, owners, variables)
        journal.finish()
        return result


def record_push(project: Project, ctx: DeployContext, owners: dict, variables: dict) -> None:
    """After a successful push: amplify-meta.json, team-provider-info.json, #current-cloud-backend/, aws-exports,
    and the record kept for `push --rollback` (with the function zips it names)."""
    zips = keep_function_zips(project, ctx.env, owners)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    providers = root_outputs(ctx.stack_name, ctx.target.region, variables)
    meta: dict = {"providers": {"awscloudformation": providers}}
    for (category_name, resource_name), models in owners.items():
        entry = dict(project.backend_config()[category_name][resource_name])
        entry.update(
            output=deployable_category(category_name).outputs(ctx, resource_name, entry, variables),
            lastPushTimeStamp=now,
            lastPushDirHash=folder_hash(project.paths.resource_dir(category_name, resource_name)),
            providerMetadata={"resources": [model.identity() for model in models]},
            **zips.get((category_name, resource_name), {}),
        )
        meta.setdefault(category_name, {})[resource_name] = entry
    project.write_json(project.paths.amplify_meta, meta)

    team = project.team_provider_info()
    env_entry = team.setdefault(ctx.env, {})
    env_entry["awscloudformation"] = {**env_entry.get("awscloudformation", {}), **providers}
    env_entry.setdefault("categories", {})
    project.write_json(project.paths.team_provider_info, team)

    write_current_cloud_backend(project, set(owners))
    write_exports(project)
    save_record(project, ctx.env)
    keep_pushed_record(project, ctx.env)


def write_current_cloud_backend(project: Project, pushed: set[tuple[str, str]]) -> None:
    """#current-cloud-backend/ := amplify/backend/ limited to the resources this push deployed (a root-only push
    records none, so their status stays Create), swapped in whole."""
    backend = project.paths.backend
    config = {category: {name: entry for name, entry in entries.items() if (category, name) in pushed}
              for category, entries in project.backend_config().items()}
    config = {category: entries for category, entries in config.items() if entries}

    def unpushed(folder: str, names: list[str]) -> list[str]:
        relative = Path(folder).relative_to(backend).parts
        if len(relative) == 1:  # amplify/backend/<category>/: skip the resource folders not pushed
            return [name for name in names if (relative[0], name) not in pushed]
        return [name for name in names if name in IGNORED_DIRS]  # build output (a function's dist/) is not a record

    with swapped_tree(project.paths.current_cloud_backend) as staging:
        shutil.copytree(backend, staging, ignore=unpushed, dirs_exist_ok=True)
        atomic_write_json(staging / "backend-config.json", config)
