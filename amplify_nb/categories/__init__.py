"""Category plug-ins (hosting, auth, storage, function, api), one module each, registered in CATEGORIES.

A category module defines a class with the methods of `Category` below and calls `register(...)` at import.
Its spec (specs/<category>.py) gives the questions, so the form, the CLI flags and the papermill parameters
of `add <category>` come for free.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any, Protocol

from ..aws import Target
from ..errors import InputError
from ..specs import Spec

# Amplify's category names, in the order `amplify add` lists them; a module is loaded if it exists.
CATEGORY_MODULES = ("hosting", "auth", "storage", "function", "api")


@dataclass(frozen=True)
class Ref:
    """Another resource's attribute, named as backend-config's dependsOn names it: Ref("storage", "beer", "Arn").

    A category puts Refs in its models; the push replaces each with the owner's value (a literal, or a Var the
    owner's rule stores), so the planner resolves it at plan time when that resource exists and the executor at
    run time when the same push creates it. The referring resource must list the owner in its dependsOn.
    """

    category: str
    resource_name: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.category}.{self.resource_name}.{self.attribute}"


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
    name: str  # Amplify's category name: hosting, auth, ...
    spec: type[Spec]  # the answers of add/update
    single: bool  # only one resource of this category per project (hosting)

    def default_spec(self, project) -> Spec:
        """Amplify's defaults for a new resource in this project (names derived from the project name)."""

    def resource_name(self, spec: Spec) -> str:
        """The backend folder name for these answers (S3AndCloudFront for hosting)."""

    def read_spec(self, project, resource_name: str) -> Spec:
        """The answers a resource was added with, read back from its files (for update)."""

    def write(self, project, resource_name: str, spec: Spec) -> dict:
        """Write amplify/backend/<category>/<resource>/ files; return its backend-config.json entry."""

    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        """Resource models for the planner, dependencies first."""

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict:
        """Amplify's `output` block after a push."""

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict:
        """This resource's aws-exports.js keys."""

    # Optional methods (push and the front-ends use them when a category has them):
    # attributes(ctx, resource_name, entry) -> {attribute: value or Var}: what Refs to this resource resolve to.
    # build(ctx, resource_name, entry) -> Build: make an artifact before planning (a function's zip); the
    #     push passes it to resources() as entry["build"] and shows it in the plan.
    # endpoints(resource_name, meta_entry) -> {label: url}: the lines status prints under its table.
    # describe(project, resource_name, meta_entry) -> [(setting, value)]: the resource as the console shows it.


CATEGORIES: dict[str, Category] = {}


def register(category: Category) -> Category:
    CATEGORIES[category.name] = category
    return category


def load_categories() -> dict[str, Category]:
    """Import every category module present, so each registers itself."""
    for name in CATEGORY_MODULES:
        module = f"{__name__}.{name}"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return CATEGORIES


def category(name: str) -> Category:
    load_categories()
    try:
        return CATEGORIES[name]
    except KeyError:
        known = ", ".join(CATEGORIES) or "none yet"
        raise InputError(f"amplify_nb has no {name!r} category (available: {known}).") from None
