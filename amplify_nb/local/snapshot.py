"""Snapshots of moto's in-process backends: the local cloud's state as one file, loaded at start in a second.

What is kept: every BackendDict moto has put in use (moto.core.base_backend.BackendDict._instances), with its
accounts and regions, pickled in ONE dump so objects shared between services stay shared. Loading puts the
contents back into the live BackendDicts of the modules that define them (s3_backends, dynamodb_backends, ...).

What LocalStack's users ran into, and how this module avoids it (LocalStack pickles moto backends with dill):
- threading locks, conditions and events inside backends (SQS, S3 keys, ECR) cannot be pickled: they are
  written as "a new one" and made fresh at load;
- RSA keys (Cognito's token key, ACM) are C objects that cannot be pickled: written as PEM, loaded back;
- WeakValueDictionary (Lambda's ARN index) cannot be pickled: written as its items;
- a snapshot loaded by another moto (attributes renamed, modules moved: "'Subnet' object has no attribute
  'cidr'", "No module named ...") half-works and fails later. Here each file starts with a header naming the
  moto, amplify_nb and Python versions that wrote it; another version's snapshot is refused before anything
  is loaded (SnapshotVersionError), and the request log can rebuild the state instead;
- a crash while writing must not destroy the last good state: the file is written beside, fsynced, renamed
  over, and the two newest snapshots are kept; a damaged one (checksum) is skipped for the one before.

File layout: one JSON header line, then the pickle. <state dir>/snapshots/<index>.snapshot covers the logged
requests before <index>; the log from <index> on is the tail replayed after it.
"""
from __future__ import annotations

import copyreg
import gc
from collections import defaultdict
import hashlib
import io
import json
import logging
import os
import pickle
import platform
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("amplify_nb.local.snapshot")

FORMAT = 1
SUFFIX = ".snapshot"
KEPT = 2
_INDEX_DIGITS = 12
_PROTOCOL = 5
_BACKEND_DICT_FIELDS = frozenset({"backend", "service_name", "_use_boto3_regions", "_additional_regions", "_id"})


class SnapshotError(Exception):
    """A snapshot cannot be loaded; the message says why and what to do."""


class SnapshotVersionError(SnapshotError):
    """The snapshot was written by another moto, amplify_nb or Python: refused, nothing loaded."""


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    header: dict[str, Any]

    @property
    def index(self) -> int:
        return int(self.header["index"])

    @property
    def created(self) -> float:
        return float(self.header["created"])

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def versions() -> dict[str, str]:
    """What must be identical between the process that wrote a snapshot and the one that loads it."""
    import moto

    from .. import __version__

    return {"format": str(FORMAT), "moto": moto.__version__, "amplify_nb": __version__,
            "python": ".".join(platform.python_version_tuple()[:2])}


# --- pickling what pickle cannot --------------------------------------------------------------------------------
def _new_lock() -> Any:
    return threading.Lock()


def _new_rlock() -> Any:
    return threading.RLock()


def _new_condition() -> threading.Condition:
    return threading.Condition()


def _new_event() -> threading.Event:
    return threading.Event()


def _weak_value_dictionary(items: dict[Any, Any]) -> weakref.WeakValueDictionary:
    return weakref.WeakValueDictionary(items)


def _defaultdict_reducer(mapping: defaultdict) -> Any:
    """A defaultdict whose factory is a lambda (Lambda's aliases: `defaultdict(lambda: {})`) keeps its items
    and gets the equivalent type as factory; any other unnamed factory cannot be written."""
    factory = mapping.default_factory
    if factory is not None and "<" in getattr(factory, "__qualname__", ""):
        sample = factory()
        if type(sample) not in (dict, list, set, int, str) or sample:
            raise pickle.PicklingError(f"a defaultdict's factory {factory.__qualname__} cannot be written")
        factory = type(sample)
    return defaultdict, (factory,), None, None, iter(mapping.items())


