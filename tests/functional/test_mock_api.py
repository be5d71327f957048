"""`amplify-nb mock api`: the project's unpushed API served by the local cloud with the same paths, auth, events
and errors as the pushed one, each function running its local src/ (edited, not pushed) against the env's tables."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import requests
from cli_runner import default_ctrl_c, run_cli

from amplify_nb.client import API, ApiError, Auth, BeerApi, ForbiddenError
from amplify_nb.fileio import atomic_write_json, read_json

PASSWORD = "correct horse 42"
EDIT = '''

_pushed_handler = handler


def handler(event, context):
    if (event.get("queryStringParameters") or {}).get("fail"):
        raise RuntimeError("asked to fail")
    response = _pushed_handler(event, context)
    response.setdefault("headers", {})["X-Handler-Version"] = "edited"
    return response
'''


@pytest.fixture(scope="module", params=["iam", "cognito"])
def edited_project(request, tmp_path_factory, local_cloud):
    """The tutorial's beer API (signed-in users may do everything; IAM as Amplify, or a Cognito authorizer) pushed,
    then edited without a push: the handler marks its answers and can fail on request, and a new path /brewery
    (read only) is added."""
    from amplify_nb.notebook import api_spec
    from amplify_nb.project import Project, add_resource, init_project, push
    from amplify_nb.specs import InitSpec
    from amplify_nb.specs.auth import AuthSpec

    folder = tmp_path_factory.mktemp("mock-api") / f"beer{request.param}"  # one project name per mode
    project, _ = init_project(folder, InitSpec.for_project(folder, {}), progress=False)
    add_resource(project, "auth", AuthSpec(resource_name="beerauth"))
    mode = request.param  # a table and a function are one project's on the shared cloud: names per mode
    add_resource(project, "api", api_spec(project, function_name=f"beerfn{mode}", table_name=f"beer{mode}",
                                          name=f"beer{mode}", path="/beer", restrict_access=True, authorization=mode))
    push(project, progress=False)
    project = Project.open(folder)
    function = next(iter(project.backend_config()["function"]))
    handler = project.paths.resource_dir("function", function) / "src" / "index.py"
    handler.write_text(handler.read_text() + EDIT)
    inputs_file = project.paths.resource_dir("api", api_of(project)) / "cli-inputs.json"
    inputs = read_json(inputs_file)
    inputs["paths"]["/brewery"] = {"name": "/brewery", "lambdaFunction": function,
                                   "permissions": {"setting": "private", "auth": ["read"]}}
    atomic_write_json(inputs_file, inputs)
    return project


def api_of(project) -> str:
    """The project's API (one per mode: API names are found by name in the one local cloud)."""
    return next(iter(project.backend_config()["api"]))


def signed_in(project) -> Auth:
    auth = Auth.from_project(project)
    email = f"mock-api-{time.time_ns()}@example.com"
    auth.sign_up(email, PASSWORD)
    auth.confirm_sign_up(email, auth.latest_code(email, "sign-up"))
    auth.sign_in(email, PASSWORD)
    return auth


@pytest.fixture(scope="module")
def mocked(edited_project):
    from amplify_nb.project.mock import mock_api

    with mock_api(edited_project) as mock:
        yield mock


@pytest.fixture(scope="module")
def user(edited_project) -> Auth:
    return signed_in(edited_project)


def test_the_mock_runs_the_edited_handler_while_the_pushed_api_runs_the_pushed_one(edited_project, mocked, user):
    pushed = API(edited_project, auth=user)
    mock = API(mocked.exports(edited_project), auth=user)
    added = BeerApi(mock).add("Punk IPA", "BrewDog", "IPA")
    assert pushed.get(api_of(edited_project), f"/beer/{added['id']}")["name"] == "Punk IPA"  # the same table

    mock_answer = mock.request("GET", api_of(edited_project), f"/beer/{added['id']}")
    pushed_answer = pushed.request("GET", api_of(edited_project), f"/beer/{added['id']}")
    assert mock_answer.headers.get("X-Handler-Version") == "edited"
    assert "X-Handler-Version" not in pushed_answer.headers


