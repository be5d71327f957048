"""Lambda Invoke on the local cloud runs the deployed Python code in warm workers, as Lambda would: event and
context, env vars, calls back into the cloud, error payloads, handler loading errors, timeouts, parallel invokes,
code updates, CloudWatch Logs, nothing added to the state log; invoke_local runs an unpushed folder the same way."""
from __future__ import annotations

import base64
import io
import json
import re
import textwrap
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from amplify_nb.errors import InputError
from amplify_nb.lambda_runtime import FunctionConfig, WorkerPool, invoke_local
from amplify_nb.local import LocalCloud, LocalSettings

ROLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

CONTEXT_HANDLER = """
import os

def handler(event, context):
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "client_context_custom": context.client_context.custom if context.client_context else None,
        "env": {name: os.environ.get(name) for name in (
            "AWS_LAMBDA_FUNCTION_NAME", "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_REGION", "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID", "TABLE", "AWS_PROFILE")},
        "cwd": os.getcwd(),
    }
"""

SLOW_HANDLER = """
import time

def handler(event, context):
    started = time.time()
    time.sleep(event.get("sleep", 0))
    return {"started": started, "ended": time.time()}
"""


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def clients(local_cloud, boto3_client) -> dict[str, Any]:
    endpoint = local_cloud.settings.endpoint
    return {name: boto3_client(name, endpoint) for name in ("lambda", "dynamodb", "logs", "iam")}


@pytest.fixture(scope="module")
def role_arn(clients) -> str:
    name = f"lambda-test-{uuid.uuid4().hex[:8]}"
    return clients["iam"].create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_TRUST)["Role"]["Arn"]


@pytest.fixture
def deploy(clients, role_arn) -> Callable[..., str]:
    """deploy(files, handler=..., **settings) -> the name of a new function running that code."""

    def make(files: dict[str, str], handler: str = "index.handler", **settings: Any) -> str:
        name = f"fn-{uuid.uuid4().hex[:10]}"
        clients["lambda"].create_function(FunctionName=name, Runtime=settings.pop("Runtime", "python3.11"),
                                          Role=role_arn, Handler=handler, Code={"ZipFile": zip_of(files)},
                                          **settings)
        return name

    return make


def invoke(clients, name: str, event: Any = None, **arguments: Any) -> tuple[dict, Any]:
    if event is not None:
        arguments["Payload"] = json.dumps(event).encode()
    answer = clients["lambda"].invoke(FunctionName=name, **arguments)
    body = answer["Payload"].read()
    return answer, json.loads(body) if body else None


def test_event_in_result_out_with_lambdas_context_and_environment(clients, deploy, local_cloud):
    name = deploy({"index.py": CONTEXT_HANDLER}, MemorySize=256, Timeout=7, Environment={"Variables": {"TABLE": "beer"}})
    context = base64.b64encode(json.dumps({"custom": {"who": "test"}}).encode()).decode()

    answer, result = invoke(clients, name, {"beer": "stout", "n": 3}, ClientContext=context)

    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert answer["ExecutedVersion"] == "$LATEST"
    assert result["event"] == {"beer": "stout", "n": 3}
    assert result["function_name"] == name and result["function_version"] == "$LATEST"
    assert result["memory_limit_in_mb"] == "256"  # a str, as the runtime client reads it from the environment
    assert re.fullmatch(r"[0-9a-f-]{36}", result["aws_request_id"])
    assert result["invoked_function_arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert result["log_group_name"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", result["log_stream_name"])
    assert 0 < result["remaining_ms"] <= 7000
    assert result["client_context_custom"] == {"who": "test"}
    env = result["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name and env["_HANDLER"] == "index.handler"
    assert env["LAMBDA_TASK_ROOT"] == result["cwd"]
    assert env["AWS_REGION"] == "us-east-1" and env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" and env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_ENDPOINT_URL"] == local_cloud.settings.endpoint
    assert env["AWS_ACCESS_KEY_ID"] and env["TABLE"] == "beer" and env["AWS_PROFILE"] is None


def test_an_empty_payload_is_an_empty_event_and_the_aws_request_id_differs_per_invoke(clients, deploy):
    name = deploy({"index.py": CONTEXT_HANDLER})
    first = invoke(clients, name)[1]
    second = invoke(clients, name)[1]
    assert first["event"] == {} and first["aws_request_id"] != second["aws_request_id"]


