"""Drift: what changed in the cloud behind the project's back since the env's last push (a console edit).

One mechanism, the push's own: the models of the last push (rebuilt from #current-cloud-backend/) are planned
against the cloud with the push's rules. A model whose plan is empty is in sync; otherwise the planned calls are
exactly what `push` sends to repair it, and the settings they would change (deploy/calldiff.py) are the drift.
Extra resources are those the cloud lists with this env's tags that the last push does not list. Planning reads
only (describe/list/get), so a drift check never changes anything, on the local cloud or on AWS.
"""
from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..categories.root import tags as env_tags
from ..deploy import APICall, Plan, RemoteState
from ..deploy.calldiff import CallChange, SettingChange, call_changes, plain
from ..deploy.planner import plan_each, rule_for
from ..errors import AmplifyNbError
from .env_records import check_record_belongs
from .project import Project
from .desired import deploy_context, desired_resources

IN_SYNC, CHANGED, MISSING, EXTRA = "in sync", "changed", "missing", "extra"
REASONS_SHOWN = 3  # settings named in a plan step's reason; the drift table has them all
ROOT = "root"  # the category column of the env's own resources (deployment bucket, auth/unauth roles)


@dataclass(frozen=True)
class Drift:
    """One resource of the env: the cloud against the last push."""

    category: str
    resource_name: str
    type: str
    name: str
    state: str  # in sync | changed | missing | extra
    repair: tuple[Repair, ...] = field(default=(), compare=False)  # what push would call, and why

    @property
    def key(self) -> str:
        return f"{self.type}:{self.name}"

    @property
    def changes(self) -> list[SettingChange | CallChange]:
        return [change for step in self.repair for change in step.changes]

    @property
    def detail(self) -> str:
        if self.state == MISSING:
            return "deleted in the cloud: push re-creates it"
        if self.state == EXTRA:
            return "in the cloud with this env's tags, not in its last push (push leaves it alone)"
        return "; ".join(change.drift_text() for change in self.changes)

    def as_dict(self) -> dict:
        return {"category": self.category, "resourceName": self.resource_name, "type": self.type, "name": self.name,
                "state": self.state, "changes": [change.drift_text() for change in self.changes],
                "detail": self.detail, "repair": [step.call.operation for step in self.repair]}


@dataclass(frozen=True)
class Repair:
    """A call push would make for a drifted resource, with the settings it sets back (none when it re-creates)."""

    call: APICall
    changes: tuple = ()  # SettingChange / CallChange


class RecordingRemote(RemoteState):
    """The planner's reads, each response kept, so what a rule read can be compared with what it plans."""

    def __init__(self, target, answers: dict | None = None):
        super().__init__(target, answers)
        self.responses: list[Any] = []

    def read(self, service: str, method: str, missing: tuple[str, ...] = (), **params: Any) -> Any:
        response = super().read(service, method, missing, **params)
        self.responses.append(response or {})
        return response

    def paginate(self, service: str, method: str, key: str, **params: Any) -> list:
        items = super().paginate(service, method, key, **params)
        self.responses.append({key: items})
        return items


def drift(project: Project, extras: bool = True, answers: dict | None = None) -> list[Drift]:
    """Every resource of the env's last push, in push order, then the extra ones (with extras=True).

    `answers`: the cloud's answers of a plan made at this moment (RemoteState), read again only if missing."""
    if not project.paths.current_cloud_backend.is_dir():
        return []
    ctx = deploy_context(project)
    check_record_belongs(project, ctx.env)
    remote = RecordingRemote(ctx.target, answers)
    with recorded_project(project) as recorded:
        models, owners = desired_resources(recorded, dataclasses.replace(ctx, project_root=recorded.root))
        owner_of = {model.key: owner for owner, owned in owners.items() for model in owned}
        rows = list(_planned_drift(models, remote, lambda key: owner_of.get(key, (ROOT, ctx.stack_name))))
    if extras:
        rows += extra_resources(models, remote, env_tags(ctx.stack_name, ctx.project_name, ctx.env))
    return rows


def _planned_drift(models: list, remote: RecordingRemote, owner: Callable[[str], tuple]) -> Iterator[Drift]:
    seen = 0
    for model, steps in plan_each(models, remote):
        reads, seen = remote.responses[seen:], len(remote.responses)
        calls = [step for step in steps if isinstance(step, APICall)]
        category, resource_name = owner(model.key)
        row = Drift(category, resource_name, model.type_name, model.name, IN_SYNC)
        if not calls:
            yield row
        elif any(call.action == "create" for call in calls) and not rule_for(model.type_name).exists(model.identity(), remote):
            yield dataclasses.replace(row, state=MISSING, repair=tuple(Repair(call) for call in calls))
        else:
            yield dataclasses.replace(row, state=CHANGED, repair=tuple(
                Repair(call, tuple(call_changes(call, reads))) for call in calls))
        seen = len(remote.responses)


@contextlib.contextmanager
def recorded_project(project: Project) -> Iterator[Project]:
    """A scratch project whose amplify/backend/ is the last push's #current-cloud-backend/, where categories
    read their files and build (a function's zip: the backend's last build is reused when the pushed source is
    the same). Nothing is written in the project itself."""
    with tempfile.TemporaryDirectory(prefix="amplify-nb-drift-") as scratch:
        backend = Path(scratch) / "amplify" / "backend"
        shutil.copytree(project.paths.current_cloud_backend, backend)
        for build in project.paths.backend.glob("function/*/dist"):
            if (backend / build.relative_to(project.paths.backend)).parent.is_dir():
                shutil.copytree(build, backend / build.relative_to(project.paths.backend))
        yield Project(scratch)


