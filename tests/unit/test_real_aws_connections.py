"""Real-AWS failures that are not the service's answer: limits that last an hour, an endpoint that is down,
credentials that are missing or expired. Each fails at once with what to do, never after minutes of retries or
as a traceback. A tiny HTTP server on a free loopback port counts the requests a client really sends."""
import http.server
import json
import socket
import threading

import botocore.exceptions
import pytest

from amplify_nb.aws import Target
from amplify_nb.client.auth import Auth, AuthConfig, LimitExceededError
from amplify_nb.deploy import Executor, RemoteState
from amplify_nb.deploy.plan import Wait
from amplify_nb.errors import CloudError


class CognitoRefusing(http.server.ThreadingHTTPServer):
    """Answers every request as Cognito does once a per-user hourly limit is reached."""

    def __init__(self):
        self.requests = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                server.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.dumps({"__type": "LimitExceededException",
                                   "message": "Attempt limit exceeded, please try after some time."}).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def refusing():
    server = CognitoRefusing()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def auth_at(endpoint: str) -> Auth:
    config = AuthConfig(region="us-east-1", user_pool_id="us-east-1_abc", client_id="client", endpoint=endpoint)
    return Auth(config, target=Target(kind="endpoint", endpoint_url=endpoint))


@pytest.mark.parametrize("call, words", [
    (lambda auth: auth.resend_code("ana@example.com"), "5 confirmation codes per user per hour"),
    (lambda auth: auth.forgot_password("ana@example.com"), "password resets per user per hour"),
    (lambda auth: auth.sign_up("ana@example.com", "Passw0rd!long"), "50 emails a day"),
])
def test_a_cognito_limit_fails_on_the_first_answer_with_the_limit_named(refusing, call, words):
    auth = auth_at(f"http://127.0.0.1:{refusing.server_address[1]}")
    with pytest.raises(LimitExceededError) as refused:
        call(auth)
    assert refusing.requests == 1  # not retried: the limit lasts an hour or a day
    assert words in str(refused.value) and "Attempt limit exceeded" in str(refused.value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingSleep:
    def __init__(self):
        self.calls = 0

    def __call__(self, seconds):
        self.calls += 1


def test_a_stopped_endpoint_is_reported_after_one_retry_saying_it_is_down(monkeypatch):
    target = Target(kind="endpoint", endpoint_url=f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setattr("amplify_nb.aws._SESSIONS", {}, raising=False)
    sleeps = CountingSleep()
    monkeypatch.setattr("botocore.retries.standard.time.sleep", sleeps, raising=False)
    monkeypatch.setattr("time.sleep", sleeps)
    with pytest.raises(CloudError) as failed:
        RemoteState(target).paginate("cognito-idp", "list_user_pools", "UserPools", MaxResults=60)
    assert "Cannot reach the endpoint" in str(failed.value) and "running?" in str(failed.value)
    assert sleeps.calls <= 1  # one retry at most, not ten backoffs


def test_missing_credentials_in_a_paginated_read_and_a_wait_are_cloud_errors_with_what_to_do(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr("amplify_nb.aws._SESSIONS", {}, raising=False)  # sessions are shared per process: start from none
    target = Target(kind="endpoint", endpoint_url=f"http://127.0.0.1:{free_port()}", region="eu-west-1")
    with pytest.raises(CloudError, match="No AWS credentials found"):
        RemoteState(target).paginate("dynamodb", "list_tags_of_resource", "Tags", ResourceArn="arn:aws:dynamodb:x")
    with pytest.raises(CloudError, match="No AWS credentials found.*Push again"):
        Executor(target, progress=False)._wait(Wait("dynamodb.Table:t", "dynamodb", "table_exists", {"TableName": "t"}))


def test_an_expired_sso_session_says_to_sign_in_again():
    target = Target(kind="aws", profile="work")
    message = target.explain_failure(botocore.exceptions.UnauthorizedSSOTokenError())
    assert "aws sso login --profile work" in message
