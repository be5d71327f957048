"""Names owned by another project on the same cloud: a table or function `<name>-<env>` that exists without this
env's `amplify-nb:stack` tag is never adopted, updated or deleted (a second project's push once planned to update
another's `beer-dev`). Pinned with botocore's Stubber."""
from __future__ import annotations

import pytest
from stubs import stubbed_target

from amplify_nb.deploy import RemoteState, plan_push
from amplify_nb.deploy.rules.awslambda import Function
from amplify_nb.deploy.rules.dynamodb import Key, Table, table_arn
from amplify_nb.errors import InputError, UnsafeDeletionError

ACCOUNT = "123456789012"
TABLE, FUNCTION = "beer-dev", "beerfn-dev"
ARN = table_arn("us-east-1", ACCOUNT, TABLE)
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FUNCTION}"
MINE = {"user:Stack": "dev", "user:Application": "beer", "amplify-nb:stack": "amplify-beer-dev-11111"}
THEIRS = {"user:Stack": "dev", "user:Application": "beer", "amplify-nb:stack": "amplify-beer-dev-22222"}


def described(status="ACTIVE"):
    return {"Table": {"TableName": TABLE, "TableStatus": status, "TableArn": ARN,
                      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                      "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                      "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                      "LatestStreamArn": f"{ARN}/stream/2026-01-01T00:00:00.000"}}


def table_found(dynamodb, tags, status="ACTIVE"):
    dynamodb.add_response("describe_table", described(status), {"TableName": TABLE})
    dynamodb.add_response("list_tags_of_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
                          {"ResourceArn": ARN})


def test_a_table_of_another_project_with_the_same_name_is_refused_naming_its_owner():
    target, stubs = stubbed_target("dynamodb")
    table_found(stubs["dynamodb"], THEIRS)
    with pytest.raises(InputError) as refused:
        plan_push([Table(TABLE, partition_key=Key("id"), tags=MINE)], [], RemoteState(target))
    message = str(refused.value)
    assert "amplify-beer-dev-22222" in message and "amplify-beer-dev-11111" in message
    assert "--table-name" in message and "Nothing was changed" in message


def test_an_untagged_table_of_that_name_is_not_adopted_either():
    target, stubs = stubbed_target("dynamodb")
    table_found(stubs["dynamodb"], {"team": "data"})
    with pytest.raises(InputError, match="has no amplify-nb:stack tag"):
        plan_push([Table(TABLE, partition_key=Key("id"), tags=MINE)], [], RemoteState(target))


def test_our_own_table_is_planned_as_before():
    target, stubs = stubbed_target("dynamodb")
    table_found(stubs["dynamodb"], {**MINE, "team": "data"})
    assert plan_push([Table(TABLE, partition_key=Key("id"), tags=MINE)], [], RemoteState(target)).calls == []


def function_found(awslambda, tags):
    awslambda.add_response("get_function", {"Configuration": {
        "FunctionName": FUNCTION, "FunctionArn": FUNCTION_ARN, "Runtime": "python3.12", "Handler": "index.handler",
        "CodeSha256": "abc", "State": "Active", "LastUpdateStatus": "Successful"}, "Tags": tags},
        {"FunctionName": FUNCTION})


def test_a_function_of_another_project_with_the_same_name_is_refused_naming_its_owner(tmp_path):
    target, stubs = stubbed_target("lambda")
    function_found(stubs["lambda"], THEIRS)
    model = Function(FUNCTION, role="arn:aws:iam::1:role/r", zip_path=str(tmp_path / "none.zip"), code_sha256="new",
                     tags=MINE)
    with pytest.raises(InputError) as refused:
        plan_push([model], [], RemoteState(target))
    assert "Lambda function named 'beerfn-dev'" in str(refused.value) and "amplify-beer-dev-22222" in str(refused.value)
    assert "remove function" in str(refused.value)


def test_the_sweeper_never_deletes_a_table_that_another_project_now_owns():
    """The env recorded beer-dev; it was deleted by hand and another project made its own beer-dev since."""
    target, stubs = stubbed_target("dynamodb")
    table_found(stubs["dynamodb"], THEIRS)
    recorded = [Table(TABLE, tags=MINE).identity()]
    assert recorded[0]["owner"] == MINE["amplify-nb:stack"]
    with pytest.raises(UnsafeDeletionError, match="amplify-beer-dev-22222"):
        plan_push([], recorded, RemoteState(target), owner_tags=MINE)


def test_the_sweeper_reads_a_functions_tags_even_for_a_record_made_before_owners_were_recorded():
    target, stubs = stubbed_target("lambda")
    function_found(stubs["lambda"], THEIRS)
    with pytest.raises(UnsafeDeletionError):
        plan_push([], [{"type": Function.type_name, "name": FUNCTION}], RemoteState(target), owner_tags=MINE)


def test_the_sweeper_refuses_an_untagged_table_when_the_record_says_it_was_ours():
    target, stubs = stubbed_target("dynamodb")
    table_found(stubs["dynamodb"], {})
    with pytest.raises(UnsafeDeletionError, match="no tag"):
        plan_push([], [Table(TABLE, tags=MINE).identity()], RemoteState(target), owner_tags=MINE)


def test_on_moto_a_second_projects_push_refuses_the_first_projects_table_and_plans_its_own_afterwards():
    """The same story on moto's DynamoDB (in process): project A made beer-dev; project B's push of a table of the
    same name is refused, and once B picks another name its plan creates that table and leaves A's alone."""
    import boto3
    from moto import mock_aws

    from amplify_nb.aws import Target

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              Tags=[{"Key": k, "Value": v} for k, v in THEIRS.items()])
        target = Target(kind="aws", profile="unused")
        target._clients["dynamodb"] = dynamodb
        with pytest.raises(InputError, match="amplify-beer-dev-22222"):
            plan_push([Table(TABLE, partition_key=Key("id"), tags=MINE)], [], RemoteState(target))
        plan = plan_push([Table("beer2-dev", partition_key=Key("id"), tags=MINE)], [], RemoteState(target))
        assert [(call.method, call.params["TableName"]) for call in plan.calls] == [("create_table", "beer2-dev")]
