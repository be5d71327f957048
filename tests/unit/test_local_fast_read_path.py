"""The fast DynamoDB read path, in process: it really answers the four reads, and answers them as stock moto does."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from amplify_nb.local.services import dynamodb_reads


@pytest.fixture
def fast_path(monkeypatch):
    """install() for one test; moto's stock serializer is put back afterwards."""
    from moto.dynamodb.responses import DynamoHandler

    monkeypatch.setattr(DynamoHandler, "serialized", DynamoHandler.serialized)
    written: list[str] = []
    stock_body = dynamodb_reads.answer_body

    def counting(operation, result):
        written.append(operation)
        return stock_body(operation, result)

    monkeypatch.setattr(dynamodb_reads, "answer_body", counting)
    return lambda: (dynamodb_reads.install(), written)[1]


def reads(dynamodb) -> list:
    return [
        dynamodb.scan(TableName="t", Limit=3),
        dynamodb.query(TableName="t", KeyConditionExpression="id = :i", ExpressionAttributeValues={":i": {"S": "i1"}}),
        dynamodb.get_item(TableName="t", Key={"id": {"S": "i2"}}, ProjectionExpression="b"),
        dynamodb.batch_get_item(RequestItems={"t": {"Keys": [{"id": {"S": "i0"}}, {"id": {"S": "none"}}]}}),
    ]


@mock_aws
def test_the_four_reads_are_written_by_the_fast_path_with_the_same_answers(fast_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    for number in range(5):
        dynamodb.put_item(TableName="t", Item={"id": {"S": f"i{number}"}, "b": {"B": bytes([number, 255])},
                                               "m": {"M": {"l": {"L": [{"N": str(number)}, {"NULL": True}]}}}})
    stock = [_without_metadata(answer) for answer in reads(dynamodb)]

    written = fast_path()
    fast = [_without_metadata(answer) for answer in reads(dynamodb)]

    assert written == ["Scan", "Query", "GetItem", "BatchGetItem"]
    assert fast == stock
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):  # errors keep moto's serializer
        dynamodb.scan(TableName="missing")


def _without_metadata(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}
