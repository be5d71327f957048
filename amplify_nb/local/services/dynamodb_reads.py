"""Fast DynamoDB reads: Scan, Query, GetItem and BatchGetItem answers written by json.dumps, not moto's serializer.

moto 5.2.5 computes these answers right (key conditions, filters, projections, Limit, pagination,
LastEvaluatedKey, Select=COUNT, indexes) and then spends nearly all of the time of a large read in its generic
shape-driven serializer (moto/core/serialize.py: ~1.5 ms per item, 4.6 s for a 10k-item scan). The answer of
these four operations is already the wire format (dynamo_to_dict gives {type: value} dicts, binary as bytes),
so it is written directly: members in the order of the operation's output shape (as the serializer writes
them), binary base64-encoded, None left out. Errors and every other operation keep moto's serializer.

Before serializing, moto's Table.scan/query spend most of the rest deep-copying every matching item and computing
each item's size twice (the 1 MB page limit). A read runs under the reading side of the local cloud's lock, so no
write can change an item until its answer is written: while a Scan or Query without an index runs, the copies
are skipped (an index's projection changes its copy, so those keep it) and each item's size is computed once.
Both are thread-local, so a read outside such a request (a snapshot, a write) sees stock moto.

The same requests answered by stock moto and by this path are compared in tests/functional/test_local_dynamodb_reads.py.
The patch is installed when the daemon builds its services, never at import: a process that only imports this
package (a test with mock_aws) keeps stock moto.
"""
from __future__ import annotations

import base64
import contextlib
import copy
import json
import threading
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


_read = threading.local()  # .sizes: id(item) -> size while a read runs; .share_items: skip item copies


class _CopyDuringReads:
    """moto's dynamodb table module's `copy`: deepcopy of items (or a list of them) is skipped during a read."""

    def __init__(self, item_type: type) -> None:
        self.item_type = item_type  # moto's Item, resolved once (deepcopy runs per matching item)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if getattr(_read, "share_items", False):
            if type(value) is self.item_type:
                return value
            if type(value) is list and all(type(item) is self.item_type for item in value):
                return list(value)
        return copy.deepcopy(value, memo)


@contextlib.contextmanager
def _reading(share_items: bool):
    _read.sizes, _read.share_items = {}, share_items
    try:
        yield
    finally:
        _read.sizes, _read.share_items = None, False


def _install_cheap_reads() -> None:
    import moto.dynamodb.models.table as table_module
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.responses import DynamoHandler

    if getattr(Item.size, "_stock", None) is not None:
        return
    stock_size = Item.size

    def size(self: Any) -> int:
        sizes = getattr(_read, "sizes", None)
        if sizes is None:
            return stock_size(self)
        found = sizes.get(id(self))  # the item lives until the read ends: its id is not reused meanwhile
        if found is None:
            found = sizes[id(self)] = stock_size(self)
        return found

    size._stock = stock_size  # type: ignore[attr-defined]
    Item.size = size  # type: ignore[method-assign]
    table_module.copy = _CopyDuringReads(Item)  # type: ignore[assignment]
    for operation in ("scan", "query"):
        stock_operation = getattr(DynamoHandler, operation)

        def read(self: Any, _stock: Any = stock_operation) -> Any:
            with _reading(share_items=not self.body.get("IndexName")):
                return _stock(self)

        setattr(DynamoHandler, operation, read)


def install() -> None:
    """Route the four read operations' successful answers around moto's serializer, in this process."""
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    _install_cheap_reads()

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
