"""The WSGI helpers every part of the local cloud shares: one of each, so no two copies drift apart.

read_body       the whole request body, left in place for the next reader (moto, a second call)
call_app        call a WSGI app (moto, or the rest of the middleware chain) and capture its Answer, holding no
                read lock meanwhile (a service calling back into the cloud cannot deadlock)
Answer          a captured or composed response: status, headers, body; .send(start_response)
json_response   answer with a JSON body
cors_headers / preflight   what a page served from another local origin needs to call the cloud
request_uri     path and query as the client sent them
loopback_server a threaded werkzeug server on 127.0.0.1: kept-alive connections, small answers sent at once,
                one cheap log line per request
"""
from __future__ import annotations

import errno
import io
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from .rwlock import ReadWriteLock

# The request headers as the client wrote them (name casing, repeats), for services that must pass them on.
RAW_HEADERS = "amplify_nb.raw_headers"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body; wsgi.input is replaced by a copy so moto (or a second call) reads it again."""
    cached = environ.get("amplify_nb.body")
    if cached is not None:
        return cached
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if stream is None:
        body = b""
    elif length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked: werkzeug ends the stream at the last chunk
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["amplify_nb.body"] = body
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


@dataclass
class Answer:
    """A response held before it is sent, so it can be checked or changed."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    @property
    def error_type(self) -> str:
        """The AWS error code of a JSON-protocol answer ("" when there is none)."""
        named = self.header("x-amzn-ErrorType")
        if named:
            return named.split(":")[0]
        try:
            return str(json.loads(self.body).get("__type", "")).split("#")[-1]
        except (ValueError, AttributeError):
            return ""

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}

    def send(self, start_response: Callable[..., Any], head_only: bool = False) -> list[bytes]:
        start_response(status_line(self.status), with_length(self.status, self.headers, self.body))
        return [b"" if head_only else self.body]


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def with_length(status: int, headers: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """The headers with one Content-Length, the body's (a HEAD answer keeps the length of what GET would send).

    A 204 has none, as HTTP wants and moto sends (a DeleteObject answer)."""
    if status == 204:
        return list(headers)
    if any(name.lower() == "content-length" for name, _ in headers) and not body:
        return list(headers)
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    return kept + [("Content-Length", str(len(body)))]


def json_response(start_response: Callable[..., Any], status: str | int, payload: Any,
                  headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    """Answer with a JSON body, the way every local-cloud-only endpoint answers."""
    code = status if isinstance(status, int) else int(status.split(" ", 1)[0])
    body = json.dumps(payload).encode("utf-8")
    return Answer(code, [("Content-Type", "application/json"), *(headers or [])], body).send(start_response)


def call_app(app: WSGIApp, environ: dict[str, Any], body: bytes | None = None, *, lock: ReadWriteLock | None = None,
             overrides: dict[str, Any] | None = None) -> Answer:
    """Call `app` with a copy of the request (another body, other environ keys) and capture its whole answer.

    With `lock`, this thread's reads of the cloud's state are released for the call: the app may need the
    writing side (a logged change), and a thread waiting for itself would never wake.
    """
    body = read_body(environ) if body is None else body
    forwarded = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                                 "amplify_nb.body": body})
    forwarded.pop("HTTP_TRANSFER_ENCODING", None)
    forwarded.update(overrides or {})
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured.update(status=status, headers=list(headers))
        return chunks.append

    if lock is None:
        return _run(app, forwarded, capture, captured, chunks)
    with lock.released():
        return _run(app, forwarded, capture, captured, chunks)


def _run(app: WSGIApp, environ: dict[str, Any], capture: Callable[..., Any], captured: dict[str, Any],
         chunks: list[bytes]) -> Answer:
    result = app(environ, capture)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status = int(str(captured.get("status", "500")).split(" ", 1)[0])
    return Answer(status, captured.get("headers", []), b"".join(chunks))


EXPOSED_AWS_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"


def cors_headers(environ: dict[str, Any], expose: str = EXPOSED_AWS_HEADERS) -> list[tuple[str, str]]:
    """Let the page that sent this request (any local origin) read the answer."""
    return [("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN") or "*"), ("Vary", "Origin"),
            ("Access-Control-Expose-Headers", expose)]


