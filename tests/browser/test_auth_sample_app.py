"""The published sample app asks visitors to sign in once the backend has auth: in a plain browser, a person
creates an account, reads the code from the local mailbox, confirms it (a wrong code is refused), signs in,
sees the app, and signs out. The page talks to the local cloud's Cognito API directly (unsigned JSON with
X-Amz-Target, across origins), as an Amplify web app does on AWS."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from amplify_nb import sample_app
from amplify_nb.hosting import publish
from amplify_nb.local.services.cognito import read_mailbox
from amplify_nb.project import Project, add_resource
from amplify_nb.specs.auth import AuthSpec
from amplify_nb.specs.hosting import HostingSpec

pytestmark = pytest.mark.browser
PASSWORD = "browser pass 42"


def published_project_with_auth(tmp_path) -> tuple[Project, str]:
    project_dir = tmp_path / "beerapp"
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
    # A refused code or password is a 400 answer the app shows to the user; the browser logs it too. A DEV site
    # answers the browser's own /favicon.ico request with S3's 403 (no such file), as test_hosting_site does.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and "status of 400" not in message.text and "status of 403" not in message.text else None)
    return errors


def test_a_visitor_signs_up_confirms_with_the_mailbox_code_signs_in_and_out(tmp_path, local_cloud, page):
    project, url = published_project_with_auth(tmp_path)
    errors = collect_errors(page)
    email = f"visitor-{uuid.uuid4().hex[:8]}@example.com"

    page.goto(url + "/")
    expect(page.get_by_role("heading", name=f"Sign in to {project.name}")).to_be_visible()
    page.locator("#to-sign-up").click()
    page.fill("#auth-email", email)
    page.fill("#auth-password", PASSWORD)
    page.fill("#auth-password-again", PASSWORD)
    page.locator("#sign-up-button").click()
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(page.locator("#auth-notice")).to_contain_text("email to v***@e***")
    expect(page.locator("#auth-card")).to_contain_text("local mailbox")

    messages = read_mailbox(local_cloud.settings.state_dir, email)  # the local cloud's mailbox, not real email
    assert len(messages) == 1 and messages[0]["purpose"] == "sign-up"
    # A browser-only trainee reads the code on the local mailbox page the confirm page links to.
    with page.context.expect_page() as opened:
        page.locator("#open-mailbox").click()
    mailbox = opened.value
    mailbox.wait_for_load_state()
    expect(mailbox.get_by_role("heading", name=f"Local mailbox to {email}")).to_be_visible()
    expect(mailbox.locator("[data-code]").first).to_have_text(messages[0]["code"])
    mailbox.close()
    page.fill("#auth-code", "000000" if messages[0]["code"] != "000000" else "111111")
    page.locator("#confirm-button").click()
    expect(page.locator("#auth-error")).to_contain_text("That code is wrong")
    page.fill("#auth-code", messages[0]["code"])
    page.locator("#confirm-button").click()
    expect(page.locator("#auth-notice")).to_contain_text("Your account is confirmed")

    page.fill("#auth-email", email)
    page.fill("#auth-password", "not the password")
    page.locator("#sign-in-button").click()
    expect(page.locator("#auth-error")).to_contain_text("Incorrect email or password")
    page.fill("#auth-password", PASSWORD)
    page.locator("#sign-in-button").click()
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
