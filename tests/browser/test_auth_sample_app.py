"""The published sample app asks visitors to sign in once the backend has auth, with an Authenticator card like
Amplify UI's: "Sign In" / "Create Account" tabs, labelled full-width fields, a busy button, field-level errors,
Cognito's own messages in the card, "Forgot your password?", and the local mailbox for the codes. In a plain
browser a person creates an account, reads the code from the local mailbox, confirms it (a wrong code is refused)
and is signed in; resets a forgotten password; and the card fits a phone's width. The page talks to the local
cloud's Cognito API directly (unsigned JSON with X-Amz-Target, across origins), as an Amplify web app does."""
from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from amplify_nb import sample_app
from amplify_nb.hosting import publish
from amplify_nb.local import LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY
from amplify_nb.local.services.cognito import read_mailbox
from amplify_nb.project import Project, add_resource
from amplify_nb.specs.auth import AuthSpec
from amplify_nb.specs.hosting import HostingSpec

pytestmark = pytest.mark.browser
PASSWORD = "browser pass 42"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def published_app(tmp_path_factory, local_cloud) -> tuple[Project, str]:
    """One beer app with hosting and auth, published once for this module's tests (each uses its own email)."""
    project_dir = tmp_path_factory.mktemp("auth-app") / "beerapp"
    subprocess.run([sys.executable, "-m", "amplify_nb.cli", "init", "--yes", "--project-dir", str(project_dir)],
                   check=True, capture_output=True, timeout=300)
    project = Project.open(project_dir)
    sample_app.install(project)
    add_resource(project, "hosting", HostingSpec(bucket_name=f"site-{uuid.uuid4().hex[:10]}", environment="DEV"))
    add_resource(project, "auth", AuthSpec(resource_name="beerauth"))
    return project, publish(project, progress=False).url


def collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Messages belong in the card, never in a browser dialog (alert()).
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    # A refused code or password is a 400 answer the app shows to the user; the browser logs it too. A DEV site
    # answers the browser's own /favicon.ico request with S3's 403 (no such file), as test_hosting_site does.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and "status of 400" not in message.text and "status of 403" not in message.text else None)
    return errors


def new_email(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:8]}@example.com"


def latest_code(local_cloud, email: str, purpose: str) -> str:
    messages = [m for m in read_mailbox(local_cloud.settings.state_dir, email) if m["purpose"] == purpose]
    assert messages, f"no {purpose} mail to {email}"
    return messages[0]["code"]  # newest first


def signed_up_user(page, local_cloud, email: str, password: str = PASSWORD, confirm: bool = True) -> None:
    """An account made through Cognito's public API (no UI), confirmed with the code from the mailbox."""
    import boto3

    aws = page.wait_for_function("() => window.appConfig && window.appConfig.aws").json_value()
    idp = boto3.client("cognito-idp", endpoint_url=aws["aws_cognito_endpoint"], region_name=LOCAL_REGION,
                       aws_access_key_id=LOCAL_ACCESS_KEY_ID, aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY)
    client_id = aws["aws_user_pools_web_client_id"]
    idp.sign_up(ClientId=client_id, Username=email, Password=password,
                UserAttributes=[{"Name": "email", "Value": email}])
    if confirm:
        idp.confirm_sign_up(ClientId=client_id, Username=email,
                            ConfirmationCode=latest_code(local_cloud, email, "sign-up"))


