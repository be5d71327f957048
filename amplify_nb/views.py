"""What the notebooks show: pandas tables and small pictures of the project and the cloud."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pandas as pd

from .project import Project, endpoints, resource_status
from .project.status import IGNORED_DIRS


class Table(pd.DataFrame):
    """A DataFrame shown whole in a notebook: ids, ARNs and URLs are never cut with "…" (people copy them), and
    an empty table says what its emptiness means instead of showing bare headers. Everything else is pandas."""

    _metadata = ["empty_message"]

    @property
    def _constructor(self):
        return Table

    def _repr_html_(self) -> str | None:
        if self.empty and getattr(self, "empty_message", None):
            return f"<p>{html.escape(self.empty_message)}</p>"
        with pd.option_context("display.max_colwidth", None):
            return super()._repr_html_()

    def __repr__(self) -> str:
        if self.empty and getattr(self, "empty_message", None):
            return self.empty_message
        with pd.option_context("display.max_colwidth", None):
            return super().__repr__()


def table(frame: pd.DataFrame, empty_message: str = "") -> Table:
    shown = Table(frame)
    shown.empty_message = empty_message
    return shown


def local_cloud_table(cloud) -> pd.DataFrame:
    """The local cloud's summary (LocalCloud.summary(): the rows `amplify-nb local status` prints), shown whole."""
    return table(pd.DataFrame(cloud.summary(), columns=["", "local cloud"]).set_index(""))


def status_table(project: Project, cloud: bool = True) -> pd.DataFrame:
    """Amplify's status table: Category | Resource name | Operation | Provider plugin, plus why when the files
    alone do not tell (a resource deleted from the cloud behind the project's back)."""
    rows = [(r.category.capitalize(), r.resource_name, r.operation, r.provider_plugin, r.detail)
            for r in resource_status(project, cloud=cloud)]
    frame = pd.DataFrame(rows, columns=["Category", "Resource name", "Operation", "Provider plugin", "Detail"])
    if not any(detail for *_, detail in rows):
        frame = frame.drop(columns="Detail")
    return table(frame, "No resources yet: add a category (hosting, auth, api, function, storage) first.")


def drift_table(project: Project, extras: bool = True) -> pd.DataFrame:
    """The cloud against the env's last push, one row per resource: in sync, changed (which settings), missing,
    or extra (carrying this env's tags, not pushed). Reads the cloud only."""
    from .project.drift import drift

    rows = [(row.category, row.resource_name, row.type, row.name, row.state,
             "\n".join(change.drift_text() for change in row.changes) if row.changes else
             ("" if row.state == "in sync" else row.detail)) for row in drift(project, extras=extras)]
    frame = pd.DataFrame(rows, columns=["Category", "Resource name", "Type", "Name", "State", "Changes"])
    return table(frame, "Nothing pushed yet: push the env first, then its cloud can be compared with it.")


def endpoints_table(project: Project) -> pd.DataFrame:
    return table(pd.DataFrame(list(endpoints(project).items()), columns=["Endpoint", "URL"]),
                 "No endpoints yet: push a category that has one.")


def plan_table(plan) -> pd.DataFrame:
    """The plan's calls, numbered as the push's progress bar counts them."""
    from .deploy import DisplayOnly

    return table(DisplayOnly(plan).table().set_index("step"), "Nothing to push: the cloud already matches the project.")


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


def show_json(path: Path | str, folded: bool = False):
    """A JSON file, pretty-printed, for display in a notebook; `folded` puts it behind a click (for long files
    shown next to their `settings_table`)."""
    from IPython.display import HTML, Markdown

    text = json.dumps(json.loads(Path(path).read_text()), indent=2)
    if folded:
        lines = text.count("\n") + 1
        return HTML(f"<details><summary><code>{html.escape(Path(path).name)}</code> ({lines} lines): click to show "
                    f"the file</summary><pre>{html.escape(text)}</pre></details>")
    return Markdown(f"`{Path(path).name}`\n```json\n{text}\n```")


def settings_table(path: Path | str) -> pd.DataFrame:
    """A JSON file's settings as rows `a.b.c | value` (lists of plain values joined): what a long generated file
    says, readable at a glance."""
    rows: list[tuple[str, str]] = []

    def walk(value, key: str) -> None:
        if isinstance(value, dict) and value:
            for name, item in value.items():
                walk(item, f"{key}.{name}" if key else str(name))
        elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
            for number, item in enumerate(value):
                walk(item, f"{key}[{number}]")
        else:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            rows.append((key, "" if shown is None else str(shown)))

    walk(json.loads(Path(path).read_text()), "")
    return table(pd.DataFrame(rows, columns=["setting", "value"]).set_index("setting"), "The file holds no settings.")


