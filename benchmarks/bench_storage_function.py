"""Benchmark: a project's table and CRUD function on the local cloud, against peers measured in the same run.

    python benchmarks/bench_storage_function.py [--runs 3] [--quick]      (or: make bench)

A private local cloud (free port, state under $BENCH_TMP) holds a temporary project: init, then the tutorial's
CRUD function with its new table `beer` (ensure_crud_function), pushed.
(a) 10k and 50k items (loaded with load_items) read into Python, against the project's table on our local cloud
    and the same items in a stock moto_server started here: amplify_nb's table_items; a raw paginated boto3 Scan
    (the items alone, then a DataFrame through TypeDeserializer); awswrangler's dynamodb.read_items if
    `pip install awswrangler` works into this venv (it is no dependency of the project; one scan segment, as the
    others read). Medians of --runs; ratios: this reader's time / table_items's on the same server, and
    moto_server's time / our local cloud's.
(b) 200 warm invokes of the CRUD function, GET /beer/{id} of one item as API Gateway sends it, next to 200
    GetItem calls of that item made directly with boto3: p50 and p99, ratio invoke / GetItem.
(c) Save to the first answer from the new code: src/index.py gets a visible change (a response header; two
    versions alternate), the project is pushed (only the code changed), and the function is invoked until the
    new header answers. Median of 10 rounds, with the push alone.
--quick: 5k/10k items, 4 rounds of (c), one run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared import client, free_port, median_seconds, percentile, print_rows, scan_to_dataframe, session, \
    stock_moto, timed, warm_samples_ms

import pandas as pd  # noqa: E402

from amplify_nb.categories.storage import deployed_table_name  # noqa: E402
from amplify_nb.dynamodb_items import load_items, table_items as scan_items  # noqa: E402
from amplify_nb.local import LocalCloud, LocalSettings  # noqa: E402
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV  # noqa: E402

ENV, FUNCTION, STORAGE = "dev", "beerfn", "beer"
INVOKES = 200
ONE_ID = "beer-000007"


def beer_items(start: int, stop: int) -> pd.DataFrame:
    numbers = range(start, stop)
    return pd.DataFrame({"id": [f"beer-{n:06d}" for n in numbers], "name": [f"beer number {n}" for n in numbers],
                         "brand": [["north", "south", "east"][n % 3] for n in numbers],
                         "type": [["ipa", "stout", "lager", "porter"][n % 4] for n in numbers],
                         "abv": [n % 12 for n in numbers], "rating": [n % 50 / 10 for n in numbers]})


def awswrangler_or_note() -> tuple[Any | None, str]:
    """awswrangler, installed into this venv now if it can be; else None and why."""
    try:
        import awswrangler
        return awswrangler, f"awswrangler {awswrangler.__version__}"
    except ImportError:
        pass
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "awswrangler"], capture_output=True, text=True)
    if done.returncode != 0:
        return None, f"awswrangler skipped: pip install failed ({(done.stderr.strip().splitlines() or ['?'])[-1]})"
    import awswrangler
    return awswrangler, f"awswrangler {awswrangler.__version__} (installed for this run)"


Reader = Callable[[], int]  # reads the whole table, returns how many rows it got


def readers(project: Any, table: str, moto_endpoint: str, wrangler: Any | None) -> dict[str, dict[str, Reader]]:
    """reader name -> {"local": read our local cloud's table, "moto": read the stock moto_server's}.

    Each reader's client is made once, before timing (building a boto3 client loads its service model)."""
    from amplify_nb.views import table_items

    clients = {"local": project.target().client("dynamodb"), "moto": client("dynamodb", moto_endpoint)}

    def raw_items(dynamodb: Any) -> int:
        return len([item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]])

    chosen: dict[str, dict[str, Reader]] = {
        "table_items (amplify_nb)": {"local": lambda: len(table_items(project, STORAGE)),
                                     "moto": lambda: len(scan_items(clients["moto"], table))},
        "boto3 scan, items only": {server: lambda c=c: raw_items(c) for server, c in clients.items()},
        "boto3 scan + TypeDeserializer DataFrame": {server: lambda c=c: len(scan_to_dataframe(c, table))
                                                    for server, c in clients.items()},
    }
    if wrangler is not None:
        boto3_session = session()

        def wrangler_read(endpoint: str) -> int:
            wrangler.config.dynamodb_endpoint_url = endpoint
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # its notice that a full Scan is made
                return len(wrangler.dynamodb.read_items(table_name=table, allow_full_scan=True, use_threads=False,
                                                        boto3_session=boto3_session))
        chosen["awswrangler dynamodb.read_items"] = {
            server: lambda e=e: wrangler_read(e)
            for server, e in (("local", project.target().endpoint()), ("moto", moto_endpoint))}
    return chosen


def scan_rows(chosen: dict[str, dict[str, Reader]], runs: int, count: int) -> list[tuple]:
    seconds: dict[str, dict[str, float]] = {}
    for name, servers in chosen.items():
        seconds[name] = {}
        for server, read in servers.items():
            got = read()  # warm-up, and a check that every item came back
            if got != count:
                raise SystemExit(f"{name} read {got} items from {server}, not {count}")
            seconds[name][server] = median_seconds(read, runs)
    base = seconds["table_items (amplify_nb)"]
    return [(name, f"{s['local']:.2f} s", f"{s['local'] / base['local']:.2f}x",
             f"{s['moto']:.2f} s", f"{s['moto'] / base['moto']:.2f}x", f"{s['moto'] / s['local']:.2f}x")
            for name, s in seconds.items()]


