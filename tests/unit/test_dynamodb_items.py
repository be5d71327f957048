"""Table items to a DataFrame with real dtypes (not Decimal) over every Scan page, and a bulk loader from a
DataFrame or CSV in batches of 25 that retries unprocessed items and refuses bad rows before writing any."""
from __future__ import annotations

from decimal import Decimal

import boto3
import numpy as np
import pandas as pd
import pytest
from moto import mock_aws

from amplify_nb.dynamodb_items import from_attribute, load_items, table_items, to_attribute
from amplify_nb.errors import CloudError, InputError

TABLE = "beer-dev"


@pytest.fixture
def dynamodb(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=TABLE, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        yield client


def beers(count):
    return pd.DataFrame({"id": [f"b{n:03d}" for n in range(count)], "name": [f"beer {n}" for n in range(count)],
                         "ibu": list(range(count)), "abv": [4.5 + n / 10 for n in range(count)]})


def test_loaded_rows_come_back_with_real_dtypes(dynamodb):
    frame = pd.DataFrame({
        "id": ["a", "b", "c"], "ibu": [35, 40, 45], "abv": [5.4, 6.0, 7.25], "organic": [True, False, True],
        "rating": [4, None, 5], "hops": [["citra"], ["mosaic", "simcoe"], []],
        "brewery": [{"city": "Ellon", "founded": 2007}, {"city": "Bruges"}, {}]})
    assert load_items(dynamodb, TABLE, frame, progress=False) == 3
    items = table_items(dynamodb, TABLE).sort_values("id", ignore_index=True)
    assert list(items.columns)[0] == "id"
    assert items["ibu"].dtype == "int64" and items["abv"].dtype == "float64" and items["organic"].dtype == bool
    assert str(items["rating"].dtype) == "Int64" and items["rating"].isna().tolist() == [False, True, False]
    assert items["abv"].tolist() == [5.4, 6.0, 7.25]
    assert items.loc[0, "brewery"] == {"city": "Ellon", "founded": 2007} and isinstance(items.loc[0, "brewery"]["founded"], int)
    assert items.loc[1, "hops"] == ["mosaic", "simcoe"]
    assert not any(isinstance(v, Decimal) for col in items.columns for v in items[col] if not isinstance(v, (list, dict)))


def test_every_page_of_the_scan_is_read(dynamodb):
    load_items(dynamodb, TABLE, beers(57), progress=False)
    items = table_items(dynamodb, TABLE, page_size=10)
    assert len(items) == 57 and items["id"].is_unique


def test_columns_read_only_those_attributes(dynamodb):
    load_items(dynamodb, TABLE, beers(3), progress=False)
    assert list(table_items(dynamodb, TABLE, columns=["id", "ibu"]).columns) == ["id", "ibu"]


def test_a_csv_loads_with_empty_cells_left_out(dynamodb, tmp_path):
    path = tmp_path / "beers.csv"
    path.write_text("id,name,abv\nb1,Punk IPA,5.4\nb2,Hazy Jane,\n")
    assert load_items(dynamodb, TABLE, path, progress=False) == 2
    stored = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": "b2"}})["Item"]
    assert stored == {"id": {"S": "b2"}, "name": {"S": "Hazy Jane"}}


def test_more_than_25_rows_go_in_batches_of_25_and_a_later_duplicate_wins(dynamodb, monkeypatch):
    sizes = []
    original = dynamodb.batch_write_item

    def counting(**params):
        sizes.append(len(params["RequestItems"][TABLE]))
        return original(**params)

    monkeypatch.setattr(dynamodb, "batch_write_item", counting)
    frame = pd.concat([beers(60), pd.DataFrame({"id": ["b001"], "name": ["renamed"], "ibu": [1], "abv": [1.0]})])
    assert load_items(dynamodb, TABLE, frame, progress=False) == 61
    assert sizes == [25, 25, 11]  # b001 again, in the last batch: written after the first
    assert dynamodb.get_item(TableName=TABLE, Key={"id": {"S": "b001"}})["Item"]["name"] == {"S": "renamed"}
    assert len(table_items(dynamodb, TABLE)) == 60


def test_unprocessed_items_are_retried_until_written(dynamodb, monkeypatch):
    calls = []
    original = dynamodb.batch_write_item

    def throttled_once(**params):
        calls.append(len(params["RequestItems"][TABLE]))
        if len(calls) == 1:  # DynamoDB took only the first two
            requests = params["RequestItems"][TABLE]
            original(RequestItems={TABLE: requests[:2]})
            return {"UnprocessedItems": {TABLE: requests[2:]}}
        return original(**params)

    monkeypatch.setattr(dynamodb, "batch_write_item", throttled_once)
    monkeypatch.setattr("amplify_nb.dynamodb_items.time.sleep", lambda seconds: None)
    load_items(dynamodb, TABLE, beers(5), progress=False)
    assert calls == [5, 3] and len(table_items(dynamodb, TABLE)) == 5


def test_items_never_processed_are_a_clear_error(dynamodb, monkeypatch):
    monkeypatch.setattr(dynamodb, "batch_write_item", lambda **params: {"UnprocessedItems": params["RequestItems"]})
    monkeypatch.setattr("amplify_nb.dynamodb_items.time.sleep", lambda seconds: None)
    with pytest.raises(CloudError, match="left 3 item.* unprocessed after 10 attempts"):
        load_items(dynamodb, TABLE, beers(3), progress=False)


def test_bad_rows_are_refused_before_anything_is_written(dynamodb):
    frame = pd.DataFrame({"id": ["a", None, "c"], "abv": [1.0, 2.0, float("inf")]})
    with pytest.raises(InputError) as raised:
        load_items(dynamodb, TABLE, frame, progress=False)
    assert [p.message for p in raised.value.problems] == [
        "Row 2: no value for the key id.", "Row 3: inf is not a number DynamoDB can store."]
    assert dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_missing_key_column_table_or_file_are_bad_input(dynamodb, tmp_path):
    with pytest.raises(InputError, match="no id column"):
        load_items(dynamodb, TABLE, pd.DataFrame({"name": ["x"]}), progress=False)
    with pytest.raises(InputError, match="There is no table 'nope'"):
        table_items(dynamodb, "nope")
    with pytest.raises(InputError, match="No CSV file"):
        load_items(dynamodb, TABLE, tmp_path / "missing.csv", progress=False)


def test_wire_values_convert_both_ways():
    assert from_attribute({"N": "42"}) == 42 and isinstance(from_attribute({"N": "42"}), int)
    assert from_attribute({"N": "-1.5"}) == -1.5
    assert from_attribute({"NS": ["1", "2.5"]}) == {1, 2.5} and from_attribute({"SS": ["a"]}) == {"a"}
    assert from_attribute({"B": b"\x00"}) == b"\x00" and from_attribute({"NULL": True}) is None
    assert to_attribute(np.int64(7)) == {"N": "7"} and to_attribute(np.float64(2.5)) == {"N": "2.5"}
    assert to_attribute(np.bool_(True)) == {"BOOL": True} and to_attribute(float("nan")) is None
    assert to_attribute({"a", "b"}) == {"SS": ["a", "b"]} and to_attribute({1, 2}) == {"NS": ["1", "2"]}
    assert to_attribute([1, None]) == {"L": [{"N": "1"}, {"NULL": True}]}
    with pytest.raises(ValueError, match="only strings, only numbers"):
        to_attribute({1, "a"})


def test_a_key_twice_in_one_batch_is_written_once_with_the_later_row(dynamodb, monkeypatch):
    sizes = []
    original = dynamodb.batch_write_item
    monkeypatch.setattr(dynamodb, "batch_write_item",
                        lambda **params: sizes.append(len(params["RequestItems"][TABLE])) or original(**params))
    frame = pd.DataFrame({"id": ["a", "b", "a"], "name": ["first", "b", "second"]})
    assert load_items(dynamodb, TABLE, frame, progress=False) == 3
    assert sizes == [2]
    assert dynamodb.get_item(TableName=TABLE, Key={"id": {"S": "a"}})["Item"]["name"] == {"S": "second"}


def test_the_progress_bar_counts_rows(dynamodb, capsys):
    load_items(dynamodb, TABLE, beers(30), progress=True)
    assert "30/30" in capsys.readouterr().err
