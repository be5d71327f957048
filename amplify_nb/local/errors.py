"""The local cloud's one exception type, so callers can tell "the local cloud could not run" from other failures."""
from __future__ import annotations

from ..errors import AmplifyNbError


class LocalCloudError(AmplifyNbError):
    """The local cloud could not be started, reached or stopped; the message says what to do."""
