"""Instructions a plan is made of (Chalice style): the exact API calls, plus values to remember.

A plan is data: it can be shown (`push --plan`) without running, and run by the executor step by step.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Var:
    """A value known only while the plan runs (an id returned by an earlier call)."""

    name: str

    def __str__(self) -> str:
        return "${" + self.name + "}"


@dataclass(frozen=True)
class JsonText:
    """A document sent as a JSON string (IAM and bucket policies), resolved after its Vars."""

    document: Any


@dataclass(frozen=True)
class Joined:
    """A text made of literal parts and Vars, joined once they are known (an ARN naming a new resource's id)."""

    parts: tuple

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


@dataclass(frozen=True)
class Retry:
    """Retry a call whose error is a known eventual-consistency symptom (e.g. a new IAM role not yet assumable)."""

    codes: tuple[str, ...]
    message: str = ".*"
    attempts: int = 30
    delay: float = 5.0

    def matches(self, code: str, text: str) -> bool:
        return code in self.codes and re.search(self.message, text or "", re.I) is not None


@dataclass(frozen=True)
class Explain:
    """What a known refusal means, in words a person can act on (the service's own text is often opaque).

    user_choice: a different answer fixes it (InputError, exit 2), else a CloudError. cleanup: calls undoing
    what this push made for the failed resource that a later push could not find or remove any more (a
    CloudFront origin access control made for a distribution AWS then refused); each is made only when every
    Var in it is known, and its own failure is reported, never raised.
    """

    codes: tuple[str, ...]
    text: str
    message: str = ".*"
    user_choice: bool = False
    cleanup: tuple = ()

    def matches(self, code: str, text: str) -> bool:
        return code in self.codes and re.search(self.message, text or "", re.I) is not None


@dataclass(frozen=True)
class APICall:
    """One mutating call. `store` maps variable names to JMESPath expressions on the response."""

    resource: str
    action: str  # create | update | delete
    service: str
    method: str
    params: dict = field(default_factory=dict)
    store: dict = field(default_factory=dict)
    ok_codes: tuple[str, ...] = ()  # errors that mean "already done" (e.g. BucketAlreadyOwnedByYou)
    retry: Retry | None = None
    explain: tuple[Explain, ...] = ()

    @property
    def operation(self) -> str:
        return f"{self.service}.{self.method}"


@dataclass(frozen=True)
class StoreValue:
    """Remember a value already known at plan time (the id of a resource that exists)."""

    name: str
    value: Any


@dataclass(frozen=True)
class Wait:
    """Wait with a botocore waiter (CloudFront deploys, DynamoDB tables becoming ACTIVE).

    With `operation` and `acceptors` (botocore's waiter-model form), `waiter` names a waiter botocore does not
    ship: DynamoDB has none for a table whose new or removed global secondary index has settled.
    """

    resource: str
    service: str
    waiter: str
    params: dict = field(default_factory=dict)
    delay: int = 5
    max_attempts: int = 120
    operation: str = ""  # the API operation a custom waiter polls, e.g. "DescribeTable"
    acceptors: tuple = ()  # botocore acceptors, e.g. ({"state": "success", "matcher": "path", ...},)


Instruction = APICall | StoreValue | Wait


@dataclass
class Plan:
    instructions: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was done locally to make the plan (a function rebuilt)
    # why a step runs when the project's files alone do not say it, by step number ("repairs drift: ...")
    reasons: dict[int, str] = field(default_factory=dict)

    def extend(self, instructions) -> None:
        self.instructions.extend(instructions)

    @property
    def calls(self) -> list[APICall]:
        return [step for step in self.instructions if isinstance(step, APICall)]

    @property
    def steps(self) -> list:
        """What the executor reports progress on: calls and waits."""
        return [step for step in self.instructions if not isinstance(step, StoreValue)]

    def __bool__(self) -> bool:
        return bool(self.calls)

    def rows(self) -> list[dict]:
        """One row per call, for a table: what would be done, to which resource, with which parameters."""
        return [
            {
                "step": number,
                "resource": step.resource,
                "action": getattr(step, "action", "wait"),
                "call": step.operation if isinstance(step, APICall) else f"{step.service}.wait({step.waiter})",
                "parameters": summarize(step.params),
                "why": self.reasons.get(number, ""),
            }
            for number, step in enumerate(self.steps, start=1)
        ]


def summarize(params: Any, limit: int = 160) -> str:
    """Parameters as one readable line (documents shortened)."""
    text = json.dumps(params, default=_display_default, sort_keys=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _display_default(value: Any) -> Any:
    if isinstance(value, Var):
        return str(value)
    if isinstance(value, JsonText):
        return value.document
    if isinstance(value, Joined):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)
