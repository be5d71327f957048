"""Benchmark: a request through the local API Gateway (Cognito JWT check -> Lambda -> DynamoDB PutItem) next to
the same PutItem made directly with boto3, in one run, with 1 and 8 clients.

    python benchmarks/bench_api.py [--calls 200]      (or: make bench)

A local cloud is started privately (free port, temporary state dir). The API is built with boto3 as a push
makes it (tests/functional/local_api_builder.py): a user pool, a table, the beer handler zipped into a function,
`/beer` with a COGNITO_USER_POOLS POST method. A signed-in user's ID token is sent raw in Authorization. After a
warm-up (the first requests start the workers), each client makes --calls requests one after another: p50 and
p99 of a request, and requests per second over all clients, each with its ratio to the direct PutItem's.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from shared import ROOT, free_port, percentile, session

sys.path.insert(0, str(ROOT / "tests" / "functional"))
import requests  # noqa: E402
from local_api_builder import make_beer_api, make_identity, sign_in  # noqa: E402

from amplify_nb.local import LocalCloud, LocalSettings  # noqa: E402


def run_clients(clients: int, calls: int, make_call: Callable[[], Callable[[int], object]]) -> tuple[list[float], float]:
    """(every request's ms, requests per second over the whole run)."""
    samples: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def one_client() -> None:
        call = make_call()
        call(-1)  # warm this client's connection
        start.wait()
        mine = []
        for index in range(calls):
            began = time.perf_counter()
            call(index)
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return samples, clients * calls / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1, help="accepted for make bench's BENCH_ARGS; one run is made")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-api-", dir=os.environ.get("BENCH_TMP") or None))
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / "local-cloud"))
    try:
        cloud.start()
        endpoint = cloud.settings.endpoint
        ident = make_identity(endpoint, guests=False)
        api = make_beer_api(endpoint, ident, "cognito", operations=("create",), function_timeout=30)
        token = sign_in(endpoint, ident, "bench@example.com")["IdToken"]

        def through_api() -> Callable[[int], object]:
            http = requests.Session()
            prefix = uuid.uuid4().hex[:8]

            def call(index: int) -> object:
                answer = http.post(f"{api.root_url}/beer", json={"id": f"{prefix}-{index}", "name": "Porter"},
                                   headers={"Authorization": token}, timeout=60)
                if answer.status_code != 200:
                    raise SystemExit(f"the API answered {answer.status_code}: {answer.text}")
                return answer
            return call

        def direct() -> Callable[[int], object]:
            dynamodb = session().client("dynamodb", endpoint_url=endpoint)
            prefix = uuid.uuid4().hex[:8]
            return lambda index: dynamodb.put_item(TableName=api.table, Item={
                "id": {"S": f"direct-{prefix}-{index}"}, "name": {"S": "Porter"}})

        run_clients(8, 5, through_api)  # start the function's workers
        rows = []
        for clients in (1, 8):
            base, base_rate = run_clients(clients, args.calls, direct)
            samples, rate = run_clients(clients, args.calls, through_api)
            rows.append((clients, "PutItem (boto3, direct)", base, base_rate, base, base_rate))
            rows.append((clients, "API: JWT -> Lambda -> PutItem", samples, rate, base, base_rate))
        print_table(rows, args.calls)
    finally:
        cloud.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(rows: list[tuple], calls: int) -> None:
    print(f"\nWarm requests to one local cloud, {calls} per client, each client one request at a time")
    print("(ratio = this path / the direct PutItem: above 1 is slower in time, below 1 is fewer requests per second)\n")
    header = f"{'clients':>7}  {'path':<32}{'p50':>10}{'ratio':>8}{'p99':>11}{'ratio':>8}{'req/s':>9}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for clients, name, samples, rate, base, base_rate in rows:
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        b50, b99 = statistics.median(base), percentile(base, 0.99)
        print(f"{clients:>7}  {name:<32}{p50:>7.2f} ms{p50 / b50:>7.2f}x{p99:>8.2f} ms{p99 / b99:>7.2f}x"
              f"{rate:>9.0f}{rate / base_rate:>7.2f}x")


if __name__ == "__main__":
    sys.exit(main())
