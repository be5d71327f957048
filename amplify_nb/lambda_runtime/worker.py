"""One warm execution environment: a process running the official runtime client (awslambdaric) on our Runtime API.

The process is started at its first invoke (Lambda's on-demand init), loads the handler once and then serves one
event at a time until it is stopped. Lambda's behaviour around it is reproduced here: START / END / REPORT lines
(Init Duration on the first invoke), the timeout (the process is killed, as Lambda resets an environment after
a timeout, and "Task timed out after N.NN seconds" is reported), and a process that dies (Runtime.ExitError).
The handler's own errors, handler loading errors and marshalling errors come from the runtime client itself.
"""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .config import (INIT_TIMEOUT_SECONDS, FunctionConfig, new_log_stream_name, worker_credentials,
                     worker_environment)
from .output import LogLine, OutputCapture, now_ms
from .runtime_api import Invocation, RuntimeApi

UNHANDLED = "Unhandled"
_POLL_SECONDS = 0.02
_STOP_WAIT_SECONDS = 5.0


@dataclass
class Outcome:
    """What one invoke gave: Lambda's payload bytes, the FunctionError header and the invoke's log lines."""

    request_id: str
    payload: bytes
    content_type: str
    function_error: str | None
    log_stream: str
    log_lines: list[LogLine] = field(default_factory=list)
    duration_ms: float = 0.0
    init_duration_ms: float | None = None
    timed_out: bool = False

    @property
    def error_type(self) -> str | None:
        """errorType of an error payload (Runtime.ImportModuleError, ValueError...), None on success."""
        if not self.function_error:
            return None
        try:
            return json.loads(self.payload).get("errorType")
        except (ValueError, AttributeError):
            return None

    @property
    def log_text(self) -> str:
        return "".join(line.message for line in self.log_lines)


def new_invocation(config: FunctionConfig, event: bytes, *, request_id: str | None = None,
                   invoked_function_arn: str | None = None, client_context: str | None = None) -> Invocation:
    """An event with Lambda's ids: a request id (uuid) and an X-Ray trace header."""
    epoch = f"{int(time.time()):08x}"
    trace = f"Root=1-{epoch}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0;Lineage=1:00000000:0"
    return Invocation(request_id=request_id or str(uuid.uuid4()), event=event,
                      invoked_function_arn=invoked_function_arn or config.arn, trace_id=trace,
                      client_context=client_context)


