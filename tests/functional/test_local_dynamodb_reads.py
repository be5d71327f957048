"""The local cloud's fast DynamoDB reads answer exactly what stock moto answers, over a corpus of requests.

The same tables and items are written to a private local cloud and to a stock moto server (moto's
ThreadedMotoServer in this test process, which never installs the fast path); every request of the corpus is
sent raw to both, and the JSON answers (status, error type, every member) must be equal.
"""
from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from stock_moto import ours_and_stock_moto

TARGET = "DynamoDB_20120810."
AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
                 "SignedHeaders=host;x-amz-target, Signature=0")


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int],
              boto3_client: Callable[[str, str], Any]) -> Iterator[dict[str, int]]:
    with ours_and_stock_moto(tmp_path_factory.mktemp("reads-cloud"), free_port) as ports:
        for port in ports.values():
            fill(boto3_client("dynamodb", f"http://127.0.0.1:{port}"))
        yield ports


def fill(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName="notes",
        KeySchema=[{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "created", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"},
                              {"AttributeName": "created", "AttributeType": "N"},
                              {"AttributeName": "topic", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-topic", "KeySchema": [
            {"AttributeName": "topic", "KeyType": "HASH"}, {"AttributeName": "created", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    dynamodb.create_table(TableName="plain", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    notes = []
    for number in range(400):
        item: dict[str, Any] = {
            "owner": {"S": f"owner-{number % 7}"}, "created": {"N": str(1000 + number)},
            "topic": {"S": ["food", "travel", "work"][number % 3]}, "rank": {"N": str((number * 37) % 101)},
            "title": {"S": f"note {number}"}, "done": {"BOOL": number % 2 == 0},
            "body": {"S": "x" * (4000 if number % 5 == 0 else 40)},  # big enough for 1 MB pages
            "tags": {"SS": [f"t{number % 4}", "all"]}, "scores": {"NS": [str(number), "1.5"]},
            "blob": {"B": bytes([number % 256, 0, 255])},
            "meta": {"M": {"nested": {"L": [{"N": str(number)}, {"S": "deep"}, {"NULL": True}]},
                           "flag": {"BOOL": True}}},
        }
        if number % 10 == 0:
            item["optional"] = {"S": "present"}
        notes.append(item)
    for start in range(0, len(notes), 25):
        dynamodb.batch_write_item(RequestItems={"notes": [{"PutRequest": {"Item": item}} for item in notes[start:start + 25]]})
    for number in range(30):
        dynamodb.put_item(TableName="plain", Item={"id": {"S": f"id-{number:02d}"}, "value": {"N": str(number)}})


def send(port: int, operation: str, payload: dict[str, Any]) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/", body=json.dumps(payload), headers={
            "X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.0",
            "Authorization": AUTHORIZATION})
        response = connection.getresponse()
        body = json.loads(response.read() or b"{}")
    finally:
        connection.close()
    if response.status >= 400:
        return response.status, body.get("__type", "").split("#")[-1]
    return response.status, body


def unordered_sets(value: Any) -> Any:
    """DynamoDB sets have no order (moto's follows Python's per-process string hashing): compare them sorted."""
    if isinstance(value, dict):
        return {key: sorted(item) if key in ("SS", "NS", "BS") and isinstance(item, list) else unordered_sets(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [unordered_sets(item) for item in value]
    return value


def pages(port: int, operation: str, payload: dict[str, Any]) -> list[tuple[int, Any]]:
    """Every page of a paginated read, following LastEvaluatedKey."""
    answers = []
    request = dict(payload)
    while True:
        status, body = send(port, operation, request)
        answers.append((status, unordered_sets(body)))
        if status != 200 or "LastEvaluatedKey" not in body or len(answers) > 200:
            return answers
        request = {**payload, "ExclusiveStartKey": body["LastEvaluatedKey"]}


NAMES = {"#o": "owner", "#r": "rank", "#m": "meta", "#t": "topic"}
CORPUS: list[tuple[str, dict[str, Any]]] = [
    ("Scan", {"TableName": "notes"}),
    ("Scan", {"TableName": "notes", "Limit": 7}),
    ("Scan", {"TableName": "notes", "Limit": 1}),
    ("Scan", {"TableName": "notes", "Select": "COUNT"}),
    ("Scan", {"TableName": "notes", "Select": "COUNT", "FilterExpression": "#r > :r",
              "ExpressionAttributeNames": {"#r": "rank"}, "ExpressionAttributeValues": {":r": {"N": "50"}}}),
    ("Scan", {"TableName": "notes", "FilterExpression": "attribute_exists(optional) AND done = :d",
              "ExpressionAttributeValues": {":d": {"BOOL": True}}}),
    ("Scan", {"TableName": "notes", "FilterExpression": "contains(tags, :t) AND begins_with(title, :p)",
              "ExpressionAttributeValues": {":t": {"S": "t1"}, ":p": {"S": "note 1"}}, "Limit": 50}),
    ("Scan", {"TableName": "notes", "ProjectionExpression": "#o, created, #m.nested[1], tags",
              "ExpressionAttributeNames": {"#o": "owner", "#m": "meta"}}),
    ("Scan", {"TableName": "notes", "AttributesToGet": ["title", "blob"]}),
    ("Scan", {"TableName": "notes", "IndexName": "by-topic", "Limit": 25}),
    ("Scan", {"TableName": "notes", "Segment": 1, "TotalSegments": 3}),
    ("Scan", {"TableName": "notes", "ReturnConsumedCapacity": "TOTAL", "Limit": 3}),
    ("Scan", {"TableName": "plain", "ExclusiveStartKey": {"id": {"S": "id-10"}}}),
    ("Query", {"TableName": "notes", "KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
               "ExpressionAttributeValues": {":o": {"S": "owner-3"}}}),
    ("Query", {"TableName": "notes", "KeyConditionExpression": "#o = :o AND created BETWEEN :a AND :b",
               "ExpressionAttributeNames": {"#o": "owner"}, "ScanIndexForward": False, "Limit": 5,
               "ExpressionAttributeValues": {":o": {"S": "owner-1"}, ":a": {"N": "1100"}, ":b": {"N": "1300"}}}),
    ("Query", {"TableName": "notes", "KeyConditionExpression": "#o = :o AND created > :a",
               "FilterExpression": "#r < :r", "ProjectionExpression": "title, #r",
               "ExpressionAttributeNames": {"#o": "owner", "#r": "rank"},
               "ExpressionAttributeValues": {":o": {"S": "owner-2"}, ":a": {"N": "1050"}, ":r": {"N": "40"}}}),
    ("Query", {"TableName": "notes", "IndexName": "by-topic", "KeyConditionExpression": "#t = :t",
               "ExpressionAttributeNames": {"#t": "topic"}, "ExpressionAttributeValues": {":t": {"S": "travel"}},
               "Limit": 20}),
    ("Query", {"TableName": "notes", "IndexName": "by-topic", "Select": "COUNT", "KeyConditionExpression": "#t = :t",
               "ExpressionAttributeNames": {"#t": "topic"}, "ExpressionAttributeValues": {":t": {"S": "work"}}}),
    ("Query", {"TableName": "notes", "KeyConditions": {"owner": {"ComparisonOperator": "EQ",
                                                                  "AttributeValueList": [{"S": "owner-4"}]}}}),
    ("Query", {"TableName": "notes", "KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
               "ExpressionAttributeValues": {":o": {"S": "nobody"}}}),
    ("GetItem", {"TableName": "notes", "Key": {"owner": {"S": "owner-0"}, "created": {"N": "1000"}}}),
    ("GetItem", {"TableName": "notes", "Key": {"owner": {"S": "owner-0"}, "created": {"N": "1000"}},
                 "ProjectionExpression": "#m.flag, blob", "ExpressionAttributeNames": {"#m": "meta"},
                 "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"}),
    ("GetItem", {"TableName": "notes", "Key": {"owner": {"S": "owner-0"}, "created": {"N": "1"}}}),
    ("GetItem", {"TableName": "plain", "Key": {"id": {"S": "id-03"}}}),
    ("BatchGetItem", {"RequestItems": {
        "notes": {"Keys": [{"owner": {"S": f"owner-{n % 7}"}, "created": {"N": str(1000 + n)}} for n in range(0, 60, 3)],
                  "ProjectionExpression": "title, #r", "ExpressionAttributeNames": {"#r": "rank"}},
        "plain": {"Keys": [{"id": {"S": "id-01"}}, {"id": {"S": "id-29"}}, {"id": {"S": "missing"}}]}}}),
    # errors stay moto's own
    ("Scan", {"TableName": "no-such-table"}),
    ("Query", {"TableName": "notes", "KeyConditionExpression": "rank = :r", "ExpressionAttributeValues": {":r": {"N": "1"}}}),
    ("GetItem", {"TableName": "notes", "Key": {"owner": {"S": "owner-0"}}}),
]


@pytest.mark.parametrize(("operation", "payload"), CORPUS, ids=[f"{n}-{op}" for n, (op, _) in enumerate(CORPUS)])
def test_the_answer_is_stock_moto_s(endpoints, operation, payload):
    ours = pages(endpoints["ours"], operation, payload)
    stock = pages(endpoints["stock"], operation, payload)

    assert ours == stock


def test_a_full_scan_is_paged_and_counted_as_stock_moto_pages_it(endpoints):
    ours = pages(endpoints["ours"], "Scan", {"TableName": "notes", "Limit": 45})
    stock = pages(endpoints["stock"], "Scan", {"TableName": "notes", "Limit": 45})

    assert len(ours) > 5 and ours == stock
    assert sum(body["Count"] for _, body in ours) == 400


def test_answers_keep_the_member_order_of_moto_s_serializer(endpoints):
    def raw(port: int) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/", body=json.dumps({"TableName": "plain", "Limit": 2}), headers={
            "X-Amz-Target": TARGET + "Scan", "Content-Type": "application/x-amz-json-1.0", "Authorization": AUTHORIZATION})
        body = connection.getresponse().read()
        connection.close()
        return body

    assert raw(endpoints["ours"]) == raw(endpoints["stock"])
