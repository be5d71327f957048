"""The console: the Amplify console for this machine. Every project and env the local cloud holds (plus the
current project's envs on AWS or an endpoint), each env's resources with their cloud name, id/ARN, state and
endpoint, and a diagram of one env.

Read-only towards the cloud: every call goes through `RemoteState`, which refuses anything but describe / list /
get / head. An env is found by its deployment bucket (tagged `amplify-nb:stack`, named `<stack>-deployment`),
which holds its last push record (`#current-cloud-backend.zip`): the env's amplify-meta, with the outputs and the
models each push made. Edges of the diagram are read from the cloud (policies, permissions, settings). The only
file written is this machine's list of project
folders (`<local cloud state>/console/projects.json`), since the cloud does not know where a project lives.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .aws import Target
from .categories.root import deployment_bucket_name
from .deploy import RemoteState
from .deploy.planner import rule_for
from .errors import AmplifyNbError, InputError
from .fileio import atomic_write_json, read_json
from .project import Project
from .project.envs import RECORD_KEY, list_envs, record_json
from .project.status import endpoints as category_endpoints

STACK_TAG = "amplify-nb:stack"
PROJECT_TAG = "user:Application"
ENV_TAG = "user:Stack"
NOT_ON_THIS_MACHINE = "not on this machine"
DOT_MISSING = ("The diagram needs Graphviz's `dot` program, which is not installed: `sudo apt-get install graphviz` "
               "(Debian/Ubuntu), `brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`.")


@dataclass(frozen=True)
class ConsoleEnv:
    """One env of one project, as the console's first table shows it."""

    project: str
    env: str
    target: str
    stack: str
    folder: str  # the project's folder on this machine, or NOT_ON_THIS_MACHINE
    current: bool  # the current env of the project the console was opened in
    resources: int
    last_push: str
    endpoints: dict = field(default_factory=dict)
    note: str = ""
    meta: dict = field(default_factory=dict, repr=False)  # the env's last push amplify-meta.json
    region: str = ""

    @property
    def key(self) -> str:
        return f"{self.project}/{self.env}"

    def as_dict(self) -> dict:
        shown = asdict(self)
        shown.pop("meta")
        return shown

    def target_object(self, project: Project | None) -> Target:
        if project is not None and self.folder == str(project.root):
            return project.target(self.env)
        return Target(kind="local", region=self.region or Target().region)


@dataclass(frozen=True)
class ResourceRow:
    """One cloud resource an env's last push made."""

    category: str  # the Amplify category, or "root" for the env's own bucket and roles
    resource: str  # the Amplify resource name
    type: str  # the model type: s3.Bucket, lambda.Function, ...
    name: str  # its name in the cloud
    id: str  # its id or ARN ("" when missing)
    state: str  # exists | missing
    endpoint: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# --- where projects live ------------------------------------------------------------------------------------
def registry_file() -> Path:
    from .local import LocalSettings

    return LocalSettings.from_env().state_dir / "console" / "projects.json"


def remember_project(project: Project) -> None:
    """Note the project's folder for each of its envs' stacks, so the console can name it from any project."""
    from filelock import FileLock

    stacks = {env.get("awscloudformation", {}).get("StackName"): str(project.root)
              for env in project.team_provider_info().values()}
    stacks.pop(None, None)
    path = registry_file()
    if all(read_json(path, {}).get(stack) == folder for stack, folder in stacks.items()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=30):  # two kernels may open the console at once
        atomic_write_json(path, {**read_json(path, {}), **stacks})


def project_folder(stack: str, known: dict) -> str:
    """The folder recorded for the stack, if it still holds a project with that stack; else NOT_ON_THIS_MACHINE."""
    folder = known.get(stack)
    if folder and Project(folder).exists:
        stacks = {env.get("awscloudformation", {}).get("StackName") for env in Project(folder).team_provider_info().values()}
        if stack in stacks:
            return folder
    return NOT_ON_THIS_MACHINE


