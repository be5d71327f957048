"""The request log's writer: the innermost layer of the daemon's app, directly around moto's server app.

Sitting there, it sees exactly what moto sees: client requests and the ones our services make themselves
(services/cognito.py's forwarded or synthetic calls such as AdminUpdateUserAttributes after ConfirmSignUp).

A request that may change state holds the writing side of the cloud's lock, right after moto's random
generator is reseeded from the request's index in the log, and is appended to the log once moto has answered
and before the answer leaves: a client that got an answer can count on the change surviving a restart. Reads
hold the reading side, side by side, never during a change, so nothing else draws from the generator while a
change runs and the ids it makes depend on its index only (persistence.py replays with the same reseeds).

Read or not is decided from the request alone, conservatively (anything unsure is logged):
- /moto-api/* and /_amplify_nb/*: our own endpoints or moto's configuration; never logged. They run alone,
  since /moto-api/seed and /moto-api/reset touch the generator and the state.
- the UNLOGGED_PATHS of our services (middleware.py): answered by a service, never logged; read-locked if one
  reaches moto.
- JSON protocol (X-Amz-Target) and query protocol (Action= in the query string or the form body): a read when
  the action's name, less Cognito's "Admin" prefix, starts with Get, List, Describe, Head, Scan, Query or
  BatchGet (GetId excepted: moto stores the identity it makes). Everything else is logged, InitiateAuth
  included (moto stores its refresh tokens).
- REST style (S3, Lambda, API Gateway, CloudFront...): GET, HEAD and OPTIONS are reads, other methods are logged.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs

from .rwlock import ReadWriteLock
from .statelog import StateLog
from .wsgi import call_app, read_body, request_uri

READ, WRITE, INTERNAL = "read", "write", "internal"
READ_ACTION_PREFIXES = ("Get", "List", "Describe", "Head", "Scan", "Query", "BatchGet")
# Named like reads, but moto changes its state: cognito-identity's GetId stores every identity it makes.
STATE_CHANGING_READ_NAMES = frozenset({"GetId"})
INTERNAL_PATH_PREFIXES = ("/moto-api", "/_amplify_nb/")
_READ_METHODS = ("GET", "HEAD", "OPTIONS")
_FORM = "application/x-www-form-urlencoded"


class StateRecorder:
    """WSGI app around moto's: reseeds, serializes and logs state-changing requests; lets reads run together."""

    def __init__(self, moto_app: Callable[..., Iterable[bytes]], state_log: StateLog, lock: ReadWriteLock,
                 unlogged: Sequence[str | re.Pattern[str]] = (), after_logged: Callable[[], None] | None = None,
                 reseed: Callable[[int], None] | None = None) -> None:
        # moto's headers view reports S3 metadata headers with their own spelling (x-amz-meta-my_key).
        from moto.core.request import EnvironHeaders

        from .persistence import reseed as reseed_moto

        self.moto_app = moto_app
        self.state_log = state_log
        self.lock = lock
        self.unlogged = tuple(unlogged)
        self.after_logged = after_logged or (lambda: None)
        self.reseed = reseed or reseed_moto
        self._environ_headers = EnvironHeaders

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        kind = classify(environ, self.unlogged)
        if kind == READ:
            with self.lock.reading():
                answer = call_app(self.moto_app, environ)
            return answer.send(start_response)
        if kind == INTERNAL:
            with self.lock.writing():
                answer = call_app(self.moto_app, environ)
            return answer.send(start_response)
        body = read_body(environ)
        with self.lock.writing():
            self.reseed(self.state_log.count)
            answer = call_app(self.moto_app, environ, body)
            self.state_log.append(environ.get("REQUEST_METHOD", "GET"), request_uri(environ),
                                  list(self._environ_headers(environ)), body, answer.status)
            self.after_logged()
        return answer.send(start_response)


def classify(environ: dict[str, Any], unlogged: Sequence[str | re.Pattern[str]] = ()) -> str:
    """READ, WRITE or INTERNAL (see the module's docstring)."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(INTERNAL_PATH_PREFIXES):
        return INTERNAL
    for pattern in unlogged:
        if (path.startswith(pattern) if isinstance(pattern, str) else pattern.match(path)):
            return READ
    action = _action(environ)
    if action is not None:
        name = action.removeprefix("Admin")  # AdminGetUser reads like GetUser; AdminInitiateAuth is logged
        is_read = name.startswith(READ_ACTION_PREFIXES) and name not in STATE_CHANGING_READ_NAMES
        return READ if is_read else WRITE
    return READ if environ.get("REQUEST_METHOD", "GET").upper() in _READ_METHODS else WRITE


def _action(environ: dict[str, Any]) -> str | None:
    """The operation of a JSON- or query-protocol request; None for a REST-style one."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    actions = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not actions and environ.get("CONTENT_TYPE", "").startswith(_FORM):
        actions = parse_qs(read_body(environ).decode("latin-1")).get("Action")
    return actions[0] if actions else None