def test_an_edit_made_while_the_mock_runs_answers_the_next_request(edited_project, mocked, user):
    mock = API(mocked.exports(edited_project), auth=user)
    function = next(iter(edited_project.backend_config()["function"]))
    handler = edited_project.paths.resource_dir("function", function) / "src" / "index.py"
    before = handler.read_text()
    assert mock.request("GET", api_of(edited_project), "/beer").headers["X-Handler-Version"] == "edited"
    try:
        handler.write_text(before.replace('"X-Handler-Version"] = "edited"', '"X-Handler-Version"] = "edited twice"'))
        assert mock.request("GET", api_of(edited_project), "/beer").headers["X-Handler-Version"] == "edited twice"
    finally:
        handler.write_text(before)
    assert mock.request("GET", api_of(edited_project), "/beer").headers["X-Handler-Version"] == "edited"


def test_a_path_added_but_not_pushed_is_served_by_the_mock_only(edited_project, mocked, user):
    mock = API(mocked.exports(edited_project), auth=user)
    pushed = API(edited_project, auth=user)
    assert isinstance(mock.get(api_of(edited_project), "/brewery"), list)
    with pytest.raises(ForbiddenError) as caught:
        pushed.get(api_of(edited_project), "/brewery")
    assert caught.value.error_type == "MissingAuthenticationTokenException"
    with pytest.raises(ForbiddenError) as denied:  # /brewery grants read only: the mock enforces the new grant
        mock.post(api_of(edited_project), "/brewery", {"name": "x", "brand": "y", "type": "z"})
    mode = mock.config(api_of(edited_project)).authorization  # IAM: the role's policy denies; Cognito: no POST method
    assert denied.value.error_type == {"iam": "AccessDeniedException",
                                       "cognito": "MissingAuthenticationTokenException"}[mode]


def test_the_mock_refuses_a_request_without_credentials_as_the_pushed_api_does(edited_project, mocked):
    pushed_url = edited_project.amplify_meta()["api"][api_of(edited_project)]["output"]["RootUrl"]
    answers = [requests.get(f"{root}/beer", timeout=30) for root in (pushed_url, mocked.url)]
    for answer in answers:  # IAM: 403 Missing Authentication Token; Cognito: 401 Unauthorized
        assert answer.status_code in (401, 403)
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert [(a.status_code, a.headers["x-amzn-ErrorType"], a.json()) for a in answers[:1]] == \
        [(a.status_code, a.headers["x-amzn-ErrorType"], a.json()) for a in answers[1:]]
    preflight = requests.options(f"{mocked.url}/beer", timeout=30)
    assert preflight.status_code == 200 and "PUT" in preflight.headers["Access-Control-Allow-Methods"]


def test_a_function_error_is_a_502_and_the_inspector_records_the_mock(edited_project, mocked, user):
    mock = API(mocked.exports(edited_project), auth=user)
    with pytest.raises(ApiError) as failed:
        mock.request("GET", api_of(edited_project), "/beer", query={"fail": "1"}, retry=False)
    assert failed.value.status == 502
    assert failed.value.body == {"message": "Internal server error"}
    endpoint = mocked.endpoint
    with urllib.request.urlopen(f"{endpoint}/_amplify_nb/apis/requests?api={mocked.api_id}") as found:
        rows = json.loads(found.read())
    assert any(row["status"] == 502 and row["resource"] == "/beer" for row in rows)
    added = [row for row in rows if row["method"] == "POST" and 200 <= row["status"] < 300]
    assert added and any(call["operation"] == "PutItem" for call in added[-1]["dynamodb"])