# --- the envs ------------------------------------------------------------------------------------------------
def local_cloud_envs(remote: RemoteState) -> list[ConsoleEnv]:
    """Every env on the local cloud: each deployment bucket tagged with its stack, read with its push record."""
    known = read_json(registry_file(), {})
    found = []
    for bucket in remote.read("s3", "list_buckets").get("Buckets", []):
        name = bucket["Name"]
        if not (name.startswith("amplify-") and name.endswith("-deployment")):
            continue
        tags = bucket_tags(remote, name)
        stack = tags.get(STACK_TAG)
        if not stack or deployment_bucket_name(stack) != name:
            continue
        meta, note = read_record(remote, name)
        region = meta.get("providers", {}).get("awscloudformation", {}).get("Region") or remote.region
        found.append(summarize(tags.get(PROJECT_TAG, "?"), tags.get(ENV_TAG, "?"), f"local cloud ({region})",
                               stack, project_folder(stack, known), meta, note, region))
    return found


def bucket_tags(remote: RemoteState, bucket: str) -> dict:
    answer = remote.read("s3", "get_bucket_tagging", missing=("NoSuchTagSet", "NoSuchBucket"), Bucket=bucket)
    return {tag["Key"]: tag["Value"] for tag in (answer or {}).get("TagSet", [])}


def read_record(remote: RemoteState, bucket: str) -> tuple[dict, str]:
    """(amplify-meta, note) of the env's last push record; empty before its first push."""
    answer = remote.read("s3", "get_object", missing=("NoSuchKey", "NoSuchBucket", "404"), Bucket=bucket, Key=RECORD_KEY)
    if answer is None:
        return {}, "no push record yet"
    return record_json(answer["Body"].read(), "amplify-meta.json"), ""


def summarize(project: str, env: str, target: str, stack: str, folder: str, meta: dict, note: str,
              region: str, current: bool = False) -> ConsoleEnv:
    entries = [entry for category, resources in meta.items() if category != "providers" for entry in resources.values()]
    return ConsoleEnv(project=project, env=env, target=target, stack=stack, folder=folder, current=current,
                      resources=len(entries),
                      last_push=max((entry.get("lastPushTimeStamp", "") for entry in entries), default=""),
                      endpoints=category_endpoints(None, meta) if meta else {}, note=note, meta=meta,  # from meta alone
                      region=region)


def project_envs(project: Project) -> list[ConsoleEnv]:
    """The project's own envs wherever they deploy (the local cloud, AWS, an endpoint), from list_envs."""
    from .project.envs import fetch_record

    envs = []
    for summary in list_envs(project):
        meta = {}
        if summary.pushed and not summary.note:
            if summary.current:
                meta = project.amplify_meta(current=True)
            else:
                record = fetch_record(project, summary.env)
                meta = record_json(record, "amplify-meta.json") if record else {}
        target = project.target(summary.env)
        envs.append(summarize(project.name, summary.env, summary.target, summary.stack, str(project.root), meta,
                              summary.note or ("" if summary.pushed else "not pushed yet"), target.region,
                              current=summary.current))
    return envs


def console_envs(project: Project | None) -> list[ConsoleEnv]:
    """The current project's envs first (all targets), then every other env the local cloud holds."""
    own = project_envs(project) if project is not None else []
    stacks = {env.stack for env in own}
    others = [env for env in local_cloud_envs(RemoteState(Target(kind="local"))) if env.stack not in stacks]
    return own + sorted(others, key=lambda env: (env.project, env.env))


def choose_env(envs: list[ConsoleEnv], wanted: str | None, project: Project | None) -> ConsoleEnv | None:
    """The env to detail: `wanted` is ENV (of the current project) or PROJECT/ENV; default the current env."""
    if wanted is None:
        return next((env for env in envs if env.current), envs[0] if envs and project is None else None)
    project_name, _, env_name = wanted.rpartition("/")
    if not project_name and project is not None:
        project_name = project.name
    matches = [env for env in envs if env.env == env_name and (not project_name or env.project == project_name)]
    if len(matches) != 1:
        known = ", ".join(env.key for env in envs) or "none"
        reason = "is ambiguous" if matches else "is not known"
        raise InputError(f"Env {wanted!r} {reason}: name it as PROJECT/ENV, one of: {known}.")
    return matches[0]


# --- one env's resources -------------------------------------------------------------------------------------
def identities(env: ConsoleEnv) -> list[tuple[str, str, dict]]:
    """(category, resource, identity) for the root resources and every model each resource's push recorded."""
    providers = env.meta.get("providers", {}).get("awscloudformation", {})
    found: list[tuple[str, str, dict]] = []
    for category, resources in env.meta.items():
        if category == "providers":
            continue
        for resource, entry in resources.items():
            found += [(category, resource, identity) for identity in entry.get("providerMetadata", {}).get("resources", [])]
    seen = {(identity["type"], identity["name"]) for *_, identity in found}
    root = [("s3.Bucket", providers.get("DeploymentBucketName") or deployment_bucket_name(env.stack)),
            ("iam.Role", providers.get("AuthRoleName")), ("iam.Role", providers.get("UnauthRoleName"))]
    return [("root", "env", {"type": kind, "name": name}) for kind, name in root
            if name and (kind, name) not in seen] + found