def snap(page, tmp_path: Path, name: str) -> None:
    """A screenshot to look at (tests/browser leaves them in pytest's tmp dir); nothing is compared."""
    page.screenshot(path=tmp_path / f"{name}.png", full_page=True)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_visitor_creates_an_account_confirms_with_the_mailbox_code_and_is_signed_in(
        published_app, local_cloud, page, tmp_path):
    project, url = published_app
    errors = collect_errors(page)
    email = new_email("visitor")

    page.goto(url + "/")
    expect(page.get_by_role("heading", name=f"Sign in to {project.name}")).to_be_visible()
    card = page.locator("#auth-card")
    expect(card.get_by_role("tab", name="Sign In")).to_have_attribute("aria-selected", "true")
    expect(card.get_by_role("tab", name="Create Account")).to_have_attribute("aria-selected", "false")
    expect(card.get_by_label("Email")).to_be_visible()
    expect(card.get_by_role("button", name="Forgot your password?")).to_be_visible()

    page.get_by_role("tab", name="Create Account").click()
    expect(page.get_by_role("tab", name="Create Account")).to_have_attribute("aria-selected", "true")
    expect(card.get_by_label("Confirm Password")).to_be_visible()
    # Checked in the page, before Cognito is asked: each message under its own field.
    page.fill("#auth-email", "not an address")
    page.fill("#auth-password", "short")
    page.fill("#auth-password-again", "shorter")
    page.locator("#sign-up-button").click()
    expect(page.locator("#auth-email-error")).to_contain_text("valid email address")
    expect(page.locator("#auth-password-error")).to_have_text("Password must have at least 8 characters")
    expect(page.locator("#auth-password-again-error")).to_have_text("Your passwords must match")
    expect(page.locator("#auth-password-again")).to_have_attribute("aria-invalid", "true")
    snap(page, tmp_path, "create-account-field-errors")
    assert read_mailbox(local_cloud.settings.state_dir, "not an address") == []

    page.fill("#auth-email", email)
    page.fill("#auth-password", PASSWORD)
    page.fill("#auth-password-again", PASSWORD)
    expect(page.locator("#auth-password-again-error")).to_be_hidden()  # typing again clears the complaint
    page.locator("#sign-up-button").click()
    expect(page.get_by_role("heading", name="We Emailed You")).to_be_visible()
    expect(card).to_contain_text("enter the code we emailed to v***@e***")
    expect(card).to_contain_text("local mailbox")

    messages = read_mailbox(local_cloud.settings.state_dir, email)  # the local cloud's mailbox, not real email
    assert len(messages) == 1 and messages[0]["purpose"] == "sign-up"
    # A browser-only trainee reads the code on the local mailbox page the confirm step links to.
    with page.context.expect_page() as opened:
        page.locator("#open-mailbox").click()
    mailbox = opened.value
    mailbox.wait_for_load_state()
    expect(mailbox.get_by_role("heading", name=f"Local mailbox to {email}")).to_be_visible()
    expect(mailbox.locator("[data-code]").first).to_have_text(messages[0]["code"])
    mailbox.close()

    page.get_by_label("Confirmation Code").fill(wrong(messages[0]["code"]))
    page.locator("#confirm-button").click()
    expect(card.locator("#auth-error")).to_have_text("Invalid verification code provided, please try again.")
    snap(page, tmp_path, "we-emailed-you-wrong-code")
    page.get_by_label("Confirmation Code").fill(messages[0]["code"])
    page.locator("#confirm-button").click()
    # Confirmed, then signed in with the password just chosen, as Amplify's autoSignIn does.
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()
    expect(page.locator("#signed-in-as")).to_have_text(email)
    expect(page.locator(".features .ready")).to_contain_text(["Hosting", "Sign-in (Cognito user pool)"])

    page.reload()  # the session survives a reload, as with Amplify JS
    expect(page.locator("#signed-in-as")).to_have_text(email)

    page.locator("#sign-out").click()
    expect(page.get_by_role("heading", name=f"Sign in to {project.name}")).to_be_visible()
    expect(page.locator("#auth-notice")).to_contain_text("signed out")
    page.goto(url + "/")
    expect(page.get_by_role("heading", name=f"Sign in to {project.name}")).to_be_visible()
    assert errors == []


