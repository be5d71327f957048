"""The HTTP face of the local API Gateway: every deployed stage, served at its local root URL.

    ANY  /restapis/<api id>/<stage>/_user_request_/<path>    the API, as API Gateway answers it
    GET  /_amplify_nb/apis/requests[?api=<id>&limit=<n>]     the request inspector (newest first)

A request is routed (resource, then method), authorized (NONE, COGNITO_USER_POOLS, AWS_IAM), then integrated
(MOCK: the CORS preflight; AWS_PROXY: the Lambda, run by the local Lambda runtime with no lock of the cloud
held). Errors the gateway makes itself carry the API's gateway responses (Amplify's CORS headers).
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...apis import parse_user_request
from ...middleware import Middleware, ServerContext, WSGIApp
from ...wsgi import RAW_HEADERS, Answer, call_app, json_response, read_body, request_uri
from ....lambda_runtime import Outcome
from ....lambda_runtime.worker import new_invocation
from ..awslambda.models import LambdaServiceError, runtime_for
from ..cognito_credentials import store_for, verifier_for
from .auth import Authorizer, GatewayRefusal, execute_api_arn
from .events import MalformedReply, RequestFacts, build_event, header_value, parse_reply
from .inspector import REQUESTS_PATH, RequestInspector, RequestRecord
from .mock import MOCK_PATHS, MockError, MockStages
from .models import (DeploymentSnapshots, LocalFunction, MethodView, StageView, gateway_answer, lambda_permits,
                     read_stage)
from .routing import match_method, match_resource

log = logging.getLogger("amplify_nb.local.apigateway")

USER_REQUEST_PATH = re.compile(r"^/restapis/[^/]+/[^/]+/_user_request_(/.*)?$")
CREATE_DEPLOYMENT_PATH = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/?$")
DYNAMODB_TARGET = "DynamoDB_20120810."
_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/,\s]+)/")
_DROPPED_HEADERS = {"connection", "content-length"}  # not passed on to the function
INTEGRATION_THREADS = 64


def environ_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's headers as sent (the daemon's server keeps them), else rebuilt from the WSGI environ."""
    raw = environ.get(RAW_HEADERS)
    if raw is not None:
        return [(str(name), str(value)) for name, value in raw]
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append(("-".join(part.capitalize() for part in key[5:].split("_")), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append(("Content-Type" if key == "CONTENT_TYPE" else "Content-Length", value))
    return headers


_AUTH_REFUSALS = ("UNAUTHORIZED", "ACCESS_DENIED", "INVALID_SIGNATURE", "EXPIRED_TOKEN")


def decision_of(refusal: GatewayRefusal, record: RequestRecord) -> str:
    """What the inspector shows for a refused request: denied (auth), not found (routing) or the decision so far."""
    if refusal.response_type in _AUTH_REFUSALS:
        return "denied"
    if refusal.response_type == "MISSING_AUTHENTICATION_TOKEN" and record.decision == "pending":
        return "not found" if record.resource is None else "denied"
    return record.decision


class ApiGatewayService(Middleware):
    ORDER = 450
    UNLOGGED_PATHS = (USER_REQUEST_PATH, REQUESTS_PATH, MOCK_PATHS)

    def __init__(self, context: ServerContext) -> None:
        super().__init__(context)
        settings = context.settings
        self.runtime = runtime_for(settings.state_dir, settings.endpoint, context.lock)
        self.authorizer = Authorizer(store_for(settings.state_dir), verifier_for(settings.state_dir))
        self.inspector = RequestInspector()
        self.snapshots = DeploymentSnapshots(context.state_dir("apigateway"))
        self.mocks = MockStages(settings.endpoint)
        self.integrations = ThreadPoolExecutor(INTEGRATION_THREADS, thread_name_prefix="apigw-integration")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/restapis/"):
            raw = urlsplit(request_uri(environ))
            parsed = parse_user_request(raw.path)
            if parsed is not None:
                answer = self.serve(environ, *parsed, raw.path, raw.query)
                return answer.send(start_response, head_only=environ.get("REQUEST_METHOD") == "HEAD")
            deployment = CREATE_DEPLOYMENT_PATH.match(path)
            if deployment is not None and environ.get("REQUEST_METHOD") == "POST":
                return self._create_deployment(environ, start_response, next_app, deployment["api"])
        if MOCK_PATHS.match(path):
            return self._mock_endpoint(environ, start_response, path)
        if path == REQUESTS_PATH and environ.get("REQUEST_METHOD") == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            limit = (query.get("limit") or [""])[0]
            rows = self.inspector.records((query.get("api") or [None])[0], int(limit) if limit.isdigit() else None)
            return Answer(200, [("Content-Type", "application/json")], json.dumps(rows).encode()).send(start_response)
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET) and self.inspector.has_running:
            return self._follow_dynamodb_call(environ, start_response, next_app)
        return next_app(environ, start_response)

    # --- one API request ------------------------------------------------------------------------------------
    def serve(self, environ: dict[str, Any], api_id: str, stage_name: str, path: str, raw_path: str,
              query: str) -> Answer:
        began = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        record = RequestRecord(api_id, stage_name, method, path, str(uuid.uuid4()))
        stage: StageView | None = None
        try:
            with self.context.lock.reading():
                stage = self.mocks.get(api_id, stage_name) or read_stage(api_id, stage_name, self.snapshots)
                answer = self._route_and_run(environ, stage, record, method, path, raw_path, query)
        except GatewayRefusal as refusal:
            record.decision = decision_of(refusal, record)
            record.reason = f"{record.reason}; {refusal.reason}" if record.reason else refusal.reason
            if refusal.reason.startswith("Execution failed"):
                log.warning("%s %s %s: %s", api_id, method, path, refusal.reason)
            answer = gateway_answer(stage, refusal.response_type, refusal.message, record.request_id,
                                    refusal.status, refusal.error_type, refusal.body_key)
        record.status = answer.status
        record.total_ms = round((time.perf_counter() - began) * 1000, 2)
        self.inspector.add(record)
        return answer

    def _route_and_run(self, environ: dict[str, Any], stage: StageView | None, record: RequestRecord, method: str,
                       path: str, raw_path: str, query: str) -> Answer:
        """Holds the read lock when called; lets go of it only around the Lambda (see _run_lambda)."""
        missing = GatewayRefusal("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", "")
        if stage is None:
            missing.reason = f"no deployed stage {record.stage} of API {record.api_id}"
            raise missing
        found = match_resource(stage.resources, path)
        method_key = match_method(stage.resources[found.resource_path][1], method) if found else None
        if found is None or method_key is None:
            missing.reason = f"no resource matches {path}" if found is None else \
                f"no {method} (or ANY) method on {found.resource_path}"
            record.resource = None
            raise missing
        record.resource = found.resource_path
        resource_id, methods = stage.resources[found.resource_path]
        view = methods[method_key]
        record.auth_type = view.authorization_type
        headers = environ_headers(environ)
        body = read_body(environ)
        host = header_value(headers, "Host") or environ.get("HTTP_HOST", "")
        url = f"http://{host}{raw_path}" + (f"?{query}" if query else "")
        result = self.authorizer.check(stage, view, method, path, url, headers, body,
                                       environ.get("REMOTE_ADDR") or "127.0.0.1")
        record.decision = "allowed" if view.authorization_type != "NONE" else "no auth"
        record.caller, record.reason = result.caller, result.reason
        if view.integration_type == "MOCK":
            return self._mock(view, record.request_id)
        if view.integration_type != "AWS_PROXY" or not view.function_arn:
            raise GatewayRefusal("API_CONFIGURATION_ERROR", "Internal server error",
                                 f"Execution failed: the local cloud serves MOCK and Lambda AWS_PROXY integrations, "
                                 f"not {view.integration_type}", status=500)
        if result.strip_authorization:
            headers = [(n, v) for n, v in headers if n.lower() != "authorization"]
        facts = RequestFacts(
            method=method, path=path, query_string=query,
            headers=[(n, v) for n, v in headers if n.lower() not in _DROPPED_HEADERS], body=body,
            api_id=stage.api_id, stage=stage.stage, account_id=stage.account_id, resource_id=resource_id,
            resource_path=found.resource_path, path_parameters=found.path_parameters,
            deployment_id=stage.deployment_id, stage_variables=stage.variables or None,
            binary_media_types=stage.binary_media_types, source_ip=environ.get("REMOTE_ADDR") or "127.0.0.1",
            request_id=record.request_id)
        event = build_event(facts, result.identity, result.authorizer)
        return self._run_lambda(stage, view, method, path, event, record, header_value(headers, "Accept"))

    @staticmethod
    def _mock(view: MethodView, request_id: str) -> Answer:
        """A MOCK integration: the status its request template names selects the integration response."""
        status = "200"  # Amplify's template is {"statusCode": 200}; templates are not evaluated here
        params, templates = view.mock_responses.get(status) or next(iter(view.mock_responses.values()), ({}, {}))
        body = (templates.get("application/json") or "").encode()
        return Answer(int(status), [("Content-Type", "application/json"), *params.items(),
                                    ("x-amzn-RequestId", request_id)], body)

    def _run_lambda(self, stage: StageView, view: MethodView, method: str, path: str, event: dict[str, Any],
                    record: RequestRecord, accept: str | None) -> Answer:
        """The integration: the deployed function through the Lambda runtime, or for a mock stage the function's
        local folder through invoke_local; the reply is checked and answered the same way for both."""
        function_arn = str(view.function_arn)
        record.function = function_arn.rsplit(":", 1)[-1] if ":function:" not in function_arn else \
            function_arn.split(":function:", 1)[1]
        local = stage.local_functions.get(function_arn)
        if local is not None:
            outcome = self._run_local(stage, local, event, view, record)
        else:
            outcome = self._run_deployed(stage, view, method, path, event, record, function_arn)
        record.lambda_ms = round(outcome.duration_ms, 2)
        if outcome.function_error:
            kind = "timed out" if outcome.timed_out else f"failed ({outcome.error_type or 'Unhandled'})"
            raise GatewayRefusal("LAMBDA_ERROR", "Internal server error",
                                 f"Execution failed: the Lambda function {kind}", status=502)
        try:
            reply = parse_reply(outcome.payload, stage.binary_media_types, accept)
        except MalformedReply as malformed:
            raise GatewayRefusal("LAMBDA_ERROR", "Internal server error",
                                 f"Execution failed due to configuration error: Malformed Lambda proxy response "
                                 f"({malformed})", status=502) from None
        return Answer(reply.status, reply.headers + [("x-amzn-RequestId", record.request_id),
                                                     ("x-amz-apigw-id", uuid.uuid4().hex[:16])], reply.body)

    def _await(self, future: Any, view: MethodView, record: RequestRecord, started: float) -> Any:
        """The integration's outcome, or 504 after the integration timeout (the caller released the lock)."""
        try:
            return future.result(timeout=view.timeout_ms / 1000)
        except FutureTimeout:
            record.lambda_ms = round((time.perf_counter() - started) * 1000, 2)
            raise GatewayRefusal("INTEGRATION_TIMEOUT", "Endpoint request timed out",
                                 f"Execution failed due to a timeout error ({view.timeout_ms} ms)") from None

    def _run_local(self, stage: StageView, function: LocalFunction, event: dict[str, Any], view: MethodView,
                   record: RequestRecord) -> Outcome:
        """A mock stage's function: its folder as it is now (warm workers renewed on any change, see mock.py), with
        the environment the CLI gave it. No permission check: the function may not be pushed yet."""
        started = time.perf_counter()
        with self.context.lock.released():  # hashing the folder and the handler's calls need no lock
            pool = self.mocks.pool_for(function, stage.account_id)
            invocation = new_invocation(pool.config, json.dumps(event).encode())
            self.inspector.track(invocation, record)
            future = self.integrations.submit(pool.run, invocation)
            future.add_done_callback(lambda _: self.inspector.untrack(invocation))
            return self._await(future, view, record, started)

    def _run_deployed(self, stage: StageView, view: MethodView, method: str, path: str, event: dict[str, Any],
                      record: RequestRecord, function_arn: str) -> Any:
        if not lambda_permits(function_arn, execute_api_arn(stage, method, path)):
            raise GatewayRefusal("API_CONFIGURATION_ERROR", "Internal server error",
                                 "Execution failed due to configuration error: Invalid permissions on Lambda "
                                 f"function {record.function}", status=500)
        try:
            function = self.runtime.find(function_arn, None, stage.region, stage.account_id)
        except LambdaServiceError as error:
            raise GatewayRefusal("API_CONFIGURATION_ERROR", "Internal server error",
                                 f"Execution failed: Lambda refused the invoke: {error.message}", status=500) from None
        payload = json.dumps(event).encode()
        invocation = self.runtime.new_invocation(function, payload)
        self.inspector.track(invocation, record)
        started = time.perf_counter()
        with self.context.lock.released():  # the handler calls back into the cloud
            future = self.integrations.submit(self.runtime.invoke, function, payload, None, invocation)
            future.add_done_callback(lambda _: self.inspector.untrack(invocation))
            return self._await(future, view, record, started)

    def _mock_endpoint(self, environ: dict[str, Any], start_response: Callable[..., Any], path: str) -> Iterable[bytes]:
        """Register (POST), list (GET) or drop (DELETE .../<api id>/<stage>) a mock stage (see mock.py)."""
        method = environ.get("REQUEST_METHOD", "GET")
        parts = [part for part in path.split("/") if part][3:]
        if environ.get("HTTP_ORIGIN"):  # a web page may not make the daemon run code
            return json_response(start_response, 403, {"message": "mock APIs are registered by amplify-nb, not pages"})
        if method == "POST" and not parts:
            try:
                stage, port = self.mocks.register(json.loads(read_body(environ) or b"{}"), self._own_port_app)
            except (ValueError, MockError) as exc:
                return json_response(start_response, 400, {"message": str(exc)})
            except OSError as exc:
                return json_response(start_response, 409, {"message": f"cannot listen on that port: {exc}"})
            return json_response(start_response, 201, {"api_id": stage.api_id, "stage": stage.stage, "port": port})
        if method == "GET" and not parts:
            return json_response(start_response, 200, self.mocks.listing())
        if method == "DELETE" and len(parts) == 2:
            dropped = self.mocks.drop(*parts)
            if dropped:
                return Answer(204, [], b"").send(start_response)
            return json_response(start_response, 404, {"message": f"no mock {'/'.join(parts)}"})
        return json_response(start_response, 405, {"message": f"{method} {path} is not served"})

    def _own_port_app(self, api_id: str) -> WSGIApp:
        """A mock's own port: `/<stage>/<path>` as API Gateway's invoke URL has it (what the client signed)."""
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            raw = urlsplit(request_uri(environ))
            stage, _, rest = raw.path.lstrip("/").partition("/")
            answer = self.serve(environ, api_id, stage, "/" + rest, raw.path, raw.query)
            return answer.send(start_response, head_only=environ.get("REQUEST_METHOD") == "HEAD")
        return app

    def _create_deployment(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp,
                           api_id: str) -> Iterable[bytes]:
        """moto makes the deployment; the API as it is at that moment is what its stages serve from now on."""
        answer = call_app(next_app, environ)
        deployment_id = answer.json().get("id") if answer.ok else None
        if deployment_id:
            with self.context.lock.reading():
                self.snapshots.record(api_id, str(deployment_id))
        return answer.send(start_response)

    # --- the handler's DynamoDB calls -----------------------------------------------------------------------
    def _follow_dynamodb_call(self, environ: dict[str, Any], start_response: Callable[..., Any],
                              next_app: WSGIApp) -> Iterable[bytes]:
        found = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if found is None:
            return next_app(environ, start_response)
        operation = environ["HTTP_X_AMZ_TARGET"][len(DYNAMODB_TARGET):]
        try:
            table = json.loads(read_body(environ) or b"{}").get("TableName")
        except (ValueError, AttributeError):
            table = None
        status: dict[str, int] = {}

        def capture(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status["code"] = int(line.split(" ", 1)[0])
            return start_response(line, headers, exc_info) if exc_info else start_response(line, headers)

        began = time.perf_counter()
        result = list(next_app(environ, capture))
        self.inspector.attribute(found["key"], {"operation": operation, "table": table, "status": status.get("code"),
                                                "ms": round((time.perf_counter() - began) * 1000, 2)})
        return result
