"""Run a function's code folder once, as Lambda would, without deploying it (`amplify-nb mock function`).

The same worker as the local cloud's deployed functions (the runtime client on a Runtime API), so the event,
context, environment, error payloads, timeout and log lines are those of a deployed invoke. Pointed at the local
cloud's endpoint, the handler's boto3 calls reach the local cloud's tables (Amplify's own mock cannot).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .config import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_SECONDS,
    SUPPORTED_RUNTIME_PREFIX,
    Credentials,
    FunctionConfig,
    default_runtime,
)
from .output import LogLine
from .pool import WorkerPool

MAX_TIMEOUT_SECONDS = 900
MEMORY_RANGE_MB = (128, 10240)
LOCAL_CREDENTIALS = Credentials("local", "local", "local")


@dataclass(frozen=True)
class InvokeResult:
    """An invoke's answer: the payload (decoded JSON), Lambda's FunctionError ("Unhandled" or None) and its log."""

    payload: Any
    raw_payload: bytes
    function_error: str | None
    logs: str
    duration_ms: float
    request_id: str
    log_lines: tuple[LogLine, ...] = ()
    timed_out: bool = False

    @property
    def error_type(self) -> str | None:
        if not self.function_error or not isinstance(self.payload, dict):
            return None
        return self.payload.get("errorType")


def event_bytes(event: Any) -> bytes:
    """bytes are taken as the JSON text of the event (checked); anything else is a JSON value to serialise."""
    if isinstance(event, (bytes, bytearray)):
        text = bytes(event)
        try:
            json.loads(text or b"{}")
        except ValueError as exc:
            raise InputError([Problem("event", f"The event is not JSON: {exc}")]) from None
        return text or b"{}"
    try:
        return json.dumps({} if event is None else event).encode()
    except (TypeError, ValueError) as exc:
        raise InputError([Problem("event", f"The event cannot be sent as JSON: {exc}")]) from None


def invoke_local(
    code_dir: str | Path,
    handler: str,
    event: Any = None,
    *,
    name: str | None = None,
    runtime: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    memory: int = DEFAULT_MEMORY_MB,
    environment: Mapping[str, str] | None = None,
    endpoint: str | None = None,
    region: str = "us-east-1",
    credentials: Credentials = LOCAL_CREDENTIALS,
) -> InvokeResult:
    """Invoke `handler` (module.function) of the code in `code_dir` with `event`, in a fresh worker, and wait.

    `endpoint` (e.g. the local cloud's http://127.0.0.1:4710) becomes the handler's AWS_ENDPOINT_URL; the
    function's name defaults to the folder's parent's name (amplify/backend/function/<name>/src).
    Bad arguments raise InputError before anything runs.
    """
    folder = Path(code_dir).expanduser().resolve()
    problems = []
    if not folder.is_dir():
        problems.append(Problem("code_dir", f"The function's code folder {folder} does not exist."))
    if "." not in handler:
        problems.append(Problem("handler", f"The handler {handler!r} must be module.function, e.g. index.handler."))
    runtime = runtime or default_runtime()
    if not runtime.startswith(SUPPORTED_RUNTIME_PREFIX):
        problems.append(Problem("runtime", f"Only Python functions run locally; {runtime!r} is not a Python runtime."))
    if not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
        problems.append(Problem("timeout", f"The timeout must be between 1 and {MAX_TIMEOUT_SECONDS} seconds."))
    if not MEMORY_RANGE_MB[0] <= memory <= MEMORY_RANGE_MB[1]:
        problems.append(Problem("memory", f"The memory must be between {MEMORY_RANGE_MB[0]} and {MEMORY_RANGE_MB[1]} MB."))
    if problems:
        raise InputError(problems)
    payload = event_bytes(event)
    config = FunctionConfig(
        name=name or (folder.parent.name if folder.name == "src" else folder.name), handler=handler,
        code_dir=folder, runtime=runtime, timeout=timeout, memory_mb=memory,
        environment={str(k): str(v) for k, v in (environment or {}).items()}, region=region,
        endpoint_url=endpoint, credentials=credentials,
    )
    pool = WorkerPool(config, max_workers=1)
    try:
        outcome = pool.invoke(payload)
    finally:
        pool.close()
    try:
        decoded: Any = json.loads(outcome.payload) if outcome.payload else None
    except ValueError:
        decoded = outcome.payload
    return InvokeResult(decoded, outcome.payload, outcome.function_error, outcome.log_text, outcome.duration_ms,
                        outcome.request_id, tuple(outcome.log_lines), outcome.timed_out)
