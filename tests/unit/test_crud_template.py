"""The CRUD function template, called directly with API Gateway REST proxy events (payload 1.0) against an
in-process moto table: every route, every error, CORS headers on every answer, numbers as JSON numbers."""
from __future__ import annotations

import base64
import importlib.util
import json
import sys

import boto3
import pytest
from moto import mock_aws

from amplify_nb.functions.templates import render_crud_handler, template_files, write_function_source

TABLE = "beer-dev"
BEER = {"name": "Punk IPA", "brand": "BrewDog", "type": "IPA"}


@pytest.fixture
def crud(tmp_path, monkeypatch):
    """The rendered handler module, its env var set as Amplify sets it, with a fresh table."""
    write_function_source("crud-dynamodb", tmp_path / "src", table_resource="beer")
    monkeypatch.setenv("STORAGE_BEER_NAME", TABLE)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        spec = importlib.util.spec_from_file_location("crud_index_under_test", tmp_path / "src" / "index.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    sys.modules.pop("crud_index_under_test", None)


def event(method, item_id=None, body=None, raw_body=None, base64_body=False):
    """A REST proxy event as Amplify's /beer and /beer/{proxy+} resources deliver it."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    if base64_body and text is not None:
        text = base64.b64encode(text.encode()).decode()
    return {
        "resource": "/beer" if item_id is None else "/beer/{proxy+}",
        "path": "/beer" if item_id is None else f"/beer/{item_id}",
        "httpMethod": method, "headers": {"Content-Type": "application/json"}, "multiValueHeaders": {},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None if item_id is None else {"proxy": item_id}, "stageVariables": None,
        "requestContext": {"stage": "dev", "httpMethod": method, "path": "/dev/beer"},
        "body": text, "isBase64Encoded": base64_body,
    }


def call(crud, *args, **kwargs):
    response = crud.handler(event(*args, **kwargs), None)
    assert set(response) == {"statusCode", "headers", "body"} and isinstance(response["body"], str)
    headers = response["headers"]
    assert headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Headers" in headers
    assert "PUT" in headers["Access-Control-Allow-Methods"] and headers["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def test_post_makes_the_id_and_get_returns_the_item(crud):
    status, created = call(crud, "POST", body=BEER)
    assert status == 201 and created == {"id": created["id"], **BEER} and len(created["id"]) == 36
    assert call(crud, "GET", created["id"]) == (200, created)


def test_get_collection_returns_every_item_of_every_page(crud, monkeypatch):
    ids = {call(crud, "POST", body={**BEER, "name": f"beer {n}"})[1]["id"] for n in range(23)}
    table = crud.table()
    pages = []

    class SmallPages:
        def scan(self, **params):
            pages.append(params)
            return table.scan(Limit=5, **params)

    monkeypatch.setattr(crud, "_table", SmallPages())
    status, items = call(crud, "GET")
    assert status == 200 and {item["id"] for item in items} == ids
    assert len(pages) == 5 and "ExclusiveStartKey" in pages[-1]


def test_put_replaces_an_existing_item(crud):
    created = call(crud, "POST", body=BEER)[1]
    changed = {**BEER, "type": "Session IPA"}
    assert call(crud, "PUT", created["id"], body=changed) == (200, {"id": created["id"], **changed})
    assert call(crud, "GET", created["id"])[1]["type"] == "Session IPA"


def test_delete_removes_the_item_and_returns_it(crud):
    created = call(crud, "POST", body=BEER)[1]
    assert call(crud, "DELETE", created["id"]) == (200, created)
    assert call(crud, "GET", created["id"])[0] == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_missing_item_is_404_and_nothing_is_written(crud, method):
    status, body = call(crud, method, "no-such-id", body=BEER if method == "PUT" else None)
    assert status == 404 and body == {"message": "No item with id no-such-id."}
    assert crud.table().scan()["Items"] == []


@pytest.mark.parametrize(("body", "raw", "message"), [
    (None, None, "The request needs a JSON object as its body."),
    (None, "{not json", "The body is not valid JSON"),
    (None, '{"name": NaN}', "The body is not valid JSON"),
    (["a", "list"], None, "The body must be a JSON object."),
    ({"name": "x"}, None, "brand is required; type is required."),
    ({**BEER, "brand": 7}, None, "brand must be a string."),
    ({**BEER, "abv": 5.2}, None, "abv is not a field of this table."),
    ({**BEER, "id": "mine"}, None, "id is made by the server; leave it out."),
])
def test_bad_bodies_are_400_with_a_message_and_nothing_is_written(crud, body, raw, message):
    status, answer = call(crud, "POST", body=body, raw_body=raw)
    assert status == 400 and answer["message"].startswith(message)
    assert crud.table().scan()["Items"] == []


def test_put_refuses_bad_fields_and_an_id_that_differs_from_the_path(crud):
    created = call(crud, "POST", body=BEER)[1]
    assert call(crud, "PUT", created["id"], body={"name": "only"})[0] == 400
    status, answer = call(crud, "PUT", created["id"], body={**BEER, "id": "other"})
    assert status == 400 and "differs" in answer["message"]
    assert call(crud, "GET", created["id"])[1] == created


def test_a_base64_body_is_decoded(crud):
    status, created = call(crud, "POST", body=BEER, base64_body=True)
    assert status == 201 and created["name"] == "Punk IPA"


@pytest.mark.parametrize(("method", "item_id", "allowed"), [
    ("DELETE", None, "GET,POST,OPTIONS"), ("PATCH", "some-id", "GET,PUT,DELETE,OPTIONS"), ("POST", "some-id", "GET,PUT,DELETE,OPTIONS")])
def test_other_methods_are_405_naming_the_allowed_ones(crud, method, item_id, allowed):
    response = crud.handler(event(method, item_id, body=BEER), None)
    assert response["statusCode"] == 405 and response["headers"]["Allow"] == allowed
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"


def test_a_deeper_path_is_404(crud):
    status, answer = call(crud, "GET", "a/b")
    assert status == 404 and answer == {"message": "No route for /beer/a/b."}


def test_options_answers_with_cors_headers(crud):
    assert call(crud, "OPTIONS") == (200, {})


def test_numbers_come_back_as_json_numbers_not_strings(crud, tmp_path):
    text = render_crud_handler(template_files("crud-dynamodb")["index.py"], "beer",
                               fields={"name": "string", "abv": "number", "ibu": "number", "tags": "list"})
    (tmp_path / "typed.py").write_text(text)
    spec = importlib.util.spec_from_file_location("crud_typed_under_test", tmp_path / "typed.py")
    typed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(typed)
    status, created = call(typed, "POST", body={"name": "Punk IPA", "abv": 5.4, "ibu": 35, "tags": ["hoppy"]})
    assert status == 201
    status, found = call(typed, "GET", created["id"])
    assert found["abv"] == 5.4 and isinstance(found["ibu"], int) and found["tags"] == ["hoppy"]
    assert call(typed, "POST", body={"name": "x", "abv": "5", "ibu": True, "tags": []})[1]["message"] == (
        "abv must be a number; ibu must be a number.")


def test_a_direct_invoke_without_resource_routes_on_the_path(crud):
    created = call(crud, "POST", body=BEER)[1]
    response = crud.handler({"httpMethod": "GET", "path": f"/beer/{created['id']}"}, None)
    assert response["statusCode"] == 200 and json.loads(response["body"]) == created


def test_each_request_logs_one_line(crud, capsys):
    call(crud, "GET", "nothing-here")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [("GET", "/beer/nothing-here", 404)]


def test_without_the_table_variable_the_answer_says_what_is_missing(crud, monkeypatch):
    monkeypatch.delenv("STORAGE_BEER_NAME")
    monkeypatch.setattr(crud, "_table", None)
    status, answer = call(crud, "GET")
    assert status == 500 and "STORAGE_BEER_NAME is not set" in answer["message"]


def test_rendering_names_the_granted_tables_variable_and_key():
    text = render_crud_handler(template_files("crud-dynamodb")["index.py"], "dynamo1a2b3c4d", partition_key="sku",
                               fields={"sku": "string", "title": "string"})
    assert 'TABLE_NAME_VARIABLE = \'STORAGE_DYNAMO1A2B3C4D_NAME\'  # the env var' in text
    assert "PARTITION_KEY = 'sku'\n" in text and "FIELDS = {'title': 'string'}  #" in text
    with pytest.raises(ValueError, match="not {'cover': 'binary'}"):
        render_crud_handler(text, "x", fields={"cover": "binary"})


def test_hello_world_answers_200_with_cors():
    namespace: dict = {}
    exec(template_files("hello-world")["index.py"], namespace)
    response = namespace["handler"]({"httpMethod": "GET"}, None)
    assert response["statusCode"] == 200 and response["headers"]["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response["body"]) == "Hello from your new Amplify Python lambda!"
