"""add function (Python): Amplify's defaults, the runtime matching this machine, CRUD data sources, resource access,
advanced settings and environment variables, with every rule's message."""
import pytest
import yaml

from amplify_nb.errors import InputError
from amplify_nb.specs import FunctionSpec, ProjectResource
from amplify_nb.specs.function import FUNCTION_NAME_MESSAGE, LAMBDA_PYTHON_RUNTIMES, default_runtime

PROJECT = (ProjectResource("auth", "beerauth", "Cognito"), ProjectResource("storage", "beer", "DynamoDB"),
           ProjectResource("storage", "photos", "S3"), ProjectResource("function", "beerfn", "Lambda"))


def spec(answers=None, resources=PROJECT) -> FunctionSpec:
    return FunctionSpec.for_project("beerapp", resources, {"name": "beerfn", **(answers or {})})


def messages(value, field=None) -> list[str]:
    return [p.message for p in value.problems() if field is None or p.field == field]


def test_defaults_are_amplifys_and_valid():
    fresh = FunctionSpec.for_project("beer-app", PROJECT)
    assert fresh.name.startswith("beerapp") and len(fresh.name) == len("beerapp") + 8
    assert (fresh.runtime, fresh.template, fresh.timeout, fresh.memory) == ("python", "hello-world", 25, 128)
    assert fresh.access == {} and fresh.environment == {} and fresh.problems() == []


@pytest.mark.parametrize("name", ["beer-fn", "beer_fn", "", "fn!"])
def test_the_name_is_alphanumeric(name):
    assert messages(spec({"name": name}) if name else spec().replace(name="é"), "name") == [FUNCTION_NAME_MESSAGE]


def test_the_default_runtime_is_the_one_of_this_python_with_a_warning_otherwise():
    assert default_runtime((3, 12)) == "python3.12"
    assert default_runtime((3, 15)) == "python3.14" and default_runtime((3, 9)) == "python3.11"
    assert spec().runtime_warnings((3, 12)) == []
    assert spec().runtime_warnings((3, 15)) == [
        "This machine runs Python 3.15 but the function will run on Lambda's python3.14: code that works here may "
        "behave differently there."]
    assert spec({"runtime": "python3.13"}).runtime_warnings((3, 12))[0].startswith("This machine runs Python 3.12")
    assert spec().lambda_runtime in LAMBDA_PYTHON_RUNTIMES


def test_an_unsupported_runtime_is_refused():
    assert messages(spec({"runtime": "python3.8"}), "runtime") == [
        "The runtime must be one of: python, python3.11, python3.12, python3.13, python3.14 (got 'python3.8')."]
    assert messages(spec({"runtime": "nodejs20.x"}), "runtime")


def test_crud_uses_a_table_of_the_project_by_default():
    crud = spec({"template": "crud-dynamodb"})
    assert (crud.data_source, crud.table, crud.crud_table) == ("project", "beer", "beer")
    assert crud.problems() == [] and crud.applies("table") and not crud.applies("new_table")
    assert messages(spec({"template": "crud-dynamodb", "table": "photos"}), "table") == [
        "The project has no DynamoDB table 'photos' (tables: beer)."]


def test_table_applies_only_to_the_crud_template():
    hello = spec({"table": "nothing"})
    assert not hello.applies("table") and hello.problems() == [] and hello.crud_table == ""


def test_without_tables_the_crud_creates_one_with_stable_names():
    crud = spec({"template": "crud-dynamodb"}, resources=())
    assert crud.data_source == "new" and crud.problems() == []
    table = crud.new_table_spec()
    assert table.service == "nosql" and table.resource_name == crud.new_table_spec().resource_name
    assert crud.crud_table == table.resource_name
    assert "STORAGE_" + table.resource_name.upper() + "_NAME" in crud.environment_variable_names()


def test_new_table_answers_from_yaml_are_checked_as_storage_answers():
    answers = yaml.safe_load("""
        template: crud-dynamodb
        new_table:
          resource_name: beer2
          columns: [{name: id, type: string}, {name: abv, type: number}]
          partition_key: abv
    """)
    made = spec(answers)
    assert made.data_source == "new" and made.problems() == []
    assert made.new_table_spec().partition_key == "abv"
    bad = spec({**answers, "new_table": {"resource_name": "beer", "columns": "id:nosuchtype"}})
    found = messages(bad, "new_table")
    assert "new_table: the project already has a storage resource named 'beer': choose another name or use it (table)." in found
    assert any(m.startswith("new_table: Column 1 (id): The data type must be one of") for m in found)
    assert messages(spec({**answers, "new_table": {"service": "content"}}), "new_table")[0] == \
        "new_table: the CRUD function needs a NoSQL Database (service: nosql)."
    assert messages(spec({**answers, "new_table": {"colour": "red"}}), "new_table")[0].startswith(
        "new_table: Unknown answer 'colour' for storage")


