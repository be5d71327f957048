"""Hosted sites on the local cloud: S3 website endpoints and CloudFront distributions that really serve.

moto stores a bucket's website configuration and a distribution's config but serves neither. This service
gives every bucket website and every distribution asked for its own port on 127.0.0.1, and serves it at the
root of that origin (built apps use absolute asset paths such as /app.js), so its URL works in any browser
or client without special DNS:

    GET /_amplify_nb/hosting/sites/website/<bucket>     -> {"kind", "name", "port", "url"}  (allocates a port)
    GET /_amplify_nb/hosting/sites/distribution/<id>    -> the same for a CloudFront distribution
    GET /_amplify_nb/hosting/sites                      -> {"sites": [...]}

Website semantics follow S3 (index document for / and folders, a redirect for a folder without its slash, the
error document for 4xx answers, Content-Type and Cache-Control from the object, access decided by the bucket
policy and its Block Public Access settings). A distribution follows CloudFront: its default root object for /
only, its origin read as the cloudfront.amazonaws.com service principal (so the bucket policy must grant the
distribution's ARN, as with an origin access control), its custom error responses (403/404 -> /index.html, 200).
Not emulated: CloudFront's cache (every request reaches the origin), HTTPS, routing rules, range requests.

The ports are kept in <state dir>/hosting-sites.json, bound again when the daemon starts (before its state is
restored, so early browsers wait instead of being refused) and served once the state is back; sites whose
bucket or distribution no longer exists are then forgotten. The content is read from moto's in-process
backends, so serving a page adds nothing to the state log that is replayed at every start.
"""
from __future__ import annotations

import fnmatch
import html
import json
import logging
import re
import socket
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..middleware import MIDDLEWARES, Middleware, ServerContext, WSGIApp, json_response

log = logging.getLogger("amplify_nb.local.hosting")

SITES_PATH = "/_amplify_nb/hosting/sites"
STATE_FILE_NAME = "hosting-sites.json"
SITE_KINDS = ("website", "distribution")
CLOUDFRONT_PRINCIPAL = "cloudfront.amazonaws.com"
_READY_POLL_SECONDS = 0.05
# B.s3.amazonaws.com, B.s3.REGION.amazonaws.com, B.s3-REGION.amazonaws.com: S3 REST origins.
_REST_ORIGIN = re.compile(r"^(?P<bucket>.+?)\.s3(?:[.-](?!website)[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")
# B.s3-website-REGION.amazonaws.com, B.s3-website.REGION.amazonaws.com: website endpoints (custom origins).
_WEBSITE_ORIGIN = re.compile(r"^(?P<bucket>.+?)\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?:\.cn)?$")
_PASSED_HEADERS = ("content-type", "cache-control", "content-encoding", "content-disposition", "content-language",
                   "expires")


# --- answers ------------------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 400: "Bad Request",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}


def _html_error(status: int, code: str, message: str, **details: str) -> Answer:
    """An error page like the one an S3 website endpoint returns when there is no error document."""
    title = f"{status} {REASONS.get(status, '')}".strip()
    items = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in
                    {"Code": code, "Message": message, **details}.items())
    body = f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n{items}\n</ul>\n<hr/>\n</body>\n</html>\n"
    return Answer(status, [("Content-Type", "text/html; charset=utf-8")], body.encode())


def _xml_error(status: int, code: str, message: str, **details: str) -> Answer:
    """An error as the S3 REST API (a CloudFront origin) returns it."""
    extra = "".join(f"<{k}>{html.escape(v)}</{k}>" for k, v in details.items())
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{html.escape(message)}</Message>{extra}</Error>'
    return Answer(status, [("Content-Type", "application/xml")], body.encode())


def _cloudfront_error(status: int, message: str) -> Answer:
    body = (f"<html><head><title>ERROR: The request could not be satisfied</title></head><body>"
            f"<h1>{status} ERROR</h1><h2>The request could not be satisfied.</h2><p>{html.escape(message)}</p>"
            f"<p>Generated by cloudfront (amplify-nb local cloud)</p></body></html>")
    return Answer(status, [("Content-Type", "text/html")], body.encode())


# --- moto's state, read in process ------------------------------------------------------------------------------
def find_bucket(name: str) -> Any | None:
    from moto.s3.models import s3_backends

    located = s3_backends.bucket_accounts.get(name)
    if not located:
        return None
    partition, account_id = located
    return s3_backends[account_id][partition].buckets.get(name)


