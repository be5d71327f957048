"""Checking a SigV4-signed request as API Gateway does (AWS_IAM methods), with botocore's own signer.

The signature is recomputed with botocore's SigV4Auth from the secret of the access key the request names,
over exactly the headers the client listed in SignedHeaders, at the time the client wrote in X-Amz-Date, and
compared in constant time. Nothing is signed by hand. Failures carry API Gateway's status, error type and
message (its texts are quoted from real answers).
"""
from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"
MAX_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
MISSING_TOKEN = "Missing Authentication Token"
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"


class SignatureError(Exception):
    """A request API Gateway refuses before the method runs (status 403 for every SigV4 failure)."""

    def __init__(self, response_type: str, error_type: str, message: str, reason: str):
        super().__init__(message)
        self.response_type, self.error_type, self.message, self.reason = response_type, error_type, message, reason
        self.status = 403


@dataclass(frozen=True)
class SignedRequest:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    amz_date: str


def _incomplete(message: str, reason: str) -> SignatureError:
    return SignatureError("INVALID_SIGNATURE", "IncompleteSignatureException", message, reason)


def parse_authorization(header: str | None, amz_date: str | None) -> SignedRequest:
    """The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`."""
    if not header:
        raise SignatureError("MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException", MISSING_TOKEN,
                             "no Authorization header")
    algorithm, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in rest.split(","))):
        if "=" not in part:
            raise _incomplete(f"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: "
                              f"'{header}'.", "the Authorization header is not SigV4 (a bare or Bearer token?)")
        key, _, value = part.partition("=")
        params[key.strip()] = value.strip()
    missing = [f"Authorization header requires '{name}' parameter." for name in ("Credential", "Signature",
                                                                                 "SignedHeaders")
               if name not in params]
    if not amz_date:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise _incomplete(" ".join(missing) + f" Authorization={header}", "incomplete SigV4 Authorization header")
    if algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported Authorization Type: {algorithm}", f"algorithm {algorithm}")
    scope = params["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise _incomplete(f"Credential should be scoped to a valid region, not ''. Authorization={header}",
                          "bad credential scope")
    return SignedRequest(scope[0], scope[1], scope[2], scope[3], params["SignedHeaders"].lower().split(";"),
                         params["Signature"], amz_date)


def check_scope(signed: SignedRequest, region: str, now: datetime | None = None) -> None:
    """Service, region and the 15 minutes API Gateway allows between the client's clock and its own."""
    if signed.service != SERVICE:
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             f"Credential should be scoped to correct service: '{SERVICE}'. ",
                             f"signed for service {signed.service}")
    if signed.region != region:
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             f"Credential should be scoped to a valid region, not '{signed.region}'. ",
                             f"signed for region {signed.region}")
    try:
        when = datetime.strptime(signed.amz_date, _AMZ_DATE).replace(tzinfo=timezone.utc)
    except ValueError:
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{signed.amz_date}'. See "
                          "http://en.wikipedia.org/wiki/ISO_8601", "bad X-Amz-Date") from None
    now = now or datetime.now(timezone.utc)
    stamp = now.strftime(_AMZ_DATE)
    if when < now - MAX_SKEW:
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             f"Signature expired: {signed.amz_date} is now earlier than "
                             f"{(now - MAX_SKEW).strftime(_AMZ_DATE)} ({stamp} - 15 min.)", "stale X-Amz-Date")
    if when > now + MAX_SKEW:
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             f"Signature not yet current: {signed.amz_date} is still later than "
                             f"{(now + MAX_SKEW).strftime(_AMZ_DATE)} ({stamp} + 15 min.)", "future X-Amz-Date")
    if signed.date != signed.amz_date[:8]:
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                             f"HTTP: '{signed.date}' != '{signed.amz_date[:8]}', from '{signed.amz_date}'.",
                             "credential date differs from X-Amz-Date")


def _signer(signed: SignedRequest, access_key: str, secret: str, token: str | None) -> object:
    from botocore.auth import SigV4Auth
    from botocore.compat import HTTPHeaders
    from botocore.credentials import Credentials

    names = signed.signed_headers

    class RecomputedSigV4(SigV4Auth):
        """botocore's SigV4, over the headers the client said it signed (botocore leaves out a few itself)."""

        def headers_to_sign(self, request):  # type: ignore[no-untyped-def]
            chosen = HTTPHeaders()
            for name in names:
                value = request.headers.get(name)
                if value is not None:
                    chosen[name] = value
            return chosen

    return RecomputedSigV4(Credentials(access_key, secret, token), signed.service, signed.region)


def _canonical_urls(url: str) -> list[str]:
    """The URL as sent, then (when its query has a `+`) with the query decoded and re-encoded as SigV4 does:
    botocore signs a query as it is written, while Amplify JS sends `a+b` but signs the value `a b` as `a%20b`."""
    parts = urllib.parse.urlsplit(url)
    if "+" not in parts.query:
        return [url]
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}" for k, v in pairs)
    return [url, urllib.parse.urlunsplit(parts._replace(query=query))]


def verify_signature(signed: SignedRequest, secret: str, method: str, url: str, headers: list[tuple[str, str]],
                     body: bytes) -> None:
    """Recompute the signature; SignatureError with API Gateway's message (canonical string, string to sign)."""
    from botocore.awsrequest import AWSRequest

    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    missing = [name for name in signed.signed_headers if name not in joined]
    if "host" not in signed.signed_headers or missing:
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
                             if "host" not in signed.signed_headers else
                             f"Signed header {missing[0]} is missing from the request.", "signed headers missing")
    content_sha = joined.get("x-amz-content-sha256")
    if content_sha and content_sha != "UNSIGNED-PAYLOAD" and content_sha != hashlib.sha256(body).hexdigest():
        raise SignatureError("INVALID_SIGNATURE", "InvalidSignatureException",
                             "The provided 'x-amz-content-sha256' header does not match what was computed.",
                             "body does not match x-amz-content-sha256")
    signer = _signer(signed, signed.access_key, secret, joined.get("x-amz-security-token"))
    first = None
    for candidate in _canonical_urls(url):
        request = AWSRequest(method=method, url=candidate, data=body, headers=joined)
        request.context["timestamp"] = signed.amz_date
        canonical = signer.canonical_request(request)  # type: ignore[attr-defined]
        string_to_sign = signer.string_to_sign(request, canonical)  # type: ignore[attr-defined]
        expected = signer.signature(string_to_sign, request)  # type: ignore[attr-defined]
        if hmac.compare_digest(expected, signed.signature):
            return
        first = first or (canonical, string_to_sign)
    canonical, string_to_sign = first
    raise SignatureError(
        "INVALID_SIGNATURE", "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String "
        f"for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n"
        f"'{string_to_sign}'\n", "signature does not match")


