"""Console edits are visible: `status --drift` compares the cloud with the env's last push, resource by resource.

The whole tutorial backend (hosting, auth, api with its function and table) is pushed, then changed behind the
project's back with boto3 the way the AWS console does it: each change is reported with its state and setting,
the check makes no mutating call, the push plan says which of its steps repair drift, and a push repairs all of it.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from cli_runner import run_cli

from amplify_nb import views
from amplify_nb.categories.root import tags
from amplify_nb.notebook import ensure_api
from amplify_nb.project import Project, push, show_plan
from amplify_nb.project.drift import drift

READ_OPERATIONS = ("Get", "List", "Describe", "Head")
SERVICES = ("s3", "dynamodb", "lambda", "iam", "cognito-idp", "cognito-identity", "apigateway", "cloudfront")


@pytest.fixture(scope="module")
def project(local_cloud, tmp_path_factory) -> Project:
    suffix = uuid.uuid4().hex[:6]  # the session's cloud is shared: a table or function name is one project's
    return ensure_api(tmp_path_factory.mktemp("drift") / "beerapp", "dev", function_name=f"beerfn{suffix}",
                      table_name=f"beer{suffix}")


def names(project: Project) -> dict:
    """The physical names and ids of the tutorial backend, from the last push's amplify-meta.json."""
    meta = project.amplify_meta(current=True)
    only = lambda category: next(iter(meta[category].values()))  # noqa: E731
    function = only("function")["output"]
    return {
        "stack": project.env_info()["awscloudformation"]["StackName"],
        "pool_id": only("auth")["output"]["UserPoolId"],
        "pool": next(r["name"] for r in only("auth")["providerMetadata"]["resources"] if r["type"] == "cognito-idp.UserPool"),
        "table": only("storage")["providerMetadata"]["resources"][0]["name"],
        "function": function["Name"],
        "role": function["LambdaExecutionRole"],
        "api_id": only("api")["output"]["ApiId"],
        "api": next(r["name"] for r in only("api")["providerMetadata"]["resources"] if r["type"] == "apigateway.RestApi"),
        "permission": next(r["name"] for r in only("api")["providerMetadata"]["resources"] if r["type"] == "lambda.Permission"),
        "bucket": only("hosting")["output"]["HostingBucketName"],
    }


def drift_json(project: Project) -> dict:
    """`amplify-nb status --drift --json`, by resource key."""
    out = json.loads(run_cli("status", "--drift", "--json", "--project-dir", str(project.root)).stdout)
    assert out["env"] == "dev"
    return {f"{row['type']}:{row['name']}": row for row in out["drift"]}


