"""The real aws-amplify JS v6 library (installed with npm into a cache folder) calls the REST API configured from
the generated amplifyconfiguration.json, signing in with USER_PASSWORD_AUTH, in both auth modes (tests/js/
amplify_v6_api.mjs, as README "aws-amplify JS v6 and the local API" describes):
* against the fake backend of tests/fake_backend.py, which checks every IAM request's signature with botocore
  and the ID token in cognito mode (needs only node and the package);
* against the local cloud, with the api category's push and the local data plane (after those are merged).
Skipped when node or npm is missing, or when npm cannot install the package (offline)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from filelock import FileLock

from fake_backend import POOL, REGION, FakeBackend

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "js" / "amplify_v6_api.mjs"
PACKAGE = "aws-amplify@6"
CACHE = Path(os.environ.get("AMPLIFY_NB_NPM_CACHE", Path.home() / ".cache" / "amplify-nb" / "aws-amplify-6"))
PASSWORD = "correct horse 42"


@pytest.fixture(scope="session")
def amplify_js() -> Path:
    """A folder with aws-amplify v6 in node_modules and the script next to it (installed once, then reused)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed to run aws-amplify JS")
    CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(CACHE) + ".lock"):
        if not (CACHE / "node_modules" / "aws-amplify" / "package.json").exists():
            (CACHE / "package.json").write_text('{"private": true, "type": "module"}\n')
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],
                                  cwd=CACHE, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.skip(f"npm install {PACKAGE} failed (offline?): {done.stderr.strip()[-300:]}")
    shutil.copy(SCRIPT, CACHE / SCRIPT.name)
    return CACHE


def run_amplify_js(folder: Path, config: dict, tmp_path: Path, email: str, password: str) -> dict:
    config_path = tmp_path / "amplifyconfiguration.json"
    config_path.write_text(json.dumps(config))
    env = {key: value for key, value in os.environ.items() if key != "NODE_PATH"}
    done = subprocess.run(["node", SCRIPT.name, str(config_path), "beerapi", email, password], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", ["iam", "cognito"])
def test_amplify_js_v6_calls_the_api_as_the_fake_backend_checks_it(amplify_js, tmp_path, mode):
    backend = FakeBackend(mode=mode, email="ana@example.com", password=PASSWORD).start()
    try:
        result = run_amplify_js(amplify_js, backend.exports(), tmp_path, backend.email, backend.password)
    finally:
        backend.stop()

    assert result["signedIn"] is True, (result, backend.refused)
    assert result["created"]["statusCode"] == 201 and result["created"]["body"]["name"] == "Punk IPA"
    assert [beer["name"] for beer in result["listed"].get("body", [])] == ["Punk IPA"], (result, backend.refused)
    assert result["deleted"]["statusCode"] == 200 and backend.beers == {}
    user_calls = backend.api_calls[:3]
    assert [method for method, _, _ in user_calls] == ["POST", "GET", "DELETE"]
    if mode == "iam":
        provider = f"cognito-idp.{REGION}.amazonaws.com/{POOL}"
        assert {signer for _, _, signer in user_calls} <= set(backend.credentials)
        assert any(logins.get(provider) == backend.id_token for logins in backend.logins_seen)
        assert result["anonymous"]["statusCode"] == 200  # signed out: guest credentials sign it (guests allowed)
        assert backend.refused == []
    else:
        assert {signer for _, _, signer in user_calls} == {"id token"}
        assert result["anonymous"]["statusCode"] == 401  # signed out: no ID token
        assert len(backend.refused) == 1


@pytest.mark.parametrize("authorization", ["iam", "cognito"])
def test_amplify_js_v6_calls_the_pushed_api_on_the_local_cloud(amplify_js, tmp_path, local_cloud, authorization):
    from amplify_nb.client import Auth
    from amplify_nb.notebook import api_spec
    from amplify_nb.project import Project, add_resource, init_project, push
    from amplify_nb.specs import InitSpec
    from amplify_nb.specs.auth import AuthSpec

    project, _ = init_project(tmp_path / "beer", InitSpec.for_project(tmp_path / "beer", {}), progress=False)
    add_resource(project, "auth", AuthSpec(resource_name="beerauth"))
    suffix = uuid.uuid4().hex[:6]  # the session's cloud is shared: a table or function name is one project's
    add_resource(project, "api", api_spec(project, function_name=f"beerfn{suffix}", table_name=f"beer{suffix}",
                                          name="beerapi", path="/beer", restrict_access=True,
                                          authorization=authorization))
    push(project, progress=False)
    project = Project.open(project.root)
    auth = Auth.from_project(project)
    email = f"amplify-js-{time.time_ns()}@example.com"
    auth.sign_up(email, PASSWORD)
    auth.confirm_sign_up(email, auth.latest_code(email, "sign-up"))
    config = json.loads((project.source_dir / "amplifyconfiguration.json").read_text())
    assert config["aws_cloud_logic_custom"][0]["authorization"] == authorization

    result = run_amplify_js(amplify_js, config, tmp_path, email, PASSWORD)

    assert result["signedIn"] is True
    assert result["created"]["statusCode"] == 201, result
    assert any(beer["id"] == result["created"]["body"]["id"] for beer in result["listed"]["body"])
    assert result["deleted"]["statusCode"] == 200
    # Signed out, iam: sent unsigned (the identity pool gives no guest credentials) -> the gateway's 403. cognito:
    # with no Authorization header Amplify wants guest credentials to sign with, and the identity pool (local as on
    # AWS) refuses them, so the library itself gives up before sending anything.
    anonymous = result["anonymous"]
    if authorization == "iam":
        assert anonymous.get("statusCode") == 403, anonymous
    else:
        assert anonymous.get("error") == "NotAuthorizedException" and "Unauthenticated access" in anonymous["message"]
