"""moto's apps called without Flask's request context (local/moto_app.py) answer what stock moto answers.

The same requests (S3 objects and buckets, DynamoDB, IAM, Lambda; answers and errors, CORS, a preflight, a
path no service routes) are sent raw to a private local cloud and to a stock moto server (moto's
ThreadedMotoServer in this test process, which has Flask's way only). Status, every header and the body must be
equal once what differs between any two servers is masked: times, request ids, the ids moto draws at random,
and the Connection header (the local cloud keeps connections alive).
"""
from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from stock_moto import ours_and_stock_moto


def authorization(service: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0")


def json_call(service: str, target: str, payload: dict[str, Any]) -> tuple[str, str, bytes, dict[str, str]]:
    return "POST", "/", json.dumps(payload).encode(), {
        "Authorization": authorization(service), "X-Amz-Target": target,
        "Content-Type": "application/x-amz-json-1.0"}


def query_call(service: str, body: str) -> tuple[str, str, bytes, dict[str, str]]:
    return "POST", "/", body.encode(), {"Authorization": authorization(service),
                                        "Content-Type": "application/x-www-form-urlencoded"}


S3 = {"Authorization": authorization("s3")}
TABLE = {"TableName": "beers", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
ROLE_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'

# In order: later requests find what earlier ones made, on both servers.
CORPUS: list[tuple[str, tuple[str, str, bytes, dict[str, str]]]] = [
    ("create bucket", ("PUT", "/beer-site", b"", S3)),
    ("create bucket again", ("PUT", "/beer-site", b"", S3)),
    ("put object", ("PUT", "/beer-site/index.html", b"<h1>beer</h1>" * 40,
                    {**S3, "Content-Type": "text/html", "Cache-Control": "no-cache", "x-amz-meta-my_key": "v"})),
    ("put key with spaces", ("PUT", "/beer-site/a%20b/%C3%BC.js", b"let x = 1;", {**S3, "Content-Type": "text/javascript"})),
    ("get object", ("GET", "/beer-site/index.html", b"", S3)),
    ("head object", ("HEAD", "/beer-site/index.html", b"", S3)),
    ("get a range", ("GET", "/beer-site/index.html", b"", {**S3, "Range": "bytes=0-3"})),
    ("get if none match", ("GET", "/beer-site/index.html", b"", {**S3, "If-None-Match": '"7e6f2ffc5a0e1f4f8c1b6f3fbd0bb8a9"'})),
    ("get from a page", ("GET", "/beer-site/index.html", b"", {**S3, "Origin": "http://localhost:8888"})),
    ("preflight", ("OPTIONS", "/beer-site/index.html", b"", {
        "Origin": "http://localhost:8888", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})),
    ("get missing key", ("GET", "/beer-site/missing.html", b"", S3)),
    ("head missing key", ("HEAD", "/beer-site/missing.html", b"", S3)),
    ("put into missing bucket", ("PUT", "/no-such-bucket/x", b"x", S3)),
    ("list objects", ("GET", "/beer-site?list-type=2", b"", S3)),
    ("get tagging", ("GET", "/beer-site/index.html?tagging", b"", S3)),
    ("missing bucket policy", ("GET", "/beer-site?policy", b"", S3)),
    ("delete object", ("DELETE", "/beer-site/a%20b/%C3%BC.js", b"", S3)),
    ("delete missing object", ("DELETE", "/beer-site/never", b"", S3)),
    ("delete full bucket", ("DELETE", "/beer-site", b"", S3)),
    ("create table", json_call("dynamodb", "DynamoDB_20120810.CreateTable", TABLE)),
    ("put item", json_call("dynamodb", "DynamoDB_20120810.PutItem", {
        "TableName": "beers", "Item": {"id": {"S": "1"}, "name": {"S": "Leffe"}, "abv": {"N": "6.6"}}})),
    ("put item, bad key", json_call("dynamodb", "DynamoDB_20120810.PutItem", {
        "TableName": "beers", "Item": {"name": {"S": "no id"}}})),
    ("update item", json_call("dynamodb", "DynamoDB_20120810.UpdateItem", {
        "TableName": "beers", "Key": {"id": {"S": "1"}}, "UpdateExpression": "SET brand = :b",
        "ExpressionAttributeValues": {":b": {"S": "AB InBev"}}, "ReturnValues": "ALL_NEW"})),
    ("missing table", json_call("dynamodb", "DynamoDB_20120810.PutItem", {
        "TableName": "nope", "Item": {"id": {"S": "1"}}})),
    ("unknown operation", json_call("dynamodb", "DynamoDB_20120810.Brew", {})),
    ("create role", query_call("iam", f"Action=CreateRole&Version=2010-05-08&RoleName=beerLambdaRole"
                                      f"&AssumeRolePolicyDocument={ROLE_POLICY}")),
    ("get missing role", query_call("iam", "Action=GetRole&Version=2010-05-08&RoleName=nobody")),
    ("list functions", ("GET", "/2015-03-31/functions/", b"", {"Authorization": authorization("lambda")})),
    ("get missing function", ("GET", "/2015-03-31/functions/nope", b"", {"Authorization": authorization("lambda")})),
    ("path no service routes", ("GET", "/2015-03-31/no/such/route", b"", {"Authorization": authorization("lambda")})),
]

# x-amz-crc32 is the body's checksum; the body is compared once masked.
VARYING_HEADERS = {"date", "connection", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "last-modified",
                   "x-amz-version-id", "x-amz-crc32"}
MASKS = [
    (rb"<RequestId>[^<]+</RequestId>", rb"<RequestId>R</RequestId>"),
    (rb"<(CreateDate|LastModified)>[^<]+<", rb"<\1>T<"),
    (rb"<RoleId>[^<]+<", rb"<RoleId>ID<"),
    (rb'"(CreationDateTime|LastUpdateToShutdown)": [0-9.]+', rb'"\1": 0'),
    (rb'"TableId": "[^"]+"', rb'"TableId": "ID"'),
]


def answer(port: int, request: tuple[str, str, bytes, dict[str, str]]) -> tuple[int, list[tuple[str, str]], bytes]:
    method, path, body, headers = request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    masked = payload
    for pattern, replacement in MASKS:
        masked = re.sub(pattern, replacement, masked)
    kept = sorted((name.lower(), masked_length(name, value, payload, masked))
                  for name, value in response.getheaders() if name.lower() not in VARYING_HEADERS)
    return response.status, kept, masked


def masked_length(name: str, value: str, payload: bytes, masked: bytes) -> str:
    """The Content-Length of the masked body, so a time one digit longer on one side is no difference."""
    if name.lower() == "content-length" and value == str(len(payload)):
        return str(len(masked))
    return value


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int]) -> Iterator[dict[str, list[Any]]]:
    with ours_and_stock_moto(tmp_path_factory.mktemp("moto-app-cloud"), free_port) as ports:
        yield {side: [answer(port, request) for _, request in CORPUS] for side, port in ports.items()}


@pytest.mark.parametrize("number", range(len(CORPUS)), ids=[name for name, _ in CORPUS])
def test_the_answer_is_stock_moto_s(answers, number):
    assert answers["ours"][number] == answers["stock"][number]


def test_the_corpus_holds_answers_and_errors_of_every_kind(answers):
    statuses = {status for status, _, _ in answers["ours"]}
    headers = {name for _, kept, _ in answers["ours"] for name, _ in kept}

    assert {200, 204, 206, 400, 404} <= statuses
    assert "access-control-allow-origin" in headers and "access-control-allow-methods" in headers