def cloud_resources(project: Project) -> pd.DataFrame:
    """What exists in the cloud for this env, read with plain describe/list calls."""
    from .deploy import RemoteState
    from .deploy.planner import rule_for
    from .project.desired import deploy_context, desired_resources

    ctx = deploy_context(project)
    remote = RemoteState(ctx.target)
    desired, _ = desired_resources(project, ctx)
    return table(pd.DataFrame(
        [{"type": r.type_name, "name": r.name, "exists": rule_for(r.type_name).exists(r.identity(), remote)} for r in desired],
        columns=["type", "name", "exists"]))


def resource_table(project: Project, category_name: str, resource_name: str | None = None) -> pd.DataFrame:
    """A pushed resource as its console shows it, one row per setting, read from the cloud by its category."""
    from .categories import category

    pushed = {name: entry for name, entry in project.amplify_meta().get(category_name, {}).items() if entry.get("output")}
    if resource_name:
        pushed = {resource_name: pushed[resource_name]} if resource_name in pushed else {}
    chosen = category(category_name)
    if not pushed or not hasattr(chosen, "describe"):
        return table(pd.DataFrame(columns=["setting", "value"]), f"No pushed {category_name} resource yet: push first.")
    name, entry = next(iter(pushed.items()))
    return table(pd.DataFrame([(setting, str(value)) for setting, value in chosen.describe(project, name, entry)],
                              columns=["setting", "value"]))


def user_pool_table(project: Project) -> pd.DataFrame:
    """The pushed user pool as the Cognito console shows it."""
    return resource_table(project, "auth")


def claims_table(claims: dict) -> pd.DataFrame:
    """A token's claims, one per row; times (exp, iat, auth_time) also in UTC."""
    rows = []
    for name, value in claims.items():
        shown = str(value)
        if name in ("exp", "iat", "auth_time") and isinstance(value, (int, float)):
            shown = f"{value} ({pd.Timestamp(value, unit='s', tz='UTC'):%Y-%m-%d %H:%M:%S} UTC)"
        rows.append((name, shown))
    return pd.DataFrame(rows, columns=["claim", "value"])


def mailbox_table(messages: list[dict]) -> pd.DataFrame:
    """The local mailbox (newest first): where the local cloud delivers Cognito's codes instead of email."""
    columns = ["time", "to", "purpose", "subject", "code", "expires_at"]
    return pd.DataFrame([{name: message.get(name) for name in columns} for message in messages], columns=columns)


