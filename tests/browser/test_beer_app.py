"""The sample app's beer page in a real browser.

1. Against a fake backend (tests/fake_backend.py: a Cognito identity pool and an API on another origin, CORS
   included), in each auth mode: every API request the browser sends must carry botocore's own SigV4 signature
   for the credentials the fake identity pool handed out (iam: a guest's, or the signed-in user's for their ID
   token in Logins), or the raw ID token (cognito). This needs nothing but Chromium.
2. End to end on the local cloud, in both modes: a visitor signs up, confirms with the mailbox code, signs in,
   adds three beers, edits one, deletes one, reloads and sees two. The backend is set up through the project API
   as the notebooks do (hosting, auth, then the api category with the tutorial's new CRUD function and table).
"""
from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from amplify_nb.sample_app.__main__ import SinglePageHandler
from fake_backend import CLIENT_ID, POOL, REGION, FakeBackend, fake_id_token

pytestmark = pytest.mark.browser
WEB = Path(__file__).resolve().parents[2] / "amplify_nb" / "sample_app" / "web"
PASSWORD = "browser pass 42"
BEERS = [("Punk IPA", "BrewDog", "IPA"), ("Augustiner Hell", "Augustiner", "Lager"), ("Guinness", "Guinness", "Stout")]


@pytest.fixture
def cleanup():
    """A list to put stop functions in; each is called after the test."""
    stops: list = []
    yield stops
    for stop in reversed(stops):
        stop()


def serve_app(tmp_path: Path, cleanup: list, backend: FakeBackend, signed_in_as: str | None) -> str:
    """The web app on its own origin, with the aws-exports.js of `backend` (started here)."""
    cleanup.append(backend.start().stop)
    site = tmp_path / "site"
    shutil.copytree(WEB, site)
    exports = backend.exports(with_user_pool=bool(signed_in_as))
    (site / "aws-exports.js").write_text(f"const awsmobile = {json.dumps(exports)};\nexport default awsmobile;\n")
    (site / "build-info.js").write_text('export default {"projectName": "beerapp", "envName": "dev"};\n')
    handler = type("Site", (SinglePageHandler,), {"log_message": lambda self, *args: None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *args: handler(*args, directory=str(site)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    cleanup.extend([server.server_close, server.shutdown])
    return f"http://127.0.0.1:{server.server_address[1]}"


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
def test_the_beer_page_signs_each_request_as_botocore_checks_it(tmp_path, cleanup, page, mode, user):
    token = fake_id_token(user) if user else None
    backend = FakeBackend(mode=mode, id_token=token)
    url = serve_app(tmp_path, cleanup, backend, user)
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


def test_the_beer_page_says_when_the_api_refuses_or_cannot_be_reached(tmp_path, cleanup, page):
    backend = FakeBackend(mode="iam", forbidden_methods={"DELETE"})
    url = serve_app(tmp_path, cleanup, backend, None)
    errors = page_errors(page, allowed_statuses=(403,))
    page.goto(url + "/beers")
    add_beer(page, *BEERS[0])
    page.locator("#beer-rows .delete-beer").click()
    expect(page.locator("#beer-message")).to_contain_text("The API refused this request (403: User: anonymous")
    expect(beer_rows(page)).to_have_count(1)

    backend.stop()  # the backend goes away
    add_beer_attempt = page.locator("#beer-save")
    page.fill("#beer-name", "Pilsner Urquell")
    page.fill("#beer-brand", "Plzeňský Prazdroj")
    page.fill("#beer-type", "Pilsner")
    add_beer_attempt.click()
    expect(page.locator("#beer-message")).to_contain_text("Cannot reach")
    assert [e for e in errors if "ERR_CONNECTION_REFUSED" not in e] == []


def test_the_beer_page_says_when_the_api_does_not_accept_the_session(tmp_path, cleanup, page):
    backend = FakeBackend(mode="cognito", id_token=fake_id_token("ana@example.com"))
    url = serve_app(tmp_path, cleanup, backend, "ana@example.com")
    sign_in_storage(page, "ana@example.com", fake_id_token("someone-else@example.com"))  # not the backend's token
    errors = page_errors(page, allowed_statuses=(401,))
    page.goto(url + "/beers")
    expect(page.locator("#beer-message")).to_contain_text("The API did not accept your session (401: Unauthorized)")
    assert backend.api_calls == [] and len(backend.refused) == 1
    assert errors == []


# --- end to end on the local cloud ------------------------------------------------------------------------------
def published_beer_app(tmp_path: Path, authorization: str):
    from amplify_nb import sample_app
    from amplify_nb.hosting import publish
    from amplify_nb.notebook import api_spec
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
    suffix = uuid.uuid4().hex[:6]  # functions and tables are named <name>-<env>: one pair per test on the cloud
    add_resource(project, "api", api_spec(project, function_name=f"beerfn{suffix}", table_name=f"beer{suffix}",
                                          name="beerapi", path="/beer", restrict_access=True,
                                          authorization=authorization))
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
    expect(page.get_by_role("heading", name="We Emailed You")).to_be_visible()
    (message,) = read_mailbox(local_cloud.settings.state_dir, email)
    page.fill("#auth-code", message["code"])
    page.locator("#confirm-button").click()  # confirmed, then signed in (Amplify's autoSignIn)
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()

    page.locator("#to-beers").click()
    expect(page.get_by_role("heading", name="Beers")).to_be_visible()
    keep_a_beer_list(page, url)
    expect(page.locator("#beer-message")).to_have_text("")
    assert errors == []
