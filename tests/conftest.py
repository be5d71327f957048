"""Fixtures shared by every test suite.

local_cloud     a LocalCloud on a free port with a temporary state dir, started once per session; while it
                runs, AMPLIFY_NB_LOCAL_PORT / AMPLIFY_NB_LOCAL_STATE point to it, so code under test (and any
                subprocess it starts) uses it instead of the developer's own local cloud. Stopped at the end.
boto3_client    factory: boto3_client(service, endpoint) -> a boto3 client for a local cloud endpoint.
free_port       factory: free_port() -> a loopback port nothing listens on right now.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from amplify_nb.local import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_REGION,
    LOCAL_SECRET_ACCESS_KEY,
    LocalCloud,
    LocalSettings,
)
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV


def find_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_boto3_client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=LOCAL_REGION,
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
    )


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    return find_free_port


@pytest.fixture(scope="session")
def boto3_client() -> Callable[[str, str], Any]:
    return make_boto3_client


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    cloud = LocalCloud(LocalSettings(port=find_free_port(), state_dir=tmp_path_factory.mktemp("local-cloud")))
    saved = {name: os.environ.get(name) for name in (PORT_ENV, STATE_DIR_ENV)}
    os.environ[PORT_ENV] = str(cloud.settings.port)
    os.environ[STATE_DIR_ENV] = str(cloud.settings.state_dir)
    try:
        cloud.start()
        yield cloud
    finally:
        cloud.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
