"""Mock stages: a project's unpushed API, registered with the daemon by `amplify-nb mock api`.

Why in the daemon and not in the CLI's own server: a mock must enforce auth exactly as the pushed API does, and
what that needs lives here (the state dir's token key and JWKS, the identity-pool credentials the local cloud
issued, moto's users, pools and roles under the cloud's lock). Served through the same routing -> auth ->
integration path as a deployed stage, only the StageView comes from the project's files (POSTed here) and its
integrations run the functions' local folders on warm workers, renewed as soon as a file under src/ (or a
setting) changes, so each request runs the code as it is now at a warm invoke's cost. Mocks live in memory:
DELETE, or a restart of the daemon, drops them; nothing is written to the state log. With a "port" (0: any free
one) the mock is also served at the root of its own loopback port, `http://127.0.0.1:<port>/<stage>/<path>`, the
shape of API Gateway's invoke URL.

    POST   /_amplify_nb/apis/mock                 {"name", "stage", "account_id", "region", "parts", "functions",
                                                  "role_policies", "port"?} -> 201 {"api_id", "stage", "port"}
                                                  (409 when the port is taken)
    DELETE /_amplify_nb/apis/mock/<api id>/<stage> -> 204 (404 when no such mock)
    GET    /_amplify_nb/apis/mock                 -> 200 [{"api_id", "stage", "name"}]

Registering runs code in the daemon, so it is refused to a browser page (any request with an Origin header) and
only a project's function folders are run.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ....functions.build import source_digest
from ....lambda_runtime import Credentials, FunctionConfig, WorkerPool
from ...settings import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from ...wsgi import WSGIApp, loopback_server
from .models import LocalFunction, StageView, parts_from_json

log = logging.getLogger("amplify_nb.local.apigateway")

MOCK_PATH = "/_amplify_nb/apis/mock"
MOCK_PATHS = re.compile(r"^/_amplify_nb/apis/mock(/[^/]+/[^/]+)?/?$")
MOCK_PREFIX = "mock-"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class MockError(ValueError):
    """A mock description the daemon cannot serve (answered 400 with this message)."""


def mock_api_id(name: str) -> str:
    """The id a mock of API `name` is served under (`/restapis/mock-<name>/<env>/_user_request_`)."""
    return f"{MOCK_PREFIX}{name}"


def check_function(function: LocalFunction) -> None:
    """A mock runs code from disk in the daemon: only a project's function folder (amplify/backend/function/<name>/
    src holding the handler's module), never any folder a caller names."""
    folder = Path(function.code_dir)
    module = function.handler.rsplit(".", 1)[0].replace(".", "/")
    if not (folder.is_absolute() and folder.name == "src" and folder.parent.parent.name == "function"
            and folder.parent.parent.parent.name == "backend" and (folder / f"{module}.py").is_file()):
        raise MockError(f"{function.code_dir} is not a project's function folder holding {module}.py")


def stage_from_description(data: dict[str, Any]) -> StageView:
    """The StageView a POSTed mock description asks for (MockError when it is not one)."""
    try:
        name, stage = str(data["name"]), str(data["stage"])
        if not _NAME.match(name) or not _NAME.match(stage):
            raise MockError(f"bad mock name or stage: {name!r}, {stage!r}")
        parts = parts_from_json(data["parts"])
        functions = {str(arn): LocalFunction(**entry) for arn, entry in (data.get("functions") or {}).items()}
        for function in functions.values():
            check_function(function)
        return StageView(mock_api_id(name), name, stage, f"mock-{stage}", str(data["account_id"]),
                         str(data["region"]), parts["resources"], parts["authorizers"], parts["gateway_responses"],
                         parts["binary_media_types"], {}, functions, dict(data.get("role_policies") or {}))
    except MockError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MockError(f"not a mock API description: {exc!r}") from None


class MockStages:
    """The mock stages being served, by (api id, stage), the own ports of those that asked for one, and the warm
    workers of their functions."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._stages: dict[tuple[str, str], StageView] = {}
        self._servers: dict[tuple[str, str], Any] = {}
        self._pools: dict[str, WorkerPool] = {}  # by code folder
        self._lock = threading.Lock()

    def pool_for(self, function: LocalFunction, account_id: str) -> WorkerPool:
        """Warm workers of the folder as it is now: a new pool (the old one closed) when its content or the
        function's settings changed since the last request. Each worker signs with its own key (the inspector)."""
        config = FunctionConfig(
            name=function.name, handler=function.handler, code_dir=Path(function.code_dir), runtime=function.runtime,
            timeout=function.timeout, memory_mb=function.memory, environment=dict(function.environment),
            region=function.environment.get("REGION", "us-east-1"), account_id=account_id,
            code_sha256=source_digest(Path(function.code_dir), function.runtime), endpoint_url=self.endpoint,
            credentials=Credentials(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, "local"), worker_keys=True)
        with self._lock:
            old = self._pools.get(function.code_dir)
            if old is not None and old.config == config:
                return old
            pool = self._pools[function.code_dir] = WorkerPool(config)
        if old is not None:
            old.close()
        return pool

    def register(self, data: dict[str, Any], port_app: Callable[[str], WSGIApp]) -> tuple[StageView, int | None]:
        """Serve the described stage (replacing a mock of the same API and stage); `port_app(api id)` is the WSGI
        app of its own port, when the description asks for one (OSError: the port is taken)."""
        stage = stage_from_description(data)
        key = (stage.api_id, stage.stage)
        self._close(key)
        server = None
        if data.get("port") is not None:
            server = loopback_server(int(data["port"]), port_app(stage.api_id))
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True,
                             name=f"mock-{stage.api_id}").start()
            log.info("Serving mock API %s at http://127.0.0.1:%s/%s", stage.api_id, server.server_port, stage.stage)
        with self._lock:
            self._stages[key] = stage
            if server is not None:
                self._servers[key] = server
        return stage, server.server_port if server is not None else None

    def drop(self, api_id: str, stage: str) -> bool:
        self._close((api_id, stage))
        with self._lock:
            dropped = self._stages.pop((api_id, stage), None)
            used = {f.code_dir for s in self._stages.values() for f in s.local_functions.values()}
            pools = [self._pools.pop(f.code_dir) for f in (dropped.local_functions.values() if dropped else ())
                     if f.code_dir in self._pools and f.code_dir not in used]
        for pool in pools:
            pool.close()
        return dropped is not None

    def _close(self, key: tuple[str, str]) -> None:
        with self._lock:
            server = self._servers.pop(key, None)
        if server is not None:
            server.shutdown()
            server.server_close()

    def get(self, api_id: str, stage: str) -> StageView | None:
        if not api_id.startswith(MOCK_PREFIX):
            return None
        with self._lock:
            return self._stages.get((api_id, stage))

    def listing(self) -> list[dict[str, str]]:
        with self._lock:
            return [{"api_id": s.api_id, "stage": s.stage, "name": s.api_name} for s in self._stages.values()]
