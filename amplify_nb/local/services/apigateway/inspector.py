"""The request inspector: the last requests to each local API, what the gateway decided and why.

Each record holds the time, method, path, resource, caller (an identity or user, never a credential), the auth
decision and its reason, the Lambda's duration, the status, and the DynamoDB calls the handler made while it
ran. Calls are attributed by access key: every Lambda worker signs with a key of its own, and a call signed with
the key of a worker running an API request belongs to that request. No token, signature, secret or body is
ever stored. Kept in memory (the newest 500 per API), served at GET /_amplify_nb/apis/requests.
"""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

REQUESTS_PATH = "/_amplify_nb/apis/requests"
KEEP_PER_API = 500


@dataclass
class RequestRecord:
    api_id: str
    stage: str
    method: str
    path: str
    request_id: str
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="milliseconds"))
    resource: str | None = None
    auth_type: str | None = None
    caller: str | None = None
    decision: str = "pending"  # allowed | denied | not found | no auth
    reason: str = ""
    function: str | None = None
    lambda_ms: float | None = None
    status: int | None = None
    total_ms: float | None = None
    dynamodb: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RequestInspector:
    def __init__(self, keep: int = KEEP_PER_API) -> None:
        self.keep = keep
        self._records: dict[str, deque[RequestRecord]] = {}
        self._running: dict[int, tuple[Any, RequestRecord]] = {}  # invocations of API requests, while they run
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.setdefault(record.api_id, deque(maxlen=self.keep)).append(record)

    def track(self, invocation: Any, record: RequestRecord) -> None:
        """While `invocation` runs, calls signed with its worker's key (set once a worker takes it) are the record's."""
        with self._lock:
            self._running[id(invocation)] = (invocation, record)

    @property
    def has_running(self) -> bool:
        return bool(self._running)

    def untrack(self, invocation: Any) -> None:
        with self._lock:
            self._running.pop(id(invocation), None)

    def attribute(self, access_key: str, call: dict[str, Any]) -> bool:
        """Add a DynamoDB call to the request whose worker signed it; False when no API request runs it."""
        with self._lock:
            for invocation, record in self._running.values():
                if invocation.worker_access_key == access_key:
                    record.dynamodb.append(call)
                    return True
        return False

    def records(self, api_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first, of one API or of all."""
        with self._lock:
            chosen = [r for key, queue in self._records.items() if api_id in (None, key) for r in queue]
            rows = [r.to_json() for r in chosen]
        rows.sort(key=lambda row: row["time"], reverse=True)
        return rows[:limit] if limit else rows


def fetch_records(endpoint: str, api_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The inspector's records from a running local cloud, newest first (what `local requests` shows)."""
    import json
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({k: v for k, v in (("api", api_id), ("limit", limit)) if v})
    with urllib.request.urlopen(f"{endpoint.rstrip('/')}{REQUESTS_PATH}" + (f"?{query}" if query else ""),
                                timeout=10) as answer:
        return json.loads(answer.read())


COLUMNS = ["time", "api_id", "stage", "method", "path", "resource", "status", "auth_type", "decision", "reason",
           "caller", "function", "lambda_ms", "total_ms", "dynamodb"]


def summarize_calls(calls: list[dict[str, Any]]) -> str:
    """`PutItem beer-dev 200, Scan beer-dev 200`: a record's DynamoDB calls on one line."""
    return ", ".join(f"{c.get('operation')} {c.get('table') or ''} {c.get('status') or ''}".replace("  ", " ").strip()
                     for c in calls)
