"""The Python counterpart of Amplify JS's REST client: call a project's REST API as the signed-in user.

    api = API(project, auth=auth)             # or API("src/aws-exports.js", auth=auth), or API(exports_dict)
    api.post("beerapi", "/beer", body={"id": "1", "name": "Punk IPA"})
    api.get("beerapi", "/beer", as_frame=True)  # a list answer as a pandas DataFrame
    api.get("beerapi", "/beer/object/1", query={"fields": "name"})

Where an API is and how it is protected comes from aws-exports' `aws_cloud_logic_custom` entry
(name, endpoint, region and `authorization`):
* iam (Amplify Gen 1's way): the request is signed with SigV4 (botocore's SigV4Auth, service execute-api) using
  Cognito identity-pool credentials: the signed-in user's (GetId + GetCredentialsForIdentity with the ID token in
  Logins) or a guest's when nobody is signed in and the pool allows guests. They are renewed before they expire.
  As in Amplify JS, a request that carries its own Authorization header is sent unsigned.
* cognito (a user-pool authorizer): the ID token goes in the Authorization header, raw as the Amplify docs send it.
* none: sent as is.

The calls to Cognito are unsigned (Target.public_client), as a web app makes them: the developer's AWS keys are
never involved. No token, key or signature is ever printed, kept in a repr or left in an error message.

Errors are ApiError subclasses carrying the status, API Gateway's message and error type (x-amzn-ErrorType).
Like Amplify JS, network errors, 429 and 5xx answers are retried with jittered backoff, but only for methods that
are safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE): a POST or PATCH is sent once unless retry=True is given.
"""
from __future__ import annotations

import json
import random
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import botocore.exceptions
import pandas as pd
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ..aws import error_code
from ..errors import AmplifyNbError
from .auth import Auth, NotSignedInError

AUTH_MODES = ("iam", "cognito", "none")
DEFAULT_AUTH_MODE = "iam"  # what Amplify Gen 1 generates
SIGNING_SERVICE = "execute-api"
CREDENTIALS_REFRESH_MARGIN_SECONDS = 300  # renew identity-pool credentials this long before they expire
RETRY_ATTEMPTS = 3  # Amplify JS's DEFAULT_RETRY_ATTEMPTS
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
SAFE_TO_REPEAT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
TIMEOUT_SECONDS = 30.0
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")  # a JWT (header starts with '{"'), hidden wherever it appears


# --- errors -------------------------------------------------------------------------------------------------
class ApiError(AmplifyNbError):
    """A call to a REST API failed: `status` (0 when no answer came), API Gateway's `message`, `error_type`
    (x-amzn-ErrorType, e.g. MissingAuthenticationTokenException), and the answer's `body` (parsed JSON or text)."""

    def __init__(self, message: str, status: int = 0, error_type: str = "", body: Any = None,
                 method: str = "", url: str = ""):
        self.status, self.message, self.error_type, self.body = status, message, error_type, body
        self.method, self.url = method, url
        where = f"{method} {url}".strip()
        super().__init__(f"{where} -> {status or 'no answer'}: {message}" if where else message)


class BadRequestError(ApiError):
    """400: the API (or the function behind it) refused the request's content."""


class UnauthorizedError(ApiError):
    """401: a user-pool authorizer refused the token (missing, expired, or not this pool's ID token)."""


class ForbiddenError(ApiError):
    """403: no or a wrong signature, credentials the API does not know, a role not allowed to call this method
    and path, or a path / method the API does not have ("Missing Authentication Token")."""


class NotFoundError(ApiError):
    """404: the function behind the API found nothing there."""


class ThrottledError(ApiError):
    """429: too many requests: wait a moment."""


class ServerError(ApiError):
    """5xx: the function failed, answered badly or took too long."""


class BadGatewayError(ServerError):
    """502: the function raised an exception or returned something that is not a proxy response."""


class GatewayTimeoutError(ServerError):
    """504: the function did not answer in time."""


class ApiNetworkError(ApiError):
    """No answer at all: the API's host could not be reached."""


ERROR_CLASSES: dict[int, type[ApiError]] = {400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError,
                                            404: NotFoundError, 429: ThrottledError, 502: BadGatewayError,
                                            504: GatewayTimeoutError}


