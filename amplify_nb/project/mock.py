"""`amplify-nb mock function NAME`: run a function's unpushed src/ the way the local Lambda runtime runs it,
with the environment the push would give it, against the local cloud's tables (Amplify's own mock cannot
reach a local table)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..categories.function import PARAMETERS, TABLE_ATTRIBUTES
from ..categories.storage import deployed_table_name
from ..deploy.rules.dynamodb import table_arn
from ..errors import InputError
from ..fileio import read_json
from ..functions.environment import function_environment
from ..lambda_runtime import InvokeResult, invoke_local
from ..specs import FunctionSpec
from .project import Project

DEFAULT_MOCK_TIMEOUT = 10  # seconds, as `amplify mock function`


def load_event(path: str | Path | None) -> Any:
    """The event file's JSON ({} without one, as Amplify's default event)."""
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"Cannot read the event file {path}: {exc}") from None


def mock_environment(project: Project, name: str, saved: dict) -> dict:
    """ENV, REGION and STORAGE_<RES>_* as push sets them, with the values of this env's tables."""
    target, env = project.target(), project.env_name
    dynamodb = target.client("dynamodb")
    tables = {}
    for resource in saved.get("permissions", {}).get("storage", {}):
        table = deployed_table_name(project.root, resource, env)
        try:
            stream = dynamodb.describe_table(TableName=table)["Table"].get("LatestStreamArn", "")
        except dynamodb.exceptions.ResourceNotFoundException:
            stream = ""
        tables[resource] = dict(zip(TABLE_ATTRIBUTES, (table, table_arn(target.region, target.account_id, table), stream)))
    return function_environment(env, target.region, {"storage": tables}, extra=saved.get("environment"))


def mock_function(project: Project, name: str, event: Any = None, timeout: float | None = None) -> InvokeResult:
    folder = project.paths.resource_dir("function", name)
    saved = read_json(folder / PARAMETERS, None)
    if name not in project.backend_config().get("function", {}) or not saved:
        known = ", ".join(project.backend_config().get("function", {})) or "none"
        raise InputError(f"This project has no function {name!r} (functions: {known}).")
    target = project.target()
    if not target.is_local:
        raise InputError("mock function runs against the local cloud: configure this env with --target local, "
                         "or invoke the pushed function on its cloud.")
    runtime = FunctionSpec.from_answers({"name": name, "runtime": saved["runtime"]}).lambda_runtime
    return invoke_local(folder / "src", "index.handler", {} if event is None else event, name=f"{name}-{project.env_name}",
                        runtime=runtime, timeout=timeout or DEFAULT_MOCK_TIMEOUT, memory=saved.get("memory", 128),
                        environment=mock_environment(project, name, saved), endpoint=target.endpoint(),
                        region=target.region)
