"""The environment variables Amplify gives a function: ENV, REGION, and one per attribute of each resource its
access answers name, `<CATEGORY>_<RESOURCE>_<ATTRIBUTE>` in upper case (STORAGE_BEER_NAME, STORAGE_BEER_ARN,
STORAGE_BEER_STREAMARN for a table)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def variable_name(category: str, resource: str, attribute: str) -> str:
    return f"{category}_{resource}_{attribute}".upper()


def function_environment(env: str, region: str, resource_values: Mapping[str, Mapping[str, Mapping[str, Any]]],
                         extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    """resource_values: {category: {resource: {attribute: value}}}; a value may be a Var (a reference resolved at
    push). `extra` holds the user's own variables, which may not replace Amplify's."""
    variables: dict[str, Any] = {"ENV": env, "REGION": region}
    for category, resources in sorted(resource_values.items()):
        for resource, attributes in sorted(resources.items()):
            for attribute, value in attributes.items():
                variables[variable_name(category, resource, attribute)] = value
    for name, value in (extra or {}).items():
        if name in variables:
            raise ValueError(f"environment variable {name} is set by Amplify; choose another name")
        variables[name] = value
    return variables
