"""The Lambda proxy integration's two halves: the REST event (payload format 1.0) and the reply's contract.

Event: every key present (`null` when empty), `headers` with the last value of each header and
`multiValueHeaders` with all of them (names as the client wrote them), query values URL-decoded (`+` is a
space), `path` and `pathParameters` as sent, the body as text, or base64 with isBase64Encoded when its
Content-Type is one of the API's binaryMediaTypes (or it is not UTF-8), and requestContext as captured events
show it. Reply: only statusCode, headers, multiValueHeaders, body and isBase64Encoded are allowed; anything else
is a malformed reply (API Gateway answers 502).
"""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

ALLOWED_REPLY_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


@dataclass
class RequestFacts:
    """What the gateway knows about a request when it builds the event."""

    method: str
    path: str  # without the stage, as sent
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    api_id: str
    stage: str
    account_id: str
    resource_id: str
    resource_path: str
    path_parameters: dict[str, str] | None
    deployment_id: str = ""
    stage_variables: dict[str, str] | None = None
    binary_media_types: list[str] = field(default_factory=list)
    source_ip: str = "127.0.0.1"
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    received: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def empty_identity(source_ip: str, user_agent: str | None) -> dict[str, Any]:
    names = ("accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
             "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "user", "userArn")
    return {**{name: None for name in names}, "sourceIp": source_ip, "userAgent": user_agent}


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """The last value of a header (case-insensitive name), as API Gateway's `headers` holds it."""
    found = None
    for key, value in headers:
        if key.lower() == name.lower():
            found = value
    return found


def media_type_matches(content_type: str | None, media_types: list[str]) -> bool:
    if not content_type:
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    for media_type in media_types:
        pattern = media_type.replace("~1", "/").lower()  # API Gateway's patch paths escape / as ~1
        if pattern in ("*/*", kind) or (pattern.endswith("/*") and kind.startswith(pattern[:-1])):
            return True
    return False


def _body_field(facts: RequestFacts) -> tuple[str | None, bool]:
    if not facts.body:
        return None, False
    if media_type_matches(header_value(facts.headers, "Content-Type"), facts.binary_media_types):
        return base64.b64encode(facts.body).decode("ascii"), True
    try:
        return facts.body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(facts.body).decode("ascii"), True


def _query(query_string: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def _headers(headers: list[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not headers:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def build_event(facts: RequestFacts, identity: dict[str, Any], authorizer: dict[str, Any] | None) -> dict[str, Any]:
    """The event API Gateway sends a Lambda proxy integration."""
    headers, multi_headers = _headers(facts.headers)
    query, multi_query = _query(facts.query_string)
    body, is_base64 = _body_field(facts)
    host = header_value(facts.headers, "Host") or ""
    received = facts.received
    context: dict[str, Any] = {
        "accountId": facts.account_id,
        "apiId": facts.api_id,
        "deploymentId": facts.deployment_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
        "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:10]).decode("ascii")[:16],
        "httpMethod": facts.method,
        "identity": identity,
        "path": f"/{facts.stage}{facts.path}",
        "protocol": "HTTP/1.1",
        "requestId": facts.request_id,
        "requestTime": received.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(received.timestamp() * 1000),
        "resourceId": facts.resource_id,
        "resourcePath": facts.resource_path,
        "stage": facts.stage,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "resource": facts.resource_path,
        "path": facts.path,
        "httpMethod": facts.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": facts.path_parameters,
        "stageVariables": facts.stage_variables or None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _java_date(seconds: Any) -> str:
    """exp / iat as the Cognito authorizer passes them: Java's Date.toString(), `Tue Jun 18 15:00:04 UTC 2024`."""
    return datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


def authorizer_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """requestContext.authorizer of a Cognito user-pool method: every claim as a string."""
    strings: dict[str, str] = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, (int, float)):
            strings[name] = _java_date(value)
        elif isinstance(value, bool):
            strings[name] = "true" if value else "false"
        elif isinstance(value, list):
            strings[name] = ",".join(str(item) for item in value)
        elif isinstance(value, dict):
            strings[name] = json.dumps(value)
        else:
            strings[name] = str(value)
    return {"claims": strings}


class MalformedReply(ValueError):
    """The function's answer breaks the proxy contract: API Gateway answers 502."""


@dataclass
class ProxyReply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_reply(payload: bytes, binary_media_types: list[str], accept: str | None) -> ProxyReply:
    """The HTTP answer a proxy reply stands for, or MalformedReply."""
    try:
        reply = json.loads(payload or b"null")
    except ValueError:
        raise MalformedReply("the reply is not JSON") from None
    if not isinstance(reply, dict):
        raise MalformedReply("the reply is not a JSON object")
    extra = set(reply) - ALLOWED_REPLY_KEYS
    if extra:
        raise MalformedReply(f"unexpected keys {sorted(extra)}")
    status = reply.get("statusCode", 200)
    if isinstance(status, bool) or not isinstance(status, (int, str)) or not str(status).strip().isdigit():
        raise MalformedReply(f"statusCode {status!r} is not a number")
    status = int(status)
    if not 100 <= status <= 599:
        raise MalformedReply(f"statusCode {status} is not an HTTP status")
    single = reply.get("headers") or {}
    multi = reply.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedReply("headers and multiValueHeaders must be objects")
    merged: dict[str, tuple[str, list[str]]] = {}
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedReply(f"multiValueHeaders[{name!r}] is not a list")
        merged[name.lower()] = (name, [_header_text(v) for v in values])
    for name, value in single.items():
        known = merged.get(name.lower())
        merged[name.lower()] = (known[0], known[1] + [_header_text(value)]) if known else (name, [_header_text(value)])
    headers = [(name, ", ".join(values)) for name, values in merged.values()]
    if "content-type" not in merged:
        headers.append(("Content-Type", "application/json"))
    body = reply.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedReply("body is not a string")
    data = (body or "").encode("utf-8")
    if reply.get("isBase64Encoded") is True and body:
        content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
        if media_type_matches(accept, binary_media_types) or media_type_matches(content_type, binary_media_types):
            try:
                data = base64.b64decode(body, validate=True)
            except binascii.Error:
                raise MalformedReply("isBase64Encoded but the body is not base64") from None
    return ProxyReply(status, headers, data)
