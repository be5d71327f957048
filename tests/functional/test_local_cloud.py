"""The embedded local cloud: started on demand, shared, restartable with its state, stoppable, loopback only.

Tests that restart or kill a daemon use a private LocalCloud (own port and state dir), never the session's.
"""
from __future__ import annotations

import http.client
import http.server
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from amplify_nb.local import LocalCloud, LocalCloudError, LocalSettings, ensure_running
from amplify_nb.local.control import is_locked
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV

PASSWORD = "Passw0rd!Local"


def create_sample_state(endpoint: str, boto3_client: Callable[[str, str], Any]) -> dict[str, Any]:
    """One of each kind of resource the tutorial makes; returns what read_sample_state must find again."""
    s3 = boto3_client("s3", endpoint)
    s3.create_bucket(Bucket="persisted-bucket")
    s3.put_object(Bucket="persisted-bucket", Key="docs/hello world.txt", Body=b"hello", ContentType="text/plain")

    dynamodb = boto3_client("dynamodb", endpoint)
    dynamodb.create_table(
        TableName="Notes",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for number in range(3):
        dynamodb.put_item(TableName="Notes", Item={"id": {"S": f"note-{number}"}, "rank": {"N": str(number)}})

    cognito = boto3_client("cognito-idp", endpoint)
    pool_id = cognito.create_user_pool(PoolName="tutorial-pool", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="trainee@example.com", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="trainee@example.com")

    iam = boto3_client("iam", endpoint)
    trust_policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    iam.create_role(RoleName="tutorial-role", AssumeRolePolicyDocument=trust_policy)
    return read_sample_state(endpoint, boto3_client, pool_id, client_id)


def read_sample_state(
    endpoint: str, boto3_client: Callable[[str, str], Any], pool_id: str, client_id: str
) -> dict[str, Any]:
    s3 = boto3_client("s3", endpoint)
    dynamodb = boto3_client("dynamodb", endpoint)
    cognito = boto3_client("cognito-idp", endpoint)
    iam = boto3_client("iam", endpoint)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="trainee@example.com")
    tokens = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "trainee@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    role = iam.get_role(RoleName="tutorial-role")["Role"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    return {
        "object": s3.get_object(Bucket="persisted-bucket", Key="docs/hello world.txt")["Body"].read(),
        "items": sorted(json.dumps(item, sort_keys=True) for item in dynamodb.scan(TableName="Notes")["Items"]),
        "pool_id": cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"],
        "client_id": client["ClientId"],
        "user_sub": {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"],
        "can_sign_in": bool(tokens["IdToken"]),
        "role": (role["RoleId"], role["Arn"]),
    }