def find_object(bucket: Any, key: str) -> Any | None:
    from moto.s3.models import FakeKey

    if not key:
        return None
    found = bucket.keys.get(key)
    return found if isinstance(found, FakeKey) else None


def find_distribution(distribution_id: str) -> Any | None:
    from moto.cloudfront.models import cloudfront_backends

    for account_id in list(cloudfront_backends.keys()):
        for region in list(cloudfront_backends[account_id].keys()):
            found = cloudfront_backends[account_id][region].distributions.get(distribution_id)
            if found is not None:
                return found
    return None


def site_exists(kind: str, name: str) -> bool:
    return (find_bucket(name) if kind == "website" else find_distribution(name)) is not None


# --- who may read a bucket ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Requester:
    """Who reads: an anonymous browser (website endpoint) or CloudFront on behalf of one distribution."""

    service: str | None = None
    source_arn: str | None = None
    secure: bool = False

    @property
    def anonymous(self) -> bool:
        return self.service is None


ANONYMOUS = Requester()


class BucketAccess:
    """Evaluates a bucket policy for one requester, as far as static hosting needs: Allow/Deny statements with
    Principal * or a Service, Action/Resource wildcards, and the conditions aws:SecureTransport and
    aws:SourceArn. A statement with any other condition or a Not* element never applies. Block Public
    Access's RestrictPublicBuckets turns public statements off for anonymous requesters, as S3 does."""

    def __init__(self, bucket: Any, requester: Requester):
        self.bucket_name = bucket.name
        self.requester = requester
        try:
            policy = json.loads(bucket.policy) if bucket.policy else {}
        except ValueError:
            policy = {}
        statements = policy.get("Statement", [])
        self.statements = statements if isinstance(statements, list) else [statements]
        block = getattr(bucket, "public_access_block", None)
        self.restrict_public = bool(block and block.restrict_public_buckets)

    def can(self, action: str, key: str = "") -> bool:
        resource = f"arn:aws:s3:::{self.bucket_name}" + (f"/{key}" if action == "s3:GetObject" else "")
        allowed = False
        for statement in self.statements:
            if not isinstance(statement, dict) or self._has_not_elements(statement):
                continue
            if not (self._principal_matches(statement) and _any_match(statement.get("Action"), action, casefold=True)
                    and _any_match(statement.get("Resource"), resource)):
                continue
            applies = self._conditions_hold(statement.get("Condition") or {})
            if not applies:
                continue
            if statement.get("Effect") == "Deny":
                return False
            if statement.get("Effect") == "Allow":
                if self.requester.anonymous and self.restrict_public and self._is_public(statement):
                    continue
                allowed = True
        return allowed

    @staticmethod
    def _has_not_elements(statement: dict) -> bool:
        return any(name in statement for name in ("NotPrincipal", "NotAction", "NotResource"))

    def _principal_matches(self, statement: dict) -> bool:
        principal = statement.get("Principal")
        if principal == "*":
            return True
        if not isinstance(principal, dict):
            return False
        if "*" in _as_list(principal.get("AWS")):
            return True
        return self.requester.service is not None and self.requester.service in _as_list(principal.get("Service"))

    def _conditions_hold(self, condition: dict) -> bool:
        for operator, tests in condition.items():
            if not isinstance(tests, dict):
                return False
            for name, expected in tests.items():
                if not self._condition_holds(operator, name.lower(), _as_list(expected)):
                    return False
        return True

    def _condition_holds(self, operator: str, name: str, expected: list) -> bool:
        if name == "aws:securetransport" and operator == "Bool":
            return str(self.requester.secure).lower() in [str(value).lower() for value in expected]
        if name == "aws:sourcearn" and operator in ("StringEquals", "ArnEquals", "StringLike", "ArnLike"):
            actual = self.requester.source_arn
            if actual is None:
                return False
            if operator.endswith("Equals"):
                return actual in expected
            return any(fnmatch.fnmatchcase(actual, str(pattern)) for pattern in expected)
        return False  # a condition this emulation cannot evaluate: the statement does not apply

    @staticmethod
    def _is_public(statement: dict) -> bool:
        principal = statement.get("Principal")
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))
        return everyone and not statement.get("Condition")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _any_match(patterns: Any, value: str, casefold: bool = False) -> bool:
    for pattern in _as_list(patterns):
        pattern = str(pattern)
        if casefold:
            pattern, candidate = pattern.lower(), value.lower()
        else:
            candidate = value
        if re.fullmatch(".*".join(re.escape(part).replace(r"\?", ".") for part in pattern.split("*")), candidate,
                        re.S):
            return True
    return False