def test_the_handler_writes_and_reads_a_dynamodb_table_of_the_local_cloud(clients, deploy):
    table = f"beer-{uuid.uuid4().hex[:8]}"
    clients["dynamodb"].create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                     BillingMode="PAY_PER_REQUEST")
    name = deploy({"index.py": """
        import os
        import boto3

        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

        def handler(event, context):
            table.put_item(Item={"id": event["id"], "name": event["name"], "abv": 5})
            return table.get_item(Key={"id": event["id"]})["Item"]  # Decimal: the runtime marshals it as a number
    """}, Environment={"Variables": {"TABLE": table}})

    answer, item = invoke(clients, name, {"id": "b1", "name": "Porter"})

    assert "FunctionError" not in answer, item
    assert item == {"id": "b1", "name": "Porter", "abv": 5}
    stored = clients["dynamodb"].get_item(TableName=table, Key={"id": {"S": "b1"}})["Item"]
    assert stored["name"] == {"S": "Porter"}


def test_an_unhandled_exception_gives_lambdas_error_payload(clients, deploy):
    name = deploy({"index.py": """
        def handler(event, context):
            raise KeyError("beer")
    """})

    answer, error = invoke(clients, name, {})

    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == "KeyError" and error["errorMessage"] == "'beer'"
    assert re.fullmatch(r"[0-9a-f-]{36}", error["requestId"])
    assert len(error["stackTrace"]) == 1
    assert re.match(r'  File ".*/index\.py", line 3, in handler\n    raise KeyError\("beer"\)', error["stackTrace"][0])


@pytest.mark.parametrize("files, handler, error_type, message", [
    ({"index.py": "def handler(e, c): pass"}, "missing.handler", "Runtime.ImportModuleError",
     "Unable to import module 'missing': No module named 'missing'"),
    ({"index.py": "def handler(e, c): pass"}, "index.nothere", "Runtime.HandlerNotFound",
     "Handler 'nothere' missing on module 'index'"),
    ({"index.py": "def handler(e, c): pass"}, "index", "Runtime.MalformedHandlerName",
     "Bad handler 'index': not enough values to unpack (expected 2, got 1)"),
    ({"index.py": "def handler(e, c) pass"}, "index.handler", "Runtime.UserCodeSyntaxError",
     "Syntax error in module 'index': expected ':' (index.py, line 1)"),
])
def test_a_handler_that_cannot_be_loaded_gives_the_runtimes_error(clients, deploy, files, handler, error_type, message):
    name = deploy(files, handler=handler)

    answer, error = invoke(clients, name, {})

    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == error_type
    assert error["errorMessage"].startswith(message)


def test_a_result_that_is_not_json_gives_a_marshal_error(clients, deploy):
    name = deploy({"index.py": "def handler(event, context):\n    return {1, 2}\n"})
    answer, error = invoke(clients, name, {})
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.MarshalError"
    assert error["errorMessage"].startswith("Unable to marshal response: Object of type set is not JSON serializable")


def test_the_timeout_kills_the_worker_and_is_reported_as_lambda_does(clients, deploy):
    name = deploy({"index.py": SLOW_HANDLER + "\nimport os\nPID = os.getpid()\n"
                   "def pid(event, context):\n    return PID\n"}, Timeout=1)

    answer, error = invoke(clients, name, {"sleep": 30})

    assert answer["FunctionError"] == "Unhandled"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} Task timed out after 1\.\d\d seconds",
                        error["errorMessage"])
    answer, result = invoke(clients, name, {"sleep": 0}, LogType="Tail")
    assert "FunctionError" not in answer, result
    assert "Init Duration" in base64.b64decode(answer["LogResult"]).decode()  # a fresh worker: a cold start


def test_parallel_invokes_run_side_by_side(clients, deploy):
    name = deploy({"index.py": SLOW_HANDLER}, Timeout=30)
    invoke(clients, name, {"sleep": 0})  # one warm worker; the others start during the parallel invokes
    results: list[dict] = []

    def one() -> None:
        results.append(invoke(clients, name, {"sleep": 1.5})[1])

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 4 and all("started" in result for result in results), results
    # Every handler started before any of them ended: all four ran at the same time.
    assert max(result["started"] for result in results) < min(result["ended"] for result in results)


def test_the_next_invoke_after_update_function_code_runs_the_new_code(clients, deploy):
    name = deploy({"index.py": "def handler(event, context):\n    return 'old'\n"})
    assert invoke(clients, name, {})[1] == "old"

    clients["lambda"].update_function_code(FunctionName=name, ZipFile=zip_of(
        {"index.py": "def handler(event, context):\n    return 'new'\n"}))

    assert invoke(clients, name, {})[1] == "new"


