"""Run the amplify-nb command in a fresh process, as a user would."""
from __future__ import annotations

import os
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