def daemon_processes(state_dir: Path) -> list[int]:
    """Pids of live local cloud daemons serving state_dir, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"amplify_nb.local.daemon" in command_line and str(state_dir).encode() in command_line and state != "Z":
            found.append(int(entry.name))
    return found


def process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_state_survives_stop_and_start_with_identical_ids(private_cloud, boto3_client):
    cloud = private_cloud()
    first_pid = cloud.start()["pid"]
    before = create_sample_state(cloud.endpoint, boto3_client)

    assert cloud.stop() is True
    assert cloud.status()["running"] is False
    second = cloud.start()

    assert second["pid"] != first_pid
    assert read_sample_state(cloud.endpoint, boto3_client, before["pool_id"], before["client_id"]) == before


def test_state_of_two_sessions_survives_a_second_restart(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="first-session")
    cloud.stop()
    cloud.start()
    s3.create_bucket(Bucket="second-session")
    cloud.stop()
    cloud.start()

    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {"first-session", "second-session"}


def logged_lines(cloud: LocalCloud) -> int:
    return cloud.state()["logged_requests"]


def first_log_segment(cloud: LocalCloud) -> Path:
    return cloud.settings.log_dir / "000000000000.jsonl"


def kill_9(cloud: LocalCloud) -> None:
    """What a crash does: no snapshot at exit, the log is all there is."""
    pid = cloud.status()["pid"]
    os.kill(pid, signal.SIGKILL)
    while cloud.status()["running"]:
        time.sleep(0.05)


def test_reads_are_not_logged_and_each_change_is_logged_once(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    dynamodb, s3 = boto3_client("dynamodb", cloud.endpoint), boto3_client("s3", cloud.endpoint)
    dynamodb.create_table(
        TableName="Reads", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="Reads", Item={"id": {"S": "one"}})
    s3.create_bucket(Bucket="reads-bucket")
    assert logged_lines(cloud) == 3

    for _ in range(50):
        dynamodb.get_item(TableName="Reads", Key={"id": {"S": "one"}})
        s3.list_buckets()
    dynamodb.scan(TableName="Reads")
    dynamodb.describe_table(TableName="Reads")
    s3.head_bucket(Bucket="reads-bucket")
    s3.list_objects_v2(Bucket="reads-bucket")
    boto3_client("sts", cloud.endpoint).get_caller_identity()  # query protocol (Action= in the form body)
    boto3_client("iam", cloud.endpoint).list_roles()
    boto3_client("cognito-idp", cloud.endpoint).list_user_pools(MaxResults=10)

    assert logged_lines(cloud) == 3
    boto3_client("iam", cloud.endpoint).create_role(RoleName="logged", AssumeRolePolicyDocument="{}")
    assert logged_lines(cloud) == 4


def create_with_reads_between(endpoint: str, boto3_client: Callable[[str, str], Any]) -> dict[str, Any]:
    """Resources whose ids moto draws at random, each creation preceded by a few reads; returns their ids."""
    idp, identity = boto3_client("cognito-idp", endpoint), boto3_client("cognito-identity", endpoint)
    apigateway, cloudfront = boto3_client("apigateway", endpoint), boto3_client("cloudfront", endpoint)
    iam, s3 = boto3_client("iam", endpoint), boto3_client("s3", endpoint)

    def some_reads() -> None:
        idp.list_user_pools(MaxResults=10)
        s3.list_buckets()
        apigateway.get_rest_apis()

    some_reads()
    pool_id = idp.create_user_pool(PoolName="ids", UsernameAttributes=["email"])["UserPool"]["Id"]
    some_reads()
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    some_reads()
    sub = idp.admin_create_user(UserPoolId=pool_id, Username="ids@example.com")["User"]["Attributes"]
    some_reads()
    identity_pool_id = identity.create_identity_pool(IdentityPoolName="ids", AllowUnauthenticatedIdentities=False,
                                                     CognitoIdentityProviders=[{"ClientId": client_id}])["IdentityPoolId"]
    some_reads()
    rest_api_id = apigateway.create_rest_api(name="ids")["id"]
    some_reads()
    s3.create_bucket(Bucket="ids-origin")
    distribution_id = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "ids", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "ids-origin.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all"},
    })["Distribution"]["Id"]
    some_reads()
    role_id = iam.create_role(RoleName="ids", AssumeRolePolicyDocument="{}")["Role"]["RoleId"]
    return {"pool_id": pool_id, "client_id": client_id, "sub": {a["Name"]: a["Value"] for a in sub}["sub"],
            "identity_pool_id": identity_pool_id, "rest_api_id": rest_api_id, "distribution_id": distribution_id,
            "role_id": role_id}


def ids_in(endpoint: str, boto3_client: Callable[[str, str], Any]) -> dict[str, Any]:
    idp = boto3_client("cognito-idp", endpoint)
    pool_id = idp.list_user_pools(MaxResults=10)["UserPools"][0]["Id"]
    user = idp.admin_get_user(UserPoolId=pool_id, Username="ids@example.com")
    return {
        "pool_id": pool_id,
        "client_id": idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"],
        "sub": {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"],
        "identity_pool_id": boto3_client("cognito-identity", endpoint).list_identity_pools(
            MaxResults=10)["IdentityPools"][0]["IdentityPoolId"],
        "rest_api_id": boto3_client("apigateway", endpoint).get_rest_apis()["items"][0]["id"],
        "distribution_id": boto3_client("cloudfront", endpoint).list_distributions()[
            "DistributionList"]["Items"][0]["Id"],
        "role_id": boto3_client("iam", endpoint).get_role(RoleName="ids")["Role"]["RoleId"],
    }


def test_ids_are_identical_after_a_restart_even_with_reads_between_the_creations(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    before = create_with_reads_between(cloud.endpoint, boto3_client)
    assert ids_in(cloud.endpoint, boto3_client) == before

    cloud.stop()
    cloud.start()

    assert ids_in(cloud.endpoint, boto3_client) == before


def test_a_user_signs_in_after_a_restart_with_the_old_client_id(private_cloud, boto3_client):
    from amplify_nb.client.auth import Auth, AuthConfig

    cloud = private_cloud()
    endpoint = cloud.start()["endpoint"]
    idp = boto3_client("cognito-idp", endpoint)
    pool_id = idp.create_user_pool(PoolName="sign-in", UsernameAttributes=["email"],
                                   AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    idp.list_user_pools(MaxResults=10)
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    config = AuthConfig(region="us-east-1", user_pool_id=pool_id, client_id=client_id, endpoint=endpoint)
    auth = Auth(config)
    auth.sign_up("restarted@example.com", PASSWORD)
    idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    auth.confirm_sign_up("restarted@example.com", auth.latest_code("restarted@example.com"))
    before = auth.sign_in("restarted@example.com", PASSWORD)

    cloud.stop()
    cloud.start()

    after = Auth(config).sign_in("restarted@example.com", PASSWORD)
    assert after.sub == before.sub and after == before
    user = idp.admin_get_user(UserPoolId=pool_id, Username="restarted@example.com")
    # Logged from the Cognito service's own call to moto after the code was checked.
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"


def test_stop_ends_a_daemon_holding_data_and_reports_it(private_cloud, boto3_client):
    cloud = private_cloud()
    pid = cloud.start()["pid"]
    table = "Bulk"
    dynamodb = boto3_client("dynamodb", cloud.endpoint)
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for start in range(0, 500, 25):
        dynamodb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"id": {"S": str(n)}, "payload": {"S": "x" * 500}}}}
            for n in range(start, start + 25)
        ]})
    boto3_client("s3", cloud.endpoint).create_bucket(Bucket="bulk-bucket")
    boto3_client("s3", cloud.endpoint).put_object(Bucket="bulk-bucket", Key="blob", Body=os.urandom(1 << 20))

    assert cloud.stop() is True

    assert process_is_gone(pid)
    assert cloud.status()["running"] is False
    assert not cloud.settings.daemon_file.exists()
    assert cloud.stop() is False


def test_ensure_running_reuses_the_running_daemon(local_cloud):
    running = local_cloud.status()

    assert running["running"] is True
    assert ensure_running()["pid"] == running["pid"]
    assert LocalCloud(LocalSettings.from_env()).ensure_running() == running
    assert json.loads(local_cloud.settings.daemon_file.read_text())["pid"] == running["pid"]


def test_health_endpoint_identifies_the_daemon(local_cloud):
    connection = http.client.HTTPConnection("127.0.0.1", local_cloud.settings.port, timeout=10)
    connection.request("GET", "/_amplify_nb/health")
    health = json.loads(connection.getresponse().read())
    connection.close()

    assert health["service"] == "amplify-nb-local"
    assert health["port"] == local_cloud.settings.port
    assert health["state_dir"] == str(local_cloud.settings.state_dir)
    assert health["pid"] == local_cloud.status()["pid"]
    assert health["started_at"] == local_cloud.status()["started_at"]


def test_concurrent_ensure_running_from_two_processes_starts_one_daemon(tmp_path, free_port):
    settings = LocalSettings(port=free_port(), state_dir=tmp_path / "shared")
    environment = dict(os.environ, **{PORT_ENV: str(settings.port), STATE_DIR_ENV: str(settings.state_dir)})
    script = "import json; from amplify_nb.local import ensure_running; print(json.dumps(ensure_running()))"
    try:
        callers = [subprocess.Popen([sys.executable, "-c", script], env=environment, stdout=subprocess.PIPE, text=True)
                   for _ in range(2)]
        answers = [json.loads(caller.communicate(timeout=120)[0]) for caller in callers]

        assert answers[0]["pid"] == answers[1]["pid"]
        assert daemon_processes(settings.state_dir) == [answers[0]["pid"]]
    finally:
        LocalCloud(settings).stop()


class _NotOurHealthHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(params=["silent listener", "web server"])
def port_squatter(request, free_port) -> Iterator[int]:
    """A port held by another program: one that accepts and never answers, or a web server of its own."""
    if request.param == "silent listener":
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", free_port()))
            listener.listen()
            yield listener.getsockname()[1]
    else:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _NotOurHealthHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.server_address[1]
        server.shutdown()
        server.server_close()


def test_port_used_by_another_program_gives_a_clear_error_and_starts_nothing(port_squatter, tmp_path):
    cloud = LocalCloud(LocalSettings(port=port_squatter, state_dir=tmp_path / "cloud"))

    with pytest.raises(LocalCloudError) as raised:
        cloud.ensure_running()

    assert str(raised.value) == (
        f"Port {port_squatter} on 127.0.0.1 is used by another program. Stop it, "
        f"or choose another port: export AMPLIFY_NB_LOCAL_PORT={port_squatter + 1}"
    )
    assert daemon_processes(cloud.settings.state_dir) == []
    assert not cloud.settings.daemon_file.exists()


def test_ensure_running_waits_for_a_daemon_whose_starter_was_interrupted(private_cloud):
    cloud = private_cloud()
    orphan = subprocess.Popen(
        [sys.executable, "-m", "amplify_nb.local.daemon",
         "--port", str(cloud.settings.port), "--state-dir", str(cloud.settings.state_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        while not is_locked(cloud.settings.run_lock_file):
            assert orphan.poll() is None
            time.sleep(0.01)

        assert cloud.ensure_running()["pid"] == orphan.pid
        assert daemon_processes(cloud.settings.state_dir) == [orphan.pid]
    finally:
        cloud.stop()
        orphan.wait()



def test_port_used_by_the_local_cloud_of_another_state_dir_is_refused(local_cloud, tmp_path):
    other = LocalCloud(LocalSettings(port=local_cloud.settings.port, state_dir=tmp_path / "other"))

    with pytest.raises(LocalCloudError, match="used by another amplify-nb local cloud"):
        other.ensure_running()

    assert other.status()["running"] is False
    assert local_cloud.status()["running"] is True


def test_daemon_listens_on_loopback_only(local_cloud):
    port = local_cloud.settings.port
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                listening.append((table, address))

    assert listening == [("/proc/net/tcp", "0100007F")]  # 127.0.0.1, IPv4 only
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outward interface
        own_address = probe.getsockname()[0]
    if not own_address.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((own_address, port), timeout=5).close()


def test_kill_9_then_ensure_running_brings_the_state_back(private_cloud, boto3_client):
    cloud = private_cloud()
    pid = cloud.start()["pid"]
    before = create_sample_state(cloud.endpoint, boto3_client)

    os.kill(pid, signal.SIGKILL)
    while cloud.status()["running"]:
        time.sleep(0.05)
    restarted = cloud.ensure_running()

    assert restarted["pid"] != pid
    assert read_sample_state(cloud.endpoint, boto3_client, before["pool_id"], before["client_id"]) == before


def test_truncated_last_state_log_line_is_dropped_and_start_succeeds(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="before-the-crash")
    s3.create_bucket(Bucket="cut-by-the-crash")
    kill_9(cloud)
    state_log = first_log_segment(cloud)
    whole, cut = state_log.read_bytes().splitlines(keepends=True)
    state_log.write_bytes(whole + cut[: len(cut) // 2])  # what a kill -9 in the middle of a write leaves

    cloud.start()
    s3.create_bucket(Bucket="after-the-crash")
    cloud.stop()
    cloud.start()

    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {"before-the-crash", "after-the-crash"}
    lines = state_log.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert all(isinstance(json.loads(line), dict) for line in lines[:-1])


def test_complete_last_state_log_line_without_newline_is_kept(private_cloud, boto3_client):
    cloud = private_cloud()
    cloud.start()
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="kept-bucket")
    s3.put_object(Bucket="kept-bucket", Key="last-request", Body=b"logged last")
    kill_9(cloud)
    state_log = first_log_segment(cloud)
    state_log.write_bytes(state_log.read_bytes().rstrip(b"\n"))

    cloud.start()
    s3.put_object(Bucket="kept-bucket", Key="after-restart", Body=b"logged after")
    cloud.stop()
    cloud.start()

    assert s3.get_object(Bucket="kept-bucket", Key="last-request")["Body"].read() == b"logged last"
    assert s3.get_object(Bucket="kept-bucket", Key="after-restart")["Body"].read() == b"logged after"


def test_kill_9_during_a_stream_of_writes_keeps_every_answered_write(private_cloud, boto3_client):
    cloud = private_cloud()
    pid = cloud.start()["pid"]
    s3 = boto3_client("s3", cloud.endpoint)
    s3.create_bucket(Bucket="uploads")
    answered: list[str] = []

    def upload_until_the_daemon_dies() -> None:
        for number in itertools.count():
            try:
                s3.put_object(Bucket="uploads", Key=f"object-{number}", Body=os.urandom(256 << 10))
            except Exception:
                return
            answered.append(f"object-{number}")

    uploader = threading.Thread(target=upload_until_the_daemon_dies)
    uploader.start()
    while len(answered) < 10:
        assert uploader.is_alive()
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    uploader.join()
    cloud.ensure_running()

    kept = {item["Key"] for item in s3.list_objects_v2(Bucket="uploads").get("Contents", [])}
    assert set(answered) <= kept  # an answer is sent only once its request is in the log
    assert len(kept) <= len(answered) + 1  # at most the request in flight when the daemon died


def test_daemon_that_dies_while_starting_raises_with_the_end_of_its_log(private_cloud):
    cloud = private_cloud()
    cloud.settings.log_dir.mkdir(parents=True)
    first_log_segment(cloud).write_text("this line is not JSON\n{}\n")

    with pytest.raises(LocalCloudError) as raised:
        cloud.start()

    message = str(raised.value)
    assert "stopped while starting" in message
    assert "Could not restore the local cloud" in message
    assert "line 1 of" in message
    assert str(cloud.settings.log_file) in message
    assert daemon_processes(cloud.settings.state_dir) == []


def test_stale_daemon_file_is_tolerated(private_cloud):
    cloud = private_cloud()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    cloud.settings.state_dir.mkdir(parents=True)
    cloud.settings.daemon_file.write_text(json.dumps({"pid": dead_pid, "port": cloud.settings.port, "started_at": "x"}))

    assert cloud.status()["running"] is False
    assert cloud.stop() is False
    assert not cloud.settings.daemon_file.exists()
    assert cloud.ensure_running()["running"] is True