# --- serving objects ------------------------------------------------------------------------------------------
def object_answer(obj: Any, method: str, request_headers: dict[str, str], status: int = 200) -> Answer:
    """An object with its stored Content-Type, Cache-Control and the like; 304 when the client has it."""
    metadata = {str(k).lower(): str(v) for k, v in dict(obj.metadata).items()}
    headers = [("ETag", obj.etag), ("Last-Modified", obj.last_modified_RFC1123)]
    headers += [(name.title(), metadata[name]) for name in _PASSED_HEADERS if name in metadata]
    headers += [(name, value) for name, value in metadata.items() if name.startswith("x-amz-meta-")]
    if status == 200 and obj.etag in [tag.strip() for tag in request_headers.get("if-none-match", "").split(",")]:
        return Answer(304, headers)
    body = obj.value
    headers.append(("Content-Length", str(len(body))))
    return Answer(status, headers, b"" if method == "HEAD" else body)


@dataclass(frozen=True)
class WebsiteConfig:
    index: str | None
    error_key: str | None
    redirect_host: str | None = None
    redirect_protocol: str | None = None


def parse_website(document: bytes | None) -> WebsiteConfig | None:
    """The bucket's website configuration, from the XML moto stores (namespace or not)."""
    if not document:
        return None
    root = ElementTree.fromstring(document)
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]  # drop the S3 namespace

    def text(path: str) -> str | None:
        found = root.find(path)
        return (found.text or "").strip() or None if found is not None else None

    return WebsiteConfig(index=text("IndexDocument/Suffix"), error_key=text("ErrorDocument/Key"),
                         redirect_host=text("RedirectAllRequestsTo/HostName"),
                         redirect_protocol=text("RedirectAllRequestsTo/Protocol"))


def website_answer(bucket_name: str, method: str, path: str, request_headers: dict[str, str]) -> Answer:
    """What http://BUCKET.s3-website-REGION.amazonaws.com/PATH answers."""
    bucket = find_bucket(bucket_name)
    if bucket is None:
        return _html_error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket_name)
    config = parse_website(bucket.website_configuration)
    if config is None:
        return _html_error(404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration",
                           BucketName=bucket_name)
    if config.redirect_host:
        return Answer(301, [("Location", f"{config.redirect_protocol or 'http'}://{config.redirect_host}{path}")])
    if method not in ("GET", "HEAD"):
        return _html_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                           Method=method, ResourceType="OBJECT")
    access = BucketAccess(bucket, ANONYMOUS)
    key = path.lstrip("/")
    if key == "" or key.endswith("/"):
        key += config.index or ""
    if not access.can("s3:GetObject", key):
        return _website_error(bucket, access, config, method, 403, "AccessDenied", "Access Denied")
    obj = find_object(bucket, key)
    if obj is not None:
        return object_answer(obj, method, request_headers)
    folder_index = f"{key}/{config.index}" if config.index else None
    if folder_index and not path.endswith("/") and find_object(bucket, folder_index) is not None \
            and access.can("s3:GetObject", folder_index):
        return Answer(302, [("Location", "/" + urllib.parse.quote(key) + "/")])
    if access.can("s3:ListBucket"):
        return _website_error(bucket, access, config, method, 404, "NoSuchKey", "The specified key does not exist.", Key=key)
    return _website_error(bucket, access, config, method, 403, "AccessDenied", "Access Denied")


def _website_error(bucket: Any, access: BucketAccess, config: WebsiteConfig, method: str, status: int, code: str,
                   message: str, **details: str) -> Answer:
    """S3 answers 4xx with the error document (keeping the status) when it exists and may be read."""
    if config.error_key and access.can("s3:GetObject", config.error_key):
        page = find_object(bucket, config.error_key)
        if page is not None:
            return object_answer(page, method, {}, status=status)
    return _html_error(status, code, message, **details)


def origin_answer(bucket_name: str, method: str, key: str, requester: Requester) -> Answer:
    """What the S3 REST API answers CloudFront's (OAC-signed) GET of one key."""
    bucket = find_bucket(bucket_name)
    if bucket is None:
        return _xml_error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket_name)
    access = BucketAccess(bucket, requester)
    if not access.can("s3:GetObject", key):
        return _xml_error(403, "AccessDenied", "Access Denied")
    obj = find_object(bucket, key)
    if obj is not None:
        return object_answer(obj, method, {})
    if access.can("s3:ListBucket"):
        return _xml_error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
    return _xml_error(403, "AccessDenied", "Access Denied")  # S3 hides missing keys without s3:ListBucket


