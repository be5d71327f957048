"""dependsOn orders a push (dependencies first, sweeps in reverse), Refs resolve to the owner's values, and
dangling or cyclic dependencies are refused with the resources named."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from amplify_nb.categories import CATEGORIES, DeployContext, Ref
from amplify_nb.deploy import Resource, Var
from amplify_nb.errors import InputError
from amplify_nb.fileio import atomic_write_json
from amplify_nb.project import Project
from amplify_nb.project.dependencies import dependency_order, dependents
from amplify_nb.project.desired import desired_resources
from amplify_nb.project.resources import remove_resource


def dep(category: str, name: str) -> dict:
    return {"category": category, "resourceName": name, "attributes": ["Arn"]}


def test_dependencies_come_first_and_ties_keep_backend_config_order():
    config = {"api": {"beerapi": {"dependsOn": [dep("function", "beerfn")]}},
              "function": {"beerfn": {"dependsOn": [dep("storage", "beer")]}, "hello": {}},
              "storage": {"beer": {}}}
    assert dependency_order(config) == [("storage", "beer"), ("function", "beerfn"), ("api", "beerapi"), ("function", "hello")]
    assert dependents(config, "storage", "beer") == [("function", "beerfn")]


def test_a_dependency_on_a_missing_resource_is_refused():
    with pytest.raises(InputError, match="function beerfn depends on storage gone"):
        dependency_order({"function": {"beerfn": {"dependsOn": [dep("storage", "gone")]}}})


def test_a_cycle_is_refused_with_its_path():
    config = {"function": {"a": {"dependsOn": [dep("function", "b")]}, "b": {"dependsOn": [dep("function", "a")]}}}
    with pytest.raises(InputError, match="cycle: function a -> function b -> function a"):
        dependency_order(config)


@dataclass(frozen=True)
class Thing(Resource):
    type_name: ClassVar[str] = "test.Thing"
    uses: dict = field(default_factory=dict)


class FakeCategory:
    spec = None
    single = False

    def __init__(self, name: str):
        self.name = name

    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        return [Thing(f"{resource_name}-{ctx.env}", uses=entry.get("uses", {}))]

    def attributes(self, ctx: DeployContext, resource_name: str, entry: dict) -> dict:
        return {"Name": f"{resource_name}-{ctx.env}", "Arn": Thing(f"{resource_name}-{ctx.env}").ref("Arn")}


@pytest.fixture
def fake_project(tmp_path, monkeypatch):
    for name in ("store", "fn"):
        monkeypatch.setitem(CATEGORIES, name, FakeCategory(name))
    project = Project(tmp_path)
    atomic_write_json(project.paths.project_config, {"projectName": "beer"})
    atomic_write_json(project.paths.local_env_info, {"envName": "dev"})
    return project


def ctx(project) -> DeployContext:
    return DeployContext(project_name="beer", env="dev", stack_name="amplify-beer-dev-abcde", target=None,
                         project_root=project.root, root_outputs={})


def test_refs_resolve_to_the_owners_literal_or_var_in_dependency_order(fake_project):
    # backend-config.json holds JSON: a category's own code makes the Refs; the fake passes them through its entry
    config = {"fn": {"crud": {"dependsOn": [dep("store", "beer")],
                              "uses": {"table": Ref("store", "beer", "Name"), "arn": Ref("store", "beer", "Arn")}}},
              "store": {"beer": {}}}
    fake_project.backend_config = lambda current=False: config
    desired, owners = desired_resources(fake_project, ctx(fake_project))
    names = [model.name for model in desired]
    assert names.index("beer-dev") < names.index("crud-dev")
    crud = next(model for model in desired if model.name == "crud-dev")
    assert crud.uses == {"table": "beer-dev", "arn": Var("test.Thing:beer-dev.Arn")}
    assert list(owners) == [("store", "beer"), ("fn", "crud")]


def test_a_ref_without_dependson_is_refused(fake_project):
    config = {"fn": {"crud": {"uses": {"table": Ref("store", "beer", "Name")}}}, "store": {"beer": {}}}
    fake_project.backend_config = lambda current=False: config
    with pytest.raises(InputError, match="does not list store beer in its dependsOn"):
        desired_resources(fake_project, ctx(fake_project))


def test_removing_a_resource_another_depends_on_is_refused_and_changes_nothing(fake_project):
    config = {"fn": {"crud": {"dependsOn": [dep("store", "beer")]}}, "store": {"beer": {}}}
    atomic_write_json(fake_project.paths.backend_config, config)
    with pytest.raises(InputError, match="store beer is used by fn crud"):
        remove_resource(fake_project, "store", "beer")
    assert fake_project.backend_config() == config
