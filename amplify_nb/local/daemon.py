"""The local cloud daemon: `python -m amplify_nb.local.daemon --port P --state-dir D`.

One process serves moto (behind our middlewares) on 127.0.0.1 only, restored from the state dir's state log.
It is started, found and stopped by control.py; run it by hand only to debug (its log goes to stderr then).

Startup order matters: the public port is bound first (a taken port fails at once, and early clients wait in
the listen backlog instead of being refused), then the state is restored, then daemon.json is written and
the port served. SIGTERM exits at once, between two state-log writes: interpreter teardown of a large moto
state can take a minute, and nothing needs flushing.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any

import werkzeug.serving
from filelock import FileLock, Timeout
from werkzeug.serving import BaseWSGIServer, make_server

from . import persistence, services  # noqa: F401  (services register their middlewares)
from .middleware import MIDDLEWARES, ServerContext, build_app
from .recorder import StateRecorder
from .settings import LocalSettings

log = logging.getLogger("amplify_nb.local.daemon")
_EXIT_WAIT_FOR_LOG_WRITE_SECONDS = 0.5


def make_loopback_server(port: int, app: Any) -> BaseWSGIServer:
    """A threaded werkzeug server on 127.0.0.1 whose connections send small packets at once (TCP_NODELAY).

    Without TCP_NODELAY, Python's http.server writes headers and body in two sends, and Nagle's algorithm plus
    the client's delayed ACK add ~44 ms to every request.
    """
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class NoDelayRequestHandler(MotoRequestHandler):
        def setup(self) -> None:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().setup()

    return make_server("127.0.0.1", port, app, threaded=True, request_handler=NoDelayRequestHandler)


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Readers never see a half-written file: write a sibling, then rename over."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _install_exit_handlers(settings: LocalSettings) -> None:
    def exit_now(signum: int, frame: FrameType | None) -> None:
        log.info("Signal %s: exiting", signal.Signals(signum).name)
        # Wait for an in-flight state-log write so the last line is whole; never wait long.
        persistence.APPEND_LOCK.acquire(timeout=_EXIT_WAIT_FOR_LOG_WRITE_SECONDS)
        _remove_own_daemon_file(settings)
        logging.shutdown()
        os._exit(0)

    signal.signal(signal.SIGTERM, exit_now)
    signal.signal(signal.SIGINT, exit_now)


def _remove_own_daemon_file(settings: LocalSettings) -> None:
    try:
        if json.loads(settings.daemon_file.read_text(encoding="utf-8")).get("pid") == os.getpid():
            settings.daemon_file.unlink()
    except (OSError, ValueError):
        pass


def run(settings: LocalSettings) -> int:
    """Serve until a signal ends the process; return an exit code when it cannot start."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    _install_exit_handlers(settings)
    run_lock = FileLock(str(settings.run_lock_file))
    try:
        run_lock.acquire(timeout=2)
    except Timeout:
        log.error("Another local cloud process already uses %s. Stop it first: amplify-nb local stop",
                  settings.state_dir)
        return 1

    began = time.monotonic()
    persistence.configure_environment()
    os.environ["MOTO_PORT"] = str(settings.port)  # moto builds some URLs (e.g. for Lambda) from it
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    moto_app = DomainDispatcherApplication(create_backend_app)
    state_log = persistence.StateLog(settings.state_log_file)
    started_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    context = ServerContext(settings=settings, pid=os.getpid(), started_at=started_at)
    # The recorder is innermost: it logs what moto receives, our middlewares' own calls included.
    app = build_app(StateRecorder(moto_app, state_log), [factory(context) for factory in MIDDLEWARES])
    try:
        server = make_loopback_server(settings.port, app)
    except OSError as exc:
        log.error("Cannot listen on %s: %s", settings.endpoint, exc)
        return 1

    log.info("Restoring the state from %s", settings.state_log_file)
    try:
        replayed = persistence.restore(moto_app, make_loopback_server, settings.legacy_recording_file, state_log)
    except Exception as exc:  # any failure here means the state cannot be trusted: refuse to serve
        log.error(
            "Could not restore the local cloud from %s: %s. To start with an empty local cloud, move the state "
            "files (%s, %s) aside.",
            settings.state_dir, exc, settings.state_log_file.name, settings.legacy_recording_file.name,
        )
        return 1

    write_json_atomically(settings.daemon_file, {"pid": context.pid, "port": settings.port, "started_at": started_at})
    log.info("Serving %s (pid %s, state %s): replayed %d logged requests in %.2f s",
             settings.endpoint, context.pid, settings.state_dir, replayed, time.monotonic() - began)
    server.serve_forever()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amplify_nb.local.daemon", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    werkzeug.serving._log_add_style = False  # the log is a file: no terminal colour codes in request lines
    return run(LocalSettings(port=args.port, state_dir=args.state_dir))


if __name__ == "__main__":
    sys.exit(main())