def test_a_configuration_change_gives_a_fresh_worker_with_the_new_environment(clients, deploy):
    name = deploy({"index.py": CONTEXT_HANDLER}, Environment={"Variables": {"TABLE": "one"}})
    assert invoke(clients, name, {})[1]["env"]["TABLE"] == "one"

    clients["lambda"].update_function_configuration(FunctionName=name, Environment={"Variables": {"TABLE": "two"}})

    assert invoke(clients, name, {})[1]["env"]["TABLE"] == "two"


def test_start_end_report_and_the_handlers_prints_go_to_cloudwatch_logs(clients, deploy):
    name = deploy({"index.py": """
        import logging
        logging.getLogger().setLevel(logging.INFO)

        def handler(event, context):
            print("pouring", event["beer"])
            logging.info("poured")
            return "ok"
    """})
    answer, _ = invoke(clients, name, {"beer": "IPA"})
    request_id = answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]

    events = clients["logs"].filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    messages = [event["message"] for event in events]

    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST\n"
    assert "pouring IPA\n" in messages
    assert any(re.fullmatch(rf"\[INFO\]\t\S+Z\t{request_id}\tpoured\n", message) for message in messages)
    assert messages[-2] == f"END RequestId: {request_id}\n"
    assert re.fullmatch(rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n", messages[-1])
    streams = clients["logs"].describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 1 and re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])
    got = clients["logs"].get_log_events(logGroupName=f"/aws/lambda/{name}", logStreamName=streams[0]["logStreamName"])
    assert [event["message"] for event in got["events"]] == messages


def test_invokes_do_not_grow_the_state_log(clients, deploy, local_cloud):
    name = deploy({"index.py": "def handler(event, context):\n    return event\n"})
    invoke(clients, name, {"warm": True})
    log_bytes = lambda: b"".join(path.read_bytes() for path in sorted(local_cloud.settings.log_dir.glob("*.jsonl")))  # noqa: E731
    before = log_bytes()

    for number in range(5):
        invoke(clients, name, {"n": number})
    invoke(clients, name, {"n": 9}, InvocationType="Event")

    assert log_bytes() == before


def test_event_and_dry_run_invocation_types(clients, deploy):
    table = f"events-{uuid.uuid4().hex[:8]}"
    clients["dynamodb"].create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                     BillingMode="PAY_PER_REQUEST")
    name = deploy({"index.py": f"""
        import boto3

        def handler(event, context):
            boto3.client("dynamodb").put_item(TableName="{table}", Item={{"id": {{"S": event["id"]}}}})
    """})

    assert clients["lambda"].invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
    assert clients["lambda"].invoke(FunctionName=name, InvocationType="Event",
                                    Payload=b'{"id": "async"}')["StatusCode"] == 202
    for _ in range(100):  # the Event invoke runs in the background: wait for its write
        if clients["dynamodb"].get_item(TableName=table, Key={"id": {"S": "async"}}).get("Item"):
            break
        threading.Event().wait(0.1)
    assert clients["dynamodb"].get_item(TableName=table, Key={"id": {"S": "async"}})["Item"] == {"id": {"S": "async"}}


