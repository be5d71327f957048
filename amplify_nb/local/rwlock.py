"""A readers-writer lock: many readers at once, or one writer alone, and neither side can starve the other.

The state log (recorder.py) needs it: a state-changing request reseeds moto's shared random generator and must
be the only request drawing from it until it is done, while reads (most of the traffic) may still overlap each
other. Writers queue on a plain lock, so a finished writer hands over to the next without waking every waiting
thread (eight upload threads would otherwise all wake up for each write); the writer at the head of the queue
stops new readers from entering, so a stream of reads (a notebook polling, a browser) cannot starve it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    def __init__(self) -> None:
        self._writers = threading.Lock()
        self._condition = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer_waiting_or_active = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            while self._writer_waiting_or_active:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                if not self._readers and self._writer_waiting_or_active:
                    self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._writers:
            with self._condition:
                self._writer_waiting_or_active = True
                while self._readers:
                    self._condition.wait()
            try:
                yield
            finally:
                with self._condition:
                    self._writer_waiting_or_active = False
                    self._condition.notify_all()
