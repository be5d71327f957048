"""The plug-in point of the local cloud: WSGI middlewares in front of moto's server app.

moto leaves gaps (confirmation codes never checked, no Lambda runtime, no API Gateway data plane, no website
hosting). Each gap is filled by a middleware that looks at a request and either answers it itself or passes it
on to the next one, moto being the last. A module of amplify_nb/local/services/ (imported by the daemon) adds
its middleware by appending a factory to `MIDDLEWARES`; the daemon builds one instance per factory at start.

Innermost, directly around moto, the daemon puts recorder.py's StateRecorder: every request that reaches moto,
a middleware's own calls included, is logged there if it changes state. Middlewares see only live traffic: the
log replayed at start goes straight to moto (see persistence.py), so a middleware that keeps state of its own
must persist it itself.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .settings import LocalSettings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

SERVICE_NAME = "amplify-nb-local"
HEALTH_PATH = "/_amplify_nb/health"


@dataclass(frozen=True)
class ServerContext:
    """What a middleware may need to know about the daemon it runs in."""

    settings: LocalSettings
    pid: int
    started_at: str


class Middleware:
    """Answers a request or passes it on; this base class passes everything on."""

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp
    ) -> Iterable[bytes]:
        return next_app(environ, start_response)


MiddlewareFactory = Callable[[ServerContext], Middleware]


def json_response(start_response: Callable[..., Any], status: str, payload: Any) -> list[bytes]:
    """Answer a request with a JSON body, the way every local-cloud-only endpoint answers."""
    body = json.dumps(payload).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class HealthMiddleware(Middleware):
    """GET /_amplify_nb/health: tells our daemon (and which state dir it serves) from another program on the port."""

    def __init__(self, context: ServerContext) -> None:
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
            return json_response(start_response, "200 OK", self.payload)
        return next_app(environ, start_response)


# Outermost first. A later module appends its factory, e.g. MIDDLEWARES.append(CognitoCodes).
MIDDLEWARES: list[MiddlewareFactory] = [HealthMiddleware]


def build_app(moto_app: WSGIApp, middlewares: Iterable[Middleware]) -> WSGIApp:
    """Chain the middlewares (first = outermost) in front of moto's app into one WSGI app."""
    app = moto_app
    for middleware in reversed(list(middlewares)):
        app = partial(middleware, next_app=app)
    return app
