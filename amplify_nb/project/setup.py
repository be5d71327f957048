"""A whole environment from one file: create the project or add the env, add or update each resource only when
its answers differ from the project's files, push, and publish the sample app when hosting says so.

Everything is planned (and every answer checked against the project) before anything is written, so a bad file
changes nothing. Run again with the same file, it writes nothing and the push makes no cloud call; a killed run
converges when run again (the push journal). Answers the file does not give keep the project's current ones
(Amplify's defaults for a new resource); resources the file does not name are kept and listed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aws import Target
from ..categories import category as get_category
from ..errors import InputError, Problem
from ..fileio import read_json
from ..specs import ConfigureSpec, InitSpec, ProjectResource, Spec, resources_from_backend_config
from ..specs.environment import (EnvironmentSpec, Section, parse_environment, parse_environment_text,
                                 resource_sections, with_path)
from .configure import configure_project
from .init import init_env, init_project
from .project import Project
from .push import PushResult, push
from .resources import add_resource, update_resource
from .status import endpoints

SINGLE_CATEGORIES = ("hosting", "auth")
# The answer that names a resource in the cloud, per category (a workshop refuses two trainees sharing one).
CLOUD_NAME_FIELDS = {"hosting": "bucket_name", "auth": "resource_name", "function": "name", "api": "name"}


@dataclass
class PlannedResource:
    """One resource of the file: what setup will do with it (add | update | unchanged) and why."""

    category: str
    name: str
    path: str  # where its answers are in the file
    action: str
    spec: Spec
    changed: list[str] = field(default_factory=list)  # the answers that differ from the files (update)


@dataclass
class SetupPlan:
    environment: EnvironmentSpec
    project_dir: Path
    init: InitSpec
    init_action: str  # create project | add env | select env | none
    resources: list[PlannedResource]
    kept: list[tuple[str, str]] = field(default_factory=list)  # the project's resources the file does not name

    @property
    def env(self) -> str:
        return self.init.env

    @property
    def changes_files(self) -> bool:
        return self.init_action != "none" or any(r.action != "unchanged" for r in self.resources)

    def rows(self) -> list[dict]:
        """The plan as table rows: what happens to the project and to each resource."""
        rows = [{"category": "project", "resource": f"{self.init.name} ({self.env})", "key": "init",
                 "action": self.init_action, "changed answers": ""}]
        rows += [{"category": r.category, "resource": r.name, "key": r.path, "action": r.action,
                  "changed answers": ", ".join(r.changed)} for r in self.resources]
        rows += [{"category": c, "resource": n, "key": "", "action": "kept (not in the file)", "changed answers": ""}
                 for c, n in self.kept]
        return rows


@dataclass
class SetupResult:
    plan: SetupPlan
    applied: list[tuple[str, str, str]]  # (category, resource, added | updated)
    push: PushResult
    published: Any = None  # hosting.publish.PublishResult when the sample app was published
    endpoints: dict = field(default_factory=dict)
    init_push: PushResult | None = None  # the env's root resources, when this run created the project or the env

    @property
    def project_dir(self) -> Path:
        return self.plan.project_dir

    def counts(self) -> dict:
        actions = [r.action for r in self.plan.resources]
        uploaded = len(self.published.uploaded) if self.published is not None else 0
        calls = len(self.push.calls_made) + (len(self.init_push.calls_made) if self.init_push else 0)
        return {"added": actions.count("add"), "updated": actions.count("update"),
                "unchanged": actions.count("unchanged"), "cloud calls": calls, "files uploaded": uploaded}


# --- reading -------------------------------------------------------------------------------------------------------
def load_environment_data(source: str | os.PathLike | dict) -> dict:
    """The environment as a mapping: a dict as given, or a YAML/JSON file read."""
    if isinstance(source, dict):
        return source
    path = Path(source)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"Cannot read the environment file {path}: {exc.strerror or exc}.") from None
    return parse_environment_text(text, str(path))


def load_environment(source: str | os.PathLike | dict | EnvironmentSpec, trainee: str | None = None) -> EnvironmentSpec:
    if isinstance(source, EnvironmentSpec):
        return source
    return parse_environment(load_environment_data(source), trainee)


# --- planning ------------------------------------------------------------------------------------------------------
@dataclass
class _ProjectView:
    """What a category's default_spec reads of a project (its name and backend-config), for a project that
    does not exist yet or is about to get the file's resources."""

    name: str
    config: dict

    def backend_config(self) -> dict:
        return self.config


