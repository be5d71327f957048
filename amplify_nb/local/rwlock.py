"""The local cloud's lock: many readers at once or one writer alone, neither side starving, reads reentrant.

Every request that changes moto's state holds the writing side (it reseeds moto's shared random generator and
must be the only one drawing from it, see recorder.py); every read of moto's state, by moto or by one of our
services, holds the reading side, so nothing ever sees a half-applied write.

Writers queue on a plain lock, so a finished writer hands over to the next without waking every waiting thread
(eight upload threads would otherwise all wake up for each write); the writer at the head of the queue stops new
readers from entering, so a stream of reads (a notebook polling, a browser) cannot starve it.

Deadlocks are made impossible rather than unlikely:
- a thread that already reads may read again (a service's helper reading inside its handler), even while a
  writer waits: it is one of the readers that writer waits for;
- a thread that reads and asks to write (a service calling moto while it holds its read) would wait for itself:
  that raises at once. `released()` drops this thread's reads for the time of such a call, and
  `wsgi.call_app` uses it, so a service that calls back into the cloud, or waits for a process that does (a
  Lambda handler writing DynamoDB while its Invoke is served), holds no lock while it waits.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class LockOrderError(RuntimeError):
    """A thread holding the reading side asked for the writing side: it would wait for itself forever."""


class ReadWriteLock:
    def __init__(self) -> None:
        self._writers = threading.Lock()
        self._condition = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer_waiting_or_active = False
        self._writer: int | None = None
        self._mine = threading.local()  # .reads: this thread's reading depth; .writes: its writing depth

    def _depth(self, name: str) -> int:
        return getattr(self._mine, name, 0)

    @property
    def held_by_me(self) -> bool:
        """Whether this thread holds either side (a service may assert it before touching moto's objects)."""
        return self._depth("reads") > 0 or self._depth("writes") > 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        if self._depth("reads") or self._depth("writes"):  # reentrant: never wait behind a writer we block
            self._mine.reads = self._depth("reads") + 1
            try:
                yield
            finally:
                self._mine.reads -= 1
            return
        with self._condition:
            while self._writer_waiting_or_active:
                self._condition.wait()
            self._readers += 1
        self._mine.reads = 1
        try:
            yield
        finally:
            self._mine.reads = 0
            with self._condition:
                self._readers -= 1
                if not self._readers and self._writer_waiting_or_active:
                    self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        if self._depth("writes"):
            self._mine.writes += 1
            try:
                yield
            finally:
                self._mine.writes -= 1
            return
        if self._depth("reads"):
            raise LockOrderError(
                "This thread reads the local cloud's state and asked to change it: it would wait for itself. "
                "Call the cloud through wsgi.call_app (it releases the read), or leave `reading()` first."
            )
        with self._writers:
            with self._condition:
                self._writer_waiting_or_active = True
                while self._readers:
                    self._condition.wait()
            self._mine.writes = 1
            try:
                yield
            finally:
                self._mine.writes = 0
                with self._condition:
                    self._writer_waiting_or_active = False
                    self._condition.notify_all()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give up this thread's reads for the block (to call into the cloud or wait for someone who does)."""
        depth = self._depth("reads")
        if not depth or self._depth("writes"):
            yield
            return
        with self._condition:
            self._readers -= 1
            self._mine.reads = 0
            if not self._readers and self._writer_waiting_or_active:
                self._condition.notify_all()
        try:
            yield
        finally:
            with self._condition:
                while self._writer_waiting_or_active:
                    self._condition.wait()
                self._readers += 1
            self._mine.reads = depth
