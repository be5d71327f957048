"""Turn desired resources + what the last push recorded into a plan, reading the cloud only.

Rules are registered per resource type (deploy/rules/); a category that brings a new resource type brings its
rule module. Creation follows the order of the desired list (dependencies first); the sweeper deletes what the
last push recorded but is no longer desired, in reverse order.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..errors import UnsafeDeletionError
from .models import Resource
from .ownership import OWNER_TAG
from .plan import Joined, Plan, StoreValue, Var
from .remote import RemoteState


class Rule(Protocol):
    def plan(self, resource: Resource, remote: RemoteState) -> list: ...

    def plan_delete(self, identity: dict, remote: RemoteState) -> list: ...

    def exists(self, identity: dict, remote: RemoteState) -> bool: ...

    # Optional: the resource's tags (None when it has none or cannot carry any), read by the deletion guard.
    # def tags(self, identity: dict, remote: RemoteState) -> dict | None: ...


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


def plan_push(desired: Iterable[Resource], recorded: Iterable[dict], remote: RemoteState,
              owner_tags: dict | None = None) -> Plan:
    """owner_tags: the tags of the env being pushed; a deletion of a resource tagged otherwise is refused."""
    desired = list(desired)
    plan = Plan()
    for _, steps in plan_each(desired, remote):
        plan.extend(steps)
    plan.extend(plan_sweep(desired, recorded, remote, owner_tags).instructions)
    return plan


def plan_each(desired: Iterable[Resource], remote: RemoteState) -> Iterator[tuple[Resource, list]]:
    """Each model with the steps its rule plans, in order; a value one stores is known to the next ones.

    Lazy, so a caller can tell which reads of the cloud each model's rule made (drift does)."""
    known: dict[str, Any] = {}
    for resource in desired:
        steps = rule_for(resource.type_name).plan(with_known_values(resource, known), remote)
        known.update({step.name: step.value for step in steps if isinstance(step, StoreValue)})
        yield resource, steps


def with_known_values(resource: Resource, known: dict[str, Any]) -> Resource:
    """The model with every Var already known at plan time filled in (the id of a resource that exists).

    A model may refer to another one's id (a role trusting an identity pool); when that resource exists, its
    rule stored the id, so this model's rule compares real documents with the cloud's and plans nothing when
    they match. Vars still unknown (the resource is created by this plan) are resolved by the executor.
    """
    return map_model_values(resource, lambda value: known.get(value.name, value) if isinstance(value, Var) else value)


def map_model_values(resource: Resource, replace: Callable[[Any], Any]) -> Resource:
    """The model with replace() applied to every value inside its fields (dicts, lists and tuples walked);
    the very same model when nothing changed, so unchanged models stay cheap to compare."""
    changes = {}
    for model_field in dataclasses.fields(resource):
        value = getattr(resource, model_field.name)
        mapped = _map(value, replace)
        if mapped is not value:
            changes[model_field.name] = mapped
    return dataclasses.replace(resource, **changes) if changes else resource


def _map(value: Any, replace: Callable[[Any], Any]) -> Any:
    if isinstance(value, Joined):  # a text with Vars becomes plain text once every part is known
        parts = tuple(_map(part, replace) for part in value.parts)
        if not any(isinstance(part, Var) for part in parts):
            return "".join(str(part) for part in parts)
        return Joined(parts) if any(a is not b for a, b in zip(parts, value.parts)) else value
    if isinstance(value, dict):
        items = {k: _map(v, replace) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    if isinstance(value, (list, tuple)):
        items = [_map(v, replace) for v in value]
        return type(value)(items) if any(a is not b for a, b in zip(items, value)) else value
    replaced = replace(value)
    return value if replaced == value and type(replaced) is type(value) else replaced


def plan_sweep(desired: Iterable[Resource], recorded: Iterable[dict], remote: RemoteState,
               owner_tags: dict | None = None) -> Plan:
    """Delete what the last push made that the project no longer wants (reverse creation order)."""
    wanted = {resource.key for resource in desired}
    plan = Plan()
    for identity in reversed(list(recorded)):
        if f"{identity['type']}:{identity['name']}" not in wanted:
            if owner_tags:
                guard_deletion(identity, owner_tags, remote)
            plan.extend(rule_for(identity["type"]).plan_delete(identity, remote))
    return plan


def guard_deletion(identity: dict, owner_tags: dict, remote: RemoteState) -> None:
    """Refuse to plan deleting a resource whose tags say it belongs to another env or project.

    The sweeper only deletes what this env recorded; this is the second lock on that door, read from the cloud,
    so a record mixed up between envs can never delete the other env's website, users or data.
    """
    rule_tags = getattr(rule_for(identity["type"]), "tags", None)
    found = rule_tags(identity, remote) if rule_tags else None
    clashes = {key: value for key, value in (found or {}).items() if key in owner_tags and owner_tags[key] != value}
    owner = identity.get("owner")  # the env stack it was tagged with when this env made it
    if owner and found is not None and found.get(OWNER_TAG) != owner:
        clashes.setdefault(OWNER_TAG, found.get(OWNER_TAG) or "(no tag)")
    if clashes:
        described = ", ".join(f"{key}={value}" for key, value in sorted(clashes.items()))
        raise UnsafeDeletionError(
            f"Refusing to delete {identity['type']} {identity['name']}: it is tagged {described}, so it belongs to "
            f"another env or project than the one being pushed ({', '.join(f'{k}={v}' for k, v in sorted(owner_tags.items()))}). "
            "Nothing was changed. If it really is this env's, fix its tags first.")
