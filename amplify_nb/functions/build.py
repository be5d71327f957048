"""Build a function's deployment zip: its requirements installed next to its code, content-hashed.

The digest covers every file under src/ (requirements.txt included), the runtime and this build's format; when
it equals the last build's, the zip on disk is reused and nothing is installed or uploaded again. The zip is
deterministic (sorted entries, fixed timestamps and modes), so the same input always gives the same
CodeSha256, which is how the Lambda rule tells that the deployed code is already current.
"""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import AmplifyNbError
from ..fileio import atomic_write_json, read_json

BUILD_FORMAT = "amplify-nb-zip-1"  # change when the zip layout changes, so every function is rebuilt once
ZIP_NAME = "latest-build.zip"
RECORD_NAME = "latest-build.json"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".venv", "node_modules"}
SKIPPED_SUFFIXES = (".pyc", ".pyo")


class BuildError(AmplifyNbError):
    """A function could not be built (its requirements did not install)."""


@dataclass(frozen=True)
class Build:
    zip_path: Path
    sha256_b64: str  # base64 SHA-256 of the zip, as Lambda reports CodeSha256
    changed: bool  # False: the last build was reused
    digest: str  # hex hash of the build's inputs


def build_function(src_dir: Path, build_dir: Path, runtime: str) -> Build:
    """The function's zip in build_dir, rebuilt only when src/ or the runtime changed since the last build."""
    src_dir, build_dir = Path(src_dir), Path(build_dir)
    if not src_dir.is_dir():
        raise BuildError(f"The function's source folder {src_dir} does not exist.")
    digest = source_digest(src_dir, runtime)
    last = _reusable(build_dir, digest)
    if last is not None:
        return last
    build_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".staging-", dir=build_dir) as staging:
        staging = Path(staging)
        _install_requirements(src_dir / "requirements.txt", staging / "package")
        fd, tmp_zip = tempfile.mkstemp(prefix=".build-", suffix=".zip", dir=build_dir)
        os.close(fd)
        try:
            _write_zip(Path(tmp_zip), [(staging / "package", _files(staging / "package")), (src_dir, _files(src_dir))])
            os.replace(tmp_zip, build_dir / ZIP_NAME)
        except BaseException:
            Path(tmp_zip).unlink(missing_ok=True)
            raise
    sha = zip_sha256(build_dir / ZIP_NAME)
    atomic_write_json(build_dir / RECORD_NAME, {"digest": digest, "codeSha256": sha, "runtime": runtime, "zip": ZIP_NAME})
    return Build(build_dir / ZIP_NAME, sha, True, digest)


def adopt_build(src_dir: Path, build_dir: Path, runtime: str, zip_bytes: bytes) -> Build:
    """Make a zip built earlier from this very src/ the last build, so the next build reuses it: a rollback brings
    back a pushed src/ together with the zip that push deployed, and nothing is rebuilt."""
    src_dir, build_dir = Path(src_dir), Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_zip = tempfile.mkstemp(prefix=".build-", suffix=".zip", dir=build_dir)
    with os.fdopen(fd, "wb") as handle:
        handle.write(zip_bytes)
    os.replace(tmp_zip, build_dir / ZIP_NAME)
    digest, sha = source_digest(src_dir, runtime), zip_sha256(build_dir / ZIP_NAME)
    atomic_write_json(build_dir / RECORD_NAME, {"digest": digest, "codeSha256": sha, "runtime": runtime, "zip": ZIP_NAME})
    return Build(build_dir / ZIP_NAME, sha, False, digest)


def needs_build(src_dir: Path, build_dir: Path, runtime: str) -> bool:
    """Whether build_function would build (for `push --plan`, which must not build anything)."""
    return _reusable(Path(build_dir), source_digest(Path(src_dir), runtime)) is None


def source_digest(src_dir: Path, runtime: str) -> str:
    """Hash of everything a build depends on: file names and contents under src/, the runtime, the format."""
    digest = hashlib.sha256(f"{BUILD_FORMAT}\0{runtime}\0".encode())
    for relative in _files(Path(src_dir)):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256((Path(src_dir) / relative).read_bytes()).digest())
    return digest.hexdigest()


def zip_sha256(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(Path(path).read_bytes()).digest()).decode()


def has_requirements(requirements: Path) -> bool:
    """False for a missing file or one holding only comments and blank lines (nothing for pip to do)."""
    if not requirements.is_file():
        return False
    return any(line.split("#", 1)[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines())


def _reusable(build_dir: Path, digest: str) -> Build | None:
    record = read_json(build_dir / RECORD_NAME) or {}
    zip_path = build_dir / ZIP_NAME
    if record.get("digest") != digest or not zip_path.is_file():
        return None
    sha = zip_sha256(zip_path)
    if sha != record.get("codeSha256"):  # the zip was replaced or damaged since: build again
        return None
    return Build(zip_path, sha, False, digest)


def _install_requirements(requirements: Path, target: Path) -> None:
    """pip install -r into target. Quiet unless it fails; boto3 is already in Lambda's Python runtime."""
    target.mkdir(parents=True)
    if not has_requirements(requirements):
        return
    command = [sys.executable, "-m", "pip", "install", "--requirement", str(requirements), "--target", str(target),
               "--no-input", "--disable-pip-version-check", "--no-warn-script-location"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=requirements.parent)
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise BuildError(f"Installing {requirements} failed (pip exit code {result.returncode}):\n"
                         + "\n".join(output[-20:]) + "\nFix requirements.txt, then push again.")
    for stale in target.glob("bin"):  # console scripts name this machine's interpreter: useless in Lambda
        shutil.rmtree(stale, ignore_errors=True)


def _files(root: Path) -> list[Path]:
    """Every file under root, relative and sorted, without caches and compiled files."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in names:
            if not name.endswith(SKIPPED_SUFFIXES):
                found.append((Path(folder) / name).relative_to(root))
    return sorted(found, key=lambda p: p.as_posix())


def _write_zip(path: Path, trees: list[tuple[Path, list[Path]]]) -> None:
    """Entries in a fixed order with fixed dates and modes; a file of the code wins over a package's of that name."""
    entries: dict[str, Path] = {}
    for root, files in trees:
        for relative in files:
            entries[relative.as_posix()] = root / relative
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(entries):
            source = entries[name]
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.access(source, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16  # a regular file, readable by Lambda's user
            archive.writestr(info, source.read_bytes())