def test_unknown_functions_and_bad_payloads_are_refused_as_lambda_does(clients, deploy):
    with pytest.raises(ClientError) as missing:
        clients["lambda"].invoke(FunctionName="no-such-function", Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert "arn:aws:lambda:us-east-1:123456789012:function:no-such-function" in str(missing.value)

    name = deploy({"index.py": "def handler(event, context):\n    return event\n"})
    with pytest.raises(ClientError) as bad:
        clients["lambda"].invoke(FunctionName=name, Payload=b"{not json")
    assert bad.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_invoke_by_arn_and_qualifier_latest(clients, deploy):
    name = deploy({"index.py": CONTEXT_HANDLER})
    arn = clients["lambda"].get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    answer, result = invoke(clients, arn, {}, Qualifier="$LATEST")
    assert answer["ExecutedVersion"] == "$LATEST"
    assert result["invoked_function_arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}:$LATEST"


def test_invoke_local_runs_an_unpushed_folder_against_the_local_clouds_tables(tmp_path: Path, clients, local_cloud):
    table = f"local-{uuid.uuid4().hex[:8]}"
    clients["dynamodb"].create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                     BillingMode="PAY_PER_REQUEST")
    src = tmp_path / "amplify" / "backend" / "function" / "beerfn" / "src"
    src.mkdir(parents=True)
    (src / "index.py").write_text(textwrap.dedent("""
        import os
        import boto3

        def handler(event, context):
            print("writing", event["id"])
            boto3.client("dynamodb").put_item(TableName=os.environ["TABLE"], Item={"id": {"S": event["id"]}})
            return {"name": context.function_name, "memory": context.memory_limit_in_mb}
    """))

    result = invoke_local(src, "index.handler", {"id": "from-mock"}, timeout=10, memory=256,
                          environment={"TABLE": table}, endpoint=local_cloud.settings.endpoint)

    assert result.function_error is None, result.payload
    assert result.payload == {"name": "beerfn", "memory": "256"}
    assert "writing from-mock\n" in result.logs and f"START RequestId: {result.request_id}" in result.logs
    assert result.duration_ms > 0
    assert clients["dynamodb"].get_item(TableName=table, Key={"id": {"S": "from-mock"}})["Item"]


def test_invoke_local_reports_errors_and_timeouts_like_a_deployed_invoke(tmp_path: Path):
    (tmp_path / "app.py").write_text("import time\ndef boom(e, c):\n    raise ValueError('bad beer')\n"
                                     "def slow(e, c):\n    time.sleep(30)\n")
    failed = invoke_local(tmp_path, "app.boom", {})
    assert failed.function_error == "Unhandled" and failed.error_type == "ValueError"
    assert failed.payload["errorMessage"] == "bad beer"
    assert "[ERROR] ValueError: bad beer\nTraceback (most recent call last):\n" in failed.logs

    slow = invoke_local(tmp_path, "app.slow", {}, timeout=1)
    assert slow.timed_out and "Task timed out after 1." in slow.payload["errorMessage"]


def test_invoke_local_refuses_bad_input_before_running(tmp_path: Path):
    with pytest.raises(InputError) as refused:
        invoke_local(tmp_path / "missing", "index", {}, runtime="nodejs20.x", timeout=0)
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"code_dir", "handler", "runtime", "timeout"}
    with pytest.raises(InputError):
        invoke_local(tmp_path, "index.handler", b"{not json")


def test_a_deleted_function_is_not_found_any_more(clients, deploy):
    name = deploy({"index.py": "def handler(event, context):\n    return 1\n"})
    assert invoke(clients, name, {})[1] == 1
    clients["lambda"].delete_function(FunctionName=name)
    with pytest.raises(ClientError) as missing:
        clients["lambda"].invoke(FunctionName=name, Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_idle_workers_are_reaped_and_the_next_invoke_starts_a_fresh_one(tmp_path: Path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n")
    pool = WorkerPool(FunctionConfig(name="reaped", handler="app.handler", code_dir=tmp_path))
    try:
        assert pool.invoke(b'{"n": 1}').init_duration_ms is not None
        assert pool.invoke(b'{"n": 2}').init_duration_ms is None  # warm
        assert pool.size == 1
        assert pool.reap(idle_seconds=0) == 1 and pool.size == 0
        outcome = pool.invoke(b'{"n": 3}')
        assert outcome.payload == b'{"n": 3}' and outcome.init_duration_ms is not None
    finally:
        pool.close()


def test_a_published_version_runs_its_own_code(clients, deploy):
    name = deploy({"index.py": "def handler(event, context):\n    return ['v1', context.function_version]\n"})
    version = clients["lambda"].publish_version(FunctionName=name)["Version"]
    clients["lambda"].update_function_code(FunctionName=name, ZipFile=zip_of(
        {"index.py": "def handler(event, context):\n    return ['latest', context.function_version]\n"}))

    answer, result = invoke(clients, name, {}, Qualifier=version)
    assert answer["ExecutedVersion"] == version and result == ["v1", version]
    assert invoke(clients, name, {})[1] == ["latest", "$LATEST"]


def test_lambdas_six_megabyte_payload_limit_holds_both_ways(clients, deploy):
    name = deploy({"index.py": "def handler(event, context):\n    return 'x' * 7_000_000 if event.get('big') else 'ok'\n"})
    answer, error = invoke(clients, name, {"big": True})
    assert answer["FunctionError"] == "Unhandled" and error["errorType"] == "Function.ResponseSizeTooLarge"

    with pytest.raises(ClientError) as refused:
        clients["lambda"].invoke(FunctionName=name, Payload=json.dumps({"pad": "x" * 7_000_000}).encode())
    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_a_function_still_runs_after_the_local_cloud_restarts(tmp_path: Path, free_port, boto3_client):
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=tmp_path / "cloud"))
    try:
        cloud.start()
        lam = boto3_client("lambda", cloud.settings.endpoint)
        role = boto3_client("iam", cloud.settings.endpoint).create_role(
            RoleName="restart", AssumeRolePolicyDocument=ROLE_TRUST)["Role"]["Arn"]
        lam.create_function(FunctionName="survivor", Runtime="python3.11", Role=role, Handler="index.handler",
                            Code={"ZipFile": zip_of({"index.py": "def handler(event, context):\n    return 'alive'\n"})})
        assert json.loads(lam.invoke(FunctionName="survivor")["Payload"].read()) == "alive"

        cloud.stop()
        cloud.start()

        lam = boto3_client("lambda", cloud.settings.endpoint)
        assert json.loads(lam.invoke(FunctionName="survivor")["Payload"].read()) == "alive"
    finally:
        cloud.stop()


