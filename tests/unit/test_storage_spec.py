"""add storage: Amplify's defaults, names, column loop, keys and GSIs; content access; what an update may change."""
import pytest
import yaml

from amplify_nb.errors import InputError
from amplify_nb.specs import ProjectResource, StorageSpec
from amplify_nb.specs.storage import (
    COLUMN_NAME_MESSAGE,
    CONTENT_BUCKET_MESSAGE,
    GSI_NAME_MESSAGE,
    RESOURCE_NAME_MESSAGE,
    TABLE_NAME_MESSAGE,
)

BEER_YAML = """
service: nosql
resource_name: beer
table_name: beer
columns:
  - {name: id, type: string}
  - {name: style, type: string}
  - {name: abv, type: number}
  - {name: tags, type: string-set}
partition_key: id
sort_key: abv
gsis:
  - {name: byStyle, partition_key: style, sort_key: abv}
"""


def beer(**changes) -> StorageSpec:
    return StorageSpec.from_answers({**yaml.safe_load(BEER_YAML), **changes})


def messages(spec, field=None) -> list[str]:
    return [p.message for p in spec.problems() if field is None or p.field == field]


def test_defaults_are_amplifys_and_valid():
    spec = StorageSpec.for_project("beerapp")
    assert spec.service == "nosql"
    assert spec.resource_name.startswith("dynamo") and len(spec.resource_name) == len("dynamo") + 8
    int(spec.resource_name[6:], 16)
    assert spec.table_name == spec.resource_name  # Amplify's table name default
    assert spec.columns == [{"name": "id", "type": "string"}] and spec.partition_key == "id"
    assert spec.sort_key == "" and spec.gsis == [] and spec.problems() == []


def test_two_specs_get_different_default_names():
    assert StorageSpec().resource_name != StorageSpec().resource_name


def test_a_yaml_file_with_lists_builds_the_table():
    spec = beer()
    assert spec.problems() == []
    assert spec.key_schema() == [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "abv", "KeyType": "RANGE"}]
    assert spec.attribute_definitions() == [{"AttributeName": "id", "AttributeType": "S"},
                                            {"AttributeName": "abv", "AttributeType": "N"},
                                            {"AttributeName": "style", "AttributeType": "S"}]
    assert spec.gsi_definitions()[0]["KeySchema"] == [{"AttributeName": "style", "KeyType": "HASH"},
                                                       {"AttributeName": "abv", "KeyType": "RANGE"}]
    assert spec.deployed_table_name("dev") == "beer-dev"


def test_flag_text_for_rows_is_name_colon_type_or_json():
    spec = StorageSpec.from_answers({"columns": "id:string,abv:number", "gsis": '[{"name": "byAbv", "partition_key": "abv"}]'})
    assert spec.columns == [{"name": "id", "type": "string"}, {"name": "abv", "type": "number"}]
    assert spec.gsis == [{"name": "byAbv", "partition_key": "abv"}]
    assert spec.problems() == []


def test_a_row_with_too_many_parts_is_refused():
    with pytest.raises(InputError, match="more than 2 parts"):
        StorageSpec.from_answers({"columns": "id:string:extra"})


def test_unknown_answers_are_refused_at_the_top_and_in_a_row():
    with pytest.raises(InputError, match="Unknown answer 'colums'"):
        StorageSpec.from_answers({"colums": []})
    with pytest.raises(InputError, match="columns row 2: Unknown answer 'typ'"):
        StorageSpec.from_answers({"columns": [{"name": "id", "type": "string"}, {"name": "x", "typ": "number"}]})


@pytest.mark.parametrize("name", ["my-beer", "beer_1", "bière", 12])
def test_resource_name_is_alphanumeric(name):
    assert messages(beer(resource_name=name), "resource_name") == [RESOURCE_NAME_MESSAGE]


@pytest.mark.parametrize("name,ok", [("beer.v1_x-2", True), ("beer table", False), ("be", False), ("bier$", False)])
def test_table_name_rules(name, ok):
    found = messages(beer(table_name=name), "table_name")
    assert (found == []) is ok
    if not ok and name != "be":
        assert found == [TABLE_NAME_MESSAGE]


def test_column_names_and_types_are_checked_per_row():
    spec = beer(columns=[{"name": "id", "type": "string"}, {"name": "a b", "type": "text"}])
    found = messages(spec, "columns")
    assert f"Column 2 (a b): {COLUMN_NAME_MESSAGE}" in found
    assert any(m.startswith("Column 2 (a b): The data type must be one of: string, number, binary, boolean, list, map, "
                            "null, string-set, number-set, binary-set") for m in found)


def test_duplicate_columns_and_no_columns_are_refused():
    assert "Column names must be unique: 'id' appears 2 times." in messages(
        beer(columns=[{"name": "id", "type": "string"}, {"name": "id", "type": "number"}]), "columns")
    assert messages(beer(columns=[], gsis=[]), "columns") == [
        "Add at least one column: the table needs one for its partition key."]


def test_keys_must_be_columns_of_a_key_type():
    found = messages(beer(partition_key="tags"), "partition_key")
    assert found == ["The partition key must be one of the table's columns of type string, number or binary "
                     "(id, style, abv)."]
    assert messages(beer(sort_key="nope"), "sort_key")[0].startswith("The sort key must be one of")
    assert messages(beer(sort_key="id"), "sort_key") == ["The sort key must differ from the partition key."]


