"""A plain browser loads the published sample app from the local hosting URL (no special DNS, no proxy
settings): the app runs, reads aws-exports.js, shows the project's name and environment; a path with no file
still gets the app (SPA fallback), which renders its own not-found page."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from amplify_nb import sample_app
from amplify_nb.hosting import publish
from amplify_nb.project import Project, add_resource
from amplify_nb.specs.hosting import HostingSpec

pytestmark = pytest.mark.browser


def published_project(tmp_path, environment: str) -> tuple[Project, str]:
    project_dir = tmp_path / "beerapp"
    subprocess.run([sys.executable, "-m", "amplify_nb.cli", "init", "--yes", "--project-dir", str(project_dir)],
                   check=True, capture_output=True, timeout=300)
    project = Project.open(project_dir)
    sample_app.install(project)
    add_resource(project, "hosting", HostingSpec(bucket_name=f"site-{uuid.uuid4().hex[:10]}", environment=environment))
    result = publish(project, progress=False)
    return project, result.url


def collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 403" not in message.text else None)
    return errors


@pytest.mark.parametrize("environment", ["DEV", "PROD"])
def test_the_published_app_runs_from_the_hosting_url_and_deep_links_fall_back_to_it(
        tmp_path, local_cloud, page, environment):
    project, url = published_project(tmp_path, environment)
    assert url.startswith("http://127.0.0.1:")
    errors = collect_errors(page)

    page.goto(url + "/")
    expect(page.locator("#welcome")).to_contain_text(f"{environment} hosting")  # the setup it really has
    expect(page.locator("#welcome")).to_contain_text("of env dev")
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()
    expect(page.locator(".env")).to_have_text("dev")
    expect(page.locator("td").filter(has_text=url).first).to_be_visible()  # aws_content_delivery_url, read by the app
    expect(page.locator(".features .ready")).to_contain_text("Hosting")

    page.goto(url + "/beers/42")
    expect(page.locator("#not-found")).to_contain_text("/beers/42")
    expect(page.locator(".brand")).to_contain_text(project.name)  # the app, with its config, not an error page
    page.get_by_role("link", name="Back to the home page").click()
    expect(page.get_by_role("heading", name=f"Welcome to {project.name}")).to_be_visible()
    assert page.url.rstrip("/") == url
    assert errors == []
