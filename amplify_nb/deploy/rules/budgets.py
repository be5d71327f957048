"""AWS Budgets: a monthly cost budget with two email alarms, planned like every other resource.

Budgets is a global service: botocore sends every region's client to budgets.amazonaws.com, signed for us-east-1,
so the env's own client works wherever the env lives. A budget belongs to the account (found by AccountId +
name, from STS). Notifications and their subscribers are separate objects: changing the email is
update_subscriber on each alarm, changing the amount is update_budget (which replaces the whole budget, so it is
sent whole).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..models import Budget
from ..plan import APICall
from ..planner import rule
from ..remote import RemoteState

NOT_FOUND = ("NotFoundException",)
# (notification type, threshold in % of the budget): the month's spend passing 80 %, its forecast passing 100 %.
ALARMS = (("ACTUAL", 80), ("FORECASTED", 100))


def budget_document(budget: Budget) -> dict:
    return {"BudgetName": budget.name, "BudgetLimit": {"Amount": str(budget.amount), "Unit": "USD"},
            "TimeUnit": "MONTHLY", "BudgetType": "COST"}


def notification(kind: str, threshold: int) -> dict:
    return {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN", "Threshold": float(threshold),
            "ThresholdType": "PERCENTAGE"}


def subscriber(email: str) -> dict:
    return {"SubscriptionType": "EMAIL", "Address": email}


@rule(Budget)
class BudgetRule:
    def plan(self, budget: Budget, remote: RemoteState) -> list:
        found = self._describe(budget.name, remote)
        if not budget.wanted:
            return self._delete(budget.key, budget.name, remote) if found else []
        account = remote.account_id
        if found is None:
            return [APICall(budget.key, "create", "budgets", "create_budget", {
                "AccountId": account, "Budget": budget_document(budget),
                "NotificationsWithSubscribers": [{"Notification": notification(kind, threshold),
                                                  "Subscribers": [subscriber(budget.email)]}
                                                 for kind, threshold in ALARMS]})]
        steps: list = []
        if not self._same_budget(budget, found):
            steps.append(APICall(budget.key, "update", "budgets", "update_budget",
                                 {"AccountId": account, "NewBudget": budget_document(budget)}))
        return steps + self._plan_alarms(budget, account, remote)

    def _plan_alarms(self, budget: Budget, account: str, remote: RemoteState) -> list:
        where = {"AccountId": account, "BudgetName": budget.name}
        current = remote.paginate("budgets", "describe_notifications_for_budget", "Notifications", **where)
        wanted = [notification(kind, threshold) for kind, threshold in ALARMS]
        steps: list = []
        for alarm in wanted:
            match = next((n for n in current if _same_notification(n, alarm)), None)
            if match is None:
                steps.append(APICall(budget.key, "update", "budgets", "create_notification",
                                     {**where, "Notification": alarm, "Subscribers": [subscriber(budget.email)]}))
                continue
            emails = [s for s in remote.paginate("budgets", "describe_subscribers_for_notification", "Subscribers",
                                                 Notification=match, **where) if s.get("SubscriptionType") == "EMAIL"]
            if any(s.get("Address") == budget.email for s in emails):
                continue
            if emails:
                steps.append(APICall(budget.key, "update", "budgets", "update_subscriber", {
                    **where, "Notification": match, "OldSubscriber": subscriber(emails[0]["Address"]),
                    "NewSubscriber": subscriber(budget.email)}))
            else:
                steps.append(APICall(budget.key, "update", "budgets", "create_subscriber",
                                     {**where, "Notification": match, "Subscriber": subscriber(budget.email)}))
        steps += [APICall(budget.key, "update", "budgets", "delete_notification", {**where, "Notification": n},
                          ok_codes=NOT_FOUND)
                  for n in current if not any(_same_notification(n, alarm) for alarm in wanted)]
        return steps

    @staticmethod
    def _same_budget(budget: Budget, found: dict) -> bool:
        limit = found.get("BudgetLimit") or {}
        try:
            same_amount = Decimal(str(limit.get("Amount"))) == Decimal(budget.amount)
        except InvalidOperation:
            same_amount = False
        return (same_amount and limit.get("Unit") == "USD" and found.get("TimeUnit") == "MONTHLY"
                and found.get("BudgetType") == "COST")

    @staticmethod
    def _describe(name: str, remote: RemoteState) -> dict | None:
        found = remote.read("budgets", "describe_budget", missing=NOT_FOUND, AccountId=remote.account_id,
                            BudgetName=name)
        return found["Budget"] if found else None

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return self._describe(identity["name"], remote) is not None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        if not self.exists(identity, remote):
            return []
        return self._delete(f"{Budget.type_name}:{identity['name']}", identity["name"], remote)

    @staticmethod
    def _delete(key: str, name: str, remote: RemoteState) -> list:
        """delete_budget removes its notifications and subscribers with it."""
        return [APICall(key, "delete", "budgets", "delete_budget", {"AccountId": remote.account_id, "BudgetName": name},
                        ok_codes=NOT_FOUND)]


def _same_notification(found: dict, wanted: dict) -> bool:
    return (found.get("NotificationType") == wanted["NotificationType"]
            and found.get("ComparisonOperator") == wanted["ComparisonOperator"]
            and float(found.get("Threshold", -1)) == wanted["Threshold"]
            and found.get("ThresholdType", "PERCENTAGE") == wanted["ThresholdType"])
