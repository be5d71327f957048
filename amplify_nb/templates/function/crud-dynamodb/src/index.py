"""CRUD function for DynamoDB behind an API Gateway REST proxy (payload 1.0), as the tutorial's /beer API uses it.

    GET    /<path>        every item (all pages of a Scan)
    POST   /<path>        create an item; the server makes its id
    GET    /<path>/{id}   one item, 404 if there is none
    PUT    /<path>/{id}   replace an item (every field), 404 if there is none
    DELETE /<path>/{id}   delete an item, 404 if there is none

The API path (/beer) is not written here: Amplify routes `<path>` and `<path>/{proxy+}` to this function, so a
request with a {proxy+} path parameter is about one item and one without is about the collection. Every answer
is JSON with CORS headers; bad JSON or fields give 400 with a message.

The three settings below were filled in by `amplify-nb add function` from the table this function uses.
"""
import base64
import json
import os
import time
import uuid
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

TABLE_NAME_VARIABLE = "STORAGE_BEER_NAME"  # the env var Amplify sets to the table's name for a granted table
PARTITION_KEY = "id"
FIELDS = {"name": "string", "brand": "string", "type": "string"}  # every item's fields and their types

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token",
    "Access-Control-Allow-Methods": "OPTIONS,GET,POST,PUT,DELETE",
}
COLLECTION_METHODS = ("GET", "POST", "OPTIONS")
ITEM_METHODS = ("GET", "PUT", "DELETE", "OPTIONS")
TYPE_CHECKS = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "number": (lambda v: isinstance(v, (int, Decimal)) and not isinstance(v, bool), "a number"),
    "boolean": (lambda v: isinstance(v, bool), "true or false"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "map": (lambda v: isinstance(v, dict), "an object"),
}

_table = None


class HttpError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def handler(event, context):
    started = time.monotonic()
    method = (event.get("httpMethod") or "GET").upper()
    try:
        response = route(method, event)
    except HttpError as error:
        response = reply(error.status, {"message": str(error)}, error.headers)
    except ClientError as error:
        print(f"DynamoDB error: {error}")
        response = reply(500, {"message": f"The table refused the request: {error.response['Error']['Message']}"})
    print(json.dumps({"method": method, "path": event.get("path"), "status": response["statusCode"],
                      "ms": round((time.monotonic() - started) * 1000, 1)}))
    return response


def route(method, event):
    item_id = requested_id(event)
    allowed = COLLECTION_METHODS if item_id is None else ITEM_METHODS
    if method not in allowed:
        raise HttpError(405, f"{method} is not allowed here; use {', '.join(allowed)}.", {"Allow": ",".join(allowed)})
    if method == "OPTIONS":
        return reply(200, {})
    if item_id is None:
        return list_items() if method == "GET" else create_item(read_body(event))
    if method == "GET":
        return get_item(item_id)
    if method == "PUT":
        return replace_item(item_id, read_body(event))
    return delete_item(item_id)


def requested_id(event):
    """The item id of an item route, None for the collection; 404 for any deeper path."""
    parameters = event.get("pathParameters") or {}
    if parameters:
        value = parameters.get("proxy") or next(iter(parameters.values()))
        segments = [part for part in (value or "").split("/") if part]
    else:
        segments = [part for part in (event.get("path") or "/").split("/") if part]
        if "resource" in event or len(segments) <= 1:
            return None
        segments = segments[1:]  # a direct invoke: /<path>/<id>
    if len(segments) != 1:
        raise HttpError(404, f"No route for {event.get('path')}.")
    return segments[0]


# --- the routes --------------------------------------------------------------------------------------------------
def list_items():
    items, page = [], {}
    while True:
        found = table().scan(**page)
        items += found.get("Items", [])
        if "LastEvaluatedKey" not in found:
            return reply(200, items)
        page = {"ExclusiveStartKey": found["LastEvaluatedKey"]}


def get_item(item_id):
    found = table().get_item(Key={PARTITION_KEY: item_id}).get("Item")
    if found is None:
        raise HttpError(404, f"No item with {PARTITION_KEY} {item_id}.")
    return reply(200, found)


def create_item(body):
    if PARTITION_KEY in body:
        raise HttpError(400, f"{PARTITION_KEY} is made by the server; leave it out.")
    item = {PARTITION_KEY: str(uuid.uuid4()), **checked_fields(body)}
    table().put_item(Item=item, ConditionExpression="attribute_not_exists(#key)",
                     ExpressionAttributeNames={"#key": PARTITION_KEY})
    return reply(201, item)


def replace_item(item_id, body):
    if body.get(PARTITION_KEY, item_id) != item_id:
        raise HttpError(400, f"{PARTITION_KEY} in the body differs from the one in the path.")
    item = {PARTITION_KEY: item_id, **checked_fields({k: v for k, v in body.items() if k != PARTITION_KEY})}
    try:
        table().put_item(Item=item, ConditionExpression="attribute_exists(#key)",
                         ExpressionAttributeNames={"#key": PARTITION_KEY})
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HttpError(404, f"No item with {PARTITION_KEY} {item_id}.") from None
        raise
    return reply(200, item)


def delete_item(item_id):
    try:
        old = table().delete_item(Key={PARTITION_KEY: item_id}, ConditionExpression="attribute_exists(#key)",
                                  ExpressionAttributeNames={"#key": PARTITION_KEY}, ReturnValues="ALL_OLD")
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HttpError(404, f"No item with {PARTITION_KEY} {item_id}.") from None
        raise
    return reply(200, old.get("Attributes", {}))


# --- helpers -----------------------------------------------------------------------------------------------------
def table():
    """The table, made once per warm container (the name comes from the environment Amplify sets)."""
    global _table
    if _table is None:
        name = os.environ.get(TABLE_NAME_VARIABLE)
        if not name:
            raise HttpError(500, f"{TABLE_NAME_VARIABLE} is not set: give this function access to its table.")
        _table = boto3.resource("dynamodb").Table(name)
    return _table


def read_body(event):
    body = event.get("body")
    if body in (None, ""):
        raise HttpError(400, "The request needs a JSON object as its body.")
    try:
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body, validate=True).decode("utf-8")
        parsed = json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, f"The body is not valid JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise HttpError(400, "The body must be a JSON object.")
    return parsed


def checked_fields(body):
    """Exactly the declared fields, each of its type; every problem is named in one message."""
    problems = [f"{name} is required" for name in FIELDS if name not in body]
    problems += [f"{name} must be {TYPE_CHECKS[kind][1]}" for name, kind in FIELDS.items()
                 if name in body and kind in TYPE_CHECKS and not TYPE_CHECKS[kind][0](body[name])]
    problems += [f"{name} is not a field of this table" for name in body if name not in FIELDS]
    if problems:
        raise HttpError(400, "; ".join(problems) + ".")
    return {name: body[name] for name in FIELDS}


def reply(status, body, headers=None):
    return {"statusCode": status, "headers": {"Content-Type": "application/json", **CORS_HEADERS, **(headers or {})},
            "body": json.dumps(body, default=_json_value)}


def _json_value(value):
    """DynamoDB's values as JSON: numbers as int or float (not Decimal), sets as sorted lists, binary as base64."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "value") and isinstance(value.value, bytes):  # boto3's Binary
        return base64.b64encode(value.value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _no_constant(name):
    raise ValueError(f"{name} is not a number DynamoDB can store")
