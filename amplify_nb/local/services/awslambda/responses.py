"""The HTTP face of the local Lambda runtime: Lambda's Invoke API, answered here instead of by moto.

    POST /2015-03-31/functions/<name, name:qualifier or ARN>/invocations[?Qualifier=...]
         X-Amz-Invocation-Type: RequestResponse (default) | Event | DryRun
         X-Amz-Log-Type: Tail (the last 4 KB of the invoke's log in X-Amz-Log-Result)
         X-Amz-Client-Context: base64 JSON (the handler's context.client_context)

Answers as Lambda does: 200 with the payload (X-Amz-Function-Error: Unhandled when the handler failed, timed
out or could not be loaded), 202 for Event (run in the background), 204 for DryRun; ResourceNotFoundException
(404) for an unknown function, InvalidRequestContentException (400) for a payload that is not JSON, Lambda's 6 MB
limit on a synchronous request (413) and response (Function.ResponseSizeTooLarge). Every other
Lambda call (create, update, get, delete...) goes on to moto.

After moto has created a function or changed its code or configuration, one execution environment of it is made
ready in the background (its Init runs ahead), so the next invoke or API request after a push or a watch-mode
deploy answers at warm speed; that first invoke still reports the Init's output and Init Duration.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from ...middleware import Middleware, ServerContext, WSGIApp
from ...wsgi import read_body
from ...settings import LOCAL_ACCOUNT_ID, LOCAL_REGION
from .models import LambdaServiceError, runtime_for

log = logging.getLogger("amplify_nb.local.lambda")

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations/?$")
# CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration: each answers the function's configuration.
CHANGE_PATH = re.compile(r"^/2015-03-31/functions(/(?P<function>[^/]+)/(code|configuration))?/?$")
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/")
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
TAIL_BYTES = 4096
# Lambda's synchronous payload limit, both ways (the local cloud would take more; real AWS refuses it).
MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
RESPONSE_TOO_LARGE = json.dumps({
    "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_SYNC_PAYLOAD_BYTES + 100} bytes).",
    "errorType": "Function.ResponseSizeTooLarge"}).encode()
_STATUS_TEXT = {200: "200 OK", 202: "202 Accepted", 204: "204 No Content", 400: "400 Bad Request",
                404: "404 Not Found", 413: "413 Request Entity Too Large"}


class LambdaInvokeService(Middleware):
    """The daemon's glue: registered in __init__.py; everything else is in models.py and lambda_runtime/."""

    ORDER = 500  # a data plane, between the Cognito service and moto
    UNLOGGED_PATHS = (INVOKE_PATH,)  # answered here: never written to the state log

    def __init__(self, context: ServerContext) -> None:
        self.context = context
        # Reads of moto's functions and in-process writes of log events take the cloud's lock (the contract).
        self.runtime = runtime_for(context.settings.state_dir, context.settings.endpoint, context.lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        match = INVOKE_PATH.match(path)
        if match is None or environ.get("REQUEST_METHOD") != "POST":
            changed = CHANGE_PATH.match(path)
            if changed and environ.get("REQUEST_METHOD") == ("PUT" if changed["function"] else "POST"):
                return self._then_prewarm(environ, start_response, next_app)
            return next_app(environ, start_response)
        try:
            return self.invoke(environ, start_response, unquote(match["function"]))
        except LambdaServiceError as error:
            return _reply(start_response, error.status, json.dumps({"Type": "User", "Message": error.message}).encode(),
                          [("x-amzn-ErrorType", error.code)])

    def invoke(self, environ: dict[str, Any], start_response: Callable[..., Any], name: str) -> list[bytes]:
        invocation_type = environ.get("HTTP_X_AMZ_INVOCATION_TYPE") or "RequestResponse"
        if invocation_type not in INVOCATION_TYPES:
            raise LambdaServiceError(400, "ValidationException", (
                f"1 validation error detected: Value '{invocation_type}' at 'invocationType' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(INVOCATION_TYPES)}]"))
        qualifier = (parse_qs(environ.get("QUERY_STRING", "")).get("Qualifier") or [None])[0]
        function = self.runtime.find(name, qualifier, request_region(environ), LOCAL_ACCOUNT_ID)
        event = read_body(environ) or b"{}"
        if len(event) > MAX_SYNC_PAYLOAD_BYTES and invocation_type == "RequestResponse":
            raise LambdaServiceError(413, "RequestEntityTooLargeException",
                                     f"Request must be smaller than {MAX_SYNC_PAYLOAD_BYTES} bytes for the "
                                     "InvokeFunction operation")
        try:
            json.loads(event)
        except ValueError as exc:
            raise LambdaServiceError(400, "InvalidRequestContentException",
                                     f"Could not parse request body into json: {exc}") from None
        client_context = client_context_json(environ.get("HTTP_X_AMZ_CLIENT_CONTEXT"))
        if invocation_type == "DryRun":
            return _reply(start_response, 204, b"")
        if invocation_type == "Event":
            threading.Thread(target=self._invoke_in_background, args=(function, event, client_context),
                             name=f"lambda-event-{function.config.name}", daemon=True).start()
            return _reply(start_response, 202, b"")
        outcome = self.runtime.invoke(function, event, client_context)
        if len(outcome.payload) > MAX_SYNC_PAYLOAD_BYTES:
            outcome.payload, outcome.function_error = RESPONSE_TOO_LARGE, "Unhandled"
            outcome.content_type = "application/json"
        headers = [("Content-Type", outcome.content_type), ("X-Amz-Executed-Version", function.config.version),
                   ("x-amzn-RequestId", outcome.request_id)]
        if outcome.function_error:
            headers.append(("X-Amz-Function-Error", outcome.function_error))
        if environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail":
            tail = outcome.log_text.encode("utf-8")[-TAIL_BYTES:]
            headers.append(("X-Amz-Log-Result", base64.b64encode(tail).decode("ascii")))
        return _reply(start_response, 200, outcome.payload, headers)

    def _then_prewarm(self, environ: dict[str, Any], start_response: Callable[..., Any],
                      next_app: WSGIApp) -> Iterable[bytes]:
        status: list[str] = []

        def remember(code: str, headers: Any, *rest: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *rest)

        body = b"".join(next_app(environ, remember))
        if status and status[0].startswith(("200", "201")):
            try:
                name = json.loads(body)["FunctionName"]
            except (ValueError, KeyError, TypeError):
                name = None
            if name:
                threading.Thread(target=self._prewarm, args=(name, request_region(environ)),
                                 name=f"lambda-prewarm-{name}", daemon=True).start()
        return [body]

    def _prewarm(self, name: str, region: str) -> None:
        try:
            self.runtime.prewarm(name, region, LOCAL_ACCOUNT_ID)
        except Exception:  # an optimisation only: the first invoke starts its environment itself
            log.debug("Preparing an environment of %s failed", name, exc_info=True)

    def _invoke_in_background(self, function: Any, event: bytes, client_context: str | None) -> None:
        try:
            outcome = self.runtime.invoke(function, event, client_context)
        except Exception:  # an Event invoke has nobody to answer: the daemon log gets the cause
            log.exception("Event invoke of %s failed", function.config.name)
            return
        if outcome.function_error:
            log.info("Event invoke %s of %s failed: %s", outcome.request_id, function.config.name,
                     outcome.payload[:500].decode("utf-8", errors="replace"))


def request_region(environ: dict[str, Any]) -> str:
    """The region the client signed for (its SigV4 credential scope), else the local cloud's region."""
    found = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found["region"] if found else LOCAL_REGION


def client_context_json(header: str | None) -> str | None:
    """X-Amz-Client-Context is base64 of a JSON object; the runtime client wants the JSON text."""
    if not header:
        return None
    try:
        text = base64.b64decode(header, validate=True).decode("utf-8")
        json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise LambdaServiceError(400, "InvalidRequestContentException",
                                 "Client context must be a valid Base64-encoded JSON object.") from None
    return text


def _reply(start_response: Callable[..., Any], status: int, body: bytes,
           headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    all_headers = list(headers or [])
    if not any(name.lower() == "content-type" for name, _ in all_headers):
        all_headers.append(("Content-Type", "application/json"))
    all_headers.append(("Content-Length", str(len(body))))
    start_response(_STATUS_TEXT.get(status, f"{status} Error"), all_headers)
    return [body]
