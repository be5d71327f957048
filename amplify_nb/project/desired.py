"""What an env should have in the cloud: its deploy context, and the models of its root and category resources.

Push, drift, export, teardown and the views all plan from the same models, built here in dependsOn order, with
each Ref to another resource's attribute resolved.
"""
from __future__ import annotations

from ..categories import DeployContext, Ref, load_categories
from ..categories.root import root_resources
from ..deploy.planner import map_model_values
from ..errors import AmplifyNbError, InputError, Problem
from .configure import budget_resources
from .dependencies import dependency_order, depends_on
from .env_records import check_record_belongs, record_identities
from .project import Project


def deploy_context(project: Project, env: str | None = None) -> DeployContext:
    env = env or project.env_name
    awscf = project.env_info(env).get("awscloudformation", {})
    if not awscf.get("StackName"):
        raise AmplifyNbError(f"Environment {env!r} is not initialized: run `amplify-nb init --env {env}` first.")
    return DeployContext(project_name=project.name, env=env, stack_name=awscf["StackName"], target=project.target(env),
                         project_root=project.root, root_outputs=awscf)


def desired_resources(project: Project, ctx: DeployContext, builds: dict | None = None,
                      build: bool = True) -> tuple[list, dict]:
    """Root resources first, then each category resource's models in dependsOn order; also which models belong
    to which resource. `builds` collects what categories built on the way (a function's zip), by resource.
    build=False names the models without building anything (a teardown needs only their names, and must work
    while a function's source does not build).

    Refs to another resource's attributes are replaced by that resource's values (literals or Vars).
    A category may take over a root model by returning one with the same key (auth makes the env's roles trust
    its identity pool, as Amplify does): the category's version replaces the root one, at the category's place,
    after the resources it refers to. Removing the category gives the root version back.
    """
    resources = env_root_resources(project, ctx)
    config = project.backend_config()
    owners: dict[tuple[str, str], list] = {}
    attributes: dict[tuple[str, str], dict] = {}
    for category_name, resource_name in dependency_order(config):
        category = deployable_category(category_name)
        entry = config[category_name][resource_name]
        if hasattr(category, "build"):
            built = category.build(ctx, resource_name, entry) if build else category.unbuilt(resource_name)
            entry = {**entry, "build": built}
            if builds is not None:
                builds[(category_name, resource_name)] = built
        wanted = set(depends_on(entry))
        models = [map_model_values(model, lambda value: _resolve_ref(value, attributes, wanted, category_name, resource_name))
                  for model in category.resources(ctx, resource_name, entry)]
        owners[(category_name, resource_name)] = models
        if hasattr(category, "attributes"):
            attributes[(category_name, resource_name)] = category.attributes(ctx, resource_name, entry)
        taken_over = {model.key for model in models}
        resources = [resource for resource in resources if resource.key not in taken_over] + models
    return resources, owners


def env_root_resources(project: Project, ctx: DeployContext) -> list:
    """The env's root stack (deployment bucket, roles) and, on AWS when configure asked for one, its budget."""
    return root_resources(ctx.stack_name, ctx.project_name, ctx.env) + budget_resources(project, ctx.env, ctx.stack_name)


def _resolve_ref(value, attributes: dict, wanted: set, category_name: str, resource_name: str):
    if not isinstance(value, Ref):
        return value
    owner = (value.category, value.resource_name)
    if owner not in wanted:
        raise InputError([Problem("dependsOn", f"{category_name} {resource_name} refers to {value} but does not list "
                                               f"{value.category} {value.resource_name} in its dependsOn.")])
    found = attributes.get(owner, {})
    if value.attribute not in found:
        raise InputError([Problem("dependsOn", f"{category_name} {resource_name} refers to {value}, an attribute "
                                               f"{value.category} does not have (it has: {', '.join(found) or 'none'}).")])
    return found[value.attribute]


def recorded_resources(project: Project, ctx: DeployContext) -> list[dict]:
    """What this env's last successful push made for categories (root resources are never swept by push).

    Only this env's record counts: #current-cloud-backend/ of another env is refused, never swept from.
    """
    check_record_belongs(project, ctx.env)
    return record_identities(project.amplify_meta(current=True), project.backend_config(current=True))


def deployable_category(name: str):
    if name not in load_categories():
        raise AmplifyNbError(f"backend-config.json has a {name!r} category that this version of amplify_nb cannot deploy.")
    return load_categories()[name]
