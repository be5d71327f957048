"""DynamoDB items as pandas tables, both ways: every page of a Scan into a DataFrame with real dtypes, and a bulk
loader from a DataFrame or CSV (batches of 25, unprocessed items retried with backoff, a progress bar).

boto3 gives numbers as Decimal, which pandas keeps as `object` columns; here numbers are read straight from
DynamoDB's wire form into int or float, so a column of whole numbers is int64 (Int64 with gaps), a column with
fractions float64, booleans bool (boolean with gaps); sets, lists and maps stay Python objects.
"""
from __future__ import annotations

import math
import numbers
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import botocore.exceptions
import numpy as np
import pandas as pd

from .aws import Target
from .errors import CloudError, InputError, Problem

BATCH_SIZE = 25  # BatchWriteItem takes at most 25 requests
MAX_ATTEMPTS = 10  # of one batch's unprocessed items, with backoff
INT64 = (-(2 ** 63), 2 ** 63 - 1)


def table_items(source: Any, table_name: str, columns: list[str] | None = None,
                consistent_read: bool = False, page_size: int | None = None) -> pd.DataFrame:
    """Every item of the table (all Scan pages) as a DataFrame; key columns first. `source`: Target or client.

    `columns` reads only those attributes; `page_size` caps the items per Scan call (DynamoDB's own cap is 1 MB).
    """
    client = _dynamodb(source)
    keys = key_names(client, table_name)
    params: dict[str, Any] = {"TableName": table_name, "ConsistentRead": consistent_read}
    if columns:
        params["ProjectionExpression"] = ", ".join(f"#c{i}" for i in range(len(columns)))
        params["ExpressionAttributeNames"] = {f"#c{i}": name for i, name in enumerate(columns)}
    rows = []
    if page_size:
        params["PaginationConfig"] = {"PageSize": page_size}
    for page in client.get_paginator("scan").paginate(**params):
        rows += [{name: from_attribute(value) for name, value in item.items()} for item in page.get("Items", [])]
    return items_frame(rows, first=list(columns or keys))


def items_frame(rows: list[dict], first: Iterable[str] = ()) -> pd.DataFrame:
    """A DataFrame of plain Python items: columns in `first` order then as met; each column its real dtype."""
    names: dict[str, None] = {name: None for name in first}
    for row in rows:
        names.update(dict.fromkeys(row))
    return pd.DataFrame({name: column([row.get(name, _MISSING) for row in rows]) for name in names},
                        index=pd.RangeIndex(len(rows)))


def column(values: list) -> pd.Series:
    present = [v for v in values if v is not _MISSING and v is not None]
    gaps = len(present) != len(values)
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series([None if v is _MISSING else v for v in values], dtype="boolean" if gaps else bool)
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if INT64[0] <= min(present) and max(present) <= INT64[1]:
            return pd.Series([None if v is _MISSING or v is None else v for v in values], dtype="Int64" if gaps else "int64")
    elif present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series([math.nan if v is _MISSING or v is None else float(v) for v in values], dtype="float64")
    if present and all(isinstance(v, str) for v in present):
        return pd.Series([None if v is _MISSING else v for v in values])
    return pd.Series([None if v is _MISSING else v for v in values], dtype=object)


def from_attribute(value: dict) -> Any:
    """One attribute from DynamoDB's wire form to plain Python (N -> int or float, sets -> set, B -> bytes)."""
    (kind, data), = value.items()
    if kind == "S":
        return data
    if kind == "N":
        return _number(data)
    if kind == "BOOL":
        return data
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(data)
    if kind == "L":
        return [from_attribute(item) for item in data]
    if kind == "M":
        return {name: from_attribute(item) for name, item in data.items()}
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {_number(item) for item in data}
    if kind == "BS":
        return {bytes(item) for item in data}
    raise ValueError(f"unknown DynamoDB attribute type {kind}")


