"""DynamoDB table plans, pinned with botocore's Stubber: create then wait; one index change per update_table, each
waited for until the table and the index are ACTIVE (real AWS refuses the next change before; moto forgives it);
keys never change; delete waits until the table is gone."""
from __future__ import annotations

import botocore.waiter
import pytest
from stubs import stubbed_target

from amplify_nb.deploy import Executor, RemoteState, plan_push
from amplify_nb.deploy.rules.dynamodb import GlobalIndex, Key, Table, table_arn
from amplify_nb.errors import CloudError

NAME = "beer-dev"
ARN = table_arn("us-east-1", "123456789012", NAME)
STREAM = f"{ARN}/stream/2026-01-01T00:00:00.000"
BY_BRAND = GlobalIndex("byBrand", Key("brand"), Key("name"))
BY_TYPE = GlobalIndex("byType", Key("type"))
TAGS = {"user:Stack": "amplify-beer-dev", "user:Application": "beer"}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Waiters poll at once (a stubbed target counts as real AWS, whose waits sleep between polls)."""
    monkeypatch.setattr(botocore.waiter.time, "sleep", lambda seconds: None)


def described(status="ACTIVE", indexes=(), index_status="ACTIVE", stream=("NEW_IMAGE",), key=(("id", "HASH"),)):
    table = {"TableName": NAME, "TableStatus": status, "TableArn": ARN,
             "KeySchema": [{"AttributeName": n, "KeyType": k} for n, k in key],
             "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
             "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}}
    if stream:
        table.update(StreamSpecification={"StreamEnabled": True, "StreamViewType": stream[0]}, LatestStreamArn=STREAM)
    if indexes:
        table["GlobalSecondaryIndexes"] = [
            {**index.description(), "IndexStatus": index_status} for index in indexes]
    return {"Table": table}


def missing(dynamodb):
    dynamodb.add_client_error("describe_table", "ResourceNotFoundException", "Requested resource not found",
                              expected_params={"TableName": NAME})


def tags_are(dynamodb, tags):
    dynamodb.add_response("list_tags_of_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
                          {"ResourceArn": ARN})


def test_a_new_table_is_created_on_demand_with_its_stream_indexes_and_tags_then_waited_for():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    missing(dynamodb)
    table = Table(NAME, partition_key=Key("id"), global_indexes=(BY_BRAND,), tags=TAGS)
    plan = plan_push([table], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["dynamodb.create_table", "dynamodb.wait(table_exists)"]
    params = plan.calls[0].params
    assert params["BillingMode"] == "PAY_PER_REQUEST" and "ProvisionedThroughput" not in params
    assert params["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert params["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert params["AttributeDefinitions"] == [{"AttributeName": n, "AttributeType": "S"} for n in ("id", "brand", "name")]
    assert params["GlobalSecondaryIndexes"] == [{
        "IndexName": "byBrand", "Projection": {"ProjectionType": "ALL"},
        "KeySchema": [{"AttributeName": "brand", "KeyType": "HASH"}, {"AttributeName": "name", "KeyType": "RANGE"}]}]
    assert {t["Key"]: t["Value"] for t in params["Tags"]} == TAGS

    creating = described(status="CREATING", indexes=(BY_BRAND,), index_status="CREATING")
    dynamodb.add_response("create_table", {"TableDescription": creating["Table"]}, params)
    dynamodb.add_response("describe_table", creating, {"TableName": NAME})  # the waiter polls until ACTIVE
    dynamodb.add_response("describe_table", described(indexes=(BY_BRAND,)), {"TableName": NAME})
    variables = Executor(target, progress=False).run(plan)
    dynamodb.assert_no_pending_responses()
    assert variables[f"{table.key}.Name"] == NAME
    assert variables[f"{table.key}.Arn"] == ARN and variables[f"{table.key}.StreamArn"] == STREAM


def test_a_table_that_matches_plans_nothing_and_stores_its_values():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described(indexes=(BY_TYPE,)), {"TableName": NAME})
    tags_are(dynamodb, {**TAGS, "added-by-someone": "x"})
    table = Table(NAME, global_indexes=(BY_TYPE,), tags=TAGS)
    plan = plan_push([table], [], RemoteState(target))
    dynamodb.assert_no_pending_responses()
    assert not plan and plan.rows() == []
    stored = {step.name: step.value for step in plan.instructions}
    assert stored == {f"{table.key}.Name": NAME, f"{table.key}.Arn": ARN, f"{table.key}.StreamArn": STREAM}


def test_new_indexes_are_added_one_per_update_each_waited_for_until_the_index_is_active():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described(), {"TableName": NAME})
    table = Table(NAME, global_indexes=(BY_BRAND, BY_TYPE))
    plan = plan_push([table], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "dynamodb.update_table", "dynamodb.wait(table_and_indexes_active)",
        "dynamodb.update_table", "dynamodb.wait(table_and_indexes_active)"]
    first, second = (call.params for call in plan.calls)
    assert first["GlobalSecondaryIndexUpdates"] == [{"Create": BY_BRAND.description()}]
    assert first["AttributeDefinitions"] == [{"AttributeName": n, "AttributeType": "S"} for n in ("id", "brand", "name")]
    assert second["GlobalSecondaryIndexUpdates"] == [{"Create": BY_TYPE.description()}]
    assert second["AttributeDefinitions"] == [{"AttributeName": n, "AttributeType": "S"} for n in ("id", "type")]

    dynamodb.add_response("update_table", {"TableDescription": described("UPDATING")["Table"]}, first | {"TableName": NAME})
    # The table is ACTIVE again before its new index is: the wait goes on until both are.
    dynamodb.add_response("describe_table", described("UPDATING", (BY_BRAND,), "CREATING"), {"TableName": NAME})
    dynamodb.add_response("describe_table", described("ACTIVE", (BY_BRAND,), "CREATING"), {"TableName": NAME})
    dynamodb.add_response("describe_table", described("ACTIVE", (BY_BRAND,)), {"TableName": NAME})
    dynamodb.add_response("update_table", {"TableDescription": described("UPDATING")["Table"]}, second | {"TableName": NAME})
    dynamodb.add_response("describe_table", described("ACTIVE", (BY_BRAND, BY_TYPE)), {"TableName": NAME})
    Executor(target, progress=False).run(plan)
    dynamodb.assert_no_pending_responses()


def test_removed_and_redefined_indexes_are_deleted_first_then_created_again():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    old_type = GlobalIndex("byType", Key("type"), Key("brand"))  # same name, other keys: redefined
    dynamodb.add_response("describe_table", described(indexes=(BY_BRAND, old_type)), {"TableName": NAME})
    plan = plan_push([Table(NAME, global_indexes=(BY_TYPE,))], [], RemoteState(target))
    assert [call.params["GlobalSecondaryIndexUpdates"] for call in plan.calls] == [
        [{"Delete": {"IndexName": "byBrand"}}], [{"Delete": {"IndexName": "byType"}}], [{"Create": BY_TYPE.description()}]]
    assert [row["call"] for row in plan.rows()][1::2] == ["dynamodb.wait(table_and_indexes_active)"] * 3

    dynamodb.add_response("update_table", {"TableDescription": described("UPDATING")["Table"]}, plan.calls[0].params)
    dynamodb.add_response("describe_table", described("ACTIVE", (BY_BRAND,), "DELETING"), {"TableName": NAME})
    dynamodb.add_response("describe_table", described("ACTIVE", (old_type,)), {"TableName": NAME})
    dynamodb.add_response("update_table", {"TableDescription": described("UPDATING")["Table"]}, plan.calls[1].params)
    dynamodb.add_response("describe_table", described(), {"TableName": NAME})
    dynamodb.add_response("update_table", {"TableDescription": described("UPDATING")["Table"]}, plan.calls[2].params)
    dynamodb.add_response("describe_table", described(indexes=(BY_TYPE,)), {"TableName": NAME})
    Executor(target, progress=False).run(plan)
    dynamodb.assert_no_pending_responses()


def test_a_table_left_updating_by_a_killed_push_is_waited_for_before_the_next_change():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described("ACTIVE", (BY_BRAND,), "CREATING"), {"TableName": NAME})
    plan = plan_push([Table(NAME, global_indexes=(BY_BRAND, BY_TYPE))], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "dynamodb.wait(table_and_indexes_active)", "dynamodb.update_table", "dynamodb.wait(table_and_indexes_active)"]


def test_a_changed_stream_view_is_switched_off_then_on_and_the_new_stream_arn_kept():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described(stream=("KEYS_ONLY",)), {"TableName": NAME})
    table = Table(NAME)
    plan = plan_push([table], [], RemoteState(target))
    assert [call.params["StreamSpecification"] for call in plan.calls] == [
        {"StreamEnabled": False}, {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}]
    assert plan.calls[1].store == {f"{table.key}.StreamArn": "TableDescription.LatestStreamArn"}


def test_changing_a_tables_keys_is_refused_with_a_message_and_no_plan():
    target, stubs = stubbed_target("dynamodb")
    stubs["dynamodb"].add_response("describe_table", described(key=(("id", "HASH"), ("brewed", "RANGE"))),
                                   {"TableName": NAME})
    with pytest.raises(CloudError, match=r"has the key partition key 'id', sort key 'brewed'.*cannot change a table's keys"):
        plan_push([Table(NAME, partition_key=Key("id"))], [], RemoteState(target))


def test_missing_tags_are_added_with_tag_resource():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described(), {"TableName": NAME})
    tags_are(dynamodb, {"user:Stack": "amplify-beer-dev"})
    plan = plan_push([Table(NAME, tags=TAGS)], [], RemoteState(target))
    assert [(c.method, c.params) for c in plan.calls] == [
        ("tag_resource", {"ResourceArn": ARN, "Tags": [{"Key": "user:Application", "Value": "beer"}]})]


def test_a_removed_table_is_deleted_and_waited_for_until_gone():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described(), {"TableName": NAME})
    plan = plan_push([], [Table(NAME).identity()], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["dynamodb.delete_table", "dynamodb.wait(table_not_exists)"]
    dynamodb.add_response("delete_table", {"TableDescription": described("DELETING")["Table"]}, {"TableName": NAME})
    dynamodb.add_response("describe_table", described("DELETING"), {"TableName": NAME})
    missing(dynamodb)
    Executor(target, progress=False).run(plan)
    dynamodb.assert_no_pending_responses()


def test_a_table_being_deleted_is_waited_for_then_created_again():
    target, stubs = stubbed_target("dynamodb")
    stubs["dynamodb"].add_response("describe_table", described("DELETING"), {"TableName": NAME})
    plan = plan_push([Table(NAME)], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "dynamodb.wait(table_not_exists)", "dynamodb.create_table", "dynamodb.wait(table_exists)"]


def test_key_columns_take_amplifys_key_types_only():
    assert Key.of("price", "number") == Key("price", "N")
    with pytest.raises(ValueError, match="string, number, binary"):
        Key.of("tags", "list")
    with pytest.raises(ValueError, match="two types"):
        Table(NAME, global_indexes=(GlobalIndex("byId", Key("id", "N")),)).attribute_definitions()


def test_a_table_that_vanishes_while_its_index_is_waited_for_stops_the_push_with_the_step_named():
    target, stubs = stubbed_target("dynamodb")
    dynamodb = stubs["dynamodb"]
    dynamodb.add_response("describe_table", described(), {"TableName": NAME})
    plan = plan_push([Table(NAME, global_indexes=(BY_TYPE,))], [], RemoteState(target))
    dynamodb.add_response("update_table", {"TableDescription": described("UPDATING")["Table"]}, plan.calls[0].params)
    missing(dynamodb)
    with pytest.raises(CloudError, match=r"Waiting for dynamodb.Table:beer-dev \(table_and_indexes_active\) failed"):
        Executor(target, progress=False).run(plan)
