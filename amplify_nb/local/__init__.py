"""The embedded local cloud: moto plus our middlewares, one daemon on 127.0.0.1, state kept across restarts.

Callers need only `ensure_running()["endpoint"]` and the LOCAL_* identity; control.py has the details.
"""
from .control import LocalCloud, ensure_running
from .errors import LocalCloudError
from .settings import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_ACCOUNT_ID,
    LOCAL_REGION,
    LOCAL_SECRET_ACCESS_KEY,
    LocalSettings,
)

__all__ = [
    "LOCAL_ACCESS_KEY_ID",
    "LOCAL_ACCOUNT_ID",
    "LOCAL_REGION",
    "LOCAL_SECRET_ACCESS_KEY",
    "LocalCloud",
    "LocalCloudError",
    "LocalSettings",
    "ensure_running",
]
