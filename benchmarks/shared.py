"""Helpers the benchmarks share: a free port, boto3 clients for a local endpoint, a stock moto_server, timers,
percentiles, a raw boto3 scan into a DataFrame and a plain text table. Not a benchmark itself (no bench_ prefix,
so `make bench` does not run it)."""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
import pandas as pd  # noqa: E402
from boto3.dynamodb.types import TypeDeserializer  # noqa: E402

from amplify_nb.local import LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session() -> boto3.Session:
    """The fixed identity the local cloud (and a stock moto_server) accepts."""
    return boto3.Session(aws_access_key_id=LOCAL_ACCESS_KEY_ID, aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
                         region_name=LOCAL_REGION)


def client(service: str, endpoint: str) -> Any:
    return session().client(service, endpoint_url=endpoint)


@contextmanager
def stock_moto() -> Iterator[str]:
    """A stock `moto_server` (no middlewares of ours) on a free port for the block; yields its endpoint."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("moto_server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # busy freeing a large table: it would not answer anyone again anyway
            server.kill()
            server.wait()


def timed(action: Callable[[], Any]) -> float:
    """Seconds one call of action takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_seconds(action: Callable[[], Any], runs: int) -> float:
    return statistics.median(timed(action) for _ in range(runs))


def warm_samples_ms(call: Callable[[], object], count: int) -> list[float]:
    """Milliseconds of each of count calls, one at a time, after one untimed warm-up call (worker, connection)."""
    call()
    return [timed(call) * 1000 for _ in range(count)]


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def scan_to_dataframe(dynamodb: Any, table: str) -> pd.DataFrame:
    """What one writes without amplify_nb: every page of a boto3 Scan, TypeDeserializer, pd.DataFrame."""
    deserialize = TypeDeserializer().deserialize
    rows = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        rows.extend({name: deserialize(value) for name, value in item.items()} for item in page["Items"])
    return pd.DataFrame(rows)


def print_rows(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A left-aligned text table under its title."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    sys.stdout.flush()  # a table printed survives a later failure of the benchmark