def to_attribute(value: Any) -> dict | None:
    """A Python or pandas value in DynamoDB's wire form; None for a missing value (NaN, None, NA), left out."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return {"BOOL": bool(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (numbers.Integral, Decimal)):
        return _number_attribute(value)
    if isinstance(value, numbers.Real):  # float and numpy's floats; NaN is pandas' empty cell
        return None if math.isnan(value) else _number_attribute(value)
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, pd.Timestamp):
        return {"S": value.isoformat()}
    if isinstance(value, dict):
        return {"M": {k: a for k, a in ((str(k), to_attribute(v)) for k, v in value.items()) if a is not None}}
    if isinstance(value, (set, frozenset)):
        return _set_attribute(value)
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return {"L": [to_attribute(v) or {"NULL": True} for v in items]}
    raise ValueError(f"{type(value).__name__} values cannot be stored in DynamoDB")


def load_items(target: Any, table_name: str, data: pd.DataFrame | str | Path, progress: bool = True) -> int:
    """Write every row as an item (a later row with the same key wins); returns how many rows were loaded.

    Every row is checked before anything is written: a missing key value or an unstorable value is bad input.
    """
    frame = _frame(data)
    client = _dynamodb(target)
    keys = key_names(client, table_name)
    items = _items(frame, keys)
    bar = _progress_bar(len(items), progress)
    try:
        for rows, batch in _batches(items, keys):
            _write_batch(client, table_name, batch)
            if bar is not None:
                bar.update(rows)
    finally:
        if bar is not None:
            bar.close()
    return len(items)


def key_names(client: Any, table_name: str) -> list[str]:
    try:
        schema = client.describe_table(TableName=table_name)["Table"]["KeySchema"]
    except client.exceptions.ResourceNotFoundException:
        raise InputError([Problem("table", f"There is no table {table_name!r} (push the storage resource first).")]) from None
    return [part["AttributeName"] for part in sorted(schema, key=lambda part: part["KeyType"] != "HASH")]


# --- helpers -----------------------------------------------------------------------------------------------------
class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _number_attribute(value: Any) -> dict:
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not number.is_finite():
        raise ValueError(f"{value} is not a number DynamoDB can store")
    return {"N": str(int(number)) if number == number.to_integral_value() and "E" not in str(number) else str(number)}


def _set_attribute(values: set) -> dict:
    if all(isinstance(v, str) for v in values):
        return {"SS": sorted(values)}
    if all(isinstance(v, (bytes, bytearray)) for v in values):
        return {"BS": sorted(bytes(v) for v in values)}
    if all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in values):
        return {"NS": sorted(_number_attribute(v)["N"] for v in values)}
    raise ValueError("a set must hold only strings, only numbers or only bytes")


def _dynamodb(source: Any) -> Any:
    return source.client("dynamodb") if isinstance(source, Target) else source


def _frame(data: pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    path = Path(data)
    if not path.is_file():
        raise InputError([Problem("data", f"No CSV file at {path}.")])
    return pd.read_csv(path)


def _items(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    missing_columns = [key for key in keys if key not in frame.columns]
    if missing_columns:
        raise InputError([Problem("data", f"The data has no {', '.join(missing_columns)} column: every item needs its key.")])
    problems, items = [], []
    for number, row in enumerate(frame.to_dict("records"), start=1):
        try:
            item = {str(name): a for name, a in ((name, to_attribute(value)) for name, value in row.items()) if a is not None}
        except ValueError as exc:
            problems.append(Problem("data", f"Row {number}: {exc}."))
            continue
        absent = [key for key in keys if key not in item]
        if absent:
            problems.append(Problem("data", f"Row {number}: no value for the key {', '.join(absent)}."))
        items.append(item)
    if problems:
        raise InputError(problems[:10] + ([Problem("data", f"... and {len(problems) - 10} more rows.")] if len(problems) > 10 else []))
    return items


def _batches(items: list[dict], keys: list[str]) -> Iterable[tuple[int, list[dict]]]:
    """(rows consumed, batch) with at most 25 items of distinct keys: BatchWriteItem refuses a key twice, so a
    later row with the same key replaces the earlier one in its batch (the same end state as writing both)."""
    batch: dict[tuple, dict] = {}
    rows = 0
    for item in items:
        key = tuple(repr(item[name]) for name in keys)
        batch.pop(key, None)
        batch[key] = item
        rows += 1
        if len(batch) == BATCH_SIZE:
            yield rows, list(batch.values())
            batch, rows = {}, 0
    if batch:
        yield rows, list(batch.values())


def _write_batch(client: Any, table_name: str, items: list[dict]) -> None:
    requests = {table_name: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in range(MAX_ATTEMPTS):
        if not requests.get(table_name):
            return
        if attempt:
            time.sleep(min(0.05 * 2 ** attempt, 5.0))  # DynamoDB asks for exponential backoff on UnprocessedItems
        try:
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
        except botocore.exceptions.ClientError as exc:
            raise CloudError(f"Writing items to {table_name} failed: {exc}") from exc
    if requests.get(table_name):
        raise CloudError(f"DynamoDB left {len(requests[table_name])} item(s) of {table_name} unprocessed after "
                         f"{MAX_ATTEMPTS} attempts (throttled); load again later: items already written stay.")


def _progress_bar(total: int, enabled: bool):
    if not enabled or not total:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="item", desc="load items")
