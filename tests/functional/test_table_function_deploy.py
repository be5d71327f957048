"""A table, an execution role and a CRUD function pushed to the local cloud by the engine's rules, then planned
again: nothing left to do. Changing the code or adding an index plans only that change."""
from __future__ import annotations

import uuid

import pytest

from amplify_nb.aws import Target
from amplify_nb.deploy import Executor, Plan, RemoteState, Role, RolePolicy, StoreValue, plan_push
from amplify_nb.deploy.rules.awslambda import Function
from amplify_nb.deploy.rules.dynamodb import GlobalIndex, Key, Table, table_arn
from amplify_nb.functions.build import build_function
from amplify_nb.functions.environment import function_environment
from amplify_nb.functions.permissions import LAMBDA_TRUST, execution_role_policies
from amplify_nb.functions.templates import write_function_source


@pytest.fixture
def backend(local_cloud, tmp_path):
    """Models of one table + role + function with a unique suffix, and a function deleting them afterwards."""
    target = Target(kind="local")
    suffix = uuid.uuid4().hex[:8]
    table = Table(f"beer{suffix}-dev", partition_key=Key("id"), tags={"user:Stack": suffix})
    write_function_source("crud-dynamodb", tmp_path / "src", table_resource="beer")
    build = build_function(tmp_path / "src", tmp_path / "build", "python3.12")
    name = f"beerfn{suffix}-dev"
    role = Role(f"beerfnLambdaRole{suffix}-dev", assume_role_policy=LAMBDA_TRUST)
    grants = [RolePolicy.on(role.name, policy, document) for policy, document in execution_role_policies(
        name, target.region, target.account_id, {"storage": {"beer": ["create", "read", "update", "delete"]}},
        {"storage": {"beer": table_arn(target.region, target.account_id, table.name)}}).items()]

    def function(**changes):
        settings = dict(role=role.ref("Arn"), zip_path=str(build.zip_path), code_sha256=build.sha256_b64,
                        environment=function_environment("dev", target.region, {"storage": {"beer": {
                            "Name": table.ref("Name"), "Arn": table.ref("Arn"), "StreamArn": table.ref("StreamArn")}}}))
        return Function(name, **{**settings, **changes})

    yield target, table, role, grants, function, tmp_path
    desired = [table, role, *grants, function()]
    Executor(target, progress=False).run(plan_push([], [m.identity() for m in desired], RemoteState(target)))


def push(target, models):
    plan = plan_push(models, [], RemoteState(target))
    variables = Executor(target, progress=False).run(plan)
    return plan, variables


def test_a_pushed_table_and_function_plan_nothing_the_second_time(backend):
    target, table, role, grants, function, _ = backend
    plan, variables = push(target, [table, role, *grants, function()])
    assert [c.operation for c in plan.calls][:2] == ["dynamodb.create_table", "iam.create_role"]
    assert "lambda.create_function" in [c.operation for c in plan.calls]

    deployed = target.client("lambda").get_function(FunctionName=function().name)["Configuration"]
    table_name = variables[f"{table.key}.Name"]
    assert deployed["Environment"]["Variables"]["STORAGE_BEER_NAME"] == table_name
    assert deployed["Environment"]["Variables"]["STORAGE_BEER_ARN"] == variables[f"{table.key}.Arn"]
    assert deployed["Role"] == variables[f"{role.key}.Arn"] and deployed["State"] == "Active"
    described = target.client("dynamodb").describe_table(TableName=table_name)["Table"]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    policy = target.client("iam").get_role_policy(RoleName=role.name, PolicyName="amplify-resources-policy")
    assert policy["PolicyDocument"]["Statement"][0]["Resource"] == [described["TableArn"], f"{described['TableArn']}/index/*"]

    again = plan_push([table, role, *grants, function()], [], RemoteState(target))
    assert again.rows() == []


def test_new_code_and_a_new_index_plan_only_those_changes_and_converge(backend):
    target, table, role, grants, function, tmp_path = backend
    push(target, [table, role, *grants, function()])
    (tmp_path / "src" / "index.py").write_text((tmp_path / "src" / "index.py").read_text() + "\n# edited\n")
    rebuilt = build_function(tmp_path / "src", tmp_path / "build", "python3.12")
    with_index = Table(table.name, partition_key=Key("id"), tags=table.tags,
                       global_indexes=(GlobalIndex("byBrand", Key("brand")),))
    changed = function(code_sha256=rebuilt.sha256_b64, zip_path=str(rebuilt.zip_path))
    plan, _ = push(target, [with_index, role, *grants, changed])
    assert [row["call"] for row in plan.rows()] == [
        "dynamodb.update_table", "dynamodb.wait(table_and_indexes_active)",
        "lambda.update_function_code", "lambda.wait(function_updated_v2)"]
    deployed = target.client("lambda").get_function(FunctionName=changed.name)["Configuration"]
    assert deployed["CodeSha256"] == rebuilt.sha256_b64
    assert plan_push([with_index, role, *grants, changed], [], RemoteState(target)).rows() == []


def first_steps(plan: Plan, count: int) -> Plan:
    """The plan as a push killed right after its `count`th call or wait would have run it."""
    done = 0
    for position, instruction in enumerate(plan.instructions):
        if not isinstance(instruction, StoreValue):
            done += 1
            if done == count:
                return Plan(plan.instructions[:position + 1])
    return plan


def test_a_push_stopped_after_any_step_converges_when_run_again(local_cloud, tmp_path):
    target = Target(kind="local")
    write_function_source("crud-dynamodb", tmp_path / "src", table_resource="beer")
    build = build_function(tmp_path / "src", tmp_path / "build", "python3.12")
    steps = None
    stop_after = 1
    while steps is None or stop_after <= steps:  # the last step too: a kill before the push records anything
        suffix = uuid.uuid4().hex[:8]
        table = Table(f"beer{suffix}-dev", global_indexes=(GlobalIndex("byBrand", Key("brand")),))
        role = Role(f"fnrole{suffix}-dev", assume_role_policy=LAMBDA_TRUST)
        grants = [RolePolicy.on(role.name, policy, document) for policy, document
                  in execution_role_policies(f"fn{suffix}-dev", target.region, target.account_id).items()]
        function = Function(f"fn{suffix}-dev", role=role.ref("Arn"), zip_path=str(build.zip_path),
                            code_sha256=build.sha256_b64, environment={"STORAGE_BEER_NAME": table.ref("Name")})
        models = [table, role, *grants, function]
        try:
            plan = plan_push(models, [], RemoteState(target))
            steps = len(plan.steps)
            Executor(target, progress=False).run(first_steps(plan, stop_after))
            push(target, models)
            assert plan_push(models, [], RemoteState(target)).rows() == [], f"not converged after stopping at step {stop_after}"
            assert target.client("lambda").get_function(FunctionName=function.name)["Configuration"]["Environment"] == {
                "Variables": {"STORAGE_BEER_NAME": table.name}}
        finally:
            Executor(target, progress=False).run(plan_push([], [m.identity() for m in models], RemoteState(target)))
        stop_after += 1
    assert steps >= 6