def test_the_button_is_busy_while_cognito_answers_and_a_wrong_password_shows_cognitos_message(
        published_app, local_cloud, page, tmp_path):
    project, url = published_app
    errors = collect_errors(page)
    email = new_email("busy")
    page.goto(url + "/")
    signed_up_user(page, local_cloud, email)

    held: list = []  # the sign-in request, held until the test has seen the busy button
    page.route("**/*", lambda route: held.append(route)
               if "InitiateAuth" in (route.request.headers.get("x-amz-target") or "") else route.continue_())
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("not the password")
    button = page.locator("#sign-in-button")
    button.click()
    expect(button).to_have_text("Signing in…")
    expect(button).to_be_disabled()
    expect(page.locator("#auth-error")).to_be_hidden()
    snap(page, tmp_path, "signing-in")
    deadline = time.monotonic() + 60
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright hand the request to the route handler
    assert len(held) == 1
    held.pop().continue_()
    page.unroute("**/*")

    alert = page.locator("#auth-card #auth-error")
    expect(alert).to_have_text("Incorrect username or password.")
    expect(alert).to_have_attribute("role", "alert")
    snap(page, tmp_path, "wrong-password")
    expect(button).to_have_text("Sign in")
    expect(button).to_be_enabled()

    # The eye button shows what was typed, and hides it again.
    show = page.get_by_role("button", name="Show password")
    show.click()
    expect(page.locator("#auth-password")).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide password").click()
    expect(page.locator("#auth-password")).to_have_attribute("type", "password")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    button.click()
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()

    page.set_viewport_size(PHONE)  # signed in on a phone: the header wraps, nothing scrolls sideways
    expect(page.locator("#signed-in-as")).to_have_text(email)
    snap(page, tmp_path, "signed-in-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []


def test_signing_in_before_confirming_leads_to_the_code_step_and_then_in(published_app, local_cloud, page):
    project, url = published_app
    errors = collect_errors(page)
    email = new_email("unconfirmed")
    page.goto(url + "/")
    signed_up_user(page, local_cloud, email, confirm=False)

    # The tabs answer the arrow keys, as a tab list does.
    page.get_by_role("tab", name="Sign In").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Create Account")).to_be_focused()
    expect(page.get_by_role("tab", name="Create Account")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="Sign In")).to_have_attribute("aria-selected", "true")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("#sign-in-button").click()
    expect(page.get_by_role("heading", name="We Emailed You")).to_be_visible()
    expect(page.locator("#auth-notice")).to_contain_text("not confirmed yet")
    assert len(read_mailbox(local_cloud.settings.state_dir, email)) == 2  # sign-up's code, then a new one
    first = latest_code(local_cloud, email, "sign-up")

    page.get_by_role("button", name="Resend Code").click()
    expect(page.locator("#auth-notice")).to_contain_text("We sent a new code to u***@e***")
    assert len(read_mailbox(local_cloud.settings.state_dir, email)) == 3
    newest = latest_code(local_cloud, email, "sign-up")
    if newest != first:  # only the latest code works
        page.get_by_label("Confirmation Code").fill(first)
        page.locator("#confirm-button").click()
        expect(page.locator("#auth-error")).to_contain_text("Invalid")
    page.get_by_label("Confirmation Code").fill(newest)
    page.locator("#confirm-button").click()
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()
    expect(page.locator("#signed-in-as")).to_have_text(email)
    assert errors == []


def test_a_forgotten_password_is_reset_with_the_mailbox_code_and_the_new_one_signs_in(
        published_app, local_cloud, page, tmp_path):
    project, url = published_app
    errors = collect_errors(page)
    email, new_password = new_email("forgetful"), "a brand new pass 7"
    page.goto(url + "/")
    signed_up_user(page, local_cloud, email)

    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset Password")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)  # what was typed on the sign-in tab
    snap(page, tmp_path, "reset-password")
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_label("Code", exact=True)).to_be_visible()
    expect(page.locator("#auth-card")).to_contain_text("we emailed to f***@e***")
    expect(page.locator("#open-mailbox")).to_have_attribute("href", re.compile(
        re.escape(f"/_amplify_nb/mailbox?to={urllib.parse.quote(email, safe='')}") + "$"))
    code = latest_code(local_cloud, email, "forgot-password")

    page.get_by_label("Code", exact=True).fill(wrong(code))
    page.get_by_label("New Password").fill(new_password)
    page.get_by_label("Confirm Password").fill(new_password + "!")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#auth-password-again-error")).to_have_text("Your passwords must match")
    page.get_by_label("Confirm Password").fill(new_password)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#auth-error")).to_have_text("Invalid verification code provided, please try again.")
    snap(page, tmp_path, "reset-password-code")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("tab", name="Sign In")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#auth-notice")).to_contain_text("Your password has been reset")
    snap(page, tmp_path, "password-reset-notice")
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)  # the old one no longer works
    page.locator("#sign-in-button").click()
    expect(page.locator("#auth-error")).to_have_text("Incorrect username or password.")
    page.get_by_label("Password", exact=True).fill(new_password)
    page.locator("#sign-in-button").click()
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()
    expect(page.locator("#signed-in-as")).to_have_text(email)
    assert errors == []


def test_the_card_fills_a_phone_without_horizontal_scrolling(published_app, page, tmp_path):
    project, url = published_app
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url + "/")
    expect(page.get_by_role("heading", name=f"Sign in to {project.name}")).to_be_visible()
    snap(page, tmp_path, "sign-in-desktop")
    desktop = page.locator("#auth-card").bounding_box()
    assert 470 <= desktop["width"] <= 490  # Amplify UI's 30rem card, centered
    assert abs(desktop["x"] + desktop["width"] / 2 - 640) < 2

    page.set_viewport_size(PHONE)
    for view in ("Sign In", "Create Account"):
        page.get_by_role("tab", name=view).click()
        snap(page, tmp_path, f"{view.lower().replace(' ', '-')}-phone")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        card = page.locator("#auth-card").bounding_box()
        email = page.locator("#auth-email").bounding_box()
        button = page.locator("#auth-card button[type=submit]").bounding_box()
        assert card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"]
        # Full-width fields and button: the same width, most of the card's.
        assert email["width"] >= 0.8 * card["width"]
        assert abs(email["width"] - button["width"]) < 1
    assert errors == []
