"""Turn desired resources + what the last push recorded into a plan, reading the cloud only.

Rules are registered per resource type (deploy/rules/); a category that brings a new resource type brings its
rule module. Creation follows the order of the desired list (dependencies first); the sweeper deletes what the
last push recorded but is no longer desired, in reverse order.
"""
from __future__ import annotations

from typing import Callable, Iterable, Protocol

from .models import Resource
from .plan import Plan
from .remote import RemoteState


class Rule(Protocol):
    def plan(self, resource: Resource, remote: RemoteState) -> list: ...

    def plan_delete(self, identity: dict, remote: RemoteState) -> list: ...

    def exists(self, identity: dict, remote: RemoteState) -> bool: ...


RULES: dict[str, Rule] = {}


def rule(resource_type: type[Resource]) -> Callable:
    """Class decorator registering the planner rule of a resource type."""

    def register(cls):
        RULES[resource_type.type_name] = cls()
        return cls

    return register


def rule_for(type_name: str) -> Rule:
    from . import rules  # noqa: F401  (registers the built-in rules)

    try:
        return RULES[type_name]
    except KeyError:
        raise KeyError(f"no planner rule for resource type {type_name!r}") from None


def plan_push(desired: Iterable[Resource], recorded: Iterable[dict], remote: RemoteState) -> Plan:
    desired = list(desired)
    plan = Plan()
    for resource in desired:
        plan.extend(rule_for(resource.type_name).plan(resource, remote))
    plan.extend(plan_sweep(desired, recorded, remote).instructions)
    return plan


def plan_sweep(desired: Iterable[Resource], recorded: Iterable[dict], remote: RemoteState) -> Plan:
    """Delete what the last push made that the project no longer wants (reverse creation order)."""
    wanted = {resource.key for resource in desired}
    plan = Plan()
    for identity in reversed(list(recorded)):
        if f"{identity['type']}:{identity['name']}" not in wanted:
            plan.extend(rule_for(identity["type"]).plan_delete(identity, remote))
    return plan
