"""The state log's writer: the innermost layer of the daemon's app, directly around moto's server app.

Sitting there, it sees exactly what moto sees: client requests and the ones our middlewares make themselves
(services/cognito.py's forwarded or synthetic calls such as AdminUpdateUserAttributes after ConfirmSignUp).

A request that may change state runs alone (the writing side of a readers-writer lock), right after moto's
random generator is reseeded from the request's index in the log, and is appended to the log once moto has
answered and before the answer leaves: a client that got an answer can count on the change surviving a
restart. Reads run side by side, never during a mutation, so nothing else draws from the generator while a
mutation runs and the ids it makes depend on its index only (persistence.py replays with the same reseeds).

Read or not is decided from the request alone, conservatively (anything unsure is logged):
- /moto-api/* and /_amplify_nb/*: our own endpoints or moto's configuration; never logged. They run alone,
  since /moto-api/seed and /moto-api/reset touch the generator and the state.
- JSON protocol (X-Amz-Target) and query protocol (Action= in the query string or the form body): a read when
  the action's name, less Cognito's "Admin" prefix, starts with Get, List, Describe, Head, Scan, Query or
  BatchGet (GetId excepted: moto stores the identity it makes). Everything else is logged, InitiateAuth
  included (moto stores its refresh tokens).
- REST style (S3, Lambda, API Gateway, CloudFront...): GET, HEAD and OPTIONS are reads, other methods are logged.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from .persistence import StateLog, reseed
from .rwlock import ReadWriteLock

READ, WRITE, INTERNAL = "read", "write", "internal"
READ_ACTION_PREFIXES = ("Get", "List", "Describe", "Head", "Scan", "Query", "BatchGet")
# Named like reads, but moto changes its state: cognito-identity's GetId stores every identity it makes.
STATE_CHANGING_READ_NAMES = frozenset({"GetId"})
INTERNAL_PATH_PREFIXES = ("/moto-api", "/_amplify_nb/")
_READ_METHODS = ("GET", "HEAD", "OPTIONS")
_FORM = "application/x-www-form-urlencoded"


class StateRecorder:
    """WSGI app around moto's: reseeds, serializes and logs state-changing requests; lets reads run together."""

    def __init__(self, moto_app: Callable[..., Iterable[bytes]], state_log: StateLog) -> None:
        # moto's headers view reports S3 metadata headers with their own spelling (x-amz-meta-my_key).
        from moto.core.request import EnvironHeaders

        self.moto_app = moto_app
        self.state_log = state_log
        self.lock = ReadWriteLock()
        self._environ_headers = EnvironHeaders

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        kind = classify(environ)
        if kind == READ:
            with self.lock.reading():
                return self._run(environ, start_response)[1]
        if kind == INTERNAL:
            with self.lock.writing():
                return self._run(environ, start_response)[1]
        body = read_body(environ)
        with self.lock.writing():
            reseed(self.state_log.count)
            status, chunks = self._run(environ, start_response)
            self.state_log.append(environ.get("REQUEST_METHOD", "GET"), request_uri(environ),
                                  list(self._environ_headers(environ)), body, status)
        return chunks

    def _run(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> tuple[int, list[bytes]]:
        """Call moto and read its whole answer, so all of moto's work happens while the lock is held."""
        statuses: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        result = self.moto_app(environ, capture)
        try:
            chunks = list(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(statuses[-1].split(" ", 1)[0]), chunks


def classify(environ: dict[str, Any]) -> str:
    """READ, WRITE or INTERNAL (see the module's docstring)."""
    if environ.get("PATH_INFO", "").startswith(INTERNAL_PATH_PREFIXES):
        return INTERNAL
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


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body; wsgi.input is replaced by a copy so moto (or a second call) reads it again."""
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if stream is None:
        return b""
    if length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked: werkzeug ends the stream at the last chunk
        body = stream.read()
    else:
        return b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def request_uri(environ: dict[str, Any]) -> str:
    """Path and query as the client sent them (not percent-decoded: S3 keys may hold an encoded slash)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        parts = urlsplit(raw)
        if parts.scheme:  # an absolute URI (a proxy-style request line)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return raw
    query = environ.get("QUERY_STRING", "")
    return quote(environ.get("PATH_INFO", "/"), encoding="latin-1") + (f"?{query}" if query else "")
