"""Atomic file writes: a killed process leaves either the old file or the new one, never half of one."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (os.umask can only set-and-return)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write via a temp file + rename; the file gets the mode a plain open() would give (0666 minus the umask),
    not mkstemp's private 0600, unless a mode is given (0o600 for a private key)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask() if mode is None else mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=4, sort_keys=False) + "\n")


def read_json(path: Path, default: Any = None) -> Any:
    path = Path(path)
    if not path.exists():
        return default
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@contextlib.contextmanager
def swapped_tree(destination: Path) -> Iterator[Path]:
    """Yield an empty staging folder; once the block finishes, it replaces destination as a whole, so a kill
    leaves either the old folder or the new one."""
    destination = Path(destination)
    staging = destination.with_name(destination.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    yield staging
    retired = destination.with_name(destination.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if destination.exists():
        os.replace(destination, retired)
    os.replace(staging, destination)
    shutil.rmtree(retired, ignore_errors=True)


def replace_tree(source: Path, destination: Path, ignore=None) -> None:
    """Make destination an exact copy of source, swapping whole folders so a kill leaves one or the other."""
    with swapped_tree(destination) as staging:
        shutil.copytree(source, staging, ignore=ignore, dirs_exist_ok=True)


def remove_tree(folder: Path) -> None:
    """Remove a folder so that a kill leaves it either whole or gone (renamed away first)."""
    folder = Path(folder)
    if folder.exists():
        retired = folder.with_name(folder.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(folder, retired)
        shutil.rmtree(retired, ignore_errors=True)
