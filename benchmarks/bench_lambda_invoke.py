"""Benchmark: a warm Lambda invoke on the local cloud next to a DynamoDB GetItem made directly, in one run.

    python benchmarks/bench_lambda_invoke.py [--calls 100]      (or: make bench)

A local cloud is started privately for the run (free port, temporary state dir) and stopped at the end. One
table holds one item; two functions are deployed with boto3: a trivial handler (returns its event) and one that
reads the item with GetItem through the local cloud, as a CRUD handler's GET /beer/{id} does. After a warm-up
(the first invoke starts the worker), each of the three calls is made --calls times from one boto3 client and
timed one by one: p50 and p99 are printed, with the ratio to the direct GetItem (above 1: slower than GetItem).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from shared import free_port, percentile, session, warm_samples_ms

from amplify_nb.local import LocalCloud, LocalSettings

TABLE = "bench-beer"
TRIVIAL = "def handler(event, context):\n    return event\n"
GET_ONE = (
    "import boto3\n"
    "table = boto3.resource('dynamodb').Table('bench-beer')\n"
    "def handler(event, context):\n"
    "    return table.get_item(Key={'id': event['id']})['Item']\n"
)


def zip_of(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1, help="accepted for make bench's BENCH_ARGS; one run is made")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-lambda-", dir=os.environ.get("BENCH_TMP") or None))
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / "local-cloud"))
    try:
        cloud.start()
        clients = {name: session().client(name, endpoint_url=cloud.settings.endpoint)
                   for name in ("dynamodb", "lambda", "iam")}
        clients["dynamodb"].create_table(TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                         BillingMode="PAY_PER_REQUEST")
        clients["dynamodb"].put_item(TableName=TABLE, Item={"id": {"S": "b1"}, "name": {"S": "Porter"}})
        role = clients["iam"].create_role(RoleName="bench-lambda", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
        for name, source in (("bench-trivial", TRIVIAL), ("bench-get-one", GET_ONE)):
            clients["lambda"].create_function(FunctionName=name, Runtime="python3.11", Role=role,
                                              Handler="index.handler", Code={"ZipFile": zip_of(source)}, Timeout=30)

        def invoke(name: str) -> Callable[[], object]:
            def call() -> object:
                answer = clients["lambda"].invoke(FunctionName=name, Payload=b'{"id": "b1"}')
                payload = answer["Payload"].read()
                if "FunctionError" in answer:
                    raise SystemExit(f"{name} failed: {payload!r}")
                return payload
            return call

        results = {
            "DynamoDB GetItem (boto3)": warm_samples_ms(lambda: clients["dynamodb"].get_item(
                TableName=TABLE, Key={"id": {"S": "b1"}}), args.calls),
            "Invoke, trivial handler": warm_samples_ms(invoke("bench-trivial"), args.calls),
            "Invoke, handler GetItem": warm_samples_ms(invoke("bench-get-one"), args.calls),
        }
        print_table(results, args.calls)
    finally:
        cloud.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(results: dict[str, list[float]], calls: int) -> None:
    base = results["DynamoDB GetItem (boto3)"]
    base_p50, base_p99 = statistics.median(base), percentile(base, 0.99)
    print(f"\nWarm calls to the same local cloud, {calls} each, one client, one at a time")
    print("(ratio = this call's time / a direct GetItem's: above 1 means slower than GetItem)\n")
    header = f"{'call':<28}{'p50':>10}{'ratio':>8}{'p99':>12}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, samples in results.items():
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"{name:<28}{p50:>7.2f} ms{p50 / base_p50:>7.2f}x{p99:>9.2f} ms{p99 / base_p99:>7.2f}x")


if __name__ == "__main__":
    sys.exit(main())
