"""Helpers the numbered notebooks share: where the project is, and bootstrapping earlier steps when a notebook
runs alone (each notebook must work by itself under Run All and papermill)."""
from __future__ import annotations

import os
from pathlib import Path

from .aws import Target
from .fileio import read_json
from .project import Project, configure_project, init_env, init_project
from .specs import ConfigureSpec, InitSpec

DEFAULT_PROJECT_DIR = "beer-app"


def resolve_project_dir(project_dir: str | os.PathLike | None = "") -> Path:
    """The notebook parameter if given, else $AMPLIFY_NB_PROJECT_DIR, else ./beer-app next to the notebooks."""
    chosen = project_dir or os.environ.get("AMPLIFY_NB_PROJECT_DIR") or DEFAULT_PROJECT_DIR
    return Path(chosen).expanduser().resolve()


def ensure_configured(project_dir: Path, env_name: str, target: str = "local", **target_answers) -> Target:
    """Configure env_name for the target unless it already is (what 00-configure does)."""
    info = read_json(Project(project_dir).paths.local_aws_info, {}) or {}
    if env_name not in info:
        configure_project(project_dir, ConfigureSpec.from_answers({"target": target, **target_answers}), env=env_name)
    return Project(project_dir).target(env_name)


def ensure_initialized(project_dir: Path, env_name: str, target: str = "local", **init_answers) -> Project:
    """Init with the given answers (defaults otherwise) unless the project and env exist (what 01-init does)."""
    project = Project(project_dir)
    if project.exists and env_name in project.team_provider_info() and project.env_name == env_name:
        return project
    ensure_configured(project_dir, env_name, target)
    if project.exists:  # another env of this project: select or add env_name, never re-init the project
        init_env(project, env_name, progress=False)
        return project
    spec = InitSpec.for_project(project_dir, {**init_answers, "env": env_name})
    project, _ = init_project(project_dir, spec, progress=False)
    return project


def resource_spec(project: Project, category_name: str, **answers):
    """The answers a notebook's form starts from: the resource's current ones (Amplify's defaults before it is
    added), overridden by the non-empty answers given; so a second run with the same parameters changes nothing."""
    from .categories import category
    from .project import current_spec

    existing = project.backend_config().get(category_name, {})
    named = answers.get("name") or answers.get("resource_name")
    if existing and (named in existing or (not named and len(existing) == 1)):
        base = current_spec(project, category_name, named if named in existing else None)
    else:
        base = category(category_name).default_spec(project)
    given = {name: value for name, value in answers.items() if value not in ("", None)}
    return base.answered(given)  # defaults that follow answers (auth's advanced settings) follow the given ones


def ensure_hosting(project_dir: Path, env_name: str, target: str = "local", publish_app: bool = True,
                   **hosting_answers) -> Project:
    """What 02-hosting does, for a later notebook run alone: init if needed, install the sample app, add hosting
    unless the project has it, push, and publish the app (nothing is uploaded when it is already there)."""
    from . import sample_app
    from .hosting import publish
    from .project import apply_resource, push

    project = ensure_initialized(project_dir, env_name, target)
    sample_app.install(project)
    if "hosting" not in project.backend_config():
        apply_resource(project, "hosting", resource_spec(project, "hosting", **hosting_answers))
    if publish_app:
        publish(project, progress=False)
    else:
        push(project, progress=False)
    return project


def ensure_resource(project_dir: Path, env_name: str, category_name: str, target: str = "local", **answers) -> Project:
    """What a category's notebook does, for a later notebook run alone: init if needed, add the resource with
    Amplify's defaults (and the answers given) unless the project has one, and push it if it is not pushed."""
    from .project import apply_resource, push, resource_status

    project = ensure_initialized(project_dir, env_name, target)
    if category_name not in project.backend_config():
        apply_resource(project, category_name, resource_spec(project, category_name, **answers))
    if any(row.category == category_name and row.operation != "No Change" for row in resource_status(project)):
        push(project, progress=False)
    return project


def ensure_auth(project_dir: Path, env_name: str, target: str = "local", **auth_answers) -> Project:
    """What 03-auth does (sign-in by email, Amplify's defaults), for a later notebook run alone."""
    return ensure_resource(project_dir, env_name, "auth", target, **auth_answers)


def crud_function_spec(project: Project, function_name: str = "beerfn", table_name: str = "beer", **answers):
    """The tutorial's function answers: the CRUD template on the table `table_name`, made in the same flow
    unless the project has it (the storage resource and the table share the name, as `/beer` -> `beer`)."""
    uses_existing = table_name in project.backend_config().get("storage", {})
    table = {"table": table_name} if uses_existing else {
        "new_table": {"resource_name": table_name, "table_name": table_name,
                      "columns": [{"name": "id", "type": "string"}], "partition_key": "id"}}
    return resource_spec(project, "function", name=function_name, template="crud-dynamodb", **table, **answers)


def ensure_crud_function(project_dir: Path, env_name: str, target: str = "local", function_name: str = "beerfn",
                         table_name: str = "beer") -> Project:
    """What 05-function does, for a later notebook run alone: the CRUD function and its table, pushed."""
    from .project import add_resource, push, resource_status

    project = ensure_initialized(project_dir, env_name, target)
    if function_name not in project.backend_config().get("function", {}):
        add_resource(project, "function", crud_function_spec(project, function_name, table_name))
    if any(row.operation != "No Change" for row in resource_status(project)
           if (row.category, row.resource_name) in (("function", function_name), ("storage", table_name))):
        push(project, progress=False)
    return project


def api_spec(project: Project, function_name: str = "beerfn", table_name: str = "beer", **answers):
    """The tutorial's api answers: `/beer` answered by the CRUD function `function_name`, a new one (with its new
    table, unless the project has it) or the project's own when 05-function made it first."""
    if function_name in project.backend_config().get("function", {}):
        source = {"lambda_source": "project", "function": function_name}
    else:
        source = {"lambda_source": "new",
                  "new_function": crud_function_spec(project, function_name, table_name).applicable_answers()}
    return resource_spec(project, "api", **source, **answers)


def ensure_api(project_dir: Path, env_name: str, target: str = "local", function_name: str = "beerfn",
               table_name: str = "beer", **answers) -> Project:
    """What 04-api does, for a later notebook run alone: hosting and auth if missing, the api (with its function
    and table), pushed."""
    from .project import apply_resource, push, resource_status

    ensure_hosting(project_dir, env_name, target)
    project = ensure_auth(project_dir, env_name, target)
    if not project.backend_config().get("api"):
        apply_resource(project, "api", api_spec(project, function_name, table_name, **answers))
    if any(row.operation != "No Change" for row in resource_status(project)):
        push(project, progress=False)
    return project
