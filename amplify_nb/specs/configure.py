"""configure: where the backend is deployed. amplify_nb adds the target choice before Amplify's questions."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..aws import DEFAULT_REGION, TARGET_KINDS, Target
from ..errors import Problem
from .base import Spec, answer

# What AWS Budgets accepts as an email subscriber, checked before anything is stored.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_BUDGET_USD = 1_000_000


def _offers_budget(spec) -> bool:
    return spec.offers_budget()


def _budget_chosen(spec) -> bool:
    return spec.offers_budget() and spec.budget is True


def budget_question():
    return answer(
        False, "Create a monthly budget with an email alarm?", when=_offers_budget,
        help="Strongly advised for a personal account: AWS Budgets emails you when this month's cost passes 80 % of "
             "the amount or is forecast to pass 100 %. The budget itself is free (the first two per account); "
             "push creates it, answering no later removes it.")


def budget_amount_question():
    return answer(10, "Monthly budget in USD", when=_budget_chosen,
                  help="The alarms fire at 80 % of it (actual cost) and 100 % (forecast).")


def budget_email_question():
    return answer("", "Email address for the budget alarm", when=_budget_chosen, help="AWS Budgets sends the alarms here.")


class BudgetAnswers:
    """The budget questions' checks and what an env stores, for the flows that ask them (configure, init): each
    declares the fields budget / budget_amount / budget_email and says when they apply (an AWS target)."""

    budget: bool
    budget_amount: int
    budget_email: str

    def offers_budget(self) -> bool:
        raise NotImplementedError

    def budget_problems(self) -> list[Problem]:
        if not self.offers_budget():
            return []
        if not isinstance(self.budget, bool):
            return [Problem("budget", f"Answer the budget question with yes or no (got {self.budget!r}).")]
        if not self.budget:
            return []
        found = []
        amount = self.budget_amount
        if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_BUDGET_USD:
            found.append(Problem("budget_amount", f"The monthly budget must be a whole number of US dollars from 1 to "
                                                  f"{MAX_BUDGET_USD:,} (got {amount!r})."))
        if not isinstance(self.budget_email, str) or not EMAIL_PATTERN.fullmatch(self.budget_email.strip()):
            found.append(Problem("budget_email", f"Enter the email address the budget alarm goes to, like "
                                                 f"name@example.com (got {self.budget_email!r})."))
        return found

    def budget_setting(self) -> dict | bool | None:
        """What the env stores: {amount, email} for a budget, False for "no budget" on AWS, None off AWS."""
        if not self.offers_budget():
            return None
        return {"amount": self.budget_amount, "email": self.budget_email.strip()} if self.budget else False


@dataclass
class ConfigureSpec(Spec, BudgetAnswers):
    flow = "configure"

    target: str = answer(
        "local", "Where should the backend live?",
        help="local: the embedded local cloud on this machine (no account, no cost). "
             "aws: your AWS account through a named profile. endpoint: any AWS-compatible endpoint (e.g. LocalStack).",
        choices=[("local", "Local cloud (no account needed)"), ("aws", "AWS account (named profile)"),
                 ("endpoint", "Other AWS-compatible endpoint")],
    )
    region: str = answer(DEFAULT_REGION, "Specify the AWS Region",
                         help="Resources are created in this region. Asked for an AWS account; the local cloud and "
                              "endpoints take us-east-1 unless --region says otherwise.",
                         when=lambda spec: spec.target == "aws")
    profile: str = answer("", "Profile Name", when=lambda spec: spec.target == "aws", help="A profile from ~/.aws/config and ~/.aws/credentials (aws target). "
                                                   "Its keys stay there: amplify_nb never copies a secret into the project.")
    endpoint_url: str = answer("", "Endpoint URL", when=lambda spec: spec.target == "endpoint", help="For the endpoint target, e.g. http://localhost:4566.")

    budget: bool = budget_question()
    budget_amount: int = budget_amount_question()
    budget_email: str = budget_email_question()

    def to_target(self) -> Target:
        return Target(kind=self.target, region=self.region, profile=self.profile or None,
                      endpoint_url=self.endpoint_url or None)

    def problems(self) -> list[Problem]:
        if self.target not in TARGET_KINDS:
            return [Problem("target", f"Target must be one of: {', '.join(TARGET_KINDS)} (got {self.target!r}).")]
        return self.to_target().problems() + self.budget_problems()

    def offers_budget(self) -> bool:
        return self.target == "aws"