# --- extra resources ------------------------------------------------------------------------------------------
# The names of every resource of a type the cloud lists; each is then asked for its tags by its rule.
LISTERS: dict[str, Callable[[RemoteState], list[str]]] = {
    "s3.Bucket": lambda remote: [b["Name"] for b in (remote.read("s3", "list_buckets") or {}).get("Buckets", [])],
    "dynamodb.Table": lambda remote: remote.paginate("dynamodb", "list_tables", "TableNames"),
    "lambda.Function": lambda remote: remote.paginate("lambda", "list_functions", "Functions[].FunctionName"),
    "iam.Role": lambda remote: remote.paginate("iam", "list_roles", "Roles[].RoleName"),
    "cognito-idp.UserPool": lambda remote: remote.paginate("cognito-idp", "list_user_pools", "UserPools[].Name",
                                                           MaxResults=60),
    "cognito-identity.IdentityPool": lambda remote: remote.paginate(
        "cognito-identity", "list_identity_pools", "IdentityPools[].IdentityPoolName", MaxResults=60),
    "apigateway.RestApi": lambda remote: remote.paginate("apigateway", "get_rest_apis", "items[].name"),
}


def extra_resources(models: list, remote: RemoteState, owner_tags: dict) -> list[Drift]:
    """Resources of the pushed types carrying every one of this env's tags, that the last push does not list.

    Listed per service with their tags read by each rule (the Resource Groups Tagging API is not served by the
    local cloud for Cognito, API Gateway or IAM). Types that carry no tags (policies, clients) are not looked for.
    """
    pushed = {model.key for model in models}
    found = []
    for type_name in sorted({model.type_name for model in models} & set(LISTERS)):
        read_tags = getattr(rule_for(type_name), "tags", None)
        for name in sorted(set(LISTERS[type_name](remote))):
            if f"{type_name}:{name}" in pushed or read_tags is None:
                continue
            tags = read_tags({"type": type_name, "name": name}, remote) or {}
            if all(tags.get(key) == value for key, value in owner_tags.items()):
                found.append(Drift("", "", type_name, name, EXTRA))
    return found


# --- the push plan: which steps repair drift -------------------------------------------------------------------
def explain_repairs(project: Project, planned: Plan, answers: dict | None = None) -> Plan:
    """Mark the push plan's steps that repair drift ("repairs drift: MinimumLength 6 -> 8"), as opposed to those
    applying the project's local changes. A step repairs drift when the drift check plans the same call and the
    settings it changed in the cloud are set back to their pushed values. The marks only explain: when the last
    push cannot be rebuilt (its function source no longer builds), the plan is shown without them, unchanged."""
    try:
        rows = [row for row in drift(project, extras=False, answers=answers) if row.state != IN_SYNC]
    except AmplifyNbError:
        return planned
    repairs: dict[tuple[str, str], list[Repair]] = {}
    for row in rows:
        for repair in row.repair:
            repairs.setdefault((repair.call.resource, repair.call.operation), []).append(repair)
    for number, step in enumerate(planned.steps, start=1):
        if not isinstance(step, APICall):
            continue
        reason = _repair_reason(step, repairs.get((step.resource, step.operation), []))
        if reason:
            planned.reasons[number] = reason
    return planned


def _repair_reason(step: APICall, candidates: list[Repair]) -> str:
    params = plain(step.params)
    for repair in candidates:
        if plain(repair.call.params) == params and not repair.changes:
            return "repairs drift: re-creates what was deleted in the cloud"
        own = [change.repair_text() for change in repair.changes if _sent_by(change, repair.call, params)]
        if own:
            shown = ", ".join(own[:REASONS_SHOWN]) + (f" and {len(own) - REASONS_SHOWN} more" if len(own) > REASONS_SHOWN else "")
            return f"repairs drift: {shown}"
    return ""


def _sent_by(change: SettingChange | CallChange, drift_call: APICall, params: dict) -> bool:
    """Whether the push call sets this drifted setting back to its pushed value (not to a new local one)."""
    if isinstance(change, CallChange):
        return plain(drift_call.params) == params
    value: Any = params
    for part in change.path:
        if isinstance(value, list) and len(value) == 1 and isinstance(part, str):  # IAM's one-statement list
            value = value[0]
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return False
    return value == change.wanted


# --- text ------------------------------------------------------------------------------------------------------
def drift_text(env: str, rows: list[Drift]) -> str:
    """What `amplify-nb status --drift` prints: the drifted resources with their settings, then the counts."""
    if not rows:
        return f"Env {env} has no push yet: nothing to compare with the cloud."
    lines = [f"\n    Drift of env {env}: the cloud against its last push\n"]
    for row in rows:
        if row.state != IN_SYNC:
            where = f"{row.category} {row.resource_name}: " if row.category else ""
            lines.append(f"  {row.state:<8} {where}{row.type} {row.name}")
            lines += [f"           {change.drift_text()}" for change in row.changes] if row.state == CHANGED else [
                f"           {row.detail}"]
    counts = {state: sum(row.state == state for row in rows) for state in (IN_SYNC, CHANGED, MISSING, EXTRA)}
    lines.append(", ".join(f"{count} {state}" for state, count in counts.items()) + ".")
    if counts[CHANGED] or counts[MISSING]:
        lines.append("`amplify-nb push` repairs the changed and missing ones (its plan says which steps do).")
    return "\n".join(lines)
