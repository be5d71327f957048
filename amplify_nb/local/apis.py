"""Where the local cloud serves a deployed REST API stage.

API Gateway serves a stage at `https://<api id>.execute-api.<region>.amazonaws.com/<stage>`; that needs DNS for
every API id, so the local cloud serves it on its own port under a fixed path instead (the form LocalStack users
know), with no allocation and no extra port:

    http://127.0.0.1:<port>/restapis/<api id>/<stage>/_user_request_/<path>

The api category writes this root URL into its outputs (RootUrl) and aws-exports; local/services/apigateway serves
every path under it. Both use this module, so the two never disagree.
"""
from __future__ import annotations

import re
import urllib.parse

USER_REQUEST = re.compile(r"^/restapis/(?P<api_id>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")


def local_api_root_url(endpoint: str, api_id: str, stage: str) -> str:
    """The RootUrl of a stage on the local cloud at `endpoint` (no trailing slash, like API Gateway's)."""
    quote = urllib.parse.quote
    return f"{endpoint.rstrip('/')}/restapis/{quote(api_id, safe='')}/{quote(stage, safe='')}/_user_request_"


def parse_user_request(path: str) -> tuple[str, str, str] | None:
    """(api id, stage, path) of a request path under a local stage's root, else None. The path is `/` for the
    root itself and is returned as sent (percent-encoded); the data plane decodes it for the event."""
    match = USER_REQUEST.match(path)
    if not match:
        return None
    return match["api_id"], match["stage"], match["path"] or "/"
