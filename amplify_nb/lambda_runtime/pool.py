"""Warm workers of one function version: reused one invoke at a time each, several invokes side by side.

Lambda runs concurrent invokes in separate execution environments and keeps them warm between invokes.
A pool does the same up to `max_workers` processes (a small number: every worker is a Python process of
~50 MB); further invokes wait for a worker to come free. A closed pool (its function's code or configuration
changed) stops its idle workers at once and each busy one when its invoke ends.
"""
from __future__ import annotations

import threading
import time

from .config import FunctionConfig
from .runtime_api import Invocation
from .worker import Outcome, Worker, new_invocation

DEFAULT_MAX_WORKERS = 4
# Lambda keeps an idle execution environment for minutes, then reclaims it.
DEFAULT_IDLE_SECONDS = 600.0


class WorkerPool:
    def __init__(self, config: FunctionConfig, max_workers: int = DEFAULT_MAX_WORKERS) -> None:
        if max_workers < 1:
            raise ValueError("A worker pool needs at least one worker")
        self.config = config
        self.max_workers = max_workers
        self._idle: list[Worker] = []
        self._idle_since: dict[int, float] = {}
        self._count = 0
        self._preparing = 0  # workers being made ready by prewarm(): an invoke waits for one rather than start another
        self._closed = False
        self._condition = threading.Condition()

    def invoke(self, event: bytes, **invocation_fields: str | None) -> Outcome:
        """Run one event on a free worker; fields are new_invocation's (request_id, invoked_function_arn...)."""
        invocation = new_invocation(self.config, event, **invocation_fields)
        return self.run(invocation)

    def run(self, invocation: Invocation) -> Outcome:
        worker = self._acquire()
        try:
            return worker.invoke(invocation)
        finally:
            self._release(worker)

    def prewarm(self) -> bool:
        """Make one environment ready before any invoke (when code was just deployed, the next request should
        not wait for its Init); nothing when the pool already has a worker. Returns whether one was made."""
        with self._condition:
            if self._closed or self._count:
                return False
            self._count += 1
            self._preparing += 1
        worker = Worker(self.config)
        try:
            worker.prepare()
        finally:
            self._release(worker)  # idle first: a waiting invoke takes it
            with self._condition:
                self._preparing -= 1
                self._condition.notify_all()  # any other waiting invoke starts its own
        return True

    def close(self) -> None:
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._condition.notify_all()
        for worker in idle:
            worker.stop()

    def reap(self, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> int:
        """Stop the workers idle for longer than idle_seconds; return how many were stopped."""
        cutoff = time.monotonic() - idle_seconds
        with self._condition:
            old = [worker for worker in self._idle if self._idle_since.get(id(worker), 0.0) < cutoff]
            self._idle = [worker for worker in self._idle if worker not in old]
            self._count -= len(old)
        for worker in old:
            worker.stop()
        return len(old)

    @property
    def size(self) -> int:
        """Workers alive now, busy or idle."""
        with self._condition:
            return self._count

    def _acquire(self) -> Worker:
        ended: list[Worker] = []
        try:
            with self._condition:
                while True:
                    if self._idle:
                        worker = self._idle.pop()  # the most recently used: its caches are warm
                        self._idle_since.pop(id(worker), None)
                        if worker.usable:
                            return worker
                        ended.append(worker)
                        self._count -= 1
                        continue
                    if self._preparing:  # ready sooner than a new one would be
                        self._condition.wait()
                        continue
                    if self._count < self.max_workers:
                        self._count += 1
                        return Worker(self.config)
                    self._condition.wait()
        finally:
            for worker in ended:
                worker.stop()

    def _release(self, worker: Worker) -> None:
        with self._condition:
            keep = worker.usable and not self._closed
            if keep:
                self._idle.append(worker)
                self._idle_since[id(worker)] = time.monotonic()
            else:
                self._count -= 1
            self._condition.notify()
        if not keep:
            worker.stop()
