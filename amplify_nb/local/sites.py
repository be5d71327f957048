"""Where the local cloud serves a hosted site: ask the daemon, which gives each bucket website and each
CloudFront distribution its own port on 127.0.0.1 (kept across restarts). This is the client side of
local/services/hosting.py, used by the hosting category (outputs) and by publish."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from ..errors import CloudError

SITES_PATH = "/_amplify_nb/hosting/sites"
SITE_KINDS = ("website", "distribution")
# The local cloud is on loopback: never send these requests through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def local_site(endpoint: str, kind: str, name: str) -> dict:
    """{kind, name, port, url} of a bucket website or distribution, allocating its port on first use."""
    if kind not in SITE_KINDS:
        raise ValueError(f"kind must be one of {SITE_KINDS}, not {kind!r}")
    url = f"{endpoint.rstrip('/')}{SITES_PATH}/{kind}/{urllib.parse.quote(name, safe='')}"
    try:
        with _OPENER.open(url, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        try:
            detail = json.loads(detail).get("message", detail)
        except ValueError:
            pass
        raise CloudError(f"The local cloud cannot serve the {kind} {name!r}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise CloudError(f"Cannot reach the local cloud at {endpoint}: {exc}") from None


def local_site_url(endpoint: str, kind: str, name: str) -> str:
    return local_site(endpoint, kind, name)["url"]


def local_sites(endpoint: str) -> list[dict]:
    """Every site the local cloud serves."""
    with _OPENER.open(f"{endpoint.rstrip('/')}{SITES_PATH}", timeout=30) as response:
        return json.loads(response.read())["sites"]