def api_requests(api_id: str | None = None, endpoint: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """The local cloud's request inspector (newest first): each request to a local API, the auth decision and
    why, the Lambda's duration, the status and the DynamoDB calls the handler made. Empty when it is not running."""
    from .local import LocalCloud
    from .local.services.apigateway.inspector import COLUMNS, fetch_records, summarize_calls

    cloud = LocalCloud()
    if endpoint is None and not cloud.status()["running"]:
        return pd.DataFrame(columns=COLUMNS)
    rows = fetch_records(endpoint or cloud.settings.endpoint, api_id, limit)
    frame = pd.DataFrame([{**row, "dynamodb": summarize_calls(row.get("dynamodb") or [])} for row in rows],
                         columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def table_items(project: Project, storage_resource: str, **options) -> pd.DataFrame:
    """Every item of a storage resource's table in this env, one row each, with real dtypes (every Scan page)."""
    from .categories.storage import deployed_table_name
    from .dynamodb_items import table_items as scan_items

    return scan_items(project.target(), deployed_table_name(project.root, storage_resource, project.env_name), **options)


def function_logs(project: Project, function_name: str, since_minutes: float | None = 60, limit: int = 1000) -> pd.DataFrame:
    """A function's CloudWatch Logs (/aws/lambda/<name>-<env>), oldest first: START/END/REPORT, its prints and
    errors with their stack trace (the same reading as `amplify-nb logs function NAME`)."""
    import time

    from .project.logs import read_log_lines

    start = None if since_minutes is None else int((time.time() - since_minutes * 60) * 1000)
    lines = read_log_lines(project, function_name, start, limit)
    return pd.DataFrame([(pd.Timestamp(line.timestamp, unit="ms", tz="UTC"), line.stream, line.readable)
                         for line in lines], columns=["time", "stream", "message"])


def invoke_table(result) -> pd.DataFrame:
    """An invoke's outcome as one row: status code, error, duration, and the body (an API proxy answer decoded)."""
    payload = result.payload
    body = payload.get("body") if isinstance(payload, dict) else None
    try:
        body = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        pass
    return pd.DataFrame([{
        "statusCode": payload.get("statusCode") if isinstance(payload, dict) else None,
        "error": result.function_error and (payload or {}).get("errorType"),
        "duration_ms": round(result.duration_ms, 1),
        "body": json.dumps(body if body is not None else payload)[:300],
    }])


ENV_DETAIL_KEYS = ("Region", "DeploymentBucketName", "AuthRoleArn", "UnauthRoleArn")


def env_table(project: Project, details: bool = False, summaries: list | None = None) -> pd.DataFrame:
    """`amplify env list`: one row per env (the current one marked), where it deploys, its root stack, whether it
    was pushed, and its endpoints from its last push; details adds its team-provider-info settings."""
    from .project.envs import list_envs

    summaries = list_envs(project, details=details) if summaries is None else summaries
    rows = []
    for summary in summaries:
        row = {"Env": summary.env, "Current": "*" if summary.current else "", "Target": summary.target,
               "Stack": summary.stack, "Pushed": "yes" if summary.pushed else "no", "Resources": summary.resources,
               "Last push": summary.last_push,
               "Endpoints": "; ".join(f"{label}: {url}" for label, url in summary.endpoints.items())}
        if details:
            row.update({key: summary.details.get(key, "") for key in ENV_DETAIL_KEYS})
        if summary.note:
            row["Note"] = summary.note
        rows.append(row)
    return table(pd.DataFrame(rows), "No environments: run `amplify-nb init` first.")


# --- the console (amplify_nb/console.py gathers, these show) ------------------------------------------------------
def console_envs_table(envs: list) -> pd.DataFrame:
    """The console's first table: one row per project and env, where it deploys, its folder and its endpoints."""
    rows = []
    for env in envs:
        rows.append({"Project": env.project, "Env": env.env, "Current": "*" if env.current else "",
                     "Target": env.target, "Resources": env.resources, "Last push": env.last_push,
                     "Hosting": env.endpoints.get("Hosting endpoint", ""),
                     "API": env.endpoints.get("REST API endpoint", ""), "Folder": env.folder, "Note": env.note})
    frame = pd.DataFrame(rows, columns=["Project", "Env", "Current", "Target", "Resources", "Last push", "Hosting",
                                        "API", "Folder", "Note"])
    if not frame.empty and not frame["Note"].any():
        frame = frame.drop(columns="Note")
    return table(frame, "No Amplify project on this machine's local cloud yet: run `amplify-nb init` first.")


def console_resources_table(rows: list, env=None) -> pd.DataFrame:
    """One env's resources: category, Amplify name, type, cloud name, id/ARN, exists or missing, endpoint."""
    frame = pd.DataFrame([{"Category": row.category, "Resource": row.resource, "Type": row.type, "Cloud name": row.name,
                           "Id / ARN": row.id, "State": row.state, "Endpoint": row.endpoint} for row in rows],
                         columns=["Category", "Resource", "Type", "Cloud name", "Id / ARN", "State", "Endpoint"])
    where = f" of {env.key}" if env is not None else ""
    return table(frame, f"No resources{where}: open the console in a project, or push one first.")


def console_text(view) -> str:
    """The console for a terminal: the envs, then the chosen env's resources, then notes (plain URLs)."""

    parts = ["Projects and envs", str(view.envs_table().to_string(index=False) if view.envs else view.envs_table())]
    if view.env is not None:
        parts += ["", f"Resources of {view.env.key} ({view.env.target})",
                  str(view.resources_table().to_string(index=False) if view.resources else view.resources_table())]
        _, note = view.rendered()
        parts += [f"\n{note}"] if note else []
    return "\n".join(parts + view.notes)


# Ids and ARNs read best left-aligned on one line; a wide table scrolls instead of squeezing its columns.
CONSOLE_STYLE = ("<style>.amplify-nb-console-table {overflow-x: auto; max-width: 100%;} "
                 ".amplify-nb-console-table th, .amplify-nb-console-table td {text-align: left !important; "
                 "white-space: nowrap;} .amplify-nb-console-diagram {overflow-x: auto;}</style>")


def console_html(view) -> str:
    """The console in a notebook: the tables with clickable links, and the diagram as inline SVG."""

    def shown(frame: pd.DataFrame) -> str:
        if frame.empty:
            return f"<p>{html.escape(frame.empty_message)}</p>"
        with pd.option_context("display.max_colwidth", None):
            return ("<div class='amplify-nb-console-table'>"
                    + frame.to_html(index=False, render_links=True, escape=True, border=0) + "</div>")

    parts = ["<div class='amplify-nb-console'>", CONSOLE_STYLE, "<h4>Projects and envs</h4>", shown(view.envs_table())]
    if view.env is not None:
        parts += [f"<h4>Resources of {html.escape(view.env.key)} ({html.escape(view.env.target)})</h4>",
                  shown(view.resources_table())]
        svg, note = view.rendered()
        if svg:
            parts.append(f"<div class='amplify-nb-console-diagram'>{svg[svg.find('<svg'):]}</div>")
        if note:
            parts.append(f"<p>{html.escape(note)}</p>")
    parts += [f"<p>{html.escape(note)}</p>" for note in view.notes]
    return "\n".join(parts + ["</div>"])
