"""add storage: Amplify's two services with their questions, defaults and rules.

NoSQL Database: a friendly name (`dynamo<8 hex>`), a table name (default: the friendly name), Amplify's column
loop, a partition key and optional sort key among the columns of a key type (string, number, binary), optional
global secondary indexes. The table is deployed as `<table>-<env>`.
Content: an S3 bucket (deployed as `<bucket>-<env>`) whose objects the signed-in users (and, if chosen, guests)
may create/update, read and delete; it needs an auth resource in the project.
Once created, a table's resource name, table name and keys cannot change (DynamoDB cannot rename a table or
change its key schema); GSIs can be added and removed.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from ..errors import Problem
from .base import InProject, ProjectResource, Spec, answer, check_choice, context, row_problems
from .hosting import bucket_name_problems

SERVICES = (
    ("content", "Content (Images, audio, video, etc.)"),
    ("nosql", "NoSQL Database"),
)
COLUMN_TYPES = ("string", "number", "binary", "boolean", "list", "map", "null", "string-set", "number-set",
                "binary-set")
KEY_TYPES = {"string": "S", "number": "N", "binary": "B"}  # DynamoDB's AttributeType of a key column
STORAGE_ACCESS = (("auth", "Auth users only"), ("auth_and_guest", "Auth and guest users"))
CONTENT_OPERATIONS = (("create_and_update", "create/update"), ("read", "read"), ("delete", "delete"))
MAX_GSIS = 20  # DynamoDB's default quota of global secondary indexes per table
MAX_TABLE_NAME = 255
MAX_CONTENT_BUCKET_NAME = 47  # Amplify's limit, leaving room for the "-<env>" suffix

RESOURCE_NAME_MESSAGE = "Resource name should be alphanumeric"
TABLE_NAME_MESSAGE = "You can use the following characters: a-z A-Z 0-9 . - _"
COLUMN_NAME_MESSAGE = "You can use the following characters: a-z A-Z 0-9 - _"
GSI_NAME_MESSAGE = "You can use the following characters: a-z A-Z 0-9 - _"
CONTENT_BUCKET_MESSAGE = ("Bucket name can only use the following characters: a-z 0-9 - and should have minimum 3 "
                          "character and max of 47 character")


def default_resource_name(service: str, token: str) -> str:
    """Amplify's friendly name: dynamo<8 hex> for a table, s3<8 hex> for content."""
    return ("s3" if service == "content" else "dynamo") + token


def default_bucket_name(project_name: str, token: str) -> str:
    """Amplify's default content bucket: the project name and a random part, lower case, within 47 characters."""
    base = re.sub(r"[^a-z0-9-]", "", project_name.lower())
    return (base + token + "storage")[:MAX_CONTENT_BUCKET_NAME]


def key_columns(spec: "StorageSpec", exclude: str = "") -> list[str]:
    """The columns a key may use: those of type string, number or binary, in the order they were added."""
    columns = spec.columns if isinstance(spec.columns, list) else []
    return [c["name"] for c in columns if isinstance(c, dict) and c.get("type") in KEY_TYPES
            and isinstance(c.get("name"), str) and c["name"] and c["name"] != exclude]


def _first_key_column(spec: "StorageSpec") -> str:
    found = key_columns(spec)
    return found[0] if found else ""


@dataclass
class ColumnSpec(Spec):
    """One column of the table: Amplify asks its name and its data type."""

    flow = "column"

    name: str = answer("", "What would you like to name this column",
                       help="An attribute of the table's items. Letters, digits, - and _.")
    type: str = answer("string", "Please choose the data type", choices=COLUMN_TYPES,
                       help="Only string, number and binary columns can be keys.")

    def problems(self) -> list[Problem]:
        found = []
        if not isinstance(self.name, str) or not re.fullmatch(r"[a-zA-Z0-9_-]+", self.name):
            found.append(Problem("name", COLUMN_NAME_MESSAGE))
        return found + check_choice(self, "type", "The data type")


