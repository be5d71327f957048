"""The local cloud's state log: which requests are logged, the readers-writer lock, the line format on disk."""
from __future__ import annotations

import base64
import io
import json
import threading

import pytest

from amplify_nb.local.recorder import INTERNAL, READ, WRITE, classify
from amplify_nb.local.rwlock import LockOrderError, ReadWriteLock
from amplify_nb.local.statelog import StateLog, repair
from amplify_nb.local.wsgi import read_body, request_uri

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def environ(method="POST", path="/", query="", target=None, body=b"", content_type=""):
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": content_type,
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    if target:
        env["HTTP_X_AMZ_TARGET"] = target
    return env


@pytest.mark.parametrize(("request_environ", "kind"), [
    (environ(target="DynamoDB_20120810.GetItem"), READ),
    (environ(target="DynamoDB_20120810.Scan"), READ),
    (environ(target="DynamoDB_20120810.Query"), READ),
    (environ(target="DynamoDB_20120810.BatchGetItem"), READ),
    (environ(target="DynamoDB_20120810.DescribeTable"), READ),
    (environ(target="DynamoDB_20120810.PutItem"), WRITE),
    (environ(target="DynamoDB_20120810.BatchWriteItem"), WRITE),
    (environ(target="DynamoDB_20120810.TransactGetItems"), WRITE),  # unsure: logged
    (environ(target="AWSCognitoIdentityProviderService.ListUserPools"), READ),
    (environ(target="AWSCognitoIdentityProviderService.AdminGetUser"), READ),
    (environ(target="AWSCognitoIdentityProviderService.InitiateAuth"), WRITE),  # moto stores refresh tokens
    (environ(target="AWSCognitoIdentityProviderService.AdminInitiateAuth"), WRITE),
    (environ(target="AWSCognitoIdentityService.GetId"), WRITE),  # moto stores the identity it makes
    (environ(target="AWSCognitoIdentityService.GetCredentialsForIdentity"), READ),
    (environ(body=b"Action=GetCallerIdentity&Version=2011-06-15", content_type=FORM), READ),
    (environ(body=b"Action=ListRoles&Version=2010-05-08", content_type=FORM), READ),
    (environ(body=b"Action=CreateRole&RoleName=r&Version=2010-05-08", content_type=FORM), WRITE),
    (environ(method="GET", query="Action=DescribeStacks"), READ),
    (environ(method="GET", query="Action=DeleteStack&StackName=s"), WRITE),
    (environ(method="GET", path="/bucket/key"), READ),
    (environ(method="HEAD", path="/bucket"), READ),
    (environ(method="OPTIONS", path="/bucket/key"), READ),
    (environ(method="PUT", path="/bucket/key", body=b"data"), WRITE),
    (environ(method="POST", path="/bucket", query="delete"), WRITE),
    (environ(method="DELETE", path="/2015-03-31/functions/f"), WRITE),
    (environ(method="POST", path="/moto-api/seed", query="a=1"), INTERNAL),
    (environ(method="POST", path="/moto-api/reset"), INTERNAL),
    (environ(method="GET", path="/_amplify_nb/health"), INTERNAL),
])
def test_requests_are_classified_conservatively(request_environ, kind):
    assert classify(request_environ) == kind


def test_reading_a_form_body_to_classify_leaves_it_for_moto():
    request = environ(body=b"Action=CreateRole&RoleName=r", content_type=FORM)

    assert classify(request) == WRITE
    assert read_body(request) == b"Action=CreateRole&RoleName=r"
    assert request["wsgi.input"].read() == b"Action=CreateRole&RoleName=r"


def test_a_chunked_body_is_read_to_its_end():
    request = environ(method="PUT", body=b"")
    request.update({"CONTENT_LENGTH": "", "wsgi.input_terminated": True, "wsgi.input": io.BytesIO(b"chunked data")})

    assert read_body(request) == b"chunked data"
    assert read_body(request) == b"chunked data"


def test_the_logged_uri_is_the_one_the_client_sent():
    assert request_uri({"RAW_URI": "/bucket/a%2Fb?x=1", "PATH_INFO": "/bucket/a/b"}) == "/bucket/a%2Fb?x=1"
    assert request_uri({"RAW_URI": "http://127.0.0.1:1/bucket/k?x=1"}) == "/bucket/k?x=1"
    assert request_uri({"PATH_INFO": "/bucket/a b", "QUERY_STRING": "x=1"}) == "/bucket/a%20b?x=1"