def get_event(item_id: str) -> bytes:
    return json.dumps({"httpMethod": "GET", "resource": "/beer/{proxy+}", "path": f"/beer/{item_id}",
                       "pathParameters": {"proxy": item_id}}).encode()


def invoke_get(lambda_client: Any, function_name: str, item_id: str) -> dict:
    answer = lambda_client.invoke(FunctionName=function_name, Payload=get_event(item_id))
    payload = json.loads(answer["Payload"].read())
    if "FunctionError" in answer or payload.get("statusCode") != 200:
        raise SystemExit(f"GET /beer/{item_id} failed: {payload}")
    return payload


def save_to_answer(project: Any, lambda_client: Any, function_name: str, rounds: int) -> dict[str, float]:
    """Medians of: save -> the new code's answer, the push alone, push done -> answer; and the most old-code answers."""
    from amplify_nb.project import push

    source = project.paths.resource_dir("function", FUNCTION) / "src" / "index.py"
    original = source.read_text()
    totals, pushes, answers, stale_most = [], [], [], 0
    try:
        for round_number in range(rounds):
            version = f"v{round_number % 2}"
            saved = time.perf_counter()
            source.write_text(original.replace("CORS_HEADERS = {", f'CORS_HEADERS = {{"X-Bench-Version": "{version}",', 1))
            pushes.append(timed(lambda: push(project, progress=False)))
            stale = 0
            while invoke_get(lambda_client, function_name, ONE_ID)["headers"].get("X-Bench-Version") != version:
                stale += 1
                if time.perf_counter() - saved > 120:
                    raise SystemExit(f"the function still answers with the old code 120 s after the save ({version})")
            totals.append(time.perf_counter() - saved)
            answers.append(totals[-1] - pushes[-1])
            stale_most = max(stale_most, stale)
    finally:
        source.write_text(original)
    return {"total": statistics.median(totals), "push": statistics.median(pushes),
            "answer": statistics.median(answers), "stale": stale_most}


def print_invokes(invokes: list[float], get_items: list[float]) -> None:
    base_p50, base_p99 = statistics.median(get_items), percentile(get_items, 0.99)
    print_rows(f"(b) Warm calls to the same local cloud, {len(invokes)} each, one at a time (ratio: / GetItem)",
               ("call", "p50", "ratio", "p99", "ratio"),
               [(name, f"{statistics.median(samples):.2f} ms", f"{statistics.median(samples) / base_p50:.2f}x",
                 f"{percentile(samples, 0.99):.2f} ms", f"{percentile(samples, 0.99) / base_p99:.2f}x")
                for name, samples in (("DynamoDB GetItem (boto3)", get_items),
                                      ("invoke CRUD function, GET /beer/{id}", invokes))])


def print_save_to_answer(save: dict[str, float], rounds: int) -> None:
    print_rows(f"(c) Save src/index.py -> first answer from the new code, median of {rounds} rounds",
               ("step", "time", "share"),
               [("push (only the code changed)", f"{save['push']:.2f} s", f"{save['push'] / save['total']:.0%}"),
                ("push done -> new code answers (its cold start)", f"{save['answer']:.2f} s",
                 f"{save['answer'] / save['total']:.0%}"),
                ("save -> new code answers", f"{save['total']:.2f} s", "100%"),
                ("answers from the old code after the push (most)", str(save["stale"]), "")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5k/10k items, 4 rounds of save-to-answer, one run")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    sizes, rounds = ((5_000, 10_000), 4) if args.quick else ((10_000, 50_000), 10)

    work = Path(tempfile.mkdtemp(prefix="bench-storage-function-", dir=os.environ.get("BENCH_TMP") or None))
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / "local-cloud"))
    os.environ[PORT_ENV], os.environ[STATE_DIR_ENV] = str(cloud.settings.port), str(cloud.settings.state_dir)
    wrangler, wrangler_note = awswrangler_or_note()
    try:
        cloud.start()
        from amplify_nb.notebook import ensure_crud_function

        project = ensure_crud_function(work / "benchapp", ENV, "local", FUNCTION, STORAGE)
        table = deployed_table_name(project.root, STORAGE, ENV)
        dynamodb, lambda_client = project.target().client("dynamodb"), project.target().client("lambda")
        function_name = f"{FUNCTION}-{ENV}"
        load_items(dynamodb, table, beer_items(0, 10), progress=False)

        # (c) first, while the table is small: the push's time is then the code's, not the table's.
        save = save_to_answer(project, lambda_client, function_name, rounds)

        # (b)
        invokes = warm_samples_ms(lambda: invoke_get(lambda_client, function_name, ONE_ID), INVOKES)
        get_items = warm_samples_ms(lambda: dynamodb.get_item(TableName=table, Key={"id": {"S": ONE_ID}}), INVOKES)

        print_invokes(invokes, get_items)
        print_save_to_answer(save, rounds)

        # (a)
        with stock_moto() as moto_endpoint:
            moto = client("dynamodb", moto_endpoint)
            moto.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
            chosen = readers(project, table, moto_endpoint, wrangler)
            loaded = 0  # the local table's first 10 items are rewritten as they are
            for count in sizes:
                for target in (dynamodb, moto):
                    load_items(target, table, beer_items(loaded, count), progress=False)
                loaded = count
                print_rows(f"(a) {count // 1000}k items to Python, median of {runs} run(s); {wrangler_note}",
                           ("reader", "local cloud", "/ table_items", "stock moto_server", "/ table_items",
                            "moto / local (>1: ours faster)"), scan_rows(chosen, runs, count))
    finally:
        cloud.stop()
        shutil.rmtree(work, ignore_errors=True)

    return 0


if __name__ == "__main__":
    sys.exit(main())
