"""Benchmark: the local cloud at scale, restart and reads, against peers measured in the same run.

    python benchmarks/bench_local_cloud.py [--runs 3] [--quick]      (or: make bench)

Restart (stop, then start until it serves) of a private local cloud (free port, state under $BENCH_TMP):
  - with the tutorial's state (a site bucket, a user pool with a user, an identity pool, roles, a function,
    a REST API, a distribution, a small table), with 50k items in a table, and with 500 published objects;
  - peer: the same start replaying the whole request log from nothing (what every start did before
    snapshots: `amplify-nb local rebuild`).
Scans of 10k and 50k items into a pandas DataFrame (boto3's paginator, TypeDeserializer):
  - peer: a stock `moto_server` started by this benchmark, holding the same items.
Bulk writes: the same 4,000 items written by 1 client, then by 8 clients at once (threads, one boto3 client each,
  made before the clock starts).
The daemon's memory (RSS) is printed after each step. Ratios > 1 mean the local cloud is faster.
--quick: 5k/10k items instead of 10k/50k, 1 run.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from shared import client, free_port, print_rows, scan_to_dataframe, stock_moto, timed

from amplify_nb.local import LocalCloud, LocalSettings


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- states ---------------------------------------------------------------------------------------------------
def tutorial_state(endpoint: str) -> None:
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="tutorial-site-dev")
    s3.put_bucket_website(Bucket="tutorial-site-dev", WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    for number in range(20):
        s3.put_object(Bucket="tutorial-site-dev", Key=f"static/{number}.js", Body=os.urandom(5000))
    idp = client("cognito-idp", endpoint)
    pool = idp.create_user_pool(PoolName="tutorial", UsernameAttributes=["email"])["UserPool"]["Id"]
    app = idp.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=app, Username="trainee@example.com", Password="Passw0rd!Local")
    idp.admin_confirm_sign_up(UserPoolId=pool, Username="trainee@example.com")
    client("cognito-identity", endpoint).create_identity_pool(IdentityPoolName="tutorial", AllowUnauthenticatedIdentities=True)
    iam = client("iam", endpoint)
    role = iam.create_role(RoleName="tutorial-lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    iam.create_role(RoleName="tutorial-auth", AssumeRolePolicyDocument="{}")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    client("lambda", endpoint).create_function(FunctionName="tutorial-fn", Runtime="python3.11", Role=role,
                                               Handler="index.handler", Code={"ZipFile": archive.getvalue()})
    apigateway = client("apigateway", endpoint)
    api = apigateway.create_rest_api(name="tutorial")["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.create_resource(restApiId=api, parentId=root, pathPart="beer")
    client("cloudfront", endpoint).create_distribution(DistributionConfig={
        "CallerReference": "tutorial", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "tutorial-site-dev.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all"}})
    fill_table(endpoint, "beer", 10)


def fill_table(endpoint: str, table: str, count: int, clients: int = 1, offset: int = 0) -> None:
    create_table(endpoint, table)
    write_items([client("dynamodb", endpoint) for _ in range(clients)], table, count, offset)


def create_table(endpoint: str, table: str) -> None:
    dynamodb = client("dynamodb", endpoint)
    if table not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")


def write_items(writers: list, table: str, count: int, offset: int = 0) -> None:
    """count items in batches of 25, the batches shared among the writers (boto3 clients), one thread each."""
    batches = [range(start, min(start + 25, count)) for start in range(0, count, 25)]

    def write(own, share: list[range]) -> None:
        for batch in share:
            own.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {
                "id": {"S": f"item-{offset + n:06d}"}, "name": {"S": f"beer number {n}"}, "abv": {"N": str(n % 12)},
                "brewery": {"S": ["north", "south", "east"][n % 3]}, "rating": {"N": f"{n % 50 / 10}"}}}}
                for n in batch]})

    threads = [threading.Thread(target=write, args=(own, batches[k::len(writers)])) for k, own in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def objects_state(endpoint: str, count: int = 500) -> None:
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="published-site")
    for number in range(count):
        s3.put_object(Bucket="published-site", Key=f"assets/part{number % 10}/file{number:04d}.js",
                      Body=os.urandom(10_000), ContentType="text/javascript")


# --- measurements -------------------------------------------------------------------------------------------------
def restart_times(cloud: LocalCloud, runs: int) -> tuple[float, float]:
    """(median start after a stop with snapshot, median start replaying the whole log)."""
    from amplify_nb.local.persistence import drop_snapshots

    snapshot_starts, replay_starts = [], []
    for _ in range(runs):
        cloud.stop()
        snapshot_starts.append(timed(cloud.start))
        cloud.stop()
        drop_snapshots(cloud.settings)
        replay_starts.append(timed(lambda: cloud.start(timeout=3600)))
    cloud.stop()  # leaves a snapshot again for what follows
    cloud.start()
    return statistics.median(snapshot_starts), statistics.median(replay_starts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5k/10k items instead of 10k/50k, one run")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    small, large = (5_000, 10_000) if args.quick else (10_000, 50_000)

    work = Path(tempfile.mkdtemp(prefix="bench-local-", dir=os.environ.get("BENCH_TMP") or None))
    rows: list[tuple[str, str, str, str, str]] = []  # step, ours, peer, ratio, daemon memory
    with stock_moto() as stock_endpoint, contextlib.ExitStack() as stops:
        def new_cloud(name: str) -> LocalCloud:
            cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / name))
            stops.callback(cloud.stop)
            cloud.start()
            return cloud

        def restart_row(label: str, cloud: LocalCloud) -> None:
            ours, replay = restart_times(cloud, runs)
            rows.append((f"restart, {label}", f"{ours:.2f} s", f"{replay:.2f} s (whole log replayed)",
                         f"{replay / ours:.1f}x", f"{rss_mb(cloud.status()['pid']):.0f} MB"))

        tutorial = new_cloud("tutorial")
        tutorial_state(tutorial.endpoint)
        restart_row("tutorial's state", tutorial)
        tutorial.stop()

        objects = new_cloud("objects")
        objects_state(objects.endpoint)
        restart_row("500 published objects", objects)
        objects.stop()

        items = new_cloud("items")
        fill_table(items.endpoint, "beer", small, clients=4)
        fill_table(stock_endpoint, "beer", small, clients=4)
        for count in (small, large):
            if count == large:
                fill_table(items.endpoint, "beer", large - small, clients=4, offset=small)
                fill_table(stock_endpoint, "beer", large - small, clients=4, offset=small)
            ours_client, stock_client = client("dynamodb", items.endpoint), client("dynamodb", stock_endpoint)
            ours = statistics.median(timed(lambda: scan_to_dataframe(ours_client, "beer")) for _ in range(runs))
            theirs = statistics.median(timed(lambda: scan_to_dataframe(stock_client, "beer")) for _ in range(runs))
            frame = scan_to_dataframe(ours_client, "beer")
            assert len(frame) == count, (len(frame), count)
            rows.append((f"scan {count // 1000}k items to a DataFrame", f"{ours:.2f} s", f"{theirs:.2f} s (stock moto_server)",
                         f"{theirs / ours:.1f}x", f"{rss_mb(items.status()['pid']):.0f} MB"))
        restart_row(f"{large // 1000}k items", items)

        writes = new_cloud("writes")
        writers = [client("dynamodb", writes.endpoint) for _ in range(8)]  # made once, as an app makes them
        for run in range(runs):
            create_table(writes.endpoint, f"one{run}")
            create_table(writes.endpoint, f"eight{run}")
        one = statistics.median(timed(lambda: write_items(writers[:1], f"one{run}", 4000)) for run in range(runs))
        eight = statistics.median(timed(lambda: write_items(writers, f"eight{run}", 4000)) for run in range(runs))
        rows.append(("bulk write 4k items, 8 clients at once", f"{eight:.2f} s", f"{one:.2f} s (1 client)",
                     f"{one / eight:.1f}x", f"{rss_mb(writes.status()['pid']):.0f} MB"))

    print_rows(f"Local cloud at scale (median of {runs} run{'s' if runs > 1 else ''}; state under {work})",
               ("step", "local cloud", "peer", "ratio (>1: ours faster)", "daemon RSS"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