def distribution_answer(distribution_id: str, method: str, path: str, request_headers: dict[str, str]) -> Answer:
    """What https://ID.cloudfront.net/PATH answers (without CloudFront's cache)."""
    dist = find_distribution(distribution_id)
    if dist is None:
        return _cloudfront_error(403, "Bad request: no distribution answers to this address.")
    config = dist.distribution_config
    if not _truthy(getattr(config, "Enabled", True)):
        return _cloudfront_error(403, "This distribution is disabled.")
    behavior = config.DefaultCacheBehavior
    if method not in (behavior.allowed_methods.items or ["GET", "HEAD"]):
        return _cloudfront_error(403, "This distribution is not configured to allow the HTTP request method that "
                                      "was used for this request.")
    origins = {origin.id: origin for origin in config.Origins["Items"]}
    origin = origins.get(behavior.target_origin_id)
    if origin is None:
        return _cloudfront_error(502, "The distribution's origin is missing.")
    uri = path
    root_object = getattr(config, "DefaultRootObject", "") or ""
    if uri == "/" and root_object:
        uri = "/" + root_object.lstrip("/")
    answer = _fetch_origin(origin, method, uri, dist.arn, request_headers)
    if answer.status >= 400:
        custom = _custom_error(config, answer.status)
        if custom and custom.get("ResponsePagePath"):
            page = _fetch_origin(origin, "GET", custom["ResponsePagePath"], dist.arn, {})
            if page.status == 200:
                code = int(custom.get("ResponseCode") or answer.status)
                if method == "HEAD":
                    page.body = b""
                return Answer(code, page.headers, page.body)
    return answer


def _fetch_origin(origin: Any, method: str, uri: str, distribution_arn: str, request_headers: dict[str, str]) -> Answer:
    domain = origin.domain_name
    full_path = (origin.origin_path or "").rstrip("/") + uri
    website = _WEBSITE_ORIGIN.match(domain)
    if website:
        return website_answer(website.group("bucket"), method, full_path, request_headers)
    rest = _REST_ORIGIN.match(domain)
    if rest:
        requester = Requester(service=CLOUDFRONT_PRINCIPAL, source_arn=distribution_arn, secure=True)
        answer = origin_answer(rest.group("bucket"), method, full_path.lstrip("/"), requester)
        if answer.status == 200 and answer.header("ETag") in [t.strip() for t in request_headers.get("if-none-match", "").split(",")]:
            return Answer(304, [h for h in answer.headers if h[0] != "Content-Length"])
        return answer
    return _cloudfront_error(502, f"The local cloud cannot reach the origin {domain} (only S3 origins are served).")


def _custom_error(config: Any, status: int) -> dict | None:
    responses = getattr(config, "CustomErrorResponses", {}) or {}
    items = responses.get("Items") or []
    if isinstance(items, dict):  # one item, as parsed from XML
        items = _as_list(items.get("CustomErrorResponse"))
    for item in items:
        if str(item.get("ErrorCode")) == str(status):
            return item
    return None


