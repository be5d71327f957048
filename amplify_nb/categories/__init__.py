"""Category plug-ins. Each category module provides, for one resource of backend-config.json:

    resources(ctx, resource_name, entry) -> [Resource, ...]         models for the planner, dependencies first
    outputs(ctx, resource_name, entry, variables) -> dict           Amplify's output block after a push
    exports(meta_entry) -> dict                                      its aws-exports.js keys

and registers itself in CATEGORIES under Amplify's category name (hosting, auth, storage, function, api).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..aws import Target


@dataclass(frozen=True)
class DeployContext:
    """What a category needs to know to name and describe its resources."""

    project_name: str
    env: str
    stack_name: str
    target: Target
    project_root: Any  # pathlib.Path of the project
    root_outputs: dict  # the env's awscloudformation block (roles, deployment bucket)


class Category(Protocol):
    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list: ...

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict: ...

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict: ...


CATEGORIES: dict[str, Category] = {}


def register(name: str, category: Category) -> None:
    CATEGORIES[name] = category


def category(name: str) -> Category:
    try:
        return CATEGORIES[name]
    except KeyError:
        raise KeyError(f"amplify_nb has no {name!r} category yet") from None