def _limited_size_dict(items: dict[str, Any]) -> Any:
    """moto's LimitedSizeDict (a DynamoDB item's attributes) without re-checking the size at every key: its
    __setitem__ sums the whole item each time, which made loading 50k items take seconds."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    mapping = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(mapping, items)
    return mapping


def _load_private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


def _load_public_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem)


def _dispatch_table() -> dict[type, Any]:
    """Reducers by exact type (looked up in C, so the other objects of a large state pickle at full speed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    table: dict[type, Any] = dict(copyreg.dispatch_table)
    table[type(threading.Lock())] = lambda lock: (_new_lock, ())
    table[type(threading.RLock())] = lambda lock: (_new_rlock, ())
    table[threading.Condition] = lambda condition: (_new_condition, ())
    table[threading.Event] = lambda event: (_new_event, ())
    table[defaultdict] = _defaultdict_reducer
    try:
        from moto.dynamodb.models.dynamo_type import LimitedSizeDict
    except ImportError:  # pragma: no cover  (another moto: versions() refuses its snapshots anyway)
        pass
    else:
        table[LimitedSizeDict] = lambda mapping: (_limited_size_dict, (dict(mapping),))
    table[weakref.WeakValueDictionary] = lambda mapping: (_weak_value_dictionary, (dict(mapping.items()),))

    def private_key(key: Any) -> Any:
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        return _load_private_key, (pem,)

    def public_key(key: Any) -> Any:
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return _load_public_key, (pem,)

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    for key in (rsa_key, ec_key):
        table[type(key)] = private_key
        table[type(key.public_key())] = public_key
    return table


_DISPATCH: dict[type, Any] | None = None


def dumps(value: Any) -> bytes:
    global _DISPATCH
    if _DISPATCH is None:
        _DISPATCH = _dispatch_table()
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    with _no_gc():
        pickler.dump(value)
    return buffer.getvalue()


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cycle collector would walk the growing heap again and again while 100k objects are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- moto's backends ---------------------------------------------------------------------------------------------
def _live_backend_dicts() -> list[Any]:
    from moto.core.base_backend import BackendDict

    return [backends for backends in list(BackendDict._instances) if len(backends)]


def _module_attribute(backends: Any) -> tuple[str, str]:
    """(module, name) of the module-level variable holding this BackendDict, e.g. (moto.s3.models, s3_backends)."""
    module_name = backends.backend.__module__
    module = sys.modules[module_name]
    for name, value in vars(module).items():
        if value is backends:
            return module_name, name
    for candidate_name, candidate in list(sys.modules.items()):  # defined beside its backend class, or not
        if candidate_name.startswith("moto.") and candidate is not None:
            for name, value in list(vars(candidate).items()):
                if value is backends:
                    return candidate_name, name
    raise SnapshotError(f"cannot find where moto keeps the {backends.service_name} backends")


def capture() -> bytes:
    """moto's whole in-process state as bytes. Call it while no request changes state (the cloud's lock)."""
    services = []
    for backends in _live_backend_dicts():
        module_name, name = _module_attribute(backends)
        extra = {key: value for key, value in vars(backends).items() if key not in _BACKEND_DICT_FIELDS}
        services.append((module_name, name, dict(backends), extra))
    return dumps(services)


def install(payload: bytes) -> list[str]:
    """Put a captured state into moto's live backends (replacing what they hold); return the service names."""
    import importlib

    from moto.core.base_backend import BackendDict

    with _no_gc():
        services = pickle.loads(payload)
        # The loaded state lives as long as the daemon: out of the collector's sight, or its first pass would
        # walk all of it (a third of a second with 50k items) and every full pass after that again.
        gc.freeze()
    names = []
    for module_name, name, accounts, extra in services:
        live = getattr(importlib.import_module(module_name), name)
        live.clear()
        live.update(accounts)
        vars(live).update(extra)
        if live not in BackendDict._instances:
            BackendDict._instances.append(live)
        names.append(live.service_name)
    return names


# --- files -----------------------------------------------------------------------------------------------------
def snapshot_path(folder: Path, index: int) -> Path:
    return folder / f"{index:0{_INDEX_DIGITS}d}{SUFFIX}"


def write(folder: Path, index: int, payload: bytes) -> SnapshotInfo:
    """Write a snapshot atomically (beside, fsync, rename, fsync the folder) and keep only the KEPT newest."""
    folder.mkdir(parents=True, exist_ok=True)
    header = {**versions(), "index": index, "created": time.time(), "bytes": len(payload),
              "sha256": hashlib.sha256(payload).hexdigest()}
    path = snapshot_path(folder, index)
    temporary = folder / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(temporary, "wb") as file:
        file.write(json.dumps(header).encode("utf-8") + b"\n")
        file.write(payload)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    _fsync_folder(folder)
    for older in existing(folder)[KEPT:]:
        older.path.unlink(missing_ok=True)
    return SnapshotInfo(path, header)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_header(path: Path) -> dict[str, Any]:
    with open(path, "rb") as file:
        line = file.readline(1 << 16)
    try:
        header = json.loads(line)
    except ValueError:
        raise SnapshotError(f"{path.name} has no readable header") from None
    if not isinstance(header, dict) or "index" not in header:
        raise SnapshotError(f"{path.name} has no readable header")
    return header


def existing(folder: Path, clean: bool = False) -> list[SnapshotInfo]:
    """Readable snapshots, newest first. `clean` (at start, when nothing else writes there) removes the
    temporary files of a write that was interrupted."""
    if not folder.exists():
        return []
    for leftover in folder.glob(".*.tmp") if clean else ():
        leftover.unlink(missing_ok=True)
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            found.append(SnapshotInfo(path, read_header(path)))
        except (SnapshotError, OSError) as exc:
            log.warning("Ignoring snapshot %s: %s", path, exc)
    return sorted(found, key=lambda info: info.index, reverse=True)


def check_versions(info: SnapshotInfo) -> None:
    """Refuse, before loading anything, a snapshot written by other versions."""
    ours = versions()
    differing = {name: (info.header.get(name), ours[name]) for name in ours if str(info.header.get(name)) != ours[name]}
    if differing:
        what = ", ".join(f"{name} {then} (this is {now})" for name, (then, now) in differing.items())
        raise SnapshotVersionError(
            f"The local cloud's snapshot {info.path} was written by another version: {what}. It is not loaded, "
            "since objects pickled by one version are not those of another. Rebuild the state from the request "
            "log with `amplify-nb local rebuild` (replays every logged request once, then snapshots), or start "
            "from an empty cloud with `amplify-nb local reset --yes`."
        )


def load(info: SnapshotInfo) -> bytes:
    """The payload of a snapshot, its checksum verified."""
    check_versions(info)
    with open(info.path, "rb") as file:
        file.readline(1 << 16)
        payload = file.read()
    if len(payload) != info.header.get("bytes") or hashlib.sha256(payload).hexdigest() != info.header.get("sha256"):
        raise SnapshotError(f"{info.path.name} is damaged (its checksum does not match)")
    return payload