def plan_environment(source, project_dir: str | os.PathLike | None = None, trainee: str | None = None) -> SetupPlan:
    """What setup_environment would do; raises InputError (naming each key) if any answer cannot be used."""
    environment = load_environment(source, trainee)
    root = Path(project_dir or environment.project_dir or ".").expanduser().resolve()
    project = Project(root)
    problems: list[Problem] = []
    init, init_action = _plan_init(project, environment, problems)
    config = project.backend_config() if project.exists else {}
    view = _ProjectView(init.name, config)
    existing_api = list(config.get("api", {}))
    api_name = existing_api[0] if len(existing_api) == 1 else ""
    api = environment.section("api")
    if api is not None and not api.answers.get("name") and len(existing_api) > 1:
        problems.append(Problem("api.name", f"api.name: this project has several APIs ({', '.join(existing_api)}): "
                                            "name the one this file describes."))

    first = []  # (section, name, base, spec): the answers on the project's current ones, or on Amplify's defaults
    for section in resource_sections(environment, api_name=api_name, project_name=init.name):
        try:
            first.append(_resolve(project if project.exists else None, view, section))
        except InputError as exc:
            problems += with_path(section.path, exc.problems)
    declared = set(resources_from_backend_config(config))
    declared |= {ProjectResource(section.category, name, _service(section.category, spec))
                 for section, name, _, spec in first}
    planned = []
    for section, name, base, spec in first:
        if hasattr(spec, "resources"):  # the project's resources and the file's: what access and table may name
            spec = spec.replace(resources=tuple(sorted(declared, key=lambda r: (r.category, r.name))))
        found = spec.problems() + getattr(spec, "env_problems", lambda env: [])(init.env)
        if base is not None and hasattr(spec, "problems_for_update"):
            found += spec.problems_for_update(base)
        problems += with_path(section.path, found)
        planned.append(_planned(section, name, base, spec))
    if problems:
        raise InputError(problems)
    named = {(r.category, r.name) for r in planned}
    kept = [(c, n) for c, entries in config.items() for n in entries if (c, n) not in named]
    return SetupPlan(environment, root, init, init_action, planned, kept)


def _plan_init(project: Project, environment: EnvironmentSpec, problems: list[Problem]) -> tuple[InitSpec, str]:
    answers = dict(environment.init)
    if project.exists:
        if answers.get("name") and answers["name"] != project.name:
            problems.append(Problem("init.name", f"init.name: {project.root} already holds the Amplify project "
                                                 f"{project.name!r}; keep that name (or use another folder)."))
        answers["name"] = project.name
    init = InitSpec.for_project(project.root, answers)
    problems += with_path("init", init.problems())
    target = (environment.configure or ConfigureSpec()).to_target()
    configured = read_json(project.paths.local_aws_info, {}) or {}
    if init.env in configured and environment.configure is not None:
        current = Target.from_aws_info(configured[init.env])
        if (current.kind, current.region, current.profile, current.endpoint_url) != \
                (target.kind, target.region, target.profile, target.endpoint_url):
            problems.append(Problem("target", f"target: env {init.env} of this project deploys to the "
                                              f"{current.describe()}, not the {target.describe()}; keep its target "
                                              "(or set up another env)."))
    if not project.exists:
        return init, "create project"
    if init.env not in project.team_provider_info():
        return init, "add env"
    return init, "none" if project.env_name == init.env else "select env"


def _resolve(project: Project | None, view: _ProjectView, section: Section) -> tuple:
    """The section's answers on its resource's current answers (the project has it) or Amplify's defaults."""
    category = get_category(section.category)
    existing = view.config.get(section.category, {})
    name_field = "name" if section.category in ("function", "api") else "resource_name"
    named = section.answers.get(name_field)
    if section.category in SINGLE_CATEGORIES and existing:
        name = next(iter(existing))
        if named and named != name:
            raise InputError([Problem(name_field, f"this project's {section.category} resource is {name!r}; its "
                                                  "name cannot change.")])
    else:
        name = named or ""
    base = category.read_spec(project, name) if project is not None and name in existing else None
    start = base if base is not None else category.default_spec(view)
    spec = start.answered(section.answers)
    return section, category.resource_name(spec), base, spec


def _planned(section: Section, name: str, base: Spec | None, spec: Spec) -> PlannedResource:
    if base is None:
        return PlannedResource(section.category, name, section.path, "add", spec)
    if base == spec:
        return PlannedResource(section.category, name, section.path, "unchanged", spec)
    changed = spec.changed_settings(base)
    return PlannedResource(section.category, name, section.path, "update", spec, changed)


def _service(category: str, spec: Spec) -> str:
    if category == "storage":
        return "S3" if spec.service == "content" else "DynamoDB"
    return {"hosting": "S3AndCloudFront", "auth": "Cognito", "function": "Lambda", "api": "API Gateway"}[category]


