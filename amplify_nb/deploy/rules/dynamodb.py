"""DynamoDB tables: the model and its planner rule.

Tables are asynchronous on real AWS: create_table returns CREATING (wait table_exists), update_table takes one
global secondary index change per call and leaves the table UPDATING until the index is ACTIVE (a second call
before that fails with ResourceInUseException), delete_table returns DELETING (wait table_not_exists). moto makes
everything ACTIVE at once; the plan waits anyway, so the same plan is right on both.

A table's keys cannot change: DynamoDB would need a new table. The spec refuses such an answer; should the
rule meet one anyway, it stops with a message instead of planning anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ...errors import CloudError
from ..models import Resource
from ..ownership import OWNER_TAG, check_owned
from ..plan import APICall, StoreValue, Wait
from ..planner import rule
from ..remote import RemoteState

NOT_FOUND = ("ResourceNotFoundException",)
# Amplify's column types that DynamoDB accepts as a key, and their attribute types.
KEY_TYPES = {"string": "S", "number": "N", "binary": "B"}
# Amplify's storage stack streams every new item image (streamViewType NEW_IMAGE).
AMPLIFY_STREAM_VIEW = "NEW_IMAGE"
# A new index backfills from every item: on real AWS that can take long on a big table.
INDEX_WAIT = {"delay": 10, "max_attempts": 360}
SETTLED_WAITER = "table_and_indexes_active"
SETTLED_ACCEPTORS = (
    {"state": "success", "matcher": "path", "expected": True,
     "argument": "Table.TableStatus == 'ACTIVE' && "
                 "length(Table.GlobalSecondaryIndexes[?IndexStatus != 'ACTIVE'] || `[]`) == `0`"},
    {"state": "failure", "matcher": "error", "expected": "ResourceNotFoundException"},
)


# --- models ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    """A key attribute: its name and DynamoDB type (S, N or B)."""

    name: str
    type: str = "S"

    @classmethod
    def of(cls, column: str, amplify_type: str) -> "Key":
        """The key for an Amplify column type (string, number, binary)."""
        try:
            return cls(column, KEY_TYPES[amplify_type])
        except KeyError:
            raise ValueError(f"a key column must be one of {', '.join(KEY_TYPES)}, not {amplify_type!r}") from None

    def schema(self, key_type: str) -> dict:
        return {"AttributeName": self.name, "KeyType": key_type}


@dataclass(frozen=True)
class GlobalIndex:
    """A global secondary index; every attribute is projected (ALL), as Amplify does."""

    name: str
    partition_key: Key
    sort_key: Key | None = None

    def key_schema(self) -> list[dict]:
        return _key_schema(self.partition_key, self.sort_key)

    def description(self) -> dict:
        """The index as create_table and update_table take it (on-demand: no throughput)."""
        return {"IndexName": self.name, "KeySchema": self.key_schema(), "Projection": {"ProjectionType": "ALL"}}


@dataclass(frozen=True)
class Table(Resource):
    """An on-demand table with a stream, named `<tableName>-<env>` by the storage category."""

    type_name: ClassVar[str] = "dynamodb.Table"
    partition_key: Key = Key("id")
    sort_key: Key | None = None
    global_indexes: tuple[GlobalIndex, ...] = ()
    stream_view_type: str = AMPLIFY_STREAM_VIEW
    billing_mode: str = "PAY_PER_REQUEST"
    tags: dict = field(default_factory=dict)

    def key_schema(self) -> list[dict]:
        return _key_schema(self.partition_key, self.sort_key)

    def attribute_definitions(self, indexes: tuple[GlobalIndex, ...] | None = None) -> list[dict]:
        """Every key attribute of the table and of the given indexes (all of them by default), once each."""
        keys = [self.partition_key, self.sort_key]
        for index in self.global_indexes if indexes is None else indexes:
            keys += [index.partition_key, index.sort_key]
        found: dict[str, str] = {}
        for key in keys:
            if key is not None:
                if found.setdefault(key.name, key.type) != key.type:
                    raise ValueError(f"attribute {key.name!r} is used as a key with two types ({found[key.name]}, {key.type})")
        return [{"AttributeName": name, "AttributeType": kind} for name, kind in found.items()]

    def stream_specification(self) -> dict:
        return {"StreamEnabled": True, "StreamViewType": self.stream_view_type}

    def identity(self) -> dict:
        """With the env stack it is tagged with, so the sweeper deletes it only while it still is ours."""
        return {**super().identity(), "owner": self.tags.get(OWNER_TAG)}


def _key_schema(partition_key: Key, sort_key: Key | None) -> list[dict]:
    schema = [partition_key.schema("HASH")]
    if sort_key is not None:
        schema.append(sort_key.schema("RANGE"))
    return schema


CHOOSE_ANOTHER_TABLE = ("Tables are named <table name>-<env>: give this storage resource another table name (remove "
                        "it with `amplify-nb remove storage NAME`, then add it again with `--table-name OTHER`), or "
                        "use another env name.")


def table_arn(region: str, account: str, table_name: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table_name}"


# --- rule --------------------------------------------------------------------------------------------------------
@rule(Table)
class TableRule:
    def plan(self, table: Table, remote: RemoteState) -> list:
        key, name = table.key, table.name
        found = self._describe(name, remote)
        steps: list = [StoreValue(f"{key}.Name", name)]
        if found is not None and found["TableStatus"] == "DELETING":
            steps.append(Wait(key, "dynamodb", "table_not_exists", {"TableName": name}))
            found = None
        if found is None:
            return steps + self._create(table)

        steps += [StoreValue(f"{key}.Arn", found["TableArn"])]
        current_tags = self._tags(found["TableArn"], remote) if table.tags else {}
        check_owned("DynamoDB table", name, table.tags, current_tags, CHOOSE_ANOTHER_TABLE,
                    settled=found["TableStatus"] == "ACTIVE")
        self._refuse_key_change(table, found)
        if not _settled(found):  # a push killed while a change was under way: let it finish first
            steps.append(self._settled_wait(table))
        steps += self._plan_billing(table, found)
        stream_steps = self._plan_stream(table, found)
        if stream_steps:
            steps += stream_steps
        else:
            steps.append(StoreValue(f"{key}.StreamArn", found.get("LatestStreamArn")))
        steps += self._plan_indexes(table, found)
        steps += self._plan_tags(table, found["TableArn"], current_tags)
        return steps

    def _create(self, table: Table) -> list:
        key = table.key
        params: dict = {
            "TableName": table.name,
            "AttributeDefinitions": table.attribute_definitions(),
            "KeySchema": table.key_schema(),
            "BillingMode": table.billing_mode,
            "StreamSpecification": table.stream_specification(),
        }
        if table.global_indexes:
            params["GlobalSecondaryIndexes"] = [index.description() for index in table.global_indexes]
        if table.tags:
            params["Tags"] = _tag_list(table.tags)
        return [
            APICall(key, "create", "dynamodb", "create_table", params, store={
                f"{key}.Arn": "TableDescription.TableArn", f"{key}.StreamArn": "TableDescription.LatestStreamArn"}),
            Wait(key, "dynamodb", "table_exists", {"TableName": table.name}),
        ]

    @staticmethod
    def _refuse_key_change(table: Table, found: dict) -> None:
        current = _plain_schema(found["KeySchema"])
        if current != _plain_schema(table.key_schema()):
            raise CloudError(
                f"The table {table.name} has the key {_describe_schema(current)}; the project asks for "
                f"{_describe_schema(_plain_schema(table.key_schema()))}. DynamoDB cannot change a table's keys: "
                "remove the storage resource, push, then add it again with the new keys.")

    def _settled_wait(self, table: Table) -> Wait:
        return Wait(table.key, "dynamodb", SETTLED_WAITER, {"TableName": table.name}, operation="DescribeTable",
                    acceptors=SETTLED_ACCEPTORS, **INDEX_WAIT)

    def _update(self, table: Table, params: dict, store: dict | None = None) -> list:
        """One update_table, then wait until the table and its indexes are ACTIVE again (the next one needs it)."""
        return [APICall(table.key, "update", "dynamodb", "update_table", {"TableName": table.name, **params},
                        store=store or {}),
                self._settled_wait(table)]

    def _plan_billing(self, table: Table, found: dict) -> list:
        current = (found.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        return [] if current == table.billing_mode else self._update(table, {"BillingMode": table.billing_mode})

    def _plan_stream(self, table: Table, found: dict) -> list:
        """Turn the stream on, or change its view type: DynamoDB needs it switched off first (a new stream ARN)."""
        current = found.get("StreamSpecification") or {}
        if current.get("StreamEnabled") and current.get("StreamViewType") == table.stream_view_type:
            return []
        store = {f"{table.key}.StreamArn": "TableDescription.LatestStreamArn"}
        steps = []
        if current.get("StreamEnabled"):
            steps += self._update(table, {"StreamSpecification": {"StreamEnabled": False}})
        return steps + self._update(table, {"StreamSpecification": table.stream_specification()}, store)

    def _plan_indexes(self, table: Table, found: dict) -> list:
        """One index change per update_table: removed (or redefined) indexes first, then new ones, each waited for."""
        current = {index["IndexName"]: index for index in found.get("GlobalSecondaryIndexes") or []}
        wanted = {index.name: index for index in table.global_indexes}
        changed = {name for name, index in wanted.items() if name in current and not _same_index(current[name], index)}
        steps: list = []
        for name in sorted(set(current) - set(wanted) | changed):
            steps += self._update(table, {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": name}}]})
        for index in table.global_indexes:
            if index.name not in current or index.name in changed:
                steps += self._update(table, {
                    "AttributeDefinitions": table.attribute_definitions((index,)),
                    "GlobalSecondaryIndexUpdates": [{"Create": index.description()}]})
        return steps

    @staticmethod
    def _tags(arn: str, remote: RemoteState) -> dict:
        return {t["Key"]: t["Value"] for t in remote.paginate("dynamodb", "list_tags_of_resource", "Tags", ResourceArn=arn)}

    def _plan_tags(self, table: Table, arn: str, current: dict) -> list:
        """Ours added; tags others put on the table are kept (tag_resource only adds)."""
        missing = {k: v for k, v in table.tags.items() if current.get(k) != v}
        if not missing:
            return []
        return [APICall(table.key, "update", "dynamodb", "tag_resource", {"ResourceArn": arn, "Tags": _tag_list(missing)})]

    @staticmethod
    def _describe(name: str, remote: RemoteState) -> dict | None:
        found = remote.read("dynamodb", "describe_table", missing=NOT_FOUND, TableName=name)
        return found["Table"] if found else None

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return self._describe(identity["name"], remote) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = self._describe(identity["name"], remote)
        if found is None:
            return None
        return self._tags(found["TableArn"], remote)

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        name = identity["name"]
        key = f"{Table.type_name}:{name}"
        found = self._describe(name, remote)
        if found is None:
            return []
        steps: list = []
        if found["TableStatus"] != "DELETING":
            if not _settled(found):  # DynamoDB refuses to delete a table that is being created or updated
                steps.append(Wait(key, "dynamodb", SETTLED_WAITER, {"TableName": name}, operation="DescribeTable",
                                  acceptors=SETTLED_ACCEPTORS, **INDEX_WAIT))
            steps.append(APICall(key, "delete", "dynamodb", "delete_table", {"TableName": name}, ok_codes=NOT_FOUND))
        steps.append(Wait(key, "dynamodb", "table_not_exists", {"TableName": name}))
        return steps


def _settled(found: dict) -> bool:
    return found["TableStatus"] == "ACTIVE" and all(
        index.get("IndexStatus") == "ACTIVE" for index in found.get("GlobalSecondaryIndexes") or [])


def _same_index(current: dict, wanted: GlobalIndex) -> bool:
    return (_plain_schema(current["KeySchema"]) == _plain_schema(wanted.key_schema())
            and (current.get("Projection") or {}).get("ProjectionType") == "ALL")


def _plain_schema(schema: list[dict]) -> tuple:
    return tuple((part["AttributeName"], part["KeyType"]) for part in schema)


def _describe_schema(schema: tuple) -> str:
    names = {"HASH": "partition key", "RANGE": "sort key"}
    return ", ".join(f"{names.get(kind, kind)} {name!r}" for name, kind in schema)


def _tag_list(tags: dict) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]