def _iso_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Worker:
    """One execution environment of one function version. Not thread-safe: a pool gives it one invoke at a time."""

    def __init__(self, config: FunctionConfig) -> None:
        self.config = config
        self.log_stream = new_log_stream_name(config.version)
        self.credentials = worker_credentials(config)
        self.process: subprocess.Popen[bytes] | None = None
        self.api: RuntimeApi | None = None
        self.output: OutputCapture | None = None
        self.alive = True  # False once stopped or dead: the pool then drops it
        self.peak_memory_mb = 0
        self._init: tuple[str, float, list[LogLine]] | None = None  # an init not yet reported by an invoke

    # --- lifecycle ---------------------------------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        """Not stopped, and its process (once started) still runs: one that ended between invokes is replaced."""
        return self.alive and (self.process is None or self.process.poll() is None)

    def _start(self) -> None:
        self.api = RuntimeApi()
        self.output = OutputCapture()
        environment = worker_environment(self.config, self.api.address, self.log_stream, self.credentials)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "awslambdaric", self.config.handler], cwd=self.config.code_dir, env=environment,
            stdin=subprocess.DEVNULL, stdout=self.output.write_fd, stderr=self.output.write_fd,
            start_new_session=True,  # its own process group: a kill takes the handler's children too
        )

    def stop(self) -> None:
        """Kill the process (a Lambda environment keeps no state worth a graceful end) and free its ports and pipe."""
        self.alive = False
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(_STOP_WAIT_SECONDS)
        if self.api is not None:
            self.api.close()
        if self.output is not None:
            self.output.close()

    def _exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def _measure_memory(self) -> None:
        """Max Memory Used: the process's peak resident set (Linux's VmHWM), kept across invokes."""
        if self.process is None:
            return
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self.peak_memory_mb = max(self.peak_memory_mb, math.ceil(int(line.split()[1]) / 1024))
        except OSError:
            pass

    # --- one invoke --------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """The Init phase (start the runtime, import the handler) without an invoke; the next invoke reports it
        (its output and Init Duration), as the first invoke of an environment does."""
        if self.process is None:
            began = time.perf_counter()
            self._start()
            state = self._wait_for_init()
            self._init = (state, (time.perf_counter() - began) * 1000, self._take_output())

    def invoke(self, invocation: Invocation) -> Outcome:
        lines: list[LogLine] = []
        init_ms: float | None = None
        invocation.worker_access_key = self.credentials.access_key_id
        self.prepare()
        if self._init is not None:
            (init_state, init_ms, init_lines), self._init = self._init, None
            lines += init_lines
            if init_state != "ready":
                return self._failed_init(invocation, init_state, lines, init_ms)
        assert self.api is not None
        lines.append(LogLine(now_ms(), f"START RequestId: {invocation.request_id} Version: {self.config.version}\n"))
        began = time.perf_counter()
        self.api.submit(invocation, self.config.timeout)
        finished = self._wait_for_answer(invocation)
        duration_ms = (time.perf_counter() - began) * 1000
        self._measure_memory()
        if finished == "answered":
            lines += self._take_output()
            outcome = Outcome(invocation.request_id, invocation.body, invocation.content_type,
                              UNHANDLED if invocation.failed else None, self.log_stream)
            lines += self._end_lines(invocation.request_id, duration_ms, init_ms)
        elif finished == "timeout":
            self.stop()
            lines += self._take_output()
            message = f"{_iso_now()} {invocation.request_id} Task timed out after {duration_ms / 1000:.2f} seconds"
            lines += self._end_lines(invocation.request_id, duration_ms, init_ms)
            lines.append(LogLine(now_ms(), message + "\n"))
            outcome = Outcome(invocation.request_id, json.dumps({"errorMessage": message}).encode(),
                              "application/json", UNHANDLED, self.log_stream, timed_out=True)
        else:  # the process died during the invoke
            outcome = self._exited(invocation, lines)
            lines += self._end_lines(invocation.request_id, duration_ms, init_ms)
        self.api.forget(invocation)
        outcome.log_lines, outcome.duration_ms, outcome.init_duration_ms = lines, duration_ms, init_ms
        return outcome

    def _wait_for_init(self) -> str:
        assert self.api is not None
        deadline = time.monotonic() + INIT_TIMEOUT_SECONDS
        while True:
            if self.api.polled.is_set():
                return "ready"
            if self.api.init_failed.is_set():
                return "init_error"
            if self._exit_code() is not None:
                return "init_error" if self.api.init_failed.is_set() else "exited"
            if time.monotonic() > deadline:
                return "timeout"
            self.api.polled.wait(_POLL_SECONDS)

    def _wait_for_answer(self, invocation: Invocation) -> str:
        deadline = time.monotonic() + self.config.timeout
        while True:
            remaining = deadline - time.monotonic()
            if invocation.answered.wait(max(0.0, min(remaining, _POLL_SECONDS * 5))):
                return "answered"
            if self._exit_code() is not None:
                return "answered" if invocation.answered.is_set() else "exited"
            if remaining <= 0:
                return "timeout"

    def _take_output(self) -> list[LogLine]:
        return self.output.take() if self.output is not None else []

    def _end_lines(self, request_id: str, duration_ms: float, init_ms: float | None) -> list[LogLine]:
        memory_used = self.peak_memory_mb or self.config.memory_mb
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
                  f"Billed Duration: {math.ceil(duration_ms)} ms\tMemory Size: {self.config.memory_mb} MB\t"
                  f"Max Memory Used: {memory_used} MB\t")
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        stamp = now_ms()
        return [LogLine(stamp, f"END RequestId: {request_id}\n"), LogLine(stamp, report + "\n")]

    def _failed_init(self, invocation: Invocation, state: str, lines: list[LogLine], init_ms: float) -> Outcome:
        """The handler could not be loaded: Lambda answers the invoke with the init error and retries init next time."""
        assert self.api is not None
        exit_code = self._exit_code()
        self.stop()
        lines += self._take_output()
        request_id = invocation.request_id
        if state == "init_error":
            payload = self.api.init_error
        elif state == "timeout":
            message = f"{_iso_now()} {request_id} Task timed out after {INIT_TIMEOUT_SECONDS:.2f} seconds"
            lines.append(LogLine(now_ms(), message + "\n"))
            payload = json.dumps({"errorMessage": message}).encode()
        else:
            payload = self._exit_payload(request_id, exit_code)
            lines.append(LogLine(now_ms(), json.loads(payload)["errorMessage"] + "\nRuntime.ExitError\n"))
        lines.append(LogLine(now_ms(), f"START RequestId: {request_id} Version: {self.config.version}\n"))
        lines += self._end_lines(request_id, 0.0, init_ms)
        return Outcome(request_id, payload, "application/json", UNHANDLED, self.log_stream, lines, 0.0, init_ms,
                       timed_out=state == "timeout")

    def _exited(self, invocation: Invocation, lines: list[LogLine]) -> Outcome:
        exit_code = self._exit_code()
        self.stop()
        lines += self._take_output()
        payload = self._exit_payload(invocation.request_id, exit_code)
        lines.append(LogLine(now_ms(), json.loads(payload)["errorMessage"] + "\nRuntime.ExitError\n"))
        return Outcome(invocation.request_id, payload, "application/json", UNHANDLED, self.log_stream)

    @staticmethod
    def _exit_payload(request_id: str, exit_code: int | None) -> bytes:
        """Lambda's answer when the runtime process ends by itself (sys.exit, os._exit, a crash)."""
        if exit_code is not None and exit_code < 0:
            reason = f"signal: {(signal.strsignal(-exit_code) or str(-exit_code)).lower()}"  # as Go prints it
        else:
            reason = f"exit status {exit_code}"
        return json.dumps({"errorType": "Runtime.ExitError",
                           "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {reason}"}).encode()
