"""A function's execution role gets exactly the actions its access answers ask for, on exactly those resources
(and the table's indexes), plus its own log group only; anything unknown is refused, not silently granted."""
import pytest

from amplify_nb.deploy.rules.dynamodb import table_arn
from amplify_nb.errors import InputError
from amplify_nb.functions.environment import function_environment
from amplify_nb.functions.permissions import LOGS_POLICY, RESOURCES_POLICY, execution_role_policies

REGION, ACCOUNT = "eu-west-1", "123456789012"
BEER = table_arn(REGION, ACCOUNT, "beer-dev")
BUCKET = "arn:aws:s3:::beerfiles-dev"
ARNS = {"storage": {"beer": BEER, "files": BUCKET}}


def test_a_function_without_access_may_only_write_its_own_logs():
    policies = execution_role_policies("beerfn-dev", REGION, ACCOUNT)
    assert list(policies) == [LOGS_POLICY]
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/beerfn-dev"
    assert policies[LOGS_POLICY]["Statement"] == [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": f"{group}:*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{group}:log-stream:*"}]


def test_read_on_a_table_grants_amplifys_read_actions_on_the_table_and_its_indexes_only():
    policies = execution_role_policies("fn", REGION, ACCOUNT, {"storage": {"beer": ["read"]}}, ARNS)
    assert policies[RESOURCES_POLICY]["Statement"] == [{
        "Effect": "Allow", "Resource": [BEER, f"{BEER}/index/*"],
        "Action": ["dynamodb:Get*", "dynamodb:BatchGetItem", "dynamodb:List*", "dynamodb:Describe*", "dynamodb:Scan",
                   "dynamodb:Query", "dynamodb:PartiQLSelect"]}]


def test_each_crud_operation_adds_its_own_table_actions_and_no_other():
    def actions(*operations):
        policies = execution_role_policies("fn", REGION, ACCOUNT, {"storage": {"beer": list(operations)}}, ARNS)
        return set(policies[RESOURCES_POLICY]["Statement"][0]["Action"])

    assert actions("create") == {"dynamodb:Put*", "dynamodb:Create*", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert"}
    assert actions("update") == {"dynamodb:Update*", "dynamodb:RestoreTable*", "dynamodb:PartiQLUpdate"}
    assert actions("delete") == {"dynamodb:Delete*", "dynamodb:PartiQLDelete"}
    assert actions("create", "read", "update", "delete") == (
        actions("create") | actions("read") | actions("update") | actions("delete"))


def test_bucket_access_grants_object_actions_and_list_only_for_read():
    policies = execution_role_policies("fn", REGION, ACCOUNT, {"storage": {"files": ["read", "create", "update"]}}, ARNS)
    assert policies[RESOURCES_POLICY]["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [BUCKET]},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": [f"{BUCKET}/*"]}]
    delete_only = execution_role_policies("fn", REGION, ACCOUNT, {"storage": {"files": ["delete"]}}, ARNS)
    assert delete_only[RESOURCES_POLICY]["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:DeleteObject"], "Resource": [f"{BUCKET}/*"]}]


def test_two_resources_get_one_statement_each_on_their_own_arns():
    policies = execution_role_policies("fn", REGION, ACCOUNT, {"storage": {"beer": ["read"], "files": ["delete"]}}, ARNS)
    resources = [statement["Resource"] for statement in policies[RESOURCES_POLICY]["Statement"]]
    assert resources == [[BEER, f"{BEER}/index/*"], [f"{BUCKET}/*"]]


def test_unknown_operations_and_resources_are_refused_with_every_problem_named():
    with pytest.raises(InputError) as raised:
        execution_role_policies("fn", REGION, ACCOUNT, {"storage": {"beer": ["read", "write"], "ghost": ["read"]}}, ARNS)
    assert [problem.message for problem in raised.value.problems] == [
        "storage/beer: unknown operation(s) write; choose from create, read, update, delete.",
        "storage/ghost: no such resource in the project."]


def test_a_resource_that_is_neither_a_table_nor_a_bucket_is_refused():
    with pytest.raises(InputError, match="neither a DynamoDB table nor an S3 bucket"):
        execution_role_policies("fn", REGION, ACCOUNT, {"function": {"other": ["read"]}},
                                {"function": {"other": "arn:aws:lambda:eu-west-1:1:function:other"}})


def test_access_gives_amplifys_environment_variable_names():
    variables = function_environment("dev", REGION, {"storage": {"beer": {"Name": "beer-dev", "Arn": BEER, "StreamArn": "s"}}},
                                     {"GREETING": "hi"})
    assert variables == {"ENV": "dev", "REGION": REGION, "STORAGE_BEER_NAME": "beer-dev", "STORAGE_BEER_ARN": BEER,
                         "STORAGE_BEER_STREAMARN": "s", "GREETING": "hi"}
    with pytest.raises(ValueError, match="ENV is set by Amplify"):
        function_environment("dev", REGION, {}, {"ENV": "prod"})