@dataclass
class GsiSpec(Spec):
    """One global secondary index: a name, a partition key and an optional sort key, among the table's columns."""

    flow = "gsi"

    name: str = answer("", "Please provide the GSI name",
                       help="Queries name the index they use. Letters, digits, - and _, 3-255 characters.")
    partition_key: str = answer("", "Please choose partition key for the GSI",
                                choices_from=lambda table: key_columns(table),
                                help="The attribute the index groups items by (a string, number or binary column).")
    sort_key: str = answer("", "Please choose sort key for the GSI", choices_from=lambda table: key_columns(table),
                           optional="Do you want to add a sort key to your global secondary index?",
                           help="Optional: orders the items of one partition key in the index.")

    def problems(self) -> list[Problem]:
        found = []
        if not isinstance(self.name, str) or not re.fullmatch(r"[a-zA-Z0-9_-]+", self.name):
            found.append(Problem("name", GSI_NAME_MESSAGE))
        elif not 3 <= len(self.name) <= 255:
            found.append(Problem("name", "A GSI name must be between 3 and 255 characters long."))
        if not isinstance(self.partition_key, str) or not self.partition_key:
            found.append(Problem("partition_key", "Choose the GSI's partition key among the table's columns."))
        if not isinstance(self.sort_key, str):
            found.append(Problem("sort_key", f"The GSI's sort key must be a column name (got {self.sort_key!r})."))
        elif self.sort_key and self.sort_key == self.partition_key:
            found.append(Problem("sort_key", "The GSI's sort key must differ from its partition key."))
        return found


def _nosql(spec: "StorageSpec") -> bool:
    return spec.service == "nosql"


def _content(spec: "StorageSpec") -> bool:
    return spec.service == "content"


