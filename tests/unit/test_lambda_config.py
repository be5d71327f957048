"""The environment and names Lambda gives a function: reserved variables win, nothing of the caller leaks in."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from amplify_nb.lambda_runtime.config import FunctionConfig, new_log_stream_name, worker_environment
from amplify_nb.lambda_runtime.local_invoke import event_bytes
from amplify_nb.local.services.awslambda.models import split_function_name
from amplify_nb.errors import InputError


def test_the_worker_environment_is_lambdas_pointed_at_the_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "someone")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy:3128")
    config = FunctionConfig(name="beer", handler="index.handler", code_dir=Path("/code"), runtime="python3.12",
                            memory_mb=512, environment={"TABLE": "t", "AWS_REGION": "eu-west-1"},
                            endpoint_url="http://127.0.0.1:4710")

    environment = worker_environment(config, "127.0.0.1:9001", "2026/12/01/[$LATEST]abc")

    assert environment["TABLE"] == "t"
    assert environment["AWS_REGION"] == "us-east-1"  # reserved: the function's own value cannot override it
    assert environment["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert environment["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert environment["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/beer"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4710"
    assert environment["LAMBDA_TASK_ROOT"] == "/code" and environment["_HANDLER"] == "index.handler"
    assert "AWS_PROFILE" not in environment and "HTTP_PROXY" not in environment


def test_the_fingerprint_changes_with_code_and_configuration_only():
    base = FunctionConfig(name="f", handler="index.handler", code_dir=Path("/c"), code_sha256="a")
    assert base.fingerprint == FunctionConfig(name="f", handler="index.handler", code_dir=Path("/c"),
                                              code_sha256="a").fingerprint
    for changed in (dict(code_sha256="b"), dict(timeout=5), dict(environment={"A": "1"}), dict(handler="x.y")):
        other = FunctionConfig(**{**dict(name="f", handler="index.handler", code_dir=Path("/c"), code_sha256="a"),
                                  **changed})
        assert other.fingerprint != base.fingerprint, changed


def test_log_stream_names_look_like_lambdas():
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", new_log_stream_name())
    assert new_log_stream_name() != new_log_stream_name()


@pytest.mark.parametrize("name, qualifier, expected", [
    ("beer", None, ("beer", None, "us-east-1", "123456789012")),
    ("beer:$LATEST", None, ("beer", "$LATEST", "us-east-1", "123456789012")),
    ("111122223333:function:beer", None, ("beer", None, "us-east-1", "111122223333")),
    ("arn:aws:lambda:eu-west-1:111122223333:function:beer", None, ("beer", None, "eu-west-1", "111122223333")),
    ("arn:aws:lambda:eu-west-1:111122223333:function:beer:2", None, ("beer", "2", "eu-west-1", "111122223333")),
    ("beer", "$LATEST", ("beer", "$LATEST", "us-east-1", "123456789012")),
])
def test_function_names_partial_and_full_arns(name, qualifier, expected):
    assert split_function_name(name, qualifier, "us-east-1", "123456789012") == expected


def test_events_are_json_values_or_json_text():
    assert event_bytes({"a": 1}) == b'{"a": 1}'
    assert event_bytes(None) == b"{}"
    assert event_bytes(b"") == b"{}"
    assert event_bytes(b'["x"]') == b'["x"]'
    with pytest.raises(InputError):
        event_bytes(b"{nope")
    with pytest.raises(InputError):
        event_bytes({"a": object()})


def test_the_code_folder_is_named_by_the_zips_sha256():
    import base64
    import hashlib

    from amplify_nb.local.services.awslambda.models import code_hash

    digest = hashlib.sha256(b"zip").digest()
    assert code_hash(base64.b64encode(digest).decode(), b"ignored") == digest.hex()
    assert code_hash("", b"zip") == digest.hex()
    assert code_hash("not base64!", b"zip") == digest.hex()
