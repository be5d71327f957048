"""The plug-in point of the local cloud: services as WSGI middlewares in front of moto, and the contract they keep.

moto leaves gaps (confirmation codes never checked, no Lambda runtime, no API Gateway data plane, no website
hosting). Each gap is filled by a service: a middleware that looks at a request and either answers it itself
or passes it on to the next one, moto being the last.

The contract a service follows
------------------------------
1. Registering. A module of amplify_nb/local/services/ (the daemon imports them all) appends its factory, a
   callable taking the ServerContext, to MIDDLEWARES. The daemon builds one instance per factory at start.
2. Order. `ORDER` (an int, default 500) places it: lower runs first (outermost). Ties keep the order of
   registration. The health endpoint is 0, the state endpoints 10, hosting 200, cognito 300; a data plane
   (API Gateway, Lambda) belongs between 400 and 600, the fast DynamoDB and S3 reads are 900 (last, next to moto).
3. Never logged. `UNLOGGED_PATHS` (path prefixes or compiled regexes) lists what the service answers itself
   (a Lambda Invoke, a hosted page): those requests are never written to the state log, even if one reaches
   moto. Anything else that reaches moto and may change state is logged and replayed at start; a service's own
   calls to moto go through `call_app(next_app, ...)` and are logged like a client's.
4. Lock. Every read of moto's in-process objects happens inside `context.lock.reading()` (reentrant), so a
   request never sees a half-applied write. Never hold it while waiting for anything that may itself need the
   lock (a call to moto, a worker process writing through the public port): `call_app(..., lock=context.lock)`
   releases it for the call, and asking for the writing side while reading raises LockOrderError instead of
   hanging.
5. Restored. `on_restored()` runs once the state is back (snapshot loaded, log tail replayed) and before the
   public port is served: the place to look at moto's state (which sites still exist) and to start servers.
   Requests reach `__call__` only after it.
6. Its own state. A service that keeps state moto does not keep writes it under `context.state_dir(NAME)`
   with amplify_nb/fileio.py (atomic files), so a kill -9 leaves the old file or the new one;
   `amplify-nb local reset` deletes that folder with the rest.
7. Helpers (wsgi.py): read_body, call_app, Answer, json_response, cors_headers, preflight, loopback_server.

A service in ten lines (GET /_amplify_nb/tables lists the DynamoDB tables)::

    from moto.dynamodb.models import dynamodb_backends
    from ..middleware import MIDDLEWARES, Middleware
    from ..wsgi import json_response

    class TableList(Middleware):
        ORDER = 450
        UNLOGGED_PATHS = ("/_amplify_nb/tables",)

        def __call__(self, environ, start_response, next_app):
            if environ["PATH_INFO"] != "/_amplify_nb/tables":
                return next_app(environ, start_response)    # not ours: on to moto
            with self.context.lock.reading():               # moto's objects, never half-written
                names = sorted(dynamodb_backends["123456789012"]["us-east-1"].tables)
            return json_response(start_response, 200, {"tables": names})

    MIDDLEWARES.append(TableList)

A service that must call moto (or wait for a worker that does) while serving uses
`call_app(next_app, environ, body, lock=self.context.lock)`: it gets an Answer back and holds no lock meanwhile.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .rwlock import ReadWriteLock
from .settings import LocalSettings
from .wsgi import WSGIApp, json_response

SERVICE_NAME = "amplify-nb-local"
HEALTH_PATH = "/_amplify_nb/health"
DEFAULT_ORDER = 500


@dataclass(frozen=True)
class ServerContext:
    """What a service may need to know about the daemon it runs in."""

    settings: LocalSettings
    pid: int
    started_at: str
    lock: ReadWriteLock

    def state_dir(self, name: str) -> Path:
        """The folder a service keeps its own files in (made on demand; emptied by `local reset`)."""
        folder = self.settings.state_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder


class Middleware:
    """Answers a request or passes it on; this base class passes everything on."""

    ORDER: int = DEFAULT_ORDER
    UNLOGGED_PATHS: tuple[str | re.Pattern[str], ...] = ()

    def __init__(self, context: ServerContext) -> None:
        self.context = context

    def on_restored(self) -> None:
        """Called once, when the state is restored and before the public port is served."""

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp
    ) -> Iterable[bytes]:
        return next_app(environ, start_response)


MiddlewareFactory = Callable[[ServerContext], Middleware]


class HealthMiddleware(Middleware):
    """GET /_amplify_nb/health: tells our daemon (and which state dir it serves) from another program on the port."""

    ORDER = 0
    UNLOGGED_PATHS = (HEALTH_PATH,)

    def __init__(self, context: ServerContext) -> None:
        super().__init__(context)
        self.payload = {
            "service": SERVICE_NAME,
            "pid": context.pid,
            "port": context.settings.port,
            "state_dir": str(context.settings.state_dir),
            "started_at": context.started_at,
        }

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return json_response(start_response, 200, self.payload)
        return next_app(environ, start_response)


# Registration order; build_app sorts by ORDER. A service module appends its factory: MIDDLEWARES.append(X).
MIDDLEWARES: list[MiddlewareFactory] = [HealthMiddleware]


def ordered(middlewares: Iterable[Middleware]) -> list[Middleware]:
    """Outermost first: by ORDER, ties in registration order."""
    return sorted(middlewares, key=lambda middleware: getattr(middleware, "ORDER", DEFAULT_ORDER))


def unlogged_paths(middlewares: Iterable[Middleware]) -> list[str | re.Pattern[str]]:
    return [path for middleware in middlewares for path in getattr(middleware, "UNLOGGED_PATHS", ())]


def build_app(moto_app: WSGIApp, middlewares: Iterable[Middleware]) -> WSGIApp:
    """Chain the middlewares (ordered, first = outermost) in front of moto's app into one WSGI app."""
    app = moto_app
    for middleware in reversed(ordered(middlewares)):
        app = partial(middleware, next_app=app)
    return app