def test_a_worker_whose_process_ended_between_invokes_is_replaced(tmp_path: Path):
    (tmp_path / "app.py").write_text(
        "import os, threading\n"
        "def handler(event, context):\n"
        "    if event.get('exit'):\n"
        "        threading.Timer(0.2, os._exit, [3]).start()  # ends the process after the answer\n"
        "    return os.getpid()\n")
    pool = WorkerPool(FunctionConfig(name="ended", handler="app.handler", code_dir=tmp_path), max_workers=1)
    try:
        first = pool.invoke(b'{"exit": true}')
        threading.Event().wait(1.0)
        second = pool.invoke(b"{}")
        assert second.function_error is None and second.init_duration_ms is not None
        assert json.loads(second.payload) != json.loads(first.payload)
    finally:
        pool.close()


def test_a_process_that_exits_during_an_invoke_gives_runtime_exit_error(tmp_path: Path):
    (tmp_path / "app.py").write_text("import sys\ndef handler(event, context):\n    sys.exit(2)\n")
    result = invoke_local(tmp_path, "app.handler", {})
    assert result.function_error == "Unhandled" and result.error_type == "Runtime.ExitError"
    assert result.payload["errorMessage"] == (f"RequestId: {result.request_id} Error: Runtime exited with error: "
                                              "exit status 2")



def lambda_environments(function_name: str, endpoint: str) -> set[int]:
    """Pids of one local cloud's worker processes of one function (their environment names both)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or b"awslambdaric" not in (entry / "cmdline").read_bytes():
                continue
            variables = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if {f"AWS_LAMBDA_FUNCTION_NAME={function_name}".encode(), f"AWS_ENDPOINT_URL={endpoint}".encode()} <= set(
                variables):
            found.add(int(entry.name))
    return found


def test_a_deployed_function_has_an_environment_ready_before_its_first_invoke(local_cloud, boto3_client):
    """After a create or a code update the Init runs ahead, in the environment the first invoke then uses; that
    invoke still reports the Init's output and Init Duration, as the first invoke of an environment does."""
    def code(returned: int) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("index.py", f"print('init ran')\ndef handler(event, context):\n    return {returned}\n")
        return buffer.getvalue()

    lam = boto3_client("lambda", local_cloud.endpoint)
    role = boto3_client("iam", local_cloud.endpoint).create_role(
        RoleName="prewarm-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    def one_environment(besides: set[int] = frozenset()) -> set[int]:
        """Wait until the function has exactly one environment, not one of `besides` (those of older code)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = lambda_environments("prewarmed", local_cloud.endpoint)
            if len(found) == 1 and not found & besides:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no single new environment was made ready before the first invoke (found {found})")

    lam.create_function(FunctionName="prewarmed", Runtime="python3.11", Role=role, Handler="index.handler",
                        Code={"ZipFile": code(1)})
    first_code = one_environment()
    lam.update_function_code(FunctionName="prewarmed", ZipFile=code(2))
    ready = one_environment(besides=first_code)  # the first code's environment is replaced by one of the new code
    first = lam.invoke(FunctionName="prewarmed", LogType="Tail")
    assert first["Payload"].read() == b"2"
    assert lambda_environments("prewarmed", local_cloud.endpoint) == ready  # the one made ready served it
    log_text = base64.b64decode(first["LogResult"]).decode()
    assert "init ran" in log_text and "Init Duration" in log_text
    second = lam.invoke(FunctionName="prewarmed", LogType="Tail")
    assert "Init Duration" not in base64.b64decode(second["LogResult"]).decode()