def env_resources(env: ConsoleEnv, target: Target) -> list[ResourceRow]:
    """Each resource of the env with its id/ARN and whether it still exists, read from the cloud."""
    remote = RemoteState(target)
    endpoint_of = resource_endpoints(env)
    rows = []
    for category, resource, identity in identities(env):
        exists = rule_for(identity["type"]).exists(identity, remote)
        rows.append(ResourceRow(category, resource, identity["type"], identity["name"],
                                cloud_id(identity, remote) if exists else "", "exists" if exists else "missing",
                                endpoint_of.get((category, resource, identity["type"]), "")))
    return rows


# The model a category resource's endpoint is served by, best first (PROD hosting: the distribution, not its bucket).
SERVING_TYPES = ("cloudfront.Distribution", "apigateway.RestApi", "s3.Bucket")


def resource_endpoints(env: ConsoleEnv) -> dict[tuple[str, str, str], str]:
    """(category, resource, model type) -> the URL the category says the resource serves (its `endpoints`)."""
    from .categories import load_categories

    recorded = {(category, resource, identity["type"]) for category, resource, identity in identities(env)}
    found = {}
    for category_name, category in load_categories().items():
        if not hasattr(category, "endpoints"):
            continue
        for resource, entry in env.meta.get(category_name, {}).items():
            urls = list(category.endpoints(resource, entry).values())
            serving = next((kind for kind in SERVING_TYPES if (category_name, resource, kind) in recorded), None)
            if urls and serving:
                found[category_name, resource, serving] = urls[0]
    return found


def cloud_id(identity: dict, remote: RemoteState) -> str:
    """The resource's id or ARN as its console shows it (read with describe/list calls)."""
    reader = ID_READERS.get(identity["type"])
    try:
        return (reader(identity, remote) if reader else "") or ""
    except (KeyError, TypeError, IndexError):
        return ""


def _role_arn(identity: dict, remote: RemoteState) -> str:
    role = remote.read("iam", "get_role", missing=("NoSuchEntity",), RoleName=identity["name"])
    return role["Role"]["Arn"] if role else ""


def _role_policy(identity: dict, remote: RemoteState) -> str:
    role, _, policy = identity["name"].partition("/")
    return f"{_role_arn({'name': role}, remote)} (inline policy {policy})"


def _user_pool(identity: dict, remote: RemoteState) -> str:
    from .deploy.rules.cognito import find_user_pool

    pool = find_user_pool(identity["name"], remote)
    return remote.read("cognito-idp", "describe_user_pool", UserPoolId=pool["Id"])["UserPool"]["Arn"] if pool else ""


def _user_pool_client(identity: dict, remote: RemoteState) -> str:
    from .deploy.rules.cognito import find_client, find_user_pool

    pool = find_user_pool(identity["user_pool"], remote)
    client = find_client(pool["Id"], identity["name"], remote) if pool else None
    return client["ClientId"] if client else ""


def _identity_pool(identity: dict, remote: RemoteState) -> str:
    from .deploy.rules.cognito import find_identity_pool

    pool = find_identity_pool(identity["name"], remote)
    return pool["IdentityPoolId"] if pool else ""


def _rest_api(identity: dict, remote: RemoteState) -> str:
    from .deploy.rules.apigateway import find_rest_api

    api = find_rest_api(identity["name"], remote, identity.get("owner"))
    return api["id"] if api else ""


def _distribution(identity: dict, remote: RemoteState) -> str:
    from .deploy.rules.cloudfront import find_distribution

    found = find_distribution(remote, identity["name"])
    return found["ARN"] if found else ""


def _origin_access_control(identity: dict, remote: RemoteState) -> str:
    from .deploy.rules.cloudfront import find_origin_access_control

    found = find_origin_access_control(remote, identity["name"])
    return found["Id"] if found else ""


