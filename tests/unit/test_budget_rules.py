"""The env's AWS budget, pinned with botocore's Stubber: created with its two email alarms in one call, a second
push plans nothing, a new amount is update_budget, a new email is update_subscriber on each alarm, and an env
that turned its budget off deletes it. Also the configure answers that lead there, and a moto run of the plans."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from stubs import stubbed_target

from amplify_nb.aws import Target
from amplify_nb.deploy import Executor, RemoteState, plan_push
from amplify_nb.deploy.models import Budget
from amplify_nb.deploy.rules.budgets import ALARMS, notification, subscriber
from amplify_nb.errors import InputError
from amplify_nb.fileio import atomic_write_json
from amplify_nb.project import Project
from amplify_nb.project.configure import _budget_to_store, budget_resources, store_budget, stored_budget_answers
from amplify_nb.specs import ConfigureSpec, InitSpec

ACCOUNT = "123456789012"
STACK = "amplify-beerapp-dev-ab12c"
NAME = f"{STACK}-monthly"
WHERE = {"AccountId": ACCOUNT, "BudgetName": NAME}
ACTUAL, FORECAST = (notification(kind, threshold) for kind, threshold in ALARMS)


def target_with(*services: str, region: str = "eu-west-1"):
    target, stubs = stubbed_target("sts", "budgets", *services, region=region)
    stubs["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/me",
                                                      "UserId": "AIDA"})
    return target, stubs["budgets"]


def described(amount: str = "10.0") -> dict:
    return {"Budget": {"BudgetName": NAME, "BudgetLimit": {"Amount": amount, "Unit": "USD"}, "TimeUnit": "MONTHLY",
                       "BudgetType": "COST"}}


def alarms_exist(budgets, email: str = "me@example.com") -> None:
    budgets.add_response("describe_notifications_for_budget", {"Notifications": [ACTUAL, FORECAST]}, WHERE)
    for alarm in (ACTUAL, FORECAST):
        budgets.add_response("describe_subscribers_for_notification", {"Subscribers": [subscriber(email)]},
                             {**WHERE, "Notification": alarm})


def test_a_new_budget_is_one_create_with_both_email_alarms_from_any_region():
    target, budgets = target_with(region="eu-west-1")
    assert target.client("budgets").meta.endpoint_url == "https://budgets.amazonaws.com"  # global, signed us-east-1
    budgets.add_client_error("describe_budget", "NotFoundException", "not found", expected_params=WHERE)
    plan = plan_push([Budget(NAME, amount=10, email="me@example.com")], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["budgets.create_budget"]
    expected = {"AccountId": ACCOUNT,
                "Budget": {"BudgetName": NAME, "BudgetLimit": {"Amount": "10", "Unit": "USD"}, "TimeUnit": "MONTHLY",
                           "BudgetType": "COST"},
                "NotificationsWithSubscribers": [
                    {"Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                                      "Threshold": 80.0, "ThresholdType": "PERCENTAGE"},
                     "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "me@example.com"}]},
                    {"Notification": {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN",
                                      "Threshold": 100.0, "ThresholdType": "PERCENTAGE"},
                     "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "me@example.com"}]}]}
    budgets.add_response("create_budget", {}, expected)
    Executor(target, progress=False).run(plan)
    budgets.assert_no_pending_responses()


def test_an_unchanged_budget_plans_nothing():
    target, budgets = target_with()
    budgets.add_response("describe_budget", described("10.0"), WHERE)
    alarms_exist(budgets)
    assert not plan_push([Budget(NAME, amount=10, email="me@example.com")], [], RemoteState(target))
    budgets.assert_no_pending_responses()


def test_a_new_amount_is_update_budget_and_a_new_email_is_update_subscriber_on_each_alarm():
    target, budgets = target_with()
    budgets.add_response("describe_budget", described("10.0"), WHERE)
    alarms_exist(budgets, email="old@example.com")
    plan = plan_push([Budget(NAME, amount=25, email="new@example.com")], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "budgets.update_budget", "budgets.update_subscriber", "budgets.update_subscriber"]
    assert plan.calls[0].params["NewBudget"]["BudgetLimit"] == {"Amount": "25", "Unit": "USD"}
    budgets.add_response("update_budget", {}, plan.calls[0].params)
    for alarm in (ACTUAL, FORECAST):
        budgets.add_response("update_subscriber", {}, {
            **WHERE, "Notification": alarm, "OldSubscriber": subscriber("old@example.com"),
            "NewSubscriber": subscriber("new@example.com")})
    Executor(target, progress=False).run(plan)
    budgets.assert_no_pending_responses()


def test_a_missing_alarm_is_created_and_a_foreign_one_removed():
    target, budgets = target_with()
    budgets.add_response("describe_budget", described("10"), WHERE)
    stray = notification("ACTUAL", 50)
    budgets.add_response("describe_notifications_for_budget", {"Notifications": [ACTUAL, stray]}, WHERE)
    budgets.add_response("describe_subscribers_for_notification", {"Subscribers": [subscriber("me@example.com")]},
                         {**WHERE, "Notification": ACTUAL})
    plan = plan_push([Budget(NAME, amount=10, email="me@example.com")], [], RemoteState(target))
    assert [(row["call"]) for row in plan.rows()] == ["budgets.create_notification", "budgets.delete_notification"]
    assert plan.calls[0].params == {**WHERE, "Notification": FORECAST, "Subscribers": [subscriber("me@example.com")]}
    assert plan.calls[1].params == {**WHERE, "Notification": stray}


def test_a_budget_turned_off_is_deleted_and_then_plans_nothing():
    target, budgets = target_with()
    budgets.add_response("describe_budget", described(), WHERE)
    plan = plan_push([Budget(NAME, wanted=False)], [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["budgets.delete_budget"]
    budgets.add_response("delete_budget", {}, WHERE)
    Executor(target, progress=False).run(plan)
    budgets.add_client_error("describe_budget", "NotFoundException", "gone", expected_params=WHERE)
    assert not plan_push([Budget(NAME, wanted=False)], [], RemoteState(target))
    budgets.assert_no_pending_responses()


# --- the answers --------------------------------------------------------------------------------------------------
def test_only_an_aws_target_is_asked_about_a_budget():
    local = ConfigureSpec.from_answers({"target": "local"})
    assert [q.name for q in local.questions() if q.applies(local)] == ["target"]
    aws = ConfigureSpec.from_answers({"target": "aws", "profile": "me", "budget": True})
    assert {"budget", "budget_amount", "budget_email"} <= {q.name for q in aws.questions() if q.applies(aws)}
    assert aws.budget_amount == 10


@pytest.mark.parametrize("answers, field", [
    ({"budget_email": "not-an-email"}, "budget_email"),
    ({"budget_email": ""}, "budget_email"),
    ({"budget_email": "me@example.com", "budget_amount": 0}, "budget_amount"),
    ({"budget_email": "me@example.com", "budget_amount": "ten"}, "budget_amount"),
])
def test_a_budget_needs_an_email_address_and_a_positive_amount(answers, field):
    spec = ConfigureSpec.from_answers({"target": "aws", "profile": "me", "budget": True, **answers})
    assert [p.field for p in spec.problems()] == [field]
    with pytest.raises(InputError):
        spec.check()


def test_what_configure_stores_for_the_budget():
    spec = ConfigureSpec.from_answers({"target": "aws", "profile": "me", "budget": True,
                                       "budget_email": " me@example.com ", "budget_amount": "20"})
    assert spec.budget_setting() == {"amount": 20, "email": "me@example.com"}
    chosen = spec.budget_setting()
    assert _budget_to_store(chosen, None) == chosen
    assert _budget_to_store(False, chosen) is False  # the next push deletes it
    assert _budget_to_store(False, False) is False
    assert _budget_to_store(False, None) is None  # never had one: nothing to plan, no Budgets permission needed
    assert _budget_to_store(None, chosen) is None  # a local target has no budget


# --- moto ---------------------------------------------------------------------------------------------------------
@mock_aws
def test_create_then_delete_on_moto():
    target = Target(kind="aws", region="eu-west-1", profile="unused")
    for service in ("sts", "budgets"):
        target._clients[service] = boto3.client(service, region_name="eu-west-1", aws_access_key_id="x",
                                                aws_secret_access_key="x")
    account = target.account_id
    client = target.client("budgets")

    Executor(target, progress=False).run(plan_push([Budget(NAME, amount=10, email="me@example.com")], [],
                                                   RemoteState(target)))
    found = client.describe_budget(AccountId=account, BudgetName=NAME)["Budget"]
    assert float(found["BudgetLimit"]["Amount"]) == 10
    alarms = client.describe_notifications_for_budget(AccountId=account, BudgetName=NAME)["Notifications"]
    assert {(n["NotificationType"], n["Threshold"]) for n in alarms} == {("ACTUAL", 80.0), ("FORECASTED", 100.0)}
    # (moto has no DescribeSubscribersForNotification, so the no-change plan is pinned by the Stubber tests only)

    Executor(target, progress=False).run(plan_push([Budget(NAME, wanted=False)], [], RemoteState(target)))
    assert not client.describe_budgets(AccountId=account).get("Budgets")


@pytest.mark.parametrize("entry, expected", [
    ({"target": "aws", "profile": "me", "budget": {"amount": 15, "email": "me@example.com"}},
     [Budget(f"{STACK}-monthly", amount=15, email="me@example.com")]),
    ({"target": "aws", "profile": "me", "budget": False}, [Budget(f"{STACK}-monthly", wanted=False)]),
    ({"target": "aws", "profile": "me"}, []),
    ({"target": "local", "budget": {"amount": 15, "email": "me@example.com"}}, []),
])
def test_the_env_settings_give_the_budget_model_push_plans(tmp_path, entry, expected):
    project = Project(tmp_path)
    atomic_write_json(project.paths.local_aws_info, {"dev": {"configLevel": "project", **entry}})
    assert budget_resources(project, "dev", STACK) == expected


def test_configuring_again_keeps_the_stored_budget_as_the_default(tmp_path):
    project = Project(tmp_path)
    assert stored_budget_answers(tmp_path, "dev") == {}
    atomic_write_json(project.paths.local_aws_info, {"dev": {"target": "aws", "profile": "me",
                                                             "budget": {"amount": 15, "email": "me@example.com"}}})
    stored = stored_budget_answers(tmp_path, "dev")
    assert stored == {"budget": True, "budget_amount": 15, "budget_email": "me@example.com"}
    again = ConfigureSpec.from_answers({**stored, "target": "aws", "profile": "me", "region": "eu-west-1"})
    assert again.budget_setting() == {"amount": 15, "email": "me@example.com"}
    declined = ConfigureSpec.from_answers({**stored, "target": "aws", "profile": "me", "budget": False})
    assert _budget_to_store(declined.budget_setting(), {"amount": 15, "email": "me@example.com"}) is False


def test_init_asks_about_a_budget_only_for_an_aws_env_and_keeps_the_answer(tmp_path):
    local = InitSpec.for_project(tmp_path, {"name": "beerapp"})
    assert not {"budget", "budget_amount", "budget_email"} & {q.name for q in local.questions() if q.applies(local)}
    aws = InitSpec.for_project(tmp_path, {"name": "beerapp", "budget": True, "budget_email": "x"}, target_kind="aws")
    assert [p.field for p in aws.problems()] == ["budget_email"]
    aws = InitSpec.for_project(tmp_path, {"name": "beerapp", "budget": "yes", "budget_email": "me@example.com"},
                               target_kind="aws")
    assert aws.problems() == [] and aws.budget_setting() == {"amount": 10, "email": "me@example.com"}

    project = Project(tmp_path)
    atomic_write_json(project.paths.local_aws_info, {"dev": Target(kind="aws", profile="me").to_aws_info()})
    assert store_budget(project, "dev", aws.budget_setting()) == {"amount": 10, "email": "me@example.com"}
    assert budget_resources(project, "dev", STACK) == [Budget(f"{STACK}-monthly", amount=10, email="me@example.com")]
    assert project.target("dev").profile == "me"  # the target itself is kept
