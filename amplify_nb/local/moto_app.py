"""moto's server app (the last link of the daemon's chain), without the lookups it repeats on every request.

moto's DomainDispatcherApplication finds the service of each request by listing moto's package folder
(os.listdir plus a stat per service, ~200 of them) and then trying every service's URL patterns in turn, all
under one global lock: about a sixth of the server's time for a small S3 request. The answer depends only on
the host name it is given, and the installed moto does not change while the daemon runs, so it is computed
once per host name.
"""
from __future__ import annotations

from typing import Any

_HOSTS_REMEMBERED = 4096  # virtual-hosted S3 requests name one host per bucket


def make_moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class RememberingDispatcher(DomainDispatcherApplication):
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_for_host: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            try:
                return self._backend_for_host[host]
            except KeyError:
                backend = super().get_backend_for_host(host)
                if len(self._backend_for_host) < _HOSTS_REMEMBERED:
                    self._backend_for_host[host] = backend
                return backend

    return RememberingDispatcher()