def preflight(environ: dict[str, Any], start_response: Callable[..., Any], methods: str = "POST, OPTIONS") -> list[bytes]:
    """The answer to a browser's CORS preflight (OPTIONS): the methods and the headers it asked for."""
    headers = cors_headers(environ) + [
        ("Access-Control-Allow-Methods", methods),
        ("Access-Control-Allow-Headers", environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")),
        ("Access-Control-Max-Age", "600"),
    ]
    return Answer(200, headers).send(start_response)


class _Drained:
    """A request stream already read to its end: readable at once (an empty pipe whose writer is closed), and empty."""

    def __init__(self) -> None:
        self._read_end, write_end = os.pipe()
        os.close(write_end)

    def fileno(self) -> int:
        return self._read_end

    def read(self, size: int = -1) -> bytes:
        return b""


_DRAINED = _Drained()
_CONTROL_CHARACTERS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}


class _EverySecond:
    """A text that depends on the current second only, made once per second."""

    def __init__(self, make: Callable[[float], str]) -> None:
        self.make = make
        self.second = -1
        self.text = ""

    def __call__(self, now: float) -> str:
        second = int(now)
        if second != self.second:
            self.text, self.second = self.make(second), second
        return self.text


_LOG_TIME = _EverySecond(lambda second: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)))
_HTTP_DATE = _EverySecond(lambda second: formatdate(second, usegmt=True))
_REQUEST_LOGGER = logging.getLogger("werkzeug")


def log_request_line(request_line: str, code: Any, size: Any) -> None:
    """The daemon log's line for one request, written straight to stderr (the log file), formatted as the logging
    module formats the rest. werkzeug's own line goes through a log record, the formatter and the handler's lock,
    and decodes the path first: a tenth of the server's time for a small request."""
    if not _REQUEST_LOGGER.isEnabledFor(logging.INFO):
        return
    now = time.time()
    line = request_line.translate(_CONTROL_CHARACTERS)
    sys.stderr.write(f"{_LOG_TIME(now)},{int(now % 1 * 1000):03d} INFO werkzeug: \"{line}\" {code} {size}\n")


IDLE_CONNECTION_SECONDS = 60  # a kept-alive connection nobody uses for this long is closed (its thread ends)


def loopback_server(port: int, app: WSGIApp, handler_class: type | None = None) -> Any:
    """A threaded werkzeug server on 127.0.0.1 that keeps connections alive and sends small packets at once.

    Keep-alive: werkzeug answers every request with "Connection: close" (http.server cannot skip a body the app
    left unread), so each request cost a TCP connection and a thread on both sides: a third of the server's
    time for a small S3 request. Here the whole body is read before the app runs, so the next request always
    starts where this one ended, and the connection stays open unless the client asks to close it.
    TCP_NODELAY: without it, http.server writes headers and body in two sends, and Nagle's algorithm plus the
    client's delayed ACK add ~44 ms to every request. Each request's log line is written by log_request_line and
    the Date header is made once a second. A taken port raises OSError.
    """
    from werkzeug.serving import WSGIRequestHandler, make_server

    base = handler_class or WSGIRequestHandler

    class KeepAliveRequestHandler(base):  # type: ignore[misc, valid-type]
        timeout = IDLE_CONNECTION_SECONDS

        def setup(self) -> None:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().setup()

        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            environ[RAW_HEADERS] = list(self.headers.items())  # names as sent, repeated headers kept apart
            read_body(environ)  # off the socket now, whatever the app reads of it
            # werkzeug drains the socket after each answer (it expects to close it), which would swallow the
            # next request; it finds an empty stand-in instead, until run_wsgi ends.
            self.connection, self.rfile = _DRAINED, _DRAINED
            return environ

        def run_wsgi(self) -> None:
            connection, rfile = self.connection, self.rfile
            try:
                super().run_wsgi()
            finally:
                self.connection, self.rfile = connection, rfile

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            log_request_line(self.requestline, getattr(code, "value", code), size)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return super().date_time_string(timestamp) if timestamp is not None else _HTTP_DATE(time.time())

        def log_error(self, format: str, *args: Any) -> None:
            if not format.startswith("Request timed out"):  # an idle kept-alive connection closed: not an error
                super().log_error(format, *args)

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() == "connection" and value.lower() == "close" and not self.close_connection:
                return  # werkzeug's unconditional close; the client did not ask for it
            super().send_header(keyword, value)

    try:
        return make_server("127.0.0.1", port, app, threaded=True, request_handler=KeepAliveRequestHandler)
    except SystemExit:  # werkzeug prints why and exits when it cannot bind: a service must not end the daemon
        raise OSError(errno.EADDRINUSE, f"port {port} on 127.0.0.1 is in use") from None
