"""Fixtures for tests that drive the amplify-nb command against the session's local cloud."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_runner import run_cli

from amplify_nb.local import LocalCloud, LocalSettings


@pytest.fixture
def endpoint(local_cloud) -> str:
    """The endpoint as `amplify-nb local status --json` reports it (the contract other tools rely on)."""
    return json.loads(run_cli("local", "status", "--json").stdout)["endpoint"]


@pytest.fixture
def private_cloud(tmp_path: Path, free_port: Callable[[], int]) -> Iterator[Callable[[], LocalCloud]]:
    """Factory of LocalClouds with their own port and state dir; every one is stopped after the test."""
    clouds: list[LocalCloud] = []

    def make() -> LocalCloud:
        cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=tmp_path / f"cloud-{len(clouds)}"))
        clouds.append(cloud)
        return cloud

    yield make
    for cloud in clouds:
        cloud.stop()
