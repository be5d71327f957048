"""The sample app's beer page in a real browser.

1. Against a fake backend in the test (a Cognito identity pool and an API on another origin, CORS included), in
   each auth mode: every API request the browser sends must carry botocore's own SigV4 signature for the
   credentials the fake identity pool handed out (iam: a guest's, or the signed-in user's for their ID token in
   Logins), or the raw ID token (cognito). This needs nothing but Chromium.
2. End to end on the local cloud, in both modes: a visitor signs up, confirms with the mailbox code, signs in,
   adds three beers, edits one, deletes one, reloads and sees two. The backend is set up through the project API
   as the notebooks do (hosting, auth, then the api category with the tutorial's new CRUD function and table).
"""
from __future__ import annotations

import base64
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from botocore.credentials import Credentials
from playwright.sync_api import expect

from amplify_nb.sample_app.__main__ import SinglePageHandler
from sigv4_check import SignatureMismatch, verify_sigv4

pytestmark = pytest.mark.browser
WEB = Path(__file__).resolve().parents[2] / "amplify_nb" / "sample_app" / "web"
REGION = "us-east-1"
POOL = "us-east-1_BeerPool1"
CLIENT_ID = "beerwebclient"
IDENTITY_POOL = "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
PASSWORD = "browser pass 42"
BEERS = [("Punk IPA", "BrewDog", "IPA"), ("Augustiner Hell", "Augustiner", "Lager"), ("Guinness", "Guinness", "Stout")]


