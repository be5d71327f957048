"""What the notebooks show: pandas tables and small pictures of the project and the cloud."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from .project import Project, endpoints, resource_status
from .project.status import IGNORED_DIRS


def status_table(project: Project) -> pd.DataFrame:
    """Amplify's status table: Category | Resource name | Operation | Provider plugin."""
    rows = [(r.category.capitalize(), r.resource_name, r.operation, r.provider_plugin) for r in resource_status(project)]
    return pd.DataFrame(rows, columns=["Category", "Resource name", "Operation", "Provider plugin"])


def endpoints_table(project: Project) -> pd.DataFrame:
    return pd.DataFrame(list(endpoints(project).items()), columns=["Endpoint", "URL"])


def plan_table(plan) -> pd.DataFrame:
    from .deploy import DisplayOnly

    return DisplayOnly(plan).table()


def file_tree(root: Path | str, since: float | None = None, skip: tuple[str, ...] = ()) -> str:
    """The project's files as an indented tree; files changed after `since` (a timestamp) are marked ✱."""
    root = Path(root)
    lines = [f"{root.name}/"]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS and d not in skip and not d.endswith((".new", ".old")))
        depth = len(Path(dirpath).relative_to(root).parts)
        if depth:
            lines.append("    " * depth + Path(dirpath).name + "/")
        for filename in sorted(filenames):
            if filename.endswith(".lock"):
                continue
            path = Path(dirpath) / filename
            mark = " ✱" if since is not None and path.stat().st_mtime >= since else ""
            lines.append("    " * (depth + 1) + filename + mark)
    return "\n".join(lines)


def files_table(root: Path | str, since: float) -> pd.DataFrame:
    """The files written or changed after `since`, newest first."""
    root = Path(root)
    rows = []
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith(".lock") and path.stat().st_mtime >= since:
            rows.append({"file": path.relative_to(root).as_posix(), "bytes": path.stat().st_size,
                         "modified": pd.Timestamp(path.stat().st_mtime, unit="s", tz="UTC")})
    return pd.DataFrame(rows, columns=["file", "bytes", "modified"]).sort_values("file", ignore_index=True)


def show_json(path: Path | str):
    """A JSON file, pretty-printed, for display in a notebook."""
    from IPython.display import Markdown

    text = json.dumps(json.loads(Path(path).read_text()), indent=2)
    return Markdown(f"`{Path(path).name}`\n```json\n{text}\n```")


def cloud_resources(project: Project) -> pd.DataFrame:
    """What exists in the cloud for this env, read with plain describe/list calls."""
    from .deploy import RemoteState
    from .deploy.planner import rule_for
    from .project.push import deploy_context, desired_resources

    ctx = deploy_context(project)
    remote = RemoteState(ctx.target)
    desired, _ = desired_resources(project, ctx)
    return pd.DataFrame(
        [{"type": r.type_name, "name": r.name, "exists": rule_for(r.type_name).exists(r.identity(), remote)} for r in desired],
        columns=["type", "name", "exists"])
