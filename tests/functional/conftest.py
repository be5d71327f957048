"""Fixtures for tests that drive the amplify-nb command against the session's local cloud."""
from __future__ import annotations

import json

import pytest
from cli_runner import run_cli


@pytest.fixture
def endpoint(local_cloud) -> str:
    """The endpoint as `amplify-nb local status --json` reports it (the contract other tools rely on)."""
    return json.loads(run_cli("local", "status", "--json").stdout)["endpoint"]
