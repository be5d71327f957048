"""Fast DynamoDB reads: Scan, Query, GetItem and BatchGetItem answers written by json.dumps, not moto's serializer.

moto 5.2.5 computes these answers right (key conditions, filters, projections, Limit, pagination,
LastEvaluatedKey, Select=COUNT, indexes) and then spends nearly all of the time of a large read in its generic
shape-driven serializer (moto/core/serialize.py: ~1.5 ms per item, 4.6 s for a 10k-item scan). The answer of
these four operations is already the wire format (dynamo_to_dict gives {type: value} dicts, binary as bytes),
so it is written directly: members in the order of the operation's output shape (as the serializer writes
them), binary base64-encoded, None left out. Errors and every other operation keep moto's serializer.

The same requests answered by stock moto and by this path are compared in tests/functional/test_local_dynamodb_reads.py.
The patch is installed when the daemon builds its services, never at import: a process that only imports this
package (a test with mock_aws) keeps stock moto.
"""
from __future__ import annotations

import base64
import json
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from ..middleware import MIDDLEWARES, Middleware, ServerContext

FAST_OPERATIONS = frozenset({"Scan", "Query", "GetItem", "BatchGetItem"})
_JSON_1_0 = "application/x-amz-json-1.0"


def _wire(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not part of a DynamoDB answer")


@lru_cache(maxsize=None)
def _member_order(operation: str) -> tuple[str, ...]:
    from moto.core.responses import get_service_model

    return tuple(get_service_model("dynamodb").operation_model(operation).output_shape.members)


def answer_body(operation: str, result: dict[str, Any]) -> str:
    """The JSON body of a successful read, members in the output shape's order."""
    ordered = {name: result[name] for name in _member_order(operation) if result.get(name) is not None}
    return json.dumps(ordered, default=_wire)


def install() -> None:
    """Route the four read operations' successful answers around moto's serializer, in this process."""
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    stock = getattr(DynamoHandler.serialized, "_stock", DynamoHandler.serialized)

    def serialized(self: Any, action_result: Any) -> Any:
        operation = self._get_action()
        result = action_result.result
        if operation in FAST_OPERATIONS and isinstance(action_result, DynamoResult) and isinstance(result, dict):
            headers = {"Content-Type": _JSON_1_0, "server": "amazon.com", "date": formatdate(usegmt=True)}
            headers.update(self.response_headers)
            return 200, headers, answer_body(operation, result)
        return stock(self, action_result)

    serialized._stock = stock  # type: ignore[attr-defined]
    DynamoHandler.serialized = serialized  # type: ignore[method-assign]


class FastDynamoDBReads(Middleware):
    """Installs the fast path when the daemon starts; requests pass through (moto answers them)."""

    ORDER = 900

    def __init__(self, context: ServerContext) -> None:
        super().__init__(context)
        install()


MIDDLEWARES.append(FastDynamoDBReads)
