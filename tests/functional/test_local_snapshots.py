"""The local cloud's state as snapshot + log tail: equal after a restart, safe against kill -9 at any moment,
refusing another version's snapshot, and managed from the command line (status, snapshot, reset, rebuild)."""
from __future__ import annotations

import io
import itertools
import json
import os
import random
import signal
import threading
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from cli_runner import run_cli

from amplify_nb.local import LocalCloud, LocalCloudError
from amplify_nb.local.settings import PORT_ENV, SNAPSHOT_BYTES_ENV, SNAPSHOT_EVERY_ENV, SNAPSHOT_IDLE_ENV, STATE_DIR_ENV

PASSWORD = "Passw0rd!Local"


@pytest.fixture
def snapshot_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """Daemons started in this test snapshot after every 5 logged requests (they inherit the environment)."""
    monkeypatch.setenv(SNAPSHOT_EVERY_ENV, "5")


def kill_9(cloud: LocalCloud) -> None:
    os.kill(cloud.status()["pid"], signal.SIGKILL)
    while cloud.status()["running"]:
        time.sleep(0.02)


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buffer.getvalue()


def make_resources(endpoint: str, boto3_client: Callable[[str, str], Any], tag: str) -> None:
    """One of each kind of resource the tutorial makes (names carry `tag`), with random ids moto draws."""
    s3 = boto3_client("s3", endpoint)
    s3.create_bucket(Bucket=f"site-{tag}")
    for number in range(5):
        s3.put_object(Bucket=f"site-{tag}", Key=f"assets/{number}.js", Body=os.urandom(2000), ContentType="text/javascript")
    dynamodb = boto3_client("dynamodb", endpoint)
    dynamodb.create_table(TableName=f"items-{tag}", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    for start in range(0, 100, 25):
        dynamodb.batch_write_item(RequestItems={f"items-{tag}": [
            {"PutRequest": {"Item": {"id": {"S": f"{tag}-{n}"}, "rank": {"N": str(n)}, "tags": {"SS": ["a", "b"]}}}}
            for n in range(start, start + 25)]})
    idp = boto3_client("cognito-idp", endpoint)
    pool_id = idp.create_user_pool(PoolName=f"pool-{tag}", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username=f"{tag}@example.com", Password=PASSWORD)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=f"{tag}@example.com")
    boto3_client("cognito-identity", endpoint).create_identity_pool(
        IdentityPoolName=f"identities_{tag}", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ClientId": client_id, "ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"}])
    iam = boto3_client("iam", endpoint)
    role_arn = iam.create_role(RoleName=f"role-{tag}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    boto3_client("lambda", endpoint).create_function(
        FunctionName=f"fn-{tag}", Runtime="python3.11", Role=role_arn, Handler="index.handler",
        Code={"ZipFile": function_zip()})
    api_id = boto3_client("apigateway", endpoint).create_rest_api(name=f"api-{tag}")["id"]
    root = boto3_client("apigateway", endpoint).get_resources(restApiId=api_id)["items"][0]["id"]
    boto3_client("apigateway", endpoint).create_resource(restApiId=api_id, parentId=root, pathPart=tag)


def everything(endpoint: str, boto3_client: Callable[[str, str], Any]) -> dict[str, Any]:
    """Every resource and item, ids and contents included, in a comparable form."""
    s3, dynamodb = boto3_client("s3", endpoint), boto3_client("dynamodb", endpoint)
    idp, identity = boto3_client("cognito-idp", endpoint), boto3_client("cognito-identity", endpoint)
    state: dict[str, Any] = {"buckets": {}, "tables": {}, "pools": {}}
    for bucket in s3.list_buckets()["Buckets"]:
        objects = s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        state["buckets"][bucket["Name"]] = {
            item["Key"]: (item["ETag"], s3.get_object(Bucket=bucket["Name"], Key=item["Key"])["Body"].read())
            for item in objects}
    for table in dynamodb.list_tables()["TableNames"]:
        items = dynamodb.scan(TableName=table)["Items"]
        state["tables"][table] = sorted(json.dumps(item, sort_keys=True) for item in items)
    for pool in idp.list_user_pools(MaxResults=60)["UserPools"]:
        clients = idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
        users = idp.list_users(UserPoolId=pool["Id"])["Users"]
        state["pools"][pool["Id"]] = {
            "clients": sorted(client["ClientId"] for client in clients),
            "users": sorted((user["Username"], user["UserStatus"], json.dumps(user["Attributes"], sort_keys=True))
                            for user in users)}
    state["identity_pools"] = sorted(p["IdentityPoolId"] for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"])
    state["roles"] = sorted((r["RoleName"], r["RoleId"]) for r in boto3_client("iam", endpoint).list_roles()["Roles"])
    state["functions"] = sorted((f["FunctionName"], f["CodeSha256"], f["FunctionArn"])
                                for f in boto3_client("lambda", endpoint).list_functions()["Functions"])
    apigateway = boto3_client("apigateway", endpoint)
    state["apis"] = sorted((api["id"], api["name"], sorted((r["id"], r["path"]) for r in apigateway.get_resources(
        restApiId=api["id"])["items"])) for api in apigateway.get_rest_apis()["items"])
    return state


def test_after_a_snapshot_and_a_tail_every_resource_and_item_comes_back_with_its_id(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    make_resources(cloud.endpoint, boto3_client, "before")
    taken = cloud.snapshot()
    make_resources(cloud.endpoint, boto3_client, "after")  # the tail: logged after the snapshot
    before = everything(cloud.endpoint, boto3_client)

    kill_9(cloud)  # no snapshot at exit: the start must load the snapshot and replay the tail
    restarted = cloud.start()

    assert restarted["restored"]["snapshot_index"] == taken["index"]
    assert restarted["restored"]["tail"] == cloud.state()["logged_requests"] - taken["index"] > 0
    assert everything(cloud.endpoint, boto3_client) == before
    # The same state as replaying the whole log from nothing:
    rebuilt = cloud.rebuild()
    assert rebuilt["restored"]["snapshot_index"] is None
    assert everything(cloud.endpoint, boto3_client) == before


def test_a_clean_stop_snapshots_so_the_next_start_replays_nothing(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    make_resources(cloud.endpoint, boto3_client, "stop")
    before = everything(cloud.endpoint, boto3_client)

    cloud.stop()
    restarted = cloud.start()

    assert restarted["restored"]["tail"] == 0
    assert restarted["restored"]["snapshot_index"] == cloud.state()["logged_requests"]
    assert everything(cloud.endpoint, boto3_client) == before


def test_kill_9_at_random_moments_of_a_write_load_with_snapshots_loses_at_most_the_request_in_flight(
        private_cloud, boto3_client, snapshot_often):
    cloud = private_cloud()
    cloud.start()
    dynamodb = boto3_client("dynamodb", cloud.endpoint)
    dynamodb.create_table(TableName="load", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    answered: list[str] = []
    counter = itertools.count()
    rng = random.Random(10)
    for _ in range(4):
        stop = threading.Event()

        def write_until_the_daemon_dies() -> None:
            while not stop.is_set():
                key = f"item-{next(counter)}"
                try:
                    dynamodb.put_item(TableName="load", Item={"id": {"S": key}, "blob": {"S": "x" * 2000}})
                except Exception:
                    return
                answered.append(key)

        writer = threading.Thread(target=write_until_the_daemon_dies)
        writer.start()
        time.sleep(rng.uniform(0.2, 1.0))
        kill_9(cloud)
        stop.set()
        writer.join()
        cloud.start()
        kept = {item["id"]["S"] for item in dynamodb.scan(TableName="load")["Items"]}
        assert set(answered) <= kept  # an answer is sent only once its request is in the log
        assert len(kept) <= len(answered) + 4  # at most one request in flight per kill
    assert cloud.state()["snapshot"] is not None  # snapshots were taken during the load


def test_a_due_snapshot_waits_for_a_pause_in_the_writes_unless_the_tail_grows_long(
        private_cloud, boto3_client, monkeypatch, snapshot_often):
    """Pickling the state holds every write: a snapshot due after 5 requests is not taken in the middle of a
    burst (here: not before a pause of a minute), but once the tail reaches 4x the threshold it is."""
    monkeypatch.setenv(SNAPSHOT_IDLE_ENV, "60000")
    cloud = private_cloud()
    cloud.start()
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="burst")
    for number in range(12):  # the tail is due from the 5th request on
        s3.put_object(Bucket="burst", Key=f"{number}.txt", Body=b"x")
    time.sleep(1)
    assert cloud.state()["snapshot"] is None

    for number in range(12, 30):  # past 4 x 5 requests: taken without waiting for the pause
        s3.put_object(Bucket="burst", Key=f"{number}.txt", Body=b"x")
    deadline = time.monotonic() + 60
    while cloud.state()["snapshot"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cloud.state()["snapshot"]["index"] >= 20


def test_a_due_snapshot_is_taken_once_the_writes_pause(private_cloud, boto3_client, monkeypatch, snapshot_often):
    monkeypatch.setenv(SNAPSHOT_IDLE_ENV, "300")
    cloud = private_cloud()
    cloud.start()
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="pause")
    for number in range(7):
        s3.put_object(Bucket="pause", Key=f"{number}.txt", Body=b"x")
    deadline = time.monotonic() + 60
    while cloud.state()["snapshot"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cloud.state()["snapshot"]["index"] == 8  # every request, taken in the pause after the last one


def test_kill_9_in_the_middle_of_writing_a_snapshot_loses_nothing(private_cloud, boto3_client, monkeypatch):
    monkeypatch.setenv(SNAPSHOT_BYTES_ENV, str(1 << 40))  # no automatic snapshot: only the one asked for
    cloud = private_cloud()
    cloud.start()
    make_resources(cloud.endpoint, boto3_client, "one")
    first = cloud.snapshot()
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="big")
    for number in range(20):
        s3.put_object(Bucket="big", Key=f"blob-{number}", Body=os.urandom(2 << 20))
    before = everything(cloud.endpoint, boto3_client)
    snapshots = cloud.settings.snapshots_dir

    def snapshot_cut_by_the_kill() -> None:
        with pytest.raises(LocalCloudError):
            cloud.snapshot()

    taker = threading.Thread(target=snapshot_cut_by_the_kill)
    taker.start()
    deadline = time.monotonic() + 60
    while not list(snapshots.glob(".*.tmp")):  # the new snapshot is being written beside the old one
        assert time.monotonic() < deadline
        time.sleep(0.001)
    kill_9(cloud)
    taker.join()

    restarted = cloud.start()
    assert restarted["restored"]["snapshot_index"] == first["index"]  # the older, whole snapshot
    assert everything(cloud.endpoint, boto3_client) == before
    assert not list(snapshots.glob(".*.tmp"))


def test_a_snapshot_from_another_moto_version_is_refused_with_a_way_out(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    make_resources(cloud.endpoint, boto3_client, "old")
    before = everything(cloud.endpoint, boto3_client)
    cloud.stop()
    (newest,) = sorted(cloud.settings.snapshots_dir.glob("*.snapshot"))[-1:]
    header, payload = newest.read_bytes().split(b"\n", 1)
    newest.write_bytes(json.dumps({**json.loads(header), "moto": "4.0.0"}).encode() + b"\n" + payload)

    with pytest.raises(LocalCloudError) as refused:
        cloud.start()

    message = str(refused.value)
    assert "moto 4.0.0" in message and "amplify-nb local rebuild" in message and "local reset --yes" in message
    assert cloud.rebuild()["restored"]["snapshot_index"] is None  # the way out: the whole log, replayed
    assert everything(cloud.endpoint, boto3_client) == before


def test_local_status_snapshot_and_reset_from_the_command_line(private_cloud, boto3_client, monkeypatch):
    cloud = private_cloud()
    monkeypatch.setenv(PORT_ENV, str(cloud.settings.port))
    monkeypatch.setenv(STATE_DIR_ENV, str(cloud.settings.state_dir))
    cloud.start()
    boto3_client("s3", cloud.endpoint).create_bucket(Bucket="cli-bucket")

    status = json.loads(run_cli("local", "status", "--json").stdout)
    assert status["state"]["snapshot"] is None and status["state"]["tail_requests"] == 1
    said = run_cli("local", "snapshot").stdout
    assert "Snapshot of 1 logged requests" in said
    shown = run_cli("local", "status").stdout
    assert "snapshot: 1 logged requests" in shown and "log tail: 0 requests" in shown
    assert f"running: at {cloud.endpoint}" in shown and "restored at start: an empty local cloud" in shown
    assert [what for what, _ in cloud.summary()] == ["running", "state", "snapshot", "log tail", "restored at start"]

    refused = run_cli("local", "reset", check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr + refused.stdout
    assert [b["Name"] for b in boto3_client("s3", cloud.endpoint).list_buckets()["Buckets"]] == ["cli-bucket"]

    run_cli("local", "reset", "--yes")
    assert "Restored an empty local cloud" in run_cli("local", "start").stdout
    assert boto3_client("s3", cloud.endpoint).list_buckets()["Buckets"] == []


def test_a_state_dir_with_the_single_file_log_of_earlier_versions_keeps_its_state(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    make_resources(cloud.endpoint, boto3_client, "single")
    before = everything(cloud.endpoint, boto3_client)
    kill_9(cloud)
    # What an amplify-nb from before snapshots left: one state-log.jsonl, no log/ and no snapshots/.
    (cloud.settings.log_dir / "000000000000.jsonl").rename(cloud.settings.state_dir / "state-log.jsonl")
    cloud.settings.log_dir.rmdir()

    restarted = cloud.start()

    assert restarted["restored"]["snapshot_index"] is None and restarted["restored"]["tail"] > 0
    assert everything(cloud.endpoint, boto3_client) == before
    assert not (cloud.settings.state_dir / "state-log.jsonl").exists()