def fake_id_token(email: str) -> str:
    """A JWT-shaped token: the app only reads its claims; the fake backend compares it as a string."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    claims = {"sub": str(uuid.uuid4()), "email": email, "token_use": "id", "exp": 4102444800}
    return f"{part({'alg': 'RS256', 'kid': 'test'})}.{part(claims)}.c2lnbmF0dXJl"


# --- the fake backend -------------------------------------------------------------------------------------------
@dataclass
class FakeBackend:
    mode: str  # iam | cognito
    id_token: str | None = None
    credentials: dict[str, Credentials] = field(default_factory=dict)
    logins_seen: list[dict] = field(default_factory=list)
    api_calls: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, who: access key or token)
    refused: list[str] = field(default_factory=list)
    forbidden_methods: set[str] = field(default_factory=set)
    beers: dict[str, dict] = field(default_factory=dict)
    url: str = ""


def backend_handler(backend: FakeBackend):
    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, status: int, body, extra: dict | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "x-amzn-ErrorType")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self):  # the CORS preflight, as Amplify's OPTIONS methods answer it
            self.reply(200, None, {"Access-Control-Allow-Methods": "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT",
                                   "Access-Control-Allow-Headers": self.headers.get("Access-Control-Request-Headers", "")})

        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "")
            if target.startswith("AWSCognitoIdentityService."):
                return self.identity(target.split(".", 1)[1], json.loads(body))
            who = self.check(body)
            if who is None:
                return
            backend.api_calls.append((self.command, urllib.parse.urlsplit(self.path).path, who))
            if self.command in backend.forbidden_methods:
                return self.reply(403, {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke "
                                                   f"on resource: {self.command}"},
                                  {"x-amzn-ErrorType": "AccessDeniedException"})
            self.beer_route(body)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def identity(self, operation: str, body: dict) -> None:
            logins = body.get("Logins", {})
            backend.logins_seen.append(logins)
            if operation == "GetId":
                return self.reply(200, {"IdentityId": f"{REGION}:{'user' if logins else 'guest'}-1"})
            key = f"ASIAFAKE{uuid.uuid4().hex[:12].upper()}"
            credentials = Credentials(key, f"secret/{uuid.uuid4().hex}", f"token+{uuid.uuid4().hex}")
            backend.credentials[key] = credentials
            self.reply(200, {"IdentityId": body["IdentityId"], "Credentials": {
                "AccessKeyId": key, "SecretKey": credentials.secret_key, "SessionToken": credentials.token,
                "Expiration": time.time() + 3600}})

        def check(self, body: bytes) -> str | None:
            headers = dict(self.headers.items())
            if backend.mode == "cognito":
                if headers.get("Authorization") != backend.id_token:
                    backend.refused.append(f"{self.command} {self.path}: not the ID token")
                    self.reply(401, {"message": "Unauthorized"})
                    return None
                return "id token"
            try:
                return verify_sigv4(self.command, f"http://{headers['Host']}{self.path}", headers, body,
                                    backend.credentials, REGION)
            except (SignatureMismatch, KeyError) as exc:
                backend.refused.append(f"{self.command} {self.path}: {exc}")
                self.reply(403, {"message": "The request signature we calculated does not match"},
                           {"x-amzn-ErrorType": "InvalidSignatureException"})
                return None

        def beer_route(self, body: bytes) -> None:
            parts = urllib.parse.urlsplit(self.path).path.split("/_user_request_/beer")[1].strip("/")
            data = json.loads(body) if body else None
            if not parts:
                if self.command == "GET":
                    return self.reply(200, list(backend.beers.values()))
                beer = {"id": uuid.uuid4().hex, **data}
                backend.beers[beer["id"]] = beer
                return self.reply(201, beer)
            beer_id = urllib.parse.unquote(parts)
            if beer_id not in backend.beers:
                return self.reply(404, {"message": f"No item with id {beer_id}."})
            if self.command == "PUT":
                backend.beers[beer_id] = {"id": beer_id, **data}
                return self.reply(200, backend.beers[beer_id])
            self.reply(200, backend.beers.pop(beer_id))

        def log_message(self, *args):
            pass

    return Handler


def start(server: http.server.ThreadingHTTPServer, started: list) -> str:
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    started.append(server)
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def servers():
    started: list[http.server.ThreadingHTTPServer] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def serve_app(tmp_path: Path, servers: list, backend: FakeBackend, signed_in_as: str | None) -> str:
    backend.url = start(http.server.ThreadingHTTPServer(("127.0.0.1", 0), backend_handler(backend)), servers)
    site = tmp_path / "site"
    shutil.copytree(WEB, site)
    exports = {"aws_project_region": REGION, "aws_cognito_region": REGION,
               "aws_cognito_identity_pool_id": IDENTITY_POOL, "aws_cognito_endpoint": backend.url,
               "aws_cloud_logic_custom": [{"name": "beerapi", "region": REGION, "authorization": backend.mode,
                                           "endpoint": f"{backend.url}/restapis/beer1/dev/_user_request_"}]}
    if signed_in_as:
        exports.update(aws_user_pools_id=POOL, aws_user_pools_web_client_id=CLIENT_ID)
    (site / "aws-exports.js").write_text(f"const awsmobile = {json.dumps(exports)};\nexport default awsmobile;\n")
    (site / "build-info.js").write_text('export default {"projectName": "beerapp", "envName": "dev"};\n')
    handler = type("Site", (SinglePageHandler,), {"log_message": lambda self, *args: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *args: handler(*args, directory=str(site)))
    return start(server, servers)


def sign_in_storage(page, email: str, token: str) -> None:
    """The session auth.js keeps in localStorage after a sign-in (no Cognito in this test)."""
    session = {"idToken": token, "accessToken": "access", "refreshToken": "refresh", "expiresAt": 4102444800}
    page.add_init_script(f"localStorage.setItem('amplify-nb.auth.{CLIENT_ID}', {json.dumps(json.dumps(session))});")


def beer_rows(page):
    return page.locator("#beer-rows tr")


def add_beer(page, name: str, brand: str, kind: str) -> None:
    page.fill("#beer-name", name)
    page.fill("#beer-brand", brand)
    page.fill("#beer-type", kind)
    page.locator("#beer-save").click()
    expect(page.locator("#beer-notice")).to_have_text(f"Added {name}.")


def keep_a_beer_list(page, base_url: str) -> None:
    """Add three beers, edit one, delete one, reload: two beers, with the edit."""
    expect(page.locator("#beer-count")).to_have_text("0 beers")
    for beer in BEERS:
        add_beer(page, *beer)
    expect(beer_rows(page)).to_have_count(3)
    page.locator("#beer-rows tr", has_text="Punk IPA").locator(".edit-beer").click()
    expect(page.locator("#beer-form-title")).to_have_text("Edit Punk IPA")
    page.fill("#beer-type", "India Pale Ale")
    page.locator("#beer-save").click()
    expect(page.locator("#beer-notice")).to_have_text("Saved Punk IPA.")
    page.locator("#beer-rows tr", has_text="Guinness").locator(".delete-beer").click()
    expect(page.locator("#beer-notice")).to_have_text("Deleted Guinness.")
    page.reload()
    expect(beer_rows(page)).to_have_count(2)
    expect(page.locator("#beer-rows .beer-name")).to_have_text(["Augustiner Hell", "Punk IPA"])
    expect(page.locator("#beer-rows tr", has_text="Punk IPA").locator(".beer-type")).to_have_text("India Pale Ale")


def page_errors(page, allowed_statuses: tuple[int, ...] = ()) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A refused request is an answer the app shows; the browser logs it too. A site without a favicon gets a 404.
    quiet = tuple(f"status of {status}" for status in (404, *allowed_statuses))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not any(text in message.text for text in quiet) else None)
    return errors


@pytest.mark.parametrize("mode, user", [("iam", None), ("iam", "ana@example.com"), ("cognito", "ana@example.com")])
def test_the_beer_page_signs_each_request_as_botocore_checks_it(tmp_path, servers, page, mode, user):
    token = fake_id_token(user) if user else None
    backend = FakeBackend(mode=mode, id_token=token)
    url = serve_app(tmp_path, servers, backend, user)
    if user:
        sign_in_storage(page, user, token)
    errors = page_errors(page)

    page.goto(url + "/")
    page.locator("#to-beers").click()
    expect(page.get_by_role("heading", name="Beers")).to_be_visible()
    keep_a_beer_list(page, url)

    assert backend.refused == []
    methods = [method for method, _, _ in backend.api_calls]
    assert methods.count("POST") == 3 and methods.count("PUT") == 1 and methods.count("DELETE") == 1
    if mode == "iam":
        assert {who for _, _, who in backend.api_calls} <= set(backend.credentials)
        expected_logins = {f"cognito-idp.{REGION}.amazonaws.com/{POOL}": token} if user else {}
        assert backend.logins_seen and all(logins == expected_logins for logins in backend.logins_seen)
    else:
        assert backend.logins_seen == [] and {who for _, _, who in backend.api_calls} == {"id token"}
    assert errors == []


def test_the_beer_page_says_when_the_api_refuses_or_cannot_be_reached(tmp_path, servers, page):
    backend = FakeBackend(mode="iam", forbidden_methods={"DELETE"})
    url = serve_app(tmp_path, servers, backend, None)
    errors = page_errors(page, allowed_statuses=(403,))
    page.goto(url + "/beers")
    add_beer(page, *BEERS[0])
    page.locator("#beer-rows .delete-beer").click()
    expect(page.locator("#beer-message")).to_contain_text("The API refused this request (403: User: anonymous")
    expect(beer_rows(page)).to_have_count(1)

    servers[0].shutdown()  # the backend goes away
    servers[0].server_close()
    servers.pop(0)
    add_beer_attempt = page.locator("#beer-save")
    page.fill("#beer-name", "Pilsner Urquell")
    page.fill("#beer-brand", "Plzeňský Prazdroj")
    page.fill("#beer-type", "Pilsner")
    add_beer_attempt.click()
    expect(page.locator("#beer-message")).to_contain_text("Cannot reach")
    assert [e for e in errors if "ERR_CONNECTION_REFUSED" not in e] == []


# --- end to end on the local cloud ------------------------------------------------------------------------------
def published_beer_app(tmp_path: Path, authorization: str):
    from amplify_nb import sample_app
    from amplify_nb.hosting import publish
    from amplify_nb.notebook import resource_spec
    from amplify_nb.project import Project, add_resource
    from amplify_nb.specs.auth import AuthSpec
    from amplify_nb.specs.hosting import HostingSpec

    project_dir = tmp_path / "beerapp"
    subprocess.run([sys.executable, "-m", "amplify_nb.cli", "init", "--yes", "--project-dir", str(project_dir)],
                   check=True, capture_output=True, timeout=300)
    project = Project.open(project_dir)
    sample_app.install(project)
    add_resource(project, "hosting", HostingSpec(bucket_name=f"site-{uuid.uuid4().hex[:10]}", environment="DEV"))
    add_resource(project, "auth", AuthSpec(resource_name="beerauth"))
    add_resource(project, "api", resource_spec(project, "api", name="beerapi", path="/beer", new_function=True,
                                               restrict_access=True, authorization=authorization))
    return project, publish(project, progress=False).url


@pytest.mark.parametrize("authorization", ["iam", "cognito"])
def test_a_visitor_signs_up_signs_in_and_keeps_a_beer_list(tmp_path, local_cloud, page, authorization):
    from amplify_nb.local.services.cognito import read_mailbox

    project, url = published_beer_app(tmp_path, authorization)
    errors = page_errors(page, allowed_statuses=(400, 403))
    email = f"beer-{uuid.uuid4().hex[:8]}@example.com"

    page.goto(url + "/")
    page.locator("#to-sign-up").click()
    page.fill("#auth-email", email)
    page.fill("#auth-password", PASSWORD)
    page.fill("#auth-password-again", PASSWORD)
    page.locator("#sign-up-button").click()
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    (message,) = read_mailbox(local_cloud.settings.state_dir, email)
    page.fill("#auth-code", message["code"])
    page.locator("#confirm-button").click()
    expect(page.locator("#auth-notice")).to_contain_text("Your account is confirmed")
    page.fill("#auth-email", email)
    page.fill("#auth-password", PASSWORD)
    page.locator("#sign-in-button").click()
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()

    page.locator("#to-beers").click()
    expect(page.get_by_role("heading", name="Beers")).to_be_visible()
    keep_a_beer_list(page, url)
    expect(page.locator("#beer-message")).to_have_text("")
    assert errors == []