# --- applying ------------------------------------------------------------------------------------------------------
def apply_environment(planned: SetupPlan, progress: bool = False) -> SetupResult:
    """Run a plan: configure and init (or add/select the env), write the resources that changed, push, publish."""
    from .. import sample_app
    from ..hosting import publish

    environment, root = planned.environment, planned.project_dir
    configured = read_json(Project(root).paths.local_aws_info, {}) or {}
    if planned.env not in configured:
        configure_project(root, environment.configure or ConfigureSpec(), env=planned.env)
    init_push = None
    if planned.init_action == "create project":
        project, init_push = init_project(root, planned.init, progress=progress)
    else:
        project = Project(root)
        if planned.init_action != "none":
            init_push = init_env(project, planned.env, progress=progress)
    applied = []
    for resource in planned.resources:
        if resource.action == "add":
            add_resource(project, resource.category, resource.spec)
            applied.append((resource.category, resource.name, "added"))
        elif resource.action == "update":
            update_resource(project, resource.category, resource.spec, resource.name)
            applied.append((resource.category, resource.name, "updated"))
    publishing = environment.publish and environment.section("hosting") is not None
    with project.lock():
        if publishing:
            sample_app.install(project)
        pushed = push(project, progress=progress)
        published = publish(project, progress=progress, push_first=False) if publishing else None
    return SetupResult(planned, applied, pushed, published, endpoints(project), init_push)


def setup_environment(source, project_dir: str | os.PathLike | None = None, progress: bool = False,
                      trainee: str | None = None) -> SetupResult:
    """Create or update the environment a file (or mapping) describes; idempotent."""
    return apply_environment(plan_environment(source, project_dir, trainee), progress=progress)


# --- a class: one project per trainee --------------------------------------------------------------------------------
def plan_workshop(source, trainees: list[str] | None = None, workshop_dir: str | os.PathLike | None = None
                  ) -> list[tuple[str, SetupPlan]]:
    """A plan per trainee (project <workshop_dir>/<trainee>/, `{trainee}` replaced in the file), every one
    checked before any is applied; two trainees whose resources would share a cloud name are refused."""
    data = load_environment_data(source)
    if trainees:
        data = {**data, "trainees": list(trainees)}  # checked like the file's own
    base = parse_environment(data, trainee="trainee")  # the file's shape, with a stand-in name
    names = list(base.trainees)
    if not names:
        raise InputError([Problem("trainees", "trainees: name the trainees (in the file, or TRAINEES=... / "
                                              "--trainees), one project each.")])
    folder = Path(workshop_dir or base.workshop_dir)
    plans, problems = [], []
    for trainee in names:
        try:
            plans.append((trainee, plan_environment(data, folder / trainee, trainee)))
        except InputError as exc:
            problems += [Problem(p.field, f"trainee {trainee}: {p.message}") for p in exc.problems]
    if problems:
        raise InputError(problems)
    problems += shared_cloud_names(plans)
    if problems:
        raise InputError(problems)
    return plans


def shared_cloud_names(plans: list[tuple[str, SetupPlan]]) -> list[Problem]:
    """Problems for resources of different projects that would have one name in the cloud (same env)."""
    owners: dict[tuple, tuple[str, str]] = {}
    found = []
    for trainee, planned in plans:
        for resource in planned.resources:
            answer = CLOUD_NAME_FIELDS.get(resource.category) or (
                "bucket_name" if resource.spec.service == "content" else "table_name")
            key = (resource.category, getattr(resource.spec, answer), planned.env)
            if key in owners and owners[key][0] != trainee:
                path = f"{resource.path}.{answer}"
                found.append(Problem(path, f"{path}: {key[1]!r} is the same for {owners[key][0]} and "
                                           f"{trainee}, so their projects would share one cloud resource: put "
                                           "{trainee} in it (or in init.name, which default names start with)."))
            owners.setdefault(key, (trainee, resource.path))
    return found


def setup_workshop(source, trainees: list[str] | None = None, workshop_dir: str | os.PathLike | None = None,
                   progress: bool = False) -> list[tuple[str, SetupResult]]:
    """Set up every trainee's project; all are planned (and checked) first."""
    return [(trainee, apply_environment(planned, progress=progress))
            for trainee, planned in plan_workshop(source, trainees, workshop_dir)]


def summary_rows(results: list[tuple[str, SetupResult]]) -> list[dict]:
    """One row per project: where it is, what changed, and its endpoints."""
    rows = []
    for label, result in results:
        row = {"project": label, "folder": str(result.project_dir), "env": result.plan.env, **result.counts()}
        row.update(result.endpoints)
        rows.append(row)
    return rows