def error_class(status: int) -> type[ApiError]:
    return ERROR_CLASSES.get(status) or (ServerError if status >= 500 else ApiError)


# --- configuration ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestApiConfig:
    """One `aws_cloud_logic_custom` entry: where the API's stage is and how it is protected."""

    name: str
    endpoint: str  # the stage's RootUrl, no trailing slash
    region: str
    authorization: str = DEFAULT_AUTH_MODE

    @classmethod
    def from_entry(cls, entry: Mapping, default_region: str) -> "RestApiConfig":
        mode = str(entry.get("authorization") or DEFAULT_AUTH_MODE).lower()
        if mode not in AUTH_MODES:
            raise ApiError(f"API {entry.get('name')!r} has authorization {mode!r}; expected one of {', '.join(AUTH_MODES)}.")
        return cls(name=str(entry["name"]), endpoint=str(entry["endpoint"]).rstrip("/"),
                   region=str(entry.get("region") or default_region), authorization=mode)

    def url(self, path: str, query: Mapping | None = None) -> str:
        """endpoint + path (percent-encoded once, as sent) + the query string, like Amplify JS's resolveApiUrl."""
        if not path.startswith("/"):
            path = "/" + path
        quoted = urllib.parse.quote(path, safe="/-_.~%:@!$&'()*+,;=")
        url = self.endpoint + quoted
        if query:
            url += ("&" if "?" in url else "?") + encode_query(query)
        return url


def encode_query(query: Mapping) -> str:
    """RFC 3986 encoding (the one SigV4 signs); a list value repeats its key (multi-value query strings)."""
    pairs = [(key, item) for key, value in query.items()
             for item in (value if isinstance(value, (list, tuple)) else [value]) if item is not None]
    return urllib.parse.urlencode([(str(k), _text(v)) for k, v in pairs], quote_via=urllib.parse.quote)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def read_exports(source: Mapping | str | Path) -> dict:
    """The aws-exports object from a dict, or an aws-exports.js / amplifyconfiguration.json file."""
    if isinstance(source, Mapping):
        return dict(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text[text.index("{"): text.rindex("}") + 1])
    except OSError as exc:
        raise ApiError(f"Cannot read {path}: {exc.strerror}. Push first (`amplify-nb push`) to generate it.") from None
    except ValueError:
        raise ApiError(f"{path} does not hold an aws-exports object: push again to regenerate it.") from None