def _truthy(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


# --- one origin per site ----------------------------------------------------------------------------------------
class SiteApp:
    """The WSGI app of one site, served at the root of its own port."""

    def __init__(self, kind: str, name: str):
        self.kind, self.name = kind, name

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        # WSGI hands the decoded path as latin-1 text; S3 keys are UTF-8.
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace") or "/"
        headers = {name[5:].replace("_", "-").lower(): value for name, value in environ.items() if name.startswith("HTTP_")}
        try:
            if self.kind == "website":
                answer = website_answer(self.name, method, path, headers)
            else:
                answer = distribution_answer(self.name, method, path, headers)
        except Exception:  # a bug here must not kill the daemon's thread: answer 500 and log it
            log.exception("Serving %s %s %s failed", self.kind, self.name, path)
            answer = _html_error(500, "InternalError", "The local cloud failed to serve this request (see its log).")
        headers = list(answer.headers)
        if answer.header("Content-Length") is None:
            headers.append(("Content-Length", str(len(answer.body))))
        start_response(f"{answer.status} {REASONS.get(answer.status, '')}".strip(), headers)
        return [b"" if method == "HEAD" else answer.body]


def _make_site_server(port: int, app: WSGIApp):
    from werkzeug.serving import WSGIRequestHandler, make_server

    class NoDelayHandler(WSGIRequestHandler):
        def setup(self) -> None:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no ~44 ms Nagle delay per request
            super().setup()

    return make_server("127.0.0.1", port, app, threaded=True, request_handler=NoDelayHandler)


class HostingService(Middleware):
    """Answers the sites API on the daemon's port and runs one loopback server per site."""

    def __init__(self, context: ServerContext):
        self.context = context
        self.state_file = Path(context.settings.state_dir) / STATE_FILE_NAME
        self.lock = threading.RLock()
        self.ports: dict[str, int] = self._load()
        self.servers: dict[str, Any] = {}
        self.ready = threading.Event()
        for key, port in list(self.ports.items()):  # bind now: browsers wait in the backlog until we serve
            try:
                self.servers[key] = _make_site_server(port, SiteApp(*key.split(":", 1)))
            except OSError as exc:
                log.warning("Hosted site %s cannot have its port %s back (%s): it gets a new one", key, port, exc)
        threading.Thread(target=self._serve_when_restored, name="hosting-ready", daemon=True).start()

    # --- the API on the daemon's port --------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(SITES_PATH):
            return next_app(environ, start_response)
        self._become_ready()  # a request reaches middlewares only once the daemon serves: the state is restored
        if environ.get("REQUEST_METHOD") != "GET":
            return json_response(start_response, "405 Method Not Allowed", {"message": "Use GET."})
        parts = [urllib.parse.unquote(part) for part in path[len(SITES_PATH):].strip("/").split("/") if part]
        if not parts:
            return json_response(start_response, "200 OK", {"sites": self.sites()})
        if len(parts) != 2 or parts[0] not in SITE_KINDS:
            return json_response(start_response, "404 Not Found",
                                 {"message": f"Ask for {SITES_PATH}/website/<bucket> or {SITES_PATH}/distribution/<id>."})
        kind, name = parts
        if not site_exists(kind, name):
            what = "bucket" if kind == "website" else "distribution"
            return json_response(start_response, "404 Not Found", {"message": f"There is no {what} {name!r}."})
        return json_response(start_response, "200 OK", self.site(kind, name))

    def site(self, kind: str, name: str) -> dict:
        """The site's port, allocating one (and starting its server) the first time."""
        key = f"{kind}:{name}"
        with self.lock:
            if key not in self.servers:
                self._start(key, port=0)
            port = self.ports[key]
        return {"kind": kind, "name": name, "port": port, "url": f"http://127.0.0.1:{port}"}

    def sites(self) -> list[dict]:
        with self.lock:
            return [{"kind": key.split(":", 1)[0], "name": key.split(":", 1)[1], "port": port,
                     "url": f"http://127.0.0.1:{port}", "exists": site_exists(*key.split(":", 1))}
                    for key, port in sorted(self.ports.items())]

    # --- servers -----------------------------------------------------------------------------------------------
    def _start(self, key: str, port: int) -> None:
        server = _make_site_server(port, SiteApp(*key.split(":", 1)))
        self.servers[key] = server
        self.ports[key] = server.server_port
        self._save()
        if self.ready.is_set():
            self._serve(key, server)

    def _serve(self, key: str, server: Any) -> None:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, name=f"site-{key}",
                         daemon=True).start()
        log.info("Serving hosted site %s at http://127.0.0.1:%s", key, server.server_port)

    def _serve_when_restored(self) -> None:
        """daemon.json with our pid is written once the state log has been replayed: then serve."""
        while not self.ready.is_set():
            try:
                record = json.loads(self.context.settings.daemon_file.read_text(encoding="utf-8"))
                if record.get("pid") == self.context.pid:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(_READY_POLL_SECONDS)
        self._become_ready()

    def _become_ready(self) -> None:
        with self.lock:
            if self.ready.is_set():
                return
            self.ready.set()
            for key in list(self.ports):
                if not site_exists(*key.split(":", 1)):
                    log.info("Forgetting hosted site %s: it no longer exists", key)
                    server = self.servers.pop(key, None)
                    if server is not None:
                        server.server_close()
                    del self.ports[key]
                elif key not in self.servers:
                    self._start(key, port=0)  # its old port was taken: a new one (serves at once: ready is set)
                    continue
                else:
                    self._serve(key, self.servers[key])
            self._save()

    # --- state -------------------------------------------------------------------------------------------------
    def _load(self) -> dict[str, int]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): int(v) for k, v in data.get("sites", {}).items() if str(k).split(":", 1)[0] in SITE_KINDS}

    def _save(self) -> None:
        temporary = self.state_file.with_name(f".{self.state_file.name}.tmp")
        temporary.write_text(json.dumps({"version": 1, "sites": self.ports}, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
        temporary.replace(self.state_file)


MIDDLEWARES.append(HostingService)
