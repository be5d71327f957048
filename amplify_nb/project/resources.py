"""add / update / remove a category resource: validate the answers, then write its files and its
backend-config.json entry under the project lock. The cloud changes only at the next push."""
from __future__ import annotations

import shutil

from ..categories import category as get_category
from ..errors import InputError, Problem
from ..specs import Spec
from .dependencies import dependents
from .project import Project


def add_resource(project: Project, category_name: str, spec: Spec) -> str:
    """Add a resource; refuses a duplicate (and a second one of a single-resource category) before writing."""
    category = get_category(category_name)
    check_can_add(project, category_name)
    spec.check()
    name = category.resource_name(spec)
    existing = project.backend_config().get(category_name, {})
    if name in existing:
        raise InputError([Problem("resource_name", f"A {category_name} resource named {name!r} already exists.")])
    for companion_category, companion in getattr(category, "companions", lambda _: [])(spec):
        # added first (a CRUD function's new table): the resource's own files refer to it
        if get_category(companion_category).resource_name(companion) not in project.backend_config().get(companion_category, {}):
            add_resource(project, companion_category, companion)
    return _write(project, category_name, name, spec)


def check_can_add(project: Project, category_name: str) -> None:
    """Refuse a second resource of a single-resource category (hosting) before any question is asked."""
    existing = project.backend_config().get(category_name, {})
    if get_category(category_name).single and existing:
        raise InputError([Problem("", f"This project already has {category_name} ({', '.join(existing)}). "
                                      f"Use `amplify-nb update {category_name}` to change it.")])


def update_resource(project: Project, category_name: str, spec: Spec, resource_name: str | None = None) -> str:
    spec.check()
    name = resource_name or _only_resource(project, category_name)
    if name not in project.backend_config().get(category_name, {}):
        raise InputError([Problem("resource_name", f"There is no {category_name} resource named {name!r} to update.")])
    return _write(project, category_name, name, spec)


def remove_resource(project: Project, category_name: str, resource_name: str | None = None) -> str:
    """Forget a resource locally; the next push deletes it from the cloud (the sweeper)."""
    name = resource_name or _only_resource(project, category_name)
    with project.lock():
        config = project.backend_config()
        if name not in config.get(category_name, {}):
            raise InputError([Problem("resource_name", f"There is no {category_name} resource named {name!r}.")])
        check_can_remove(project, category_name, name)
        del config[category_name][name]
        if not config[category_name]:
            del config[category_name]
        project.write_json(project.paths.backend_config, config)
        shutil.rmtree(project.paths.resource_dir(category_name, name), ignore_errors=True)
    return name


def check_can_remove(project: Project, category_name: str, name: str) -> None:
    """Refuse removing a resource others depend on (a table a function uses): they would break at push."""
    users = dependents(project.backend_config(), category_name, name)
    if users:
        raise InputError([Problem("resource_name", f"{category_name} {name} is used by "
                                  + ", ".join(f"{c} {n}" for c, n in users)
                                  + ": remove those first, or update them to stop using it.")])


def current_spec(project: Project, category_name: str, resource_name: str | None = None) -> Spec:
    """The answers of an existing resource (what update starts from)."""
    return get_category(category_name).read_spec(project, resource_name or _only_resource(project, category_name))


def _write(project: Project, category_name: str, name: str, spec: Spec) -> str:
    with project.lock():
        entry = get_category(category_name).write(project, name, spec)
        config = project.backend_config()
        config.setdefault(category_name, {})[name] = entry
        project.write_json(project.paths.backend_config, config)
    return name


def resolve_resource_name(project: Project, category_name: str, resource_name: str | None = None) -> str:
    """The resource named, or the category's only one."""
    return resource_name or _only_resource(project, category_name)


def _only_resource(project: Project, category_name: str) -> str:
    names = list(project.backend_config().get(category_name, {}))
    if len(names) != 1:
        raise InputError([Problem("resource_name", f"Name the {category_name} resource: one of {', '.join(names) or 'none'}.")
                          if names else Problem("resource_name", f"This project has no {category_name} resource.")])
    return names[0]


def apply_resource(project: Project, category_name: str, spec: Spec, resource_name: str | None = None) -> tuple[str, str]:
    """What a notebook cell does: add the resource if absent, update it if its answers differ, else nothing.

    Returns (resource name, "added" | "updated" | "unchanged"), so running a notebook twice changes nothing.
    """
    category = get_category(category_name)
    spec.check()
    existing = project.backend_config().get(category_name, {})
    name = resource_name or (next(iter(existing)) if category.single and existing else category.resource_name(spec))
    if name not in existing:
        return add_resource(project, category_name, spec), "added"
    if category.read_spec(project, name) == spec:
        return name, "unchanged"
    return update_resource(project, category_name, spec, name), "updated"