@pytest.fixture(scope="module")
def edited(project: Project) -> dict:
    """One console-style change of each kind, made with boto3 behind the project's back."""
    found, target = names(project), project.target()
    idp = target.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=found["pool_id"])["UserPool"]
    settable = idp.meta.service_model.operation_model("UpdateUserPool").input_shape.members
    update = {key: value for key, value in pool.items() if key in settable}  # the console sends every setting
    update["Policies"]["PasswordPolicy"]["MinimumLength"] = 6
    idp.update_user_pool(**{**update, "UserPoolId": found["pool_id"]})

    target.client("dynamodb").update_table(TableName=found["table"], BillingMode="PROVISIONED", ProvisionedThroughput={
        "ReadCapacityUnits": 5, "WriteCapacityUnits": 5})

    lam = target.client("lambda")
    variables = lam.get_function_configuration(FunctionName=found["function"])["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=found["function"], MemorySize=256,
                                      Environment={"Variables": {**variables, "ENV": "console"}})

    apigw = target.client("apigateway")
    root = next(r for r in apigw.get_resources(restApiId=found["api_id"])["items"] if r["path"] == "/")
    apigw.create_resource(restApiId=found["api_id"], parentId=root["id"], pathPart="extra")

    target.client("s3").delete_bucket_policy(Bucket=found["bucket"])

    iam = target.client("iam")
    policy = iam.get_role_policy(RoleName=found["role"], PolicyName="amplify-resources-policy")["PolicyDocument"]
    policy["Statement"][0]["Action"] = ["dynamodb:GetItem"]
    iam.put_role_policy(RoleName=found["role"], PolicyName="amplify-resources-policy", PolicyDocument=json.dumps(policy))

    function_name, statement = found["permission"].split("/", 1)
    lam.remove_permission(FunctionName=function_name, StatementId=statement)

    found["extra_table"] = f"{found['stack']}-scratch"
    target.client("dynamodb").create_table(
        TableName=found["extra_table"], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": k, "Value": v} for k, v in tags(found["stack"], project.name, project.env_name).items()])
    return found


@pytest.fixture(scope="module")
def report(project: Project, edited: dict) -> dict:
    return drift_json(project)


def test_right_after_a_push_every_resource_is_in_sync(project: Project):
    report = drift_json(project)
    assert len(report) >= 15  # the root bucket and roles, hosting, auth, storage, function, api
    assert {row["state"] for row in report.values()} == {"in sync"}


@pytest.mark.parametrize("key, state, setting", [
    ("cognito-idp.UserPool:{pool}", "changed", "Policies.PasswordPolicy.MinimumLength: 8 -> 6 in the cloud"),
    ("dynamodb.Table:{table}", "changed", "BillingMode: PAY_PER_REQUEST -> PROVISIONED in the cloud"),
    ("lambda.Function:{function}", "changed", "MemorySize: 128 -> 256 in the cloud"),
    ("lambda.Function:{function}", "changed", "Environment.Variables.ENV: dev -> console in the cloud"),
    ("apigateway.RestApi:{api}", "changed", "push would call delete_resource {api} /extra"),
    ("s3.Bucket:{bucket}", "changed", "Policy: {{\"Version\": \"2012-10-17\""),
    ("iam.RolePolicy:{role}/amplify-resources-policy", "changed", "PolicyDocument.Statement.Action: dynamodb:Put*"),
    ("lambda.Permission:{permission}", "missing", "deleted in the cloud"),
    ("dynamodb.Table:{extra_table}", "extra", "with this env's tags"),
])
def test_each_console_edit_is_reported_with_its_state_and_setting(report, edited, key, state, setting):
    row = report[key.format(**edited)]
    assert row["state"] == state
    assert any(text.startswith(setting.format(**edited)) for text in row["changes"]) or setting in row["detail"], row


def test_only_the_edited_resources_drift(report, edited):
    drifted = {key for key, row in report.items() if row["state"] != "in sync"}
    assert drifted == {key.format(**edited) for key in (
        "cognito-idp.UserPool:{pool}", "dynamodb.Table:{table}", "lambda.Function:{function}", "apigateway.RestApi:{api}",
        "s3.Bucket:{bucket}", "iam.RolePolicy:{role}/amplify-resources-policy", "lambda.Permission:{permission}",
        "dynamodb.Table:{extra_table}")}
    pool = report[f"cognito-idp.UserPool:{edited['pool']}"]
    assert pool["changes"] == ["Policies.PasswordPolicy.MinimumLength: 8 -> 6 in the cloud"]
    assert pool["repair"] == ["cognito-idp.update_user_pool"]


def test_the_drift_check_makes_no_mutating_call(project, edited):
    operations: list[str] = []
    record = lambda model, **_: operations.append(model.name)  # noqa: E731
    clients = [project.target().client(service) for service in SERVICES]  # local clients are shared in a process
    for client in clients:
        client.meta.events.register("before-call", record)
    try:
        rows = drift(project)
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", record)
    assert {row.state for row in rows} == {"in sync", "changed", "missing", "extra"}
    assert "DescribeUserPool" in operations and "DescribeTable" in operations
    assert [name for name in operations if not name.startswith(READ_OPERATIONS)] == []


def test_the_push_plan_says_which_steps_repair_drift(project, edited):
    shown = show_plan(project)
    text, summary = shown.text(), shown.summary()
    assert "repairs drift: MinimumLength 6 -> 8" in text
    assert "repairs drift: BillingMode PROVISIONED -> PAY_PER_REQUEST" in summary
    assert "repairs drift: MemorySize 256 -> 128, ENV console -> dev" in summary
    assert "repairs drift: re-creates what was deleted in the cloud" in summary
    frame = shown.table()
    assert frame["why"].str.startswith("repairs drift").sum() == frame["why"].astype(bool).sum() > 0
    assert (frame["action"] == "wait").sum() and not frame.loc[frame["action"] == "wait", "why"].any()


def test_a_local_change_is_not_called_a_repair(project, edited):
    """A setting changed in the files too is applied as the local change, not as a drift repair."""
    parameters = project.paths.resource_dir("function", next(iter(project.backend_config()["function"]))) / "function-parameters.json"
    saved = json.loads(parameters.read_text())
    parameters.write_text(json.dumps({**saved, "memory": 512}))
    try:
        shown = show_plan(project)
        number, update = next((number, step) for number, step in enumerate(shown.plan.steps, start=1)
                              if getattr(step, "method", "") == "update_function_configuration")
        assert update.params["MemorySize"] == 512
        assert shown.plan.reasons[number] == "repairs drift: ENV console -> dev"
    finally:
        parameters.write_text(json.dumps(saved))


def test_push_repairs_every_drift(project, edited):
    push(project, progress=False)
    report = drift_json(project)
    assert {key: row["state"] for key, row in report.items() if row["state"] != "in sync"} == {
        f"dynamodb.Table:{edited['extra_table']}": "extra"}  # push never deletes what it did not make
    frame = views.drift_table(project, extras=False)
    assert list(frame.columns) == ["Category", "Resource name", "Type", "Name", "State", "Changes"]
    assert set(frame["State"]) == {"in sync"} and len(frame) == len(report) - 1
    assert "extra" in run_cli("status", "--drift", "--project-dir", str(project.root)).stdout