def test_each_request_is_one_json_line_without_framing_headers(tmp_path):
    state_log = StateLog(tmp_path)
    state_log.open_for_append()
    state_log.append("PUT", "/bucket/key", [("Host", "127.0.0.1:1"), ("Content-Length", "3"),
                                            ("Transfer-Encoding", "chunked"), ("X-Amz-Meta-My_Key", "v")], b"\x00ab", 200)
    state_log.append("POST", "/", [("X-Amz-Target", "DynamoDB_20120810.PutItem")], b"{}", 400)

    lines = (tmp_path / "000000000000.jsonl").read_bytes().splitlines()
    first = json.loads(lines[0])
    assert state_log.count == 2 and len(lines) == 2
    assert first == {"method": "PUT", "uri": "/bucket/key", "headers": [["Host", "127.0.0.1:1"],
                                                                        ["X-Amz-Meta-My_Key", "v"]],
                     "body": base64.b64encode(b"\x00ab").decode(), "status": 200}
    assert json.loads(lines[1])["status"] == 400


def test_repair_drops_a_cut_last_line_and_ends_a_whole_one(tmp_path):
    path = tmp_path / "state-log.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": ')
    assert repair(path) is True
    assert path.read_bytes() == b'{"a": 1}\n'
    assert repair(path) is False

    path.write_bytes(b'{"a": 1}\n{"b": 2}')
    assert repair(path) is True
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert repair(tmp_path / "missing.jsonl") is False


def test_readers_share_the_lock_and_a_writer_waits_for_them_and_holds_them_off():
    lock = ReadWriteLock()
    events: list[str] = []
    first_reader_in, second_reader_in, readers_may_leave = threading.Event(), threading.Event(), threading.Event()
    writer_in, writer_may_leave = threading.Event(), threading.Event()

    def reader(entered: threading.Event, name: str) -> None:
        with lock.reading():
            entered.set()
            events.append(f"{name} in")
            readers_may_leave.wait()
            events.append(f"{name} out")

    def writer() -> None:
        with lock.writing():
            events.append("writer in")
            writer_in.set()
            writer_may_leave.wait()
            events.append("writer out")

    def late_reader() -> None:
        with lock.reading():
            events.append("late reader in")

    threads = [threading.Thread(target=reader, args=(first_reader_in, "reader 1")),
               threading.Thread(target=reader, args=(second_reader_in, "reader 2"))]
    for thread in threads:
        thread.start()
    assert first_reader_in.wait(30) and second_reader_in.wait(30)  # both readers inside at once
    threads.append(threading.Thread(target=writer))
    threads[-1].start()
    while not lock._writer_waiting_or_active:  # the writer is queued behind the readers
        threading.Event().wait(0.001)
    threads.append(threading.Thread(target=late_reader))
    threads[-1].start()
    readers_may_leave.set()
    assert writer_in.wait(30)
    writer_may_leave.set()
    for thread in threads:
        thread.join(30)

    assert events.index("writer in") > max(events.index("reader 1 out"), events.index("reader 2 out"))
    assert events.index("late reader in") > events.index("writer out")


def test_a_reader_may_read_again_even_while_a_writer_waits():
    lock = ReadWriteLock()
    inside, done = threading.Event(), threading.Event()

    def writer() -> None:
        with lock.writing():
            done.set()

    with lock.reading():
        waiting = threading.Thread(target=writer)
        waiting.start()
        while not lock._writer_waiting_or_active:
            threading.Event().wait(0.001)
        with lock.reading():  # would wait forever behind the writer if reads were not reentrant
            inside.set()
        assert not done.is_set()
    waiting.join(30)
    assert inside.is_set() and done.is_set()


def test_asking_to_write_while_reading_raises_instead_of_hanging():
    lock = ReadWriteLock()
    with lock.reading(), pytest.raises(LockOrderError):
        with lock.writing():
            pass


def test_a_service_calling_back_into_the_cloud_while_reading_does_not_deadlock():
    """A service reads, then calls the cloud (which writes) through call_app: the read is released for it."""
    from amplify_nb.local.wsgi import call_app

    lock = ReadWriteLock()

    def cloud(environ, start_response):  # a logged change, as the recorder runs it
        with lock.writing():
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"changed"]

    results: list[bytes] = []

    def service() -> None:
        with lock.reading():
            results.append(call_app(cloud, environ(body=b"x"), lock=lock).body)
            assert lock.held_by_me  # the read is held again once the call is back

    thread = threading.Thread(target=service)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and results == [b"changed"]
