"""The diagram of an env: a node per resource, grouped by Amplify resource, and how they use each other as labelled
edges read from the cloud (inline policies, the API's invoke permission, the identity pool's roles and clients, a
distribution's origin), drawn with Graphviz."""
from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import asdict, dataclass

from ..aws import Target
from ..deploy import RemoteState
from ..errors import AmplifyNbError
from .envs import ConsoleEnv
from .resources import ResourceRow, identities

DOT_MISSING = ("The diagram needs Graphviz's `dot` program, which is not installed: `sudo apt-get install graphviz` "
               "(Debian/Ubuntu), `brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`.")
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
