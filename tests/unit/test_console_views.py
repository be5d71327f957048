"""The console's pure parts: choosing the env to detail (ENV of the current project or PROJECT/ENV, with a clear
message for an unknown or ambiguous name), the diagram's SVG (a node per resource and a labelled edge per use,
findable by id), and the tables and text shown when Graphviz's dot is missing."""
from __future__ import annotations

import html
import shutil
import xml.etree.ElementTree as ET

import pytest

from amplify_nb.console import DOT_MISSING, ConsoleEnv, ConsoleView, Diagram, ResourceRow
from amplify_nb.console.envs import choose_env
from amplify_nb.errors import InputError

SVG = "{http://www.w3.org/2000/svg}"


def env(project: str, name: str, current: bool = False) -> ConsoleEnv:
    return ConsoleEnv(project=project, env=name, target="local cloud (us-east-1)", stack=f"amplify-{project}-{name}-x",
                      folder="not on this machine", current=current, resources=0, last_push="",
                      endpoints={"Hosting endpoint": f"http://127.0.0.1:1/{project}-{name}"})


ENVS = [env("beer", "dev"), env("beer", "test", current=True), env("wine", "dev")]


class Named:
    name = "beer"


def test_the_current_env_is_detailed_unless_another_is_named():
    assert choose_env(ENVS, None, Named()).key == "beer/test"
    assert choose_env(ENVS, "dev", Named()).key == "beer/dev"
    assert choose_env(ENVS, "wine/dev", Named()).key == "wine/dev"


@pytest.mark.parametrize("wanted, reason", [("prod", "is not known"), ("wine/test", "is not known")])
def test_an_unknown_env_is_refused_with_the_known_ones(wanted, reason):
    with pytest.raises(InputError) as raised:
        choose_env(ENVS, wanted, Named())
    assert reason in str(raised.value) and "beer/dev, beer/test, wine/dev" in str(raised.value)


def test_a_name_two_projects_share_is_ambiguous_without_a_project():
    with pytest.raises(InputError, match="is ambiguous"):
        choose_env(ENVS, "dev", None)


DIAGRAM = Diagram("beer / dev", nodes=[
    {"id": "apigateway.RestApi:api-dev", "type": "apigateway.RestApi", "name": "api-dev", "category": "api",
     "resource": "api", "state": "exists"},
    {"id": "lambda.Function:fn-dev", "type": "lambda.Function", "name": "fn-dev", "category": "function",
     "resource": "fn", "state": "exists"},
    {"id": "dynamodb.Table:beer-dev", "type": "dynamodb.Table", "name": "beer-dev", "category": "storage",
     "resource": "beer", "state": "missing"},
], edges=[{"source": "apigateway.RestApi:api-dev", "target": "lambda.Function:fn-dev", "label": "invokes"},
          {"source": "lambda.Function:fn-dev", "target": "dynamodb.Table:beer-dev", "label": "amplify-resources-policy"}])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_the_svg_has_a_node_per_resource_and_labelled_edges():
    root = ET.fromstring(DIAGRAM.svg())
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    assert {"apigateway.RestApi:api-dev", "lambda.Function:fn-dev", "dynamodb.Table:beer-dev"} <= set(groups)
    edge = groups["edge:lambda.Function:fn-dev|dynamodb.Table:beer-dev"]
    assert "amplify-resources-policy" in "".join(edge.itertext())
    assert "mistyrose" in ET.tostring(groups["dynamodb.Table:beer-dev"], encoding="unicode")  # missing: marked
    assert DIAGRAM._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")


def test_without_dot_the_tables_are_shown_with_how_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    row = ResourceRow("api", "api", "apigateway.RestApi", "api-dev", "abc123", "exists", "http://127.0.0.1:2/dev")
    view = ConsoleView(ENVS, ENVS[0], [row], DIAGRAM)
    page = view._repr_html_()
    assert html.escape(DOT_MISSING) in page and "<svg" not in page
    assert '<a href="http://127.0.0.1:2/dev" target="_blank">' in page
    assert DOT_MISSING in view.text() and "abc123" in view.text()
    assert DIAGRAM._repr_svg_() is None and DIAGRAM._repr_mimebundle_() == {"text/plain": DOT_MISSING}
