"""The local cloud's Lambda runtime: warm worker pools for the functions deployed in moto, their code and logs.

A function's configuration and zip are read from moto's in-process Lambda backend at each invoke, so create,
update and delete stay moto's (and are logged and replayed like any change). The zip is unpacked once per
CodeSha256 into <state dir>/lambda/code/<sha256>/ (emptied when the daemon starts). A pool is kept per function
version and replaced as soon as the code or the configuration it was made from changes. Invokes never go
through moto, so they add nothing to the state log; what a handler writes through the public port (DynamoDB
PutItem...) is logged as any write. No lock of the local cloud is held while a handler runs.

The log lines of each invoke are put into moto's CloudWatch Logs backend in process (group /aws/lambda/<name>,
one stream per worker, as Lambda does), so logs.filter_log_events / get_log_events read them through the
endpoint. Like invokes, they are not in the state log: they are gone after a restart of the daemon.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import os
import shutil
import threading
import time
import zipfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ....lambda_runtime import FunctionConfig, Outcome, WorkerPool
from ....lambda_runtime.config import LATEST, SUPPORTED_RUNTIME_PREFIX, Credentials
from ....lambda_runtime.runtime_api import Invocation
from ....lambda_runtime.worker import new_invocation
from ...settings import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY

log = logging.getLogger("amplify_nb.local.lambda")

CODE_FOLDER = Path("lambda") / "code"
_REAP_EVERY_SECONDS = 60.0


class LambdaServiceError(Exception):
    """An invoke Lambda refuses before running anything, with the HTTP status and error code Lambda answers."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class DeployedFunction:
    """A function version found in moto, with the ARN it was invoked by (Lambda's invoked_function_arn)."""

    config: FunctionConfig
    invoked_arn: str
    code: bytes


def split_function_name(name_or_arn: str, qualifier: str | None, region: str,
                        account_id: str) -> tuple[str, str | None, str, str]:
    """Lambda takes a name, name:qualifier, a partial ARN (account:function:name) or a full ARN (which then
    decides the region and account): (name, qualifier, region, account_id)."""
    parts = name_or_arn.split(":")
    if parts[0] == "arn" and len(parts) >= 7:  # arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        region, account_id, parts = parts[3] or region, parts[4] or account_id, parts[6:]
    elif len(parts) >= 3 and parts[1] == "function":
        account_id, parts = parts[0], parts[2:]
    if len(parts) > 1 and not qualifier:
        qualifier = parts[1]
    return parts[0], qualifier, region, account_id


def unqualified_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def code_hash(code_sha256: str | None, code: bytes) -> str:
    """The zip's SHA-256 in hex (a folder name), from the CodeSha256 moto computed at upload when it has one."""
    try:
        digest = base64.b64decode(code_sha256 or "", validate=True)
    except binascii.Error:
        digest = b""
    return digest.hex() if len(digest) == 32 else hashlib.sha256(code).hexdigest()


class StateLock(Protocol):
    """The local cloud's readers-writer lock (rwlock.ReadWriteLock): reading() and writing() context managers."""

    def reading(self) -> AbstractContextManager[None]: ...

    def writing(self) -> AbstractContextManager[None]: ...