ID_READERS: dict[str, Callable[[dict, RemoteState], str]] = {
    "s3.Bucket": lambda identity, remote: f"arn:aws:s3:::{identity['name']}",
    "iam.Role": _role_arn,
    "iam.RolePolicy": _role_policy,
    "dynamodb.Table": lambda identity, remote: remote.read("dynamodb", "describe_table",
                                                           TableName=identity["name"])["Table"]["TableArn"],
    "lambda.Function": lambda identity, remote: remote.read("lambda", "get_function_configuration",
                                                            FunctionName=identity["name"])["FunctionArn"],
    "lambda.Permission": lambda identity, remote: f"statement {identity['name'].partition('/')[2]}",
    "apigateway.RestApi": _rest_api,
    "cognito-idp.UserPool": _user_pool,
    "cognito-idp.UserPoolClient": _user_pool_client,
    "cognito-identity.IdentityPool": _identity_pool,
    "cognito-identity.IdentityPoolRoles": _identity_pool,
    "cloudfront.Distribution": _distribution,
    "cloudfront.OriginAccessControl": _origin_access_control,
}


# --- the diagram ---------------------------------------------------------------------------------------------
EDGE_TYPES = ("iam.RolePolicy", "lambda.Permission", "cognito-identity.IdentityPoolRoles")
SHAPES = {"s3.Bucket": "cylinder", "dynamodb.Table": "cylinder", "lambda.Function": "component",
          "apigateway.RestApi": "hexagon", "cloudfront.Distribution": "doubleoctagon", "iam.Role": "note",
          "cognito-idp.UserPool": "folder", "cognito-identity.IdentityPool": "folder"}


@dataclass(frozen=True)
class Diagram:
    """An env's resources as nodes (grouped by category resource) and how they use each other as labelled edges:
    the policies (a role's inline policy -> what it grants on), the API's invoke permission, the identity pool's
    roles, a distribution's origin. `graph()` draws it with Graphviz."""

    title: str
    nodes: list[dict]  # {id, type, name, category, resource, state}
    edges: list[dict]  # {source, target, label}

    def as_dict(self) -> dict:
        return asdict(self)

    def graph(self):
        import graphviz

        graph = graphviz.Digraph(name="env", graph_attr={"rankdir": "LR", "label": self.title, "labelloc": "t",
                                                         "fontname": "Helvetica", "fontsize": "14"},
                                 node_attr={"fontname": "Helvetica", "fontsize": "10", "style": "filled",
                                            "fillcolor": "white"},
                                 edge_attr={"fontname": "Helvetica", "fontsize": "9"})
        numbers = {node["id"]: f"n{number}" for number, node in enumerate(self.nodes)}
        groups: dict[tuple[str, str], list[dict]] = {}
        for node in self.nodes:
            groups.setdefault((node["category"], node["resource"]), []).append(node)
        for number, ((category, resource), members) in enumerate(groups.items()):
            with graph.subgraph(name=f"cluster_{number}") as cluster:
                cluster.attr(label=f"{category}: {resource}", style="rounded", color="gray50")
                for node in members:
                    cluster.node(numbers[node["id"]], f"{node['name']}\n({node['type']})", id=node["id"],
                                 shape=SHAPES.get(node["type"], "box"),
                                 fillcolor="white" if node["state"] == "exists" else "mistyrose",
                                 tooltip=f"{node['type']} {node['name']}: {node['state']}")
        for edge in self.edges:
            graph.edge(numbers[edge["source"]], numbers[edge["target"]], label=edge["label"],
                       id=f"edge:{edge['source']}|{edge['target']}")
        return graph

    def svg(self) -> str:
        """The diagram as SVG text; DiagramUnavailable when Graphviz's dot is not installed."""
        import graphviz

        try:
            return self.graph().pipe(format="svg", encoding="utf-8")
        except graphviz.ExecutableNotFound as exc:
            raise DiagramUnavailable(DOT_MISSING) from exc

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except DiagramUnavailable:
            return None

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        try:
            return {"image/svg+xml": self.svg(), "text/plain": self.title}
        except DiagramUnavailable as exc:
            return {"text/plain": str(exc)}


class DiagramUnavailable(AmplifyNbError):
    """Graphviz's dot program is missing: the tables can still be shown."""