# --- identity-pool credentials ------------------------------------------------------------------------------
class IdentityPoolCredentials:
    """Temporary AWS credentials from the identity pool, for the signed-in user (or a guest), as Amplify JS's
    fetchAuthSession gets them. Renewed shortly before they expire and whenever the user changes."""

    def __init__(self, auth: Auth, clock: Callable[[], float] = time.time,
                 refresh_margin: float = CREDENTIALS_REFRESH_MARGIN_SECONDS):
        if not auth.config.identity_pool_id:
            raise ApiError("This backend has no identity pool (aws_cognito_identity_pool_id), which IAM-protected "
                           "APIs need: push auth again (Amplify's auth always has one).")
        self.auth, self.clock, self.refresh_margin = auth, clock, refresh_margin
        self._identity_ids: dict[str, str] = {}  # login key ('' for the guest) -> identity id
        self._cached: tuple[str, Credentials, float] | None = None  # (login key, credentials, expires at)

    @property
    def _login_provider(self) -> str:
        return f"cognito-idp.{self.auth.config.region}.amazonaws.com/{self.auth.config.user_pool_id}"

    def _logins(self) -> dict[str, str]:
        return {self._login_provider: self.auth.tokens().id_token} if self.auth.signed_in else {}

    def get(self) -> Credentials:
        logins = self._logins()
        key = next(iter(logins.values()), "")
        if self._cached and self._cached[0] == key and self.clock() < self._cached[2] - self.refresh_margin:
            return self._cached[1]
        client = self.auth.target.public_client("cognito-identity")
        params: dict[str, Any] = {"Logins": logins} if logins else {}
        if key not in self._identity_ids:
            found = self._call(client.get_id, IdentityPoolId=self.auth.config.identity_pool_id, **params)
            self._identity_ids[key] = found["IdentityId"]
        result = self._call(client.get_credentials_for_identity, IdentityId=self._identity_ids[key], **params)
        given = result["Credentials"]
        expiration = given.get("Expiration")
        expires_at = expiration.timestamp() if hasattr(expiration, "timestamp") else float(expiration or 0)
        credentials = Credentials(given["AccessKeyId"], given["SecretKey"], given.get("SessionToken"))
        self._cached = (key, credentials, expires_at or self.clock() + 3600)
        return credentials

    def identity_id(self) -> str:
        """The caller's identity id in the pool (what the function sees as cognitoIdentityId)."""
        self.get()
        return self._identity_ids[self._cached[0]]  # type: ignore[index]

    def forget(self) -> None:
        self._cached = None

    def _call(self, method: Callable, **params: Any) -> dict:
        try:
            return method(**params)
        except botocore.exceptions.ClientError as exc:
            code, detail = error_code(exc), exc.response.get("Error", {}).get("Message", "")
            if code == "NotAuthorizedException" and "Logins" not in params:
                raise NotSignedInError("Nobody is signed in and the identity pool does not allow guests: sign in "
                                       "first (auth.sign_in(email, password)).", code) from None
            raise ApiError(f"The identity pool refused credentials ({code}): {_redact(detail)}", error_type=code) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise ApiNetworkError(f"Cannot reach the identity pool: {exc}. Check the network (or start the local "
                                  "cloud: amplify-nb local start).") from None

    def __repr__(self) -> str:
        state = "cached" if self._cached else "none yet"
        return f"IdentityPoolCredentials(identity_pool={self.auth.config.identity_pool_id!r}, credentials={state})"


# --- responses ----------------------------------------------------------------------------------------------
@dataclass
class ApiResponse:
    """An answer: status, headers and the body (parsed JSON when it is JSON, else text)."""

    status: int
    headers: dict = field(repr=False)
    body: Any

    def frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        return frame(self.body, columns)


