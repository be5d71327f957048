"""The Lambda Runtime API of one worker, served on its own loopback port to the official runtime client.

Real Lambda runs `awslambdaric` against this API inside each execution environment: the client loads the
handler once, then loops on GET .../invocation/next (one event at a time) and answers with POST
.../invocation/<id>/response or .../error, or POST .../init/error when the handler cannot be loaded. Serving
the same API here lets the client do Lambda's own event and result marshalling, context object and error
payloads. One port per worker, since the client takes only host:port (AWS_LAMBDA_RUNTIME_API).
"""
from __future__ import annotations

import queue
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"
_RESULT_PATH = re.compile(rf"^{PREFIX}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


@dataclass
class Invocation:
    """One event on its way to the handler, and the handler's answer once it comes back."""

    request_id: str
    event: bytes
    invoked_function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    deadline_ms: int = 0
    answered: threading.Event = field(default_factory=threading.Event)
    body: bytes = b""
    content_type: str = "application/json"
    failed: bool = False
    error_type: str | None = None
    worker_access_key: str | None = None  # the access key of the worker running it (calls it makes carry it)

    def answer(self, body: bytes, content_type: str | None, failed: bool, error_type: str | None) -> None:
        self.body, self.failed, self.error_type = body, failed, error_type
        if content_type:
            self.content_type = content_type
        self.answered.set()


class RuntimeApi:
    """The server side of one worker's Runtime API: hands out invocations, collects answers and the init error."""

    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation | None] = queue.Queue()
        self._running: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self.polled = threading.Event()  # the client asked for its first event: the handler loaded
        self.init_failed = threading.Event()
        self.init_error: bytes = b""
        self._server = _NoDelayServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="lambda-runtime-api", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def submit(self, invocation: Invocation, timeout_seconds: float) -> None:
        """Queue an event for the client's next poll; its deadline starts now."""
        invocation.deadline_ms = int((time.time() + timeout_seconds) * 1000)
        with self._lock:
            self._running[invocation.request_id] = invocation
        self._pending.put(invocation)

    def forget(self, invocation: Invocation) -> None:
        with self._lock:
            self._running.pop(invocation.request_id, None)

    def close(self) -> None:
        self._pending.put(None)  # a poll waiting for an event ends (the client then exits)
        self._server.shutdown()
        self._server.server_close()

    # --- called by the request handler ------------------------------------------------------------------------
    def next_invocation(self) -> Invocation | None:
        self.polled.set()
        invocation = self._pending.get()
        if invocation is None:
            self._pending.put(None)  # closing: every later poll ends too
        return invocation

    def result(self, request_id: str, kind: str, body: bytes, content_type: str | None, error_type: str | None) -> bool:
        with self._lock:
            invocation = self._running.pop(request_id, None)
        if invocation is None:
            return False
        invocation.answer(body, content_type, kind == "error", error_type)
        return True

    def fail_init(self, body: bytes) -> None:
        self.init_error = body
        self.init_failed.set()


class _NoDelayServer(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self) -> tuple[socket.socket, Any]:
        # Without TCP_NODELAY, headers and body in two sends cost ~40 ms per request (Nagle + delayed ACK).
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


def _handler_for(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class RuntimeApiHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # the client keeps one connection open

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet: the daemon log is not for this)
            pass

        def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            head = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}",
                    f"Content-Length: {len(body)}"]
            head += [f"{name}: {value}" for name, value in (headers or {}).items()]
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:  # noqa: N802
            if self.path != f"{PREFIX}/invocation/next":
                self._reply(404, b'{"errorMessage": "unknown path", "errorType": "InvalidRequest"}')
                return
            invocation = api.next_invocation()
            if invocation is None:
                self._reply(503, b'{"errorMessage": "the worker is stopping"}')
                return
            headers = {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_function_arn,
                "Lambda-Runtime-Trace-Id": invocation.trace_id,
            }
            if invocation.client_context:
                headers["Lambda-Runtime-Client-Context"] = invocation.client_context
            if invocation.cognito_identity:
                headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
            self._reply(200, invocation.event, headers)

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            if self.path == f"{PREFIX}/init/error":
                api.fail_init(body)
                self._reply(202, b'{"status": "OK"}')
                return
            match = _RESULT_PATH.match(self.path)
            if match is None:
                self._reply(404, b'{"errorMessage": "unknown path", "errorType": "InvalidRequest"}')
                return
            known = api.result(match["id"], match["kind"], body, self.headers.get("Content-Type"),
                               self.headers.get(ERROR_TYPE_HEADER))
            if known:
                self._reply(202, b'{"status": "OK"}')
            else:
                self._reply(400, b'{"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}')

    return RuntimeApiHandler