def test_gsi_rules():
    assert f"GSI 1 (b y): {GSI_NAME_MESSAGE}" in messages(beer(gsis=[{"name": "b y", "partition_key": "style"}]))
    assert "GSI 1 (ab): A GSI name must be between 3 and 255 characters long." in messages(
        beer(gsis=[{"name": "ab", "partition_key": "style"}]))
    assert "GSI byTags: the partition key must be one of the table's columns of type string, number or binary " \
           "(id, style, abv)." in messages(beer(gsis=[{"name": "byTags", "partition_key": "tags"}]))
    assert "GSI 1 (bySame): The GSI's sort key must differ from its partition key." in messages(
        beer(gsis=[{"name": "bySame", "partition_key": "style", "sort_key": "style"}]))
    twice = [{"name": "byStyle", "partition_key": "style"}] * 2
    assert "GSI names must be unique: 'byStyle' appears 2 times." in messages(beer(gsis=twice))
    many = [{"name": f"index{n}", "partition_key": "style"} for n in range(21)]
    assert "A table can have at most 20 global secondary indexes." in messages(beer(gsis=many))


def test_the_name_follows_the_service_until_the_user_types_one():
    spec = StorageSpec.for_project("beerapp")
    token = spec.resource_name[-8:]
    content = spec.answered({"service": "content"})
    assert content.resource_name == "s3" + token
    named = spec.answered({"resource_name": "beer"}).answered({"service": "content"})
    assert named.resource_name == "beer"
    assert spec.answered({"resource_name": "beer"}).table_name == "beer"  # the table name follows the name
    assert beer(table_name="beers").answered({"resource_name": "other"}).table_name == "beers"  # ...unless typed


def test_questions_of_the_other_service_do_not_apply_and_are_not_checked():
    content = StorageSpec.from_answers({"service": "content", "columns": "not a list", "table_name": "bad name!"},
                                       resources=(ProjectResource("auth", "beerauth", "Cognito"),))
    assert content.problems() == []
    assert not content.applies("columns") and not content.applies("partition_key") and content.applies("bucket_name")
    assert "columns" not in content.applicable_answers()
    assert not beer(bucket_name="NOT OK").applies("bucket_name") and messages(beer(bucket_name="NOT OK")) == []


def test_content_bucket_and_access_rules():
    auth = (ProjectResource("auth", "beerauth", "Cognito"),)
    spec = StorageSpec.for_project("beerapp", auth, {"service": "content"})
    assert spec.problems() == [] and spec.bucket_name.startswith("beerapp")
    assert messages(spec.replace(bucket_name="Beer_Bucket"), "bucket_name") == [CONTENT_BUCKET_MESSAGE]
    assert messages(spec.replace(bucket_name="b" * 48), "bucket_name") == [CONTENT_BUCKET_MESSAGE]
    assert messages(spec.replace(auth_access=[]), "auth_access")[0].startswith(
        "Select at least one kind of access for Authenticated users")
    assert not spec.applies("guest_access") and messages(spec.replace(guest_access=["fly"])) == []
    guests = spec.replace(storage_access="auth_and_guest", guest_access=["fly"])
    assert guests.applies("guest_access")
    assert messages(guests, "guest_access")[0].startswith("Select at least one kind of access for Guest users among: "
                                                          "create_and_update, read, delete")


def test_content_needs_auth_in_the_project():
    spec = StorageSpec.for_project("beerapp", [], {"service": "content"})
    assert messages(spec, "service") == ["Content storage gives access to signed-in users: add auth first "
                                         "(`amplify-nb add auth`)."]
    assert StorageSpec.from_answers({"service": "content"}).problems() == []  # no project known: not checked


def test_table_name_with_the_env_must_fit_dynamodb():
    assert beer(table_name="t" * 252).env_problems("dev")[0].message.startswith(
        "With the environment name appended the table name would be 256 characters; DynamoDB allows 255")
    assert beer(table_name="t" * 251).env_problems("dev") == []


def test_update_refuses_names_and_keys_and_allows_gsi_changes():
    old = beer()
    assert beer(gsis=[]).problems_for_update(old) == []
    more = old.gsis + [{"name": "byId", "partition_key": "id"}]
    assert beer(gsis=more).problems_for_update(old) == []
    assert beer(columns=old.columns + [{"name": "brewery", "type": "string"}]).problems_for_update(old) == []
    refused = {p.field: p.message for p in beer(resource_name="beer2", table_name="beer2", partition_key="style",
                                                 sort_key="").problems_for_update(old)}
    assert refused == {"resource_name": "Resource name cannot be changed (it is 'beer').",
                       "table_name": "Table name cannot be changed (it is 'beer').",
                       "partition_key": "Partition key cannot be changed (it is 'id').",
                       "sort_key": "Sort key cannot be changed (it is 'abv')."}
    retyped = [dict(c, type="number") if c["name"] == "id" else c for c in old.columns]
    assert [p.message for p in beer(columns=retyped).problems_for_update(old)] == [
        "The type of the partition key column 'id' cannot be changed (it is string)."]
    changed = [{"name": "byStyle", "partition_key": "style"}]
    assert [p.message for p in beer(gsis=changed).problems_for_update(old)] == [
        "GSI byStyle cannot be changed: remove it and add an index under another name."]
    assert beer(service="content").problems_for_update(old)[0].message == "Service cannot be changed (it is 'nosql')."