def test_the_cli_prints_the_url_serves_it_and_stops_on_ctrl_c(edited_project):
    command = [sys.executable, "-m", "amplify_nb.cli", "mock", "api", api_of(edited_project),
               "--project-dir", str(edited_project.root)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
                               preexec_fn=default_ctrl_c)
    try:
        lines = [process.stdout.readline()]
        while lines[-1] and "Ctrl-C" not in lines[-1]:  # the URL, the routes, how to stop
            lines.append(process.stdout.readline())
        url = lines[1].strip()
        assert url.startswith("http://127.0.0.1:"), lines
        assert url.endswith(f"/restapis/mock-{api_of(edited_project)}/dev/_user_request_"), lines
        assert requests.options(f"{url}/brewery", timeout=30).status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in (0, 130), err
    assert "Mock stopped" in out
    assert any(line.strip().startswith("/brewery/{proxy+}: ") and "OPTIONS" in line for line in lines), lines
    gone = requests.options(f"{url}/brewery", timeout=30)
    assert gone.status_code == 403 and gone.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_restricted_api_without_pushed_auth_is_refused_with_exit_2(tmp_path, local_cloud):
    from amplify_nb.notebook import resource_spec
    from amplify_nb.project import add_resource, init_project
    from amplify_nb.specs import InitSpec
    from amplify_nb.specs.auth import AuthSpec

    folder = tmp_path / "unpushed"
    project, _ = init_project(folder, InitSpec.for_project(folder, {}), progress=False)
    add_resource(project, "auth", AuthSpec(resource_name="unpushedauth"))
    add_resource(project, "api", resource_spec(project, "api", name="unpushedapi", path="/beer", new_function=True,
                                               restrict_access=True))
    done = run_cli("mock", "api", "--project-dir", str(folder), check=False)
    assert done.returncode == 2, done.stderr
    assert "push" in done.stderr and "identity pool" in done.stderr
    bad_port = run_cli("mock", "api", "--port", "http", "--project-dir", str(folder), check=False)
    assert bad_port.returncode == 2 and "--port" in bad_port.stderr


def test_the_mock_on_its_own_port_has_the_invoke_url_shape(edited_project, user, free_port):
    from amplify_nb.errors import InputError
    from amplify_nb.project.mock import mock_api

    port = free_port()
    with mock_api(edited_project, port=port) as mock:
        assert mock.url == f"http://127.0.0.1:{port}/dev"
        api = API(mock.exports(edited_project), auth=user)  # signed for this host and path, checked as sent
        assert isinstance(api.get(api_of(edited_project), "/brewery"), list)
        assert requests.get(f"http://127.0.0.1:{port}/other/beer", timeout=30).status_code == 403  # no such stage
    with pytest.raises(requests.ConnectionError):  # stopped: the port is closed
        requests.get(f"{mock.url}/beer", timeout=5)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(InputError, match="Cannot serve the mock on port"):
            mock_api(edited_project, port=taken.getsockname()[1])


def test_the_daemon_runs_only_project_function_folders_and_never_for_a_web_page(local_cloud, tmp_path):
    from amplify_nb.local.services.apigateway.mock import MOCK_PATH

    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "index.py").write_text("def handler(event, context):\n    return {}\n")
    description = {"name": "evil", "stage": "dev", "account_id": "123456789012", "region": "us-east-1",
                   "parts": {"resources": {}, "authorizers": {}, "gateway_responses": {}, "binary_media_types": []},
                   "functions": {"arn:aws:lambda:us-east-1:123456789012:function:x": {
                       "name": "x", "code_dir": str(folder), "handler": "index.handler", "runtime": "python3.11",
                       "timeout": 3, "memory": 128, "environment": {}}}}
    url = f"{local_cloud.endpoint}{MOCK_PATH}"
    refused = requests.post(url, json=description, timeout=30)
    assert refused.status_code == 400 and "not a project's function folder" in refused.json()["message"]
    from_page = requests.post(url, json={**description, "functions": {}}, headers={"Origin": "http://evil.example"},
                              timeout=30)
    assert from_page.status_code == 403
    assert not [m for m in requests.get(url, timeout=30).json() if m["name"] == "evil"]