def node_id(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def env_diagram(env: ConsoleEnv, rows: list[ResourceRow], target: Target) -> Diagram:
    """The env's diagram: a node per resource, edges read from the policies and settings in the cloud."""
    remote = RemoteState(target)
    nodes = [{"id": node_id(row.type, row.name), "type": row.type, "name": row.name, "category": row.category,
              "resource": row.resource, "state": row.state} for row in rows if row.type not in EDGE_TYPES]
    by_name = {(node["type"], node["name"]): node["id"] for node in nodes}
    edges: list[dict] = []

    def add(source: str | None, target_id: str | None, label: str) -> None:
        edge = {"source": source, "target": target_id, "label": label}
        if source and target_id and source != target_id and edge not in edges:
            edges.append(edge)

    present = [row for row in rows if row.state == "exists"]
    arns = {row.id: node_id(row.type, row.name) for row in present if row.id.startswith("arn:")}
    functions_by_role = function_roles(present, remote)
    for row in present:
        if row.type == "cognito-idp.UserPoolClient":
            add(by_name.get(("cognito-idp.UserPool", identity_of(env, row).get("user_pool"))), node_id(row.type, row.name),
                "app client")
        elif row.type == "lambda.Function":
            role = functions_by_role.get(row.name)
            add(node_id(row.type, row.name), by_name.get(("iam.Role", role)), "execution role")
        elif row.type == "lambda.Permission":
            function = row.name.partition("/")[0]
            for api in (r for r in present if r.type == "apigateway.RestApi" and r.resource == row.resource):
                add(node_id(api.type, api.name), by_name.get(("lambda.Function", function)), "invokes")
        elif row.type == "iam.RolePolicy":
            role = row.name.partition("/")[0]
            source = by_name.get(("lambda.Function", functions_by_role.get(role, ""))) or by_name.get(("iam.Role", role))
            for granted in policy_targets(row, remote, present, arns):
                add(source, granted, row.name.partition("/")[2])
        elif row.type == "cognito-identity.IdentityPoolRoles":
            roles = remote.read("cognito-identity", "get_identity_pool_roles", missing=("ResourceNotFoundException",),
                                IdentityPoolId=row.id) or {}
            for kind, arn in roles.get("Roles", {}).items():
                add(by_name.get(("cognito-identity.IdentityPool", row.name)), arns.get(arn), f"{kind} role")
        elif row.type == "cognito-identity.IdentityPool":
            pool = remote.read("cognito-identity", "describe_identity_pool", IdentityPoolId=row.id)
            clients = {client.id: node_id(client.type, client.name) for client in present
                       if client.type == "cognito-idp.UserPoolClient"}
            for provider in pool.get("CognitoIdentityProviders", []):
                add(node_id(row.type, row.name), clients.get(provider.get("ClientId")), "trusts sign-ins of")
        elif row.type == "cloudfront.Distribution":
            config = remote.read("cloudfront", "get_distribution_config", Id=row.id.rsplit("/", 1)[-1])
            for origin in config["DistributionConfig"]["Origins"].get("Items", []):
                bucket = origin["DomainName"].split(".s3", 1)[0]
                add(node_id(row.type, row.name), by_name.get(("s3.Bucket", bucket)), "origin")
                oac = next((r for r in present if r.type == "cloudfront.OriginAccessControl"
                            and r.id == origin.get("OriginAccessControlId")), None)
                if oac:
                    add(node_id(row.type, row.name), node_id(oac.type, oac.name), "signs with")
    title = f"{env.project} / {env.env} ({env.target})"
    return Diagram(title, nodes, edges)


def identity_of(env: ConsoleEnv, row: ResourceRow) -> dict:
    for category, resource, identity in identities(env):
        if (category, resource, identity["type"], identity["name"]) == (row.category, row.resource, row.type, row.name):
            return identity
    return {}


def function_roles(rows: list[ResourceRow], remote: RemoteState) -> dict[str, str]:
    """function name -> its execution role's name, and role name -> the function it runs (both ways, one map)."""
    found = {}
    for row in rows:
        if row.type == "lambda.Function":
            role = remote.read("lambda", "get_function_configuration", FunctionName=row.name)["Role"].rsplit("/", 1)[-1]
            found[row.name], found[role] = role, row.name
    return found


def policy_targets(row: ResourceRow, remote: RemoteState, present: list[ResourceRow], arns: dict[str, str]) -> list[str]:
    """The env's resources an inline policy grants on: its Resource ARNs matched to the nodes (tables, buckets,
    the REST API by its id in an execute-api ARN); log groups and other resources are not drawn."""
    role, _, policy = row.name.partition("/")
    answer = remote.read("iam", "get_role_policy", missing=("NoSuchEntity",), RoleName=role, PolicyName=policy)
    if not answer:
        return []
    document = answer["PolicyDocument"]
    if isinstance(document, str):
        import json
        import urllib.parse

        document = json.loads(urllib.parse.unquote(document))
    statements = document.get("Statement", [])
    resources = [arn for statement in (statements if isinstance(statements, list) else [statements])
                 for arn in ([statement.get("Resource")] if isinstance(statement.get("Resource"), str)
                             else statement.get("Resource") or [])]
    found = []
    for arn in resources:
        text = arn if isinstance(arn, str) else str(arn)
        base = re.split(r"/(?:index|stream)/|/\*$|/\$\{", text)[0]
        if base in arns:
            found.append(arns[base])
        elif text.startswith("arn:aws:s3:::"):
            bucket = text[len("arn:aws:s3:::"):].split("/", 1)[0]
            found += [node_id(r.type, r.name) for r in present if r.type == "s3.Bucket" and r.name == bucket]
        elif ":execute-api:" in text:
            api_id = text.split(":", 5)[-1].split("/", 1)[0]
            found += [node_id(r.type, r.name) for r in present if r.type == "apigateway.RestApi" and r.id == api_id]
    return list(dict.fromkeys(found))


# --- all of it ----------------------------------------------------------------------------------------------
@dataclass
class ConsoleView:
    """What `console()` returns: the envs, the chosen env's resources and its diagram. Shown in a notebook as
    tables with clickable links and the diagram inline; `text()` for a terminal, `as_dict()` for scripts."""

    envs: list[ConsoleEnv]
    env: ConsoleEnv | None
    resources: list[ResourceRow]
    diagram: Diagram | None
    notes: list[str] = field(default_factory=list)

    def envs_table(self):
        from .views import console_envs_table

        return console_envs_table(self.envs)

    def resources_table(self):
        from .views import console_resources_table

        return console_resources_table(self.resources, self.env)

    def as_dict(self) -> dict:
        return {"envs": [env.as_dict() for env in self.envs],
                "env": None if self.env is None else {**self.env.as_dict(),
                                                      "resources": [row.as_dict() for row in self.resources]},
                "diagram": None if self.diagram is None else self.diagram.as_dict(), "notes": self.notes}

    def text(self) -> str:
        from .views import console_text

        return console_text(self)

    def _repr_html_(self) -> str:
        from .views import console_html

        return console_html(self)

    def __repr__(self) -> str:
        return self.text()


def console(project_dir: str | Path | None = None, env: str | None = None) -> ConsoleView:
    """The console for this machine: opened in a project (project_dir, or the current folder's), its envs and
    every other env on the local cloud; `env` (ENV or PROJECT/ENV) picks the env detailed below the table
    (default: the current env)."""
    project = open_project(project_dir)
    if project is not None:
        remember_project(project)
    envs = console_envs(project)
    chosen = choose_env(envs, env, project)
    notes: list[str] = []
    rows: list[ResourceRow] = []
    diagram = None
    if chosen is not None:
        target = chosen.target_object(project)
        try:
            rows = env_resources(chosen, target)
            diagram = env_diagram(chosen, rows, target)
        except AmplifyNbError as exc:  # an AWS env without credentials: the envs table is still worth showing
            notes.append(f"The resources of {chosen.key} could not be read from {chosen.target}: {exc}")
    elif not envs:
        notes.append("No Amplify project on the local cloud yet: run `amplify-nb init` in a project folder.")
    return ConsoleView(envs, chosen, rows, diagram, notes)


def open_project(project_dir: str | Path | None) -> Project | None:
    """The project the console is opened in, or None when the folder holds none (every project is still shown)."""
    try:
        return Project.open(project_dir or Path.cwd())
    except AmplifyNbError:
        if project_dir is not None and not Path(project_dir).is_dir():
            raise InputError(f"No folder {project_dir}: give an existing project folder (or none).")
        return None


def rendered(view: ConsoleView) -> tuple[str | None, str | None]:
    """(svg, note): the diagram's SVG, or why there is none."""
    if view.diagram is None:
        return None, None
    try:
        return view.diagram.svg(), None
    except DiagramUnavailable as exc:
        return None, str(exc)


__all__ = ["ConsoleEnv", "ConsoleView", "Diagram", "DiagramUnavailable", "ResourceRow", "console", "console_envs",
           "env_diagram", "env_resources", "remember_project", "rendered"]
