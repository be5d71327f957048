"""Checking a received request's SigV4 signature with botocore's own SigV4Auth, as API Gateway checks it."""
from __future__ import annotations

import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTHORIZATION = re.compile(r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
                           r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[^,]+), Signature=(?P<sig>[0-9a-f]{64})$")


class SignatureMismatch(AssertionError):
    pass


def verify_sigv4(method: str, url: str, headers: dict, body: bytes | None, secrets: dict[str, Credentials],
                 region: str, service: str = "execute-api") -> str:
    """The access key that signed the request; SignatureMismatch when the signature is not botocore's for it.

    `url` is scheme + the Host header + the raw request target (path and query as sent)."""
    lower = {k.lower(): v for k, v in headers.items()}
    match = AUTHORIZATION.match(lower.get("authorization", ""))
    if not match:
        raise SignatureMismatch(f"not a SigV4 Authorization header: {lower.get('authorization', '')[:30]!r}")
    if (match["region"], match["service"]) != (region, service):
        raise SignatureMismatch(f"signed for {match['region']}/{match['service']}, not {region}/{service}")
    credentials = secrets.get(match["key"])
    if credentials is None:
        raise SignatureMismatch(f"unknown access key {match['key']}")
    signed = match["signed"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        raise SignatureMismatch(f"host and x-amz-date must be signed, signed: {signed}")
    if credentials.token and (lower.get("x-amz-security-token") != credentials.token or "x-amz-security-token" not in signed):
        raise SignatureMismatch("the session token is missing, wrong or unsigned")
    request = AWSRequest(method=method, url=url, data=body or b"",
                         headers={name: lower[name] for name in signed if name in lower})
    request.context["timestamp"] = lower["x-amz-date"]
    signer = SigV4Auth(credentials, service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != match["sig"]:
        raise SignatureMismatch(f"signature mismatch; botocore's canonical request:\n{canonical}")
    return match["key"]
