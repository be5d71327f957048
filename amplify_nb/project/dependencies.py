"""backend-config.json's `dependsOn` ({category, resourceName, attributes}) orders the push, as in Amplify:
a resource is planned after every resource it depends on, and swept (deleted) before them."""
from __future__ import annotations

from ..errors import InputError, Problem

ResourceId = tuple[str, str]  # (category, resource name)


def depends_on(entry: dict) -> list[ResourceId]:
    return [(dep["category"], dep["resourceName"]) for dep in entry.get("dependsOn", []) or []]


def dependency_order(config: dict) -> list[ResourceId]:
    """Every resource of backend-config, dependencies first; ties keep backend-config's own order.

    A dependency on a resource the project does not have, or a cycle, is refused with the resources named.
    """
    entries = {(category, name): entry for category, resources in config.items() for name, entry in resources.items()}
    for resource, entry in entries.items():
        for dependency in depends_on(entry):
            if dependency not in entries:
                raise InputError([Problem("dependsOn", f"{_name(resource)} depends on {_name(dependency)}, which this "
                                                       "project does not have (backend-config.json).")])
    ordered: list[ResourceId] = []
    state: dict[ResourceId, str] = {}

    def visit(resource: ResourceId, path: list[ResourceId]) -> None:
        if state.get(resource) == "done":
            return
        if state.get(resource) == "visiting":
            cycle = path[path.index(resource):] + [resource]
            raise InputError([Problem("dependsOn", "backend-config.json has a dependency cycle: "
                                                   + " -> ".join(_name(r) for r in cycle))])
        state[resource] = "visiting"
        for dependency in depends_on(entries[resource]):
            visit(dependency, path + [resource])
        state[resource] = "done"
        ordered.append(resource)

    for resource in entries:
        visit(resource, [])
    return ordered


def dependents(config: dict, category: str, name: str) -> list[ResourceId]:
    """The resources whose dependsOn names (category, name): they would break if it were removed."""
    return [(other_category, other_name) for other_category, resources in config.items()
            for other_name, entry in resources.items() if (category, name) in depends_on(entry)]


def _name(resource: ResourceId) -> str:
    return f"{resource[0]} {resource[1]}"
