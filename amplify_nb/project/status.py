"""`amplify status`: Create / Update / Delete / No Change per resource, from folder hashes (Amplify's rules)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import AmplifyNbError
from .project import Project

IGNORED_DIRS = {"node_modules", "dist", "build", "__pycache__"}


@dataclass(frozen=True)
class StatusRow:
    category: str
    resource_name: str
    operation: str  # Create | Update | Delete | No Change
    provider_plugin: str = "awscloudformation"
    detail: str = ""  # why, when the files alone do not say it ("missing in the cloud: s3.Bucket x")

    def as_dict(self) -> dict:
        return {"category": self.category, "resourceName": self.resource_name,
                "operation": self.operation, "providerPlugin": self.provider_plugin, "detail": self.detail}


def folder_hash(folder: Path) -> str:
    """A digest of a resource folder: relative paths and contents, skipping dot-folders and build output."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return ""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS)
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def resource_status(project: Project, cloud: bool = False) -> list[StatusRow]:
    """Amplify's rows from the files; with cloud=True, a resource whose recorded parts are gone from the cloud
    (deleted behind the project's back) is "Update" with the missing parts named, since a push re-creates them."""
    rows = _file_status(project)
    if not cloud:
        return rows
    missing = missing_in_cloud(project)
    return [replace(row, operation="Update", detail="missing in the cloud: " + ", ".join(missing[row.category, row.resource_name]))
            if row.operation == "No Change" and missing.get((row.category, row.resource_name)) else row
            for row in rows]


def missing_in_cloud(project: Project) -> dict[tuple[str, str], list[str]]:
    """For each pushed resource, the parts its last push recorded that the cloud no longer has."""
    from ..deploy import RemoteState
    from ..deploy.planner import rule_for

    remote = RemoteState(project.target())
    missing: dict[tuple[str, str], list[str]] = {}
    for category, entries in project.amplify_meta(current=True).items():
        if category == "providers":
            continue
        for name, entry in entries.items():
            gone = [f"{identity['type']} {identity['name']}"
                    for identity in entry.get("providerMetadata", {}).get("resources", [])
                    if not rule_for(identity["type"]).exists(identity, remote)]
            if gone:
                missing[category, name] = gone
    return missing


def _file_status(project: Project) -> list[StatusRow]:
    desired, deployed = project.backend_config(), project.backend_config(current=True)
    rows = []
    for category in sorted(set(desired) | set(deployed)):
        wanted, current = desired.get(category, {}), deployed.get(category, {})
        for name in sorted(set(wanted) | set(current)):
            if name not in current:
                operation = "Create"
            elif name not in wanted:
                operation = "Delete"
            elif wanted[name] != current[name] or folder_hash(project.paths.resource_dir(category, name)) != \
                    folder_hash(project.paths.resource_dir(category, name, current=True)):
                operation = "Update"
            else:
                operation = "No Change"
            provider = (wanted.get(name) or current.get(name) or {}).get("providerPlugin", "awscloudformation")
            rows.append(StatusRow(category, name, operation, provider))
    return rows


def endpoints(project: Project, meta: dict | None = None) -> dict[str, str]:
    """The lines Amplify prints under the table ("REST API endpoint", "Hosting endpoint"), from each category;
    from the current env's amplify-meta.json, or from `meta` (another env's last push record)."""
    from ..categories import load_categories

    meta, found = project.amplify_meta() if meta is None else meta, {}
    for category_name, category in load_categories().items():
        if hasattr(category, "endpoints"):
            for resource_name, entry in meta.get(category_name, {}).items():
                found.update(category.endpoints(resource_name, entry))
    return found


def status_text(project: Project, cloud: bool = True) -> str:
    """Amplify's status table; by default it also checks that what the last push made still exists."""
    from ..categories import load_categories

    problem = ""
    try:
        rows = resource_status(project, cloud=cloud)
    except AmplifyNbError as exc:
        rows, problem = resource_status(project), f"(the cloud was not checked: {exc})"
    header = ("Category", "Resource name", "Operation", "Provider plugin")
    table = [header] + [(r.category.capitalize(), r.resource_name, r.operation, r.provider_plugin) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    line = lambda row: "│ " + " │ ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " │"  # noqa: E731
    def rule(left: str, middle: str, right: str) -> str:
        return left + "─" + f"─{middle}─".join("─" * w for w in widths) + "─" + right

    out = [f"\n    Current Environment: {project.env_name}\n", rule("┌", "┬", "┐"), line(header), rule("├", "┼", "┤")]
    out += [line(r) for r in table[1:]] + [rule("└", "┴", "┘")]
    if not rows:
        out.append(f"(no resources yet: add one with `amplify-nb add {'|'.join(load_categories())}`)")
    out += [f"{r.category.capitalize()} {r.resource_name}: {r.detail}; `amplify-nb push` re-creates it."
            for r in rows if r.detail] + ([problem] if problem else [])
    out += [""] + [f"{label}: {url}" for label, url in endpoints(project).items()]
    return "\n".join(out)