class LambdaRuntime:
    """Reads moto's functions under `lock`'s reading side and writes log events under its writing side; holds
    neither while a handler runs (a handler calls back into the cloud, which takes the lock)."""

    def __init__(self, state_dir: Path, endpoint: str, lock: StateLock) -> None:
        self.lock = lock
        self.code_cache = Path(state_dir) / CODE_FOLDER
        # Unpacked code of an earlier daemon: no worker runs in it any more, and it is quick to unpack again.
        shutil.rmtree(self.code_cache, ignore_errors=True)
        self.endpoint = endpoint
        self._pools: dict[str, WorkerPool] = {}
        self._pools_lock = threading.Lock()
        threading.Thread(target=self._reap_forever, name="lambda-reaper", daemon=True).start()

    # --- reading moto ------------------------------------------------------------------------------------------
    def find(self, name_or_arn: str, qualifier: str | None, region: str, account_id: str) -> DeployedFunction:
        """The function version an invoke names; LambdaServiceError as Lambda answers when it cannot run."""
        from moto.awslambda.exceptions import LambdaClientError
        from moto.awslambda.utils import get_backend

        name, qualifier, region, account_id = split_function_name(name_or_arn, qualifier, region, account_id)
        invoked_arn = unqualified_arn(region, account_id, name) + (f":{qualifier}" if qualifier else "")
        with self.lock.reading():
            try:
                function = get_backend(account_id, region).get_function(name, qualifier)
            except LambdaClientError:
                function = None
            found = None if function is None else self._read_function(function, name, qualifier, region, account_id,
                                                                         invoked_arn)
        if found is None:
            self._drop_pools(unqualified_arn(region, account_id, name))  # deleted: its workers are of no use
            raise LambdaServiceError(404, "ResourceNotFoundException", f"Function not found: {invoked_arn}")
        return found

    def _read_function(self, function: Any, name: str, qualifier: str | None, region: str, account_id: str,
                       invoked_arn: str) -> DeployedFunction:
        runtime = function.run_time or ""
        if getattr(function, "package_type", "Zip") != "Zip" or not runtime.startswith(SUPPORTED_RUNTIME_PREFIX):
            raise LambdaServiceError(
                400, "InvalidRuntimeException",
                f"The local cloud runs Python zip functions only; {name} has runtime {runtime or 'none'} "
                f"({getattr(function, 'package_type', 'Zip')} package).")
        code: bytes = function.code_bytes or b""
        sha = code_hash(function.code_sha_256, code)
        version = str(function.version) if qualifier and qualifier != LATEST else LATEST
        config = FunctionConfig(
            name=name, handler=function.handler or "", code_dir=self.code_cache / sha, runtime=runtime,
            timeout=float(function.timeout or 3), memory_mb=int(function.memory_size or 128),
            environment={str(k): str(v) for k, v in (function.environment_vars or {}).items()},
            region=region, account_id=account_id, version=version, code_sha256=sha, endpoint_url=self.endpoint,
            credentials=Credentials(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, "local"), worker_keys=True,
        )
        return DeployedFunction(config, invoked_arn, code)

    # --- running -----------------------------------------------------------------------------------------------
    def invoke(self, function: DeployedFunction, event: bytes, client_context: str | None = None,
               invocation: Invocation | None = None) -> Outcome:
        """Run the event on a warm worker of the function (no lock of the cloud is held meanwhile), log it.

        A caller that wants to follow the invoke while it runs (which worker key it uses) passes the
        `invocation` made by `new_invocation`."""
        self._unpack(function)
        pool = self._pool(function.config)
        invocation = invocation or self.new_invocation(function, event, client_context)
        outcome = pool.run(invocation)
        self.write_logs(function.config, outcome)
        return outcome

    def prewarm(self, name: str, region: str, account_id: str) -> bool:
        """An environment of the function's latest code made ready ahead of its first invoke (see WorkerPool)."""
        function = self.find(name, None, region, account_id)
        self._unpack(function)
        return self._pool(function.config).prewarm()

    @staticmethod
    def new_invocation(function: DeployedFunction, event: bytes, client_context: str | None = None) -> Invocation:
        return new_invocation(function.config, event, invoked_function_arn=function.invoked_arn,
                              client_context=client_context)

    def close(self) -> None:
        with self._pools_lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    def _drop_pools(self, function_arn: str) -> None:
        with self._pools_lock:
            keys = [key for key in self._pools if key.rsplit(":", 1)[0] == function_arn]
            pools = [self._pools.pop(key) for key in keys]
        for pool in pools:
            pool.close()

    def _reap_forever(self) -> None:
        """Idle workers are stopped after a while, as Lambda reclaims idle environments (a process is ~15-60 MB)."""
        while True:
            time.sleep(_REAP_EVERY_SECONDS)
            with self._pools_lock:
                pools = list(self._pools.values())
            for pool in pools:
                pool.reap()

    def _pool(self, config: FunctionConfig) -> WorkerPool:
        key = f"{config.arn}:{config.version}"
        with self._pools_lock:
            pool = self._pools.get(key)
            if pool is not None and pool.config.fingerprint == config.fingerprint:
                return pool
            self._pools[key] = WorkerPool(config)
        if pool is not None:  # the code or the configuration changed: fresh workers from now on
            log.info("Function %s changed: its warm workers are replaced", config.name)
            pool.close()
        return self._pools[key]

    def _unpack(self, function: DeployedFunction) -> None:
        """Unzip the code once per content hash; a half-unpacked folder is never used (unpack, then rename)."""
        target = function.config.code_dir
        if target.is_dir():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            with zipfile.ZipFile(io.BytesIO(function.code)) as archive:
                archive.extractall(staging)
        except zipfile.BadZipFile:
            staging.mkdir(parents=True, exist_ok=True)  # no code: the runtime reports the missing module
        try:
            os.rename(staging, target)
        except OSError:  # another invoke unpacked it first
            shutil.rmtree(staging, ignore_errors=True)

    # --- CloudWatch Logs ---------------------------------------------------------------------------------------
    def write_logs(self, config: FunctionConfig, outcome: Outcome) -> None:
        """Put the invoke's lines in /aws/lambda/<name>, in the worker's stream (both made when missing)."""
        from moto.logs.models import logs_backends

        if not outcome.log_lines:
            return
        events = [{"timestamp": line.timestamp, "message": line.message} for line in outcome.log_lines]
        with self.lock.writing():  # a change to moto's state, though one never logged
            backend: Any = logs_backends[config.account_id][config.region]
            backend.ensure_log_group(config.log_group)
            group = backend.groups[config.log_group]
            if outcome.log_stream not in group.streams:
                group.create_log_stream(outcome.log_stream)
            group.put_log_events(outcome.log_stream, events)


_RUNTIMES: dict[Path, LambdaRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(state_dir: Path, endpoint: str, lock: StateLock) -> LambdaRuntime:
    """The daemon's one LambdaRuntime for a state dir: the Invoke API and the API Gateway data plane share its
    warm workers."""
    with _RUNTIMES_LOCK:
        runtime = _RUNTIMES.get(Path(state_dir))
        if runtime is None or runtime.lock is not lock:
            runtime = _RUNTIMES[Path(state_dir)] = LambdaRuntime(state_dir, endpoint, lock)
        return runtime
