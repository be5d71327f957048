"""Run the amplify-nb command in a fresh process, as a user would."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, check: bool = True,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `amplify-nb ARGS` in a fresh process, as a user would (the local cloud env vars pass through).

    stdin: text piped in (`echo n |`; "" is like </dev/null); None inherits the test's stdin."""
    done = subprocess.run([sys.executable, "-m", "amplify_nb.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, input=stdin)
    if check and done.returncode != 0:
        raise AssertionError(f"amplify-nb {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def default_ctrl_c() -> None:
    """preexec_fn for a child a test sends Ctrl-C (SIGINT): a terminal's default even when the tests run as a
    background job, which a shell starts with SIGINT ignored; the child would inherit that, and Python then
    installs no KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