def test_table_and_new_table_are_mutually_exclusive():
    both = spec({"template": "crud-dynamodb", "table": "beer", "new_table": {"resource_name": "other"}})
    assert messages(both, "table") == ["table and new_table are mutually exclusive: use a table of the project "
                                       "(table) or create one (new_table)."]


def test_access_names_resources_and_operations_of_the_project():
    good = spec({"access": {"storage": {"beer": ["create", "read"]}, "auth": {"beerauth": ["read"]}}})
    assert good.applies("access") and good.problems() == []
    assert good.environment_variable_names() == ["ENV", "REGION", "STORAGE_BEER_NAME", "STORAGE_BEER_ARN",
                                                 "STORAGE_BEER_STREAMARN"]
    assert messages(spec({"access": {"storage": {"nope": ["read"]}}}), "access") == [
        "The project has no storage resource 'nope' to give access to (resources: auth/beerauth, storage/beer, "
        "storage/photos)."]
    assert messages(spec({"access": {"storage": {"beer": ["write"]}}}), "access") == [
        "Operations on storage/beer must be a non-empty list of: create, read, update, delete (got ['write'])."]
    assert messages(spec({"access": {"storage": {"beer": []}}}), "access")
    assert messages(spec({"access": {"storage": {"beer": ["read", "read"]}}}), "access") == [
        "Each operation on storage/beer may appear only once."]
    assert "to give access to" in messages(spec({"access": {"function": {"beerfn": ["read"]}}}), "access")[0]
    assert messages(spec({"access": ["storage"]}), "access")[0].startswith("Access must be a mapping")


def test_access_text_from_a_flag():
    made = spec({"access": "storage/beer=create+read,auth/beerauth=read"})
    assert made.access == {"storage": {"beer": ["create", "read"]}, "auth": {"beerauth": ["read"]}}
    with pytest.raises(InputError, match="should be CATEGORY/RESOURCE=OP"):
        spec({"access": "storage-beer"})


def test_access_without_a_known_project_checks_the_shape_only():
    made = FunctionSpec.from_answers({"name": "fn", "access": {"storage": {"anything": ["read"]}}})
    assert made.problems() == []


def test_advanced_settings_apply_when_chosen_or_given():
    plain = spec()
    assert not plain.applies("timeout") and not plain.applies("access")
    assert spec({"advanced_settings": True}).applies("timeout")
    given = spec({"timeout": 60})
    assert given.applies("timeout") and given.problems() == []


@pytest.mark.parametrize("field,value,message", [
    ("timeout", 0, "The timeout must be a whole number between 1 and 900 seconds (got 0)."),
    ("timeout", 901, "The timeout must be a whole number between 1 and 900 seconds (got 901)."),
    ("memory", 64, "The memory must be a whole number between 128 and 10240 MB (got 64)."),
    ("memory", "lots", "The memory must be a whole number between 128 and 10240 MB (got 'lots')."),
])
def test_timeout_and_memory_limits(field, value, message):
    assert messages(spec({field: value}), field) == [message]


def test_environment_variables_follow_lambdas_rules():
    assert spec({"environment": "STAGE=dev,LIMIT=10"}).environment == {"STAGE": "dev", "LIMIT": "10"}
    assert spec({"environment": {"STAGE": "dev"}}).problems() == []
    assert messages(spec({"environment": {"1ST": "x"}}), "environment") == [
        "Environment variable names must start with a letter and use only letters, digits and _ (got '1ST')."]
    assert messages(spec({"environment": {"AWS_REGION": "x"}}), "environment") == [
        "AWS_REGION is reserved: Lambda or amplify_nb sets it."]
    assert messages(spec({"environment": {"ENV": "x"}}), "environment")
    assert messages(spec({"environment": {"STORAGE_BEER_NAME": "x"}}), "environment")
    assert messages(spec({"environment": {"BIG": "x" * 5000}}), "environment") == [
        "Environment variables take 5003 bytes; Lambda allows 4096 in all."]
    assert messages(spec({"environment": {"FLAG": True}}), "environment") == ["The value of FLAG must be text (got True)."]


def test_unknown_answers_are_refused():
    with pytest.raises(InputError, match="Unknown answer 'runtim'"):
        spec({"runtim": "python"})
    with pytest.raises(InputError, match="Unknown answer 'resources'"):
        FunctionSpec.from_answers({"resources": []})  # the project's resources are context, not an answer


def test_update_refuses_a_new_name_only():
    old = spec()
    assert spec({"runtime": "python3.13", "timeout": 30}).problems_for_update(old) == []
    assert [p.message for p in spec({"name": "other"}).problems_for_update(old)] == [
        "Function name cannot be changed (it is 'beerfn')."]


def test_the_deployed_name_with_the_env_must_fit_lambda():
    long = spec({"name": "f" * 61}).env_problems("dev")
    assert [p.message for p in long] == [f"With the environment name appended the function would be {'f' * 61 + '-dev'!r} "
                                         "(65 characters); Lambda allows 64. Choose a name of at most 60 characters."]
    assert spec({"name": "f" * 60}).env_problems("dev") == []
