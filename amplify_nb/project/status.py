"""`amplify status`: Create / Update / Delete / No Change per resource, from folder hashes (Amplify's rules)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .project import Project

IGNORED_DIRS = {"node_modules", "dist", "build"}


@dataclass(frozen=True)
class StatusRow:
    category: str
    resource_name: str
    operation: str  # Create | Update | Delete | No Change
    provider_plugin: str = "awscloudformation"

    def as_dict(self) -> dict:
        return {"category": self.category, "resourceName": self.resource_name,
                "operation": self.operation, "providerPlugin": self.provider_plugin}


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


def resource_status(project: Project) -> list[StatusRow]:
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


def endpoints(project: Project) -> dict[str, str]:
    """The lines Amplify prints under the table: REST API endpoint, Hosting endpoint (after a push)."""
    meta = project.amplify_meta()
    found = {}
    for name, entry in meta.get("api", {}).items():
        if entry.get("output", {}).get("RootUrl"):
            found[f"REST API endpoint ({name})"] = entry["output"]["RootUrl"]
    for entry in meta.get("hosting", {}).values():
        output = entry.get("output", {})
        url = output.get("CloudFrontSecureURL") or output.get("WebsiteURL")
        if url:
            found["Hosting endpoint"] = url
    return found


def status_text(project: Project) -> str:
    rows = resource_status(project)
    header = ("Category", "Resource name", "Operation", "Provider plugin")
    table = [header] + [(r.category.capitalize(), r.resource_name, r.operation, r.provider_plugin) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    line = lambda row: "│ " + " │ ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " │"  # noqa: E731
    rule = "├─" + "─┼─".join("─" * w for w in widths) + "─┤"
    out = [f"\n    Current Environment: {project.env_name}\n", line(header), rule] + [line(r) for r in table[1:]]
    if not rows:
        out.append("(no resources yet: add one with `amplify-nb add hosting|auth|storage|function|api`)")
    out += [""] + [f"{label}: {url}" for label, url in endpoints(project).items()]
    return "\n".join(out)
