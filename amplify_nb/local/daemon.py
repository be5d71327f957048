"""The local cloud daemon: `python -m amplify_nb.local.daemon --port P --state-dir D`.

One process serves moto (behind our services) on 127.0.0.1 only, restored from the state dir's newest snapshot
and the request log after it. It is started, found and stopped by control.py; run it by hand only to debug (its
log goes to stderr then).

Startup order matters: the public port is bound first (a taken port fails at once, and early clients wait in
the listen backlog instead of being refused), then the state is restored, then every service's on_restored()
runs, then daemon.json is written (with what was restored) and the port served. SIGTERM takes a snapshot
(when anything was logged since the last one) and exits at once: interpreter teardown of a large moto state can
take a minute, and nothing else needs flushing.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any

import werkzeug.serving
from filelock import FileLock, Timeout

from .. import fileio
from . import persistence, services  # noqa: F401  (services register their middlewares)
from .middleware import MIDDLEWARES, Middleware, ServerContext, build_app, ordered, unlogged_paths
from .persistence import CloudState
from .recorder import StateRecorder
from .rwlock import ReadWriteLock
from .settings import LocalSettings
from .snapshot import SnapshotVersionError
from .wsgi import WSGIApp, json_response, loopback_server

log = logging.getLogger("amplify_nb.local.daemon")
STATE_PATH = "/_amplify_nb/state"
SNAPSHOT_PATH = "/_amplify_nb/snapshot"
_EXIT_WAIT_FOR_LOG_WRITE_SECONDS = 0.5


def make_loopback_server(port: int, app: Any) -> Any:
    """The daemon's server: moto's request handler (it un-chunks uploads), without Nagle's delay."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return loopback_server(port, app, handler_class=MotoRequestHandler)


class StateService(Middleware):
    """GET /_amplify_nb/state (sizes, snapshot age, tail) and POST /_amplify_nb/snapshot (take one now)."""

    ORDER = 10
    UNLOGGED_PATHS = (STATE_PATH, SNAPSHOT_PATH)

    def __init__(self, context: ServerContext, state: CloudState) -> None:
        super().__init__(context)
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: WSGIApp) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == STATE_PATH and method == "GET":
            restored = self.state.restored.as_dict() if self.state.restored else None
            return json_response(start_response, 200, {**self.state.describe(), "restored": restored})
        if path == SNAPSHOT_PATH and method == "POST":
            info = self.state.take_snapshot(force=True)
            assert info is not None
            return json_response(start_response, 200, {"file": str(info.path), "index": info.index,
                                                       "bytes": info.size})
        return next_app(environ, start_response)


def _install_exit_handlers(state: CloudState, settings: LocalSettings) -> None:
    def exit_now(signum: int, frame: FrameType | None) -> None:
        log.info("Signal %s: exiting", signal.Signals(signum).name)
        if state.restored is not None:
            try:
                state.take_snapshot()
            except Exception:  # the log still holds everything: the next start replays a longer tail
                log.exception("The snapshot at exit failed")
        else:
            # Restoring: no snapshot of half a state. Wait for a log write in flight so its line is whole.
            state.log.lock.acquire(timeout=_EXIT_WAIT_FOR_LOG_WRITE_SECONDS)
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
    lock = ReadWriteLock()
    state = CloudState(settings, lock)
    _install_exit_handlers(state, settings)
    run_lock = FileLock(str(settings.run_lock_file))
    try:
        run_lock.acquire(timeout=2)
    except Timeout:
        log.error("Another local cloud process already uses %s. Stop it first: amplify-nb local stop",
                  settings.state_dir)
        return 1

    persistence.configure_environment()
    os.environ["MOTO_PORT"] = str(settings.port)  # moto builds some URLs (e.g. for Lambda) from it
    from .moto_app import make_moto_app

    moto_app = make_moto_app()
    started_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    context = ServerContext(settings=settings, pid=os.getpid(), started_at=started_at, lock=lock)
    middlewares = ordered([factory(context) for factory in MIDDLEWARES] + [StateService(context, state)])
    # The recorder is innermost: it logs what moto receives, our services' own calls included.
    recorder = StateRecorder(moto_app, state.log, lock, unlogged=unlogged_paths(middlewares),
                             after_logged=state.after_logged)
    app = build_app(recorder, middlewares)
    try:
        server = make_loopback_server(settings.port, app)
    except OSError as exc:
        log.error("Cannot listen on %s: %s", settings.endpoint, exc)
        return 1

    log.info("Restoring the state from %s", settings.state_dir)
    try:
        restored = state.restore(moto_app, make_loopback_server)
    except SnapshotVersionError as exc:
        log.error("%s", exc)
        return 1
    except Exception as exc:  # any failure here means the state cannot be trusted: refuse to serve
        log.exception("Could not restore the local cloud from %s", settings.state_dir)
        log.error(
            "Could not restore the local cloud from %s: %s. To start with an empty local cloud: "
            "amplify-nb local reset --yes", settings.state_dir, exc,
        )
        return 1
    for middleware in middlewares:
        middleware.on_restored()

    fileio.atomic_write_json(settings.daemon_file, {"pid": context.pid, "port": settings.port,
                                                    "started_at": started_at, "restored": restored.as_dict()})
    log.info("Serving %s (pid %s, state %s): restored %s", settings.endpoint, context.pid, settings.state_dir,
             restored.text())
    if restored.tail >= settings.snapshot_every:
        state.after_logged()  # the tail was long: the next start should not replay it again
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