@dataclass
class StorageSpec(InProject, Spec):
    flow = "storage"

    name_token: str = context(default_factory=lambda: secrets.token_hex(4))  # the 8 hex of the default names
    project_name: str = context("amplify")
    resources: tuple[ProjectResource, ...] | None = context(None)  # None: not known (no project check)

    service: str = answer(
        "nosql", "Please select from one of the below mentioned services", choices=SERVICES,
        help="NoSQL Database: a DynamoDB table (the tutorial's beers). Content: an S3 bucket for files "
             "(images, audio, video) that signed-in users upload and read.")
    resource_name: str = answer(
        "", "Please provide a friendly name for your resource that will be used to label this category in the project",
        follows=lambda s: default_resource_name(s.service, s.name_token),
        help="The folder under amplify/backend/storage/ and the name other resources use to refer to it "
             "(a function's access, STORAGE_<NAME>_NAME). Letters and digits only.")
    table_name: str = answer(
        "", "Please provide table name", when=_nosql, follows=lambda s: s.resource_name,
        help="The DynamoDB table; it is deployed as <table>-<env>, one per environment. Letters, digits, . - _.")
    columns: list = answer(
        [{"name": "id", "type": "string"}], "You can now add columns to the table.", kind="rows", item=ColumnSpec,
        when=_nosql, more="Would you like to add another column?",
        help="DynamoDB stores any attributes on an item; the columns named here are the ones keys and indexes "
             "may use (and that Amplify documents in aws-exports).")
    partition_key: str = answer(
        "", "Please choose partition key for the table", choices_from=lambda s: key_columns(s), when=_nosql,
        follows=_first_key_column,
        help="Every item has a unique partition key (with the sort key, if any). It cannot change later.")
    sort_key: str = answer(
        "", "Please choose sort key for the table", choices_from=lambda s: key_columns(s, exclude=s.partition_key),
        when=_nosql, optional="Do you want to add a sort key to your table?",
        help="Optional: several items may share a partition key and are ordered by the sort key. It cannot change later.")
    gsis: list = answer(
        [], "Global secondary indexes", kind="rows", item=GsiSpec, when=_nosql,
        optional="Do you want to add global secondary indexes to your table?",
        more="Do you want to add more global secondary indexes to your table?",
        help="An index lets you query by other attributes (e.g. every beer of a style). "
             "Indexes can be added and removed later.")
    bucket_name: str = answer(
        "", "Please provide bucket name", when=_content,
        follows=lambda s: default_bucket_name(s.project_name, s.name_token),
        help="The S3 bucket; it is deployed as <bucket>-<env>. Lower-case letters, digits and -, 3-47 characters.")
    storage_access: str = answer(
        "auth", "Who should have access", choices=STORAGE_ACCESS, when=_content,
        help="Signed-in users only, or guests (visitors who have not signed in) too.")
    auth_access: list = answer(
        ["create_and_update", "read", "delete"], "What kind of access do you want for Authenticated users?",
        choices=CONTENT_OPERATIONS, kind="multi", when=_content,
        help="What signed-in users may do with the files (public/, protected/{id}/ and private/{id}/ paths).")
    guest_access: list = answer(
        ["read"], "What kind of access do you want for Guest users?", choices=CONTENT_OPERATIONS, kind="multi",
        when=lambda s: _content(s) and s.storage_access == "auth_and_guest",
        help="What visitors who have not signed in may do with the public/ files.")

    # --- what the category deploys ---------------------------------------------------------------------------
    def deployed_table_name(self, env: str) -> str:
        return f"{self.table_name}-{env}"

    def deployed_bucket_name(self, env: str) -> str:
        return f"{self.bucket_name}-{env}"

    def column_type(self, name: str) -> str:
        return next((c.get("type", "") for c in self.columns if c.get("name") == name), "")

    def attribute_type(self, name: str) -> str:
        """DynamoDB's AttributeType (S, N, B) of a key column."""
        return KEY_TYPES[self.column_type(name)]

    def key_schema(self) -> list[dict]:
        keys = [{"AttributeName": self.partition_key, "KeyType": "HASH"}]
        return keys + ([{"AttributeName": self.sort_key, "KeyType": "RANGE"}] if self.sort_key else [])

    def attribute_definitions(self) -> list[dict]:
        """Every attribute a key of the table or of an index uses, once each (DynamoDB refuses any other)."""
        names = [self.partition_key, self.sort_key] + [k for g in self.gsis for k in (g["partition_key"], g.get("sort_key", ""))]
        unique = [n for i, n in enumerate(names) if n and n not in names[:i]]
        return [{"AttributeName": n, "AttributeType": self.attribute_type(n)} for n in unique]

    def gsi_definitions(self) -> list[dict]:
        return [{"IndexName": g["name"],
                 "KeySchema": [{"AttributeName": g["partition_key"], "KeyType": "HASH"}]
                 + ([{"AttributeName": g["sort_key"], "KeyType": "RANGE"}] if g.get("sort_key") else []),
                 "Projection": {"ProjectionType": "ALL"}} for g in self.gsis]

    # --- rules ---------------------------------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        found = check_choice(self, "service", "The service")
        if not isinstance(self.resource_name, str) or not re.fullmatch(r"[a-zA-Z0-9]+", self.resource_name):
            found.append(Problem("resource_name", RESOURCE_NAME_MESSAGE))
        if self.service == "nosql":
            found += self._table_problems()
        elif self.service == "content":
            found += self._content_problems()
        return found

    def _table_problems(self) -> list[Problem]:
        found = []
        if not isinstance(self.table_name, str) or not re.fullmatch(r"[a-zA-Z0-9._-]+", self.table_name):
            found.append(Problem("table_name", TABLE_NAME_MESSAGE))
        elif len(self.table_name) < 3:
            found.append(Problem("table_name", "A table name must be at least 3 characters long."))
        columns = row_problems(self.question("columns"), self.columns, "Column")
        if columns:
            return found + columns
        if not self.columns:
            found.append(Problem("columns", "Add at least one column: the table needs one for its partition key."))
        names = [c["name"] for c in self.columns]
        found += [Problem("columns", f"Column names must be unique: {n!r} appears {names.count(n)} times.")
                  for n in sorted(set(names)) if names.count(n) > 1]
        keys = key_columns(self)
        key_message = (f"must be one of the table's columns of type string, number or binary "
                       f"({', '.join(keys) or 'none yet: add one'})")
        if self.partition_key not in keys:
            found.append(Problem("partition_key", f"The partition key {key_message}."))
        if self.sort_key and self.sort_key not in keys:
            found.append(Problem("sort_key", f"The sort key {key_message}."))
        elif self.sort_key and self.sort_key == self.partition_key:
            found.append(Problem("sort_key", "The sort key must differ from the partition key."))
        found += self._gsi_problems(keys, key_message)
        return found

    def _gsi_problems(self, keys: list[str], key_message: str) -> list[Problem]:
        found = row_problems(self.question("gsis"), self.gsis, "GSI")
        if found:
            return found
        if len(self.gsis) > MAX_GSIS:
            found.append(Problem("gsis", f"A table can have at most {MAX_GSIS} global secondary indexes."))
        names = [g["name"] for g in self.gsis]
        found += [Problem("gsis", f"GSI names must be unique: {n!r} appears {names.count(n)} times.")
                  for n in sorted(set(names)) if names.count(n) > 1]
        for gsi in self.gsis:
            for role in ("partition_key", "sort_key"):
                value = gsi.get(role, "")
                if value and value not in keys:
                    found.append(Problem("gsis", f"GSI {gsi['name']}: the {role.replace('_', ' ')} {key_message}."))
        return found

    def _content_problems(self) -> list[Problem]:
        found = []
        if not isinstance(self.bucket_name, str) or not re.fullmatch(r"[a-z0-9-]{3,47}", self.bucket_name):
            found.append(Problem("bucket_name", CONTENT_BUCKET_MESSAGE))
        else:
            found += bucket_name_problems("bucket_name", self.bucket_name)
        found += check_choice(self, "storage_access", "Who should have access")
        audiences = [("auth_access", "Authenticated users")]
        if self.storage_access == "auth_and_guest":
            audiences.append(("guest_access", "Guest users"))
        values = [v for v, _ in CONTENT_OPERATIONS]
        for field_name, who in audiences:
            chosen = getattr(self, field_name)
            if not isinstance(chosen, list) or not chosen or any(c not in values for c in chosen):
                found.append(Problem(field_name, f"Select at least one kind of access for {who} among: "
                                                 f"{', '.join(values)} (got {chosen!r})."))
        if self.resources is not None and not any(r.category == "auth" for r in self.resources):
            found.append(Problem("service", "Content storage gives access to signed-in users: add auth first "
                                            "(`amplify-nb add auth`)."))
        return found

    def env_problems(self, env: str) -> list[Problem]:
        """Problems that depend on the environment name appended to the deployed names."""
        if self.service == "nosql" and isinstance(self.table_name, str) \
                and len(self.deployed_table_name(env)) > MAX_TABLE_NAME:
            return [Problem("table_name", f"With the environment name appended the table name would be "
                                          f"{len(self.deployed_table_name(env))} characters; DynamoDB allows {MAX_TABLE_NAME}.")]
        return []

    def problems_for_update(self, old: "StorageSpec") -> list[Problem]:
        """What an update may not change: the service, names and keys of what exists (GSIs may come and go)."""
        found = []
        for field_name, label in (("service", "Service"), ("resource_name", "Resource name")):
            if getattr(self, field_name) != getattr(old, field_name):
                found.append(Problem(field_name, f"{label} cannot be changed (it is {getattr(old, field_name)!r})."))
        if old.service != "nosql" or self.service != old.service:
            if old.service == "content" and self.bucket_name != old.bucket_name:
                found.append(Problem("bucket_name", f"Bucket name cannot be changed (it is {old.bucket_name!r})."))
            return found
        if self.table_name != old.table_name:
            found.append(Problem("table_name", f"Table name cannot be changed (it is {old.table_name!r})."))
        for field_name, label in (("partition_key", "Partition key"), ("sort_key", "Sort key")):
            before, after = getattr(old, field_name), getattr(self, field_name)
            if after != before:
                found.append(Problem(field_name, f"{label} cannot be changed (it is {before or 'none'!r})."))
            elif before and self.column_type(before) != old.column_type(before):
                found.append(Problem("columns", f"The type of the {label.lower()} column {before!r} cannot be "
                                                f"changed (it is {old.column_type(before)})."))
        kept = {g["name"]: g for g in old.gsis}
        for gsi in self.gsis:
            before = kept.get(gsi["name"])
            if before is None:
                continue
            same = (gsi["partition_key"], gsi.get("sort_key", "")) == (before["partition_key"], before.get("sort_key", ""))
            if not same:
                found.append(Problem("gsis", f"GSI {gsi['name']} cannot be changed: remove it and add an index under "
                                             f"another name."))
            else:
                for key in (k for k in (gsi["partition_key"], gsi.get("sort_key", "")) if k):
                    if self.column_type(key) != old.column_type(key):
                        found.append(Problem("columns", f"The type of column {key!r} cannot be changed: GSI "
                                                        f"{gsi['name']} uses it as a key."))
        return found