def frame(value: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """A list of objects as a DataFrame (one row per object; nested maps become dotted columns), with `columns`
    first (and present even when the list is empty). A single object gives one row, plain values one column."""
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        raise ApiError(f"The API answered {type(value).__name__} {str(value)[:80]!r}, not a list of objects, "
                       "so there is no table to make.")
    if all(isinstance(item, Mapping) for item in value):
        table = pd.json_normalize(value) if value else pd.DataFrame()
    else:  # a list of plain values: one column
        table = pd.DataFrame({"value": value})
    if columns:
        table = table.reindex(columns=list(columns) + [c for c in table.columns if c not in columns])
    return table


def _parse_body(response: requests.Response) -> Any:
    text = response.text
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<hidden>")
    return _JWT.sub("<hidden token>", text)


# --- the client ---------------------------------------------------------------------------------------------
class API:
    """Calls the REST APIs of aws-exports' `aws_cloud_logic_custom` as the user signed in with `auth`."""

    def __init__(self, config_or_project: Any, auth: Auth | None = None, *, timeout: float = TIMEOUT_SECONDS,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 http: requests.Session | None = None):
        if hasattr(config_or_project, "amplify_meta"):  # a Project: its pushed backend, through its target
            from ..project.exports import build_exports

            exports = build_exports(config_or_project)
            auth = auth or (Auth.from_project(config_or_project) if exports.get("aws_user_pools_id") else None)
        else:
            exports = read_exports(config_or_project)
            auth = auth or (Auth.from_exports(exports) if exports.get("aws_user_pools_id") else None)
        region = exports.get("aws_project_region") or "us-east-1"
        self.apis: dict[str, RestApiConfig] = {
            entry["name"]: RestApiConfig.from_entry(entry, region) for entry in exports.get("aws_cloud_logic_custom") or []}
        self.auth = auth
        self.timeout, self.clock, self.sleep = timeout, clock, sleep
        self.http = http or requests.Session()
        self._credentials: IdentityPoolCredentials | None = None

    # --- the calls --------------------------------------------------------------------------------------------
    def get(self, api_name: str, path: str, query: Mapping | None = None, headers: Mapping | None = None,
            as_frame: bool = False, **options: Any) -> Any:
        """GET; `as_frame=True` gives a list answer as a DataFrame."""
        return self._body(self.request("GET", api_name, path, query=query, headers=headers, **options), as_frame)

    def post(self, api_name: str, path: str, body: Any = None, query: Mapping | None = None,
             headers: Mapping | None = None, as_frame: bool = False, **options: Any) -> Any:
        return self._body(self.request("POST", api_name, path, body, query, headers, **options), as_frame)

    def put(self, api_name: str, path: str, body: Any = None, query: Mapping | None = None,
            headers: Mapping | None = None, as_frame: bool = False, **options: Any) -> Any:
        return self._body(self.request("PUT", api_name, path, body, query, headers, **options), as_frame)

    def patch(self, api_name: str, path: str, body: Any = None, query: Mapping | None = None,
              headers: Mapping | None = None, as_frame: bool = False, **options: Any) -> Any:
        return self._body(self.request("PATCH", api_name, path, body, query, headers, **options), as_frame)

    def delete(self, api_name: str, path: str, body: Any = None, query: Mapping | None = None,
               headers: Mapping | None = None, as_frame: bool = False, **options: Any) -> Any:
        return self._body(self.request("DELETE", api_name, path, body, query, headers, **options), as_frame)

    def head(self, api_name: str, path: str, query: Mapping | None = None, headers: Mapping | None = None,
             **options: Any) -> dict:
        """HEAD: the answer's headers."""
        return self.request("HEAD", api_name, path, query=query, headers=headers, **options).headers

    @staticmethod
    def _body(response: ApiResponse, as_frame: bool) -> Any:
        return response.frame() if as_frame else response.body

    def request(self, method: str, api_name: str, path: str, body: Any = None, query: Mapping | None = None,
                headers: Mapping | None = None, retry: bool | None = None, timeout: float | None = None) -> ApiResponse:
        """One call, retried (network errors, 429, 5xx) when `retry` (default: the method is safe to repeat).
        A dict or list body is sent as JSON; bytes and str as they are."""
        method = method.upper()
        api = self.config(api_name)
        url = api.url(path, query)
        data, sent_headers = self._encode(body, headers)
        attempts = RETRY_ATTEMPTS if (method in SAFE_TO_REPEAT if retry is None else retry) else 1
        for attempt in range(1, attempts + 1):
            prepared, secrets = self._authorize(api, method, url, data, sent_headers)
            try:
                answer = self._send(method, url, data, prepared, timeout or self.timeout)
            except requests.RequestException as exc:
                if attempt < attempts:
                    self._backoff(attempt)
                    continue
                raise ApiNetworkError(f"Cannot reach the API ({_redact(str(exc), secrets)}). Check the network (or "
                                      "start the local cloud: amplify-nb local start).", method=method, url=url) from None
            if answer.status_code in RETRYABLE_STATUS and attempt < attempts:
                self._backoff(attempt)
                continue
            if answer.status_code in (401, 403) and api.authorization == "iam" and self._credentials is not None:
                self._credentials.forget()  # stale credentials must not stick: fetch new ones next time
            result = ApiResponse(answer.status_code, dict(answer.headers), _parse_body(answer))
            if answer.status_code >= 400:
                unsigned_iam = api.authorization == "iam" and "authorization" not in {k.lower() for k in prepared}
                raise self._error(result, method, url, secrets, unsigned_iam)
            return result
        raise AssertionError("unreachable")  # the loop returns or raises

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str],
              timeout: float) -> requests.Response:
        """Send exactly the URL that was signed (requests would otherwise re-quote its path)."""
        prepared = self.http.prepare_request(requests.Request(method, url, data=data, headers=headers))
        prepared.url = url
        return self.http.send(prepared, timeout=timeout, allow_redirects=False)

    def config(self, api_name: str) -> RestApiConfig:
        if api_name not in self.apis:
            known = ", ".join(self.apis) or "none (add one with `amplify-nb add api`, then push)"
            raise ApiError(f"No REST API named {api_name!r} in this configuration; the APIs are: {known}.")
        return self.apis[api_name]

    # --- auth ---------------------------------------------------------------------------------------------
    @staticmethod
    def _encode(body: Any, headers: Mapping | None) -> tuple[bytes | None, dict[str, str]]:
        given = {str(k): str(v) for k, v in (headers or {}).items()}
        lower = {k.lower() for k in given}
        if body is None:
            return None, given
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body, default=str).encode("utf-8")
            if "content-type" not in lower:
                given["Content-Type"] = "application/json; charset=UTF-8"  # Amplify JS's default
        return data, given

    def _authorize(self, api: RestApiConfig, method: str, url: str, data: bytes | None,
                   headers: dict[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
        """The headers to send (signed, or with the ID token) and the secrets in them, to keep out of messages."""
        own_authorization = any(k.lower() == "authorization" for k in headers)
        if api.authorization == "cognito" and not own_authorization:
            if self.auth is None or not self.auth.signed_in:
                raise NotSignedInError(f"API {api.name!r} takes a user-pool token: sign in first "
                                       "(auth.sign_in(email, password)).")
            token = self.auth.tokens().id_token
            return {**headers, "Authorization": token}, (token,)
        if api.authorization != "iam" or own_authorization:  # Amplify JS signs only when no Authorization is given
            return dict(headers), tuple(v for k, v in headers.items() if k.lower() == "authorization")
        credentials = self._identity_credentials()
        if credentials is None:
            return dict(headers), ()
        request = AWSRequest(method=method, url=url, data=data or b"", headers=dict(headers))
        SigV4Auth(credentials, SIGNING_SERVICE, api.region).add_auth(request)
        signed = {k: v for k, v in request.headers.items()}
        return signed, (credentials.secret_key, credentials.token or "", signed.get("Authorization", ""))

    def _identity_credentials(self) -> Credentials | None:
        """Identity-pool credentials; None when the backend has no identity pool or gives this caller none
        (then the request goes unsigned, as Amplify JS sends it, and the API answers for itself)."""
        if self.auth is None or not self.auth.config.identity_pool_id:
            return None
        if self._credentials is None:
            self._credentials = IdentityPoolCredentials(self.auth, clock=self.clock)
        try:
            return self._credentials.get()
        except NotSignedInError:
            return None

    def identity_id(self) -> str:
        """The caller's identity-pool id (signed-in user or guest)."""
        if self._identity_credentials() is None:
            raise NotSignedInError("No identity-pool identity: sign in first (or the pool allows no guests).")
        return self._credentials.identity_id()  # type: ignore[union-attr]

    # --- failures -------------------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> None:
        """Jittered exponential backoff, as Amplify JS's jitteredBackoff."""
        self.sleep(min(2 ** attempt * 0.1 + random.uniform(0, 0.1), 5.0))

    def _error(self, response: ApiResponse, method: str, url: str, secrets: tuple[str, ...],
               unsigned_iam: bool) -> ApiError:
        body = response.body
        message = ""
        if isinstance(body, Mapping):
            raw = body.get("message") or body.get("Message") or body.get("error") or body.get("errorMessage") or ""
            message = raw if isinstance(raw, str) else json.dumps(raw, default=str)
        elif isinstance(body, str):
            message = body
        headers = {k.lower(): v for k, v in response.headers.items()}
        error_type = (headers.get("x-amzn-errortype") or "").split(":")[0]
        if not error_type and isinstance(body, Mapping):
            error_type = str(body.get("__type") or body.get("code") or "").split("#")[-1]
        message = _redact(message or f"HTTP {response.status}", secrets)
        if response.status == 403 and unsigned_iam:
            message += (" (the request went unsigned: nobody is signed in and the identity pool gives guests no "
                        "credentials, so sign in first)")
        elif response.status == 403 and error_type == "MissingAuthenticationTokenException":
            message += " (this API has no such path or method)"
        safe_body = _redact(json.dumps(body), secrets) if body is not None else None
        return error_class(response.status)(message, response.status, error_type,
                                            json.loads(safe_body) if safe_body else None, method, url)

    def __repr__(self) -> str:
        apis = ", ".join(f"{a.name} ({a.authorization})" for a in self.apis.values()) or "no APIs"
        return f"API({apis}; {self.auth!r})"
