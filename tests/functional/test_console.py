"""`amplify-nb console` and `console()`: with the tutorial's whole backend (hosting, auth, api + function + table)
in two envs of one project and a second project on the same local cloud, the console lists both projects and every
env with the endpoints each env's push recorded (the folder of a project moved away shown as not on this machine);
one env's resources carry the cloud's ids and ARNs and their state (a table deleted behind the project's back is
missing); PROD hosting's endpoint is on its distribution, drawn in front of its bucket; the diagram's SVG has a
node per resource and the edges api -> function -> table; --json for scripts, --svg FILE for the picture, a bad
--env exits 2; without Graphviz's dot the tables still print with how to install it.
"""
from __future__ import annotations

import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_runner import run_cli

from amplify_nb.console import NOT_ON_THIS_MACHINE, console
from amplify_nb.notebook import ensure_api, ensure_hosting
from amplify_nb.project import push
from amplify_nb.project.envs import add_env, list_envs

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def projects(tmp_path_factory, local_cloud) -> dict:
    """beer<suffix>: dev and test with the tutorial backend (test is current); site<suffix>: PROD hosting (a
    distribution in front of a private bucket), its folder known to the console; gone<suffix>: hosting only, its
    folder moved away after the console saw it."""
    suffix = uuid.uuid4().hex[:6]
    base = tmp_path_factory.mktemp("console")
    beer = ensure_api(base / f"beer{suffix}", "dev", function_name=f"beerfn{suffix}", table_name=f"beer{suffix}",
                      path="/beer")
    add_env(beer, "test")
    push(beer, progress=False)
    site = ensure_hosting(base / f"site{suffix}", "dev", publish_app=False, environment="PROD")
    gone = ensure_hosting(base / f"gone{suffix}", "dev", publish_app=False)
    console(site.root)
    console(gone.root)
    gone_name = gone.name
    shutil.move(gone.root, base / "moved-away")
    return {"beer": beer, "site": site, "gone": gone_name}


def by_key(view) -> dict:
    return {env.key: env for env in view.envs}


def test_console_lists_every_project_and_env_with_the_endpoints_of_its_last_push(projects):
    beer, site, gone = projects["beer"], projects["site"], projects["gone"]  # gone: the moved project's name
    view = console(beer.root)
    envs = by_key(view)
    assert {f"{beer.name}/dev", f"{beer.name}/test", f"{site.name}/dev", f"{gone}/dev"} <= set(envs)
    assert [env.key for env in view.envs[:2]] == [f"{beer.name}/dev", f"{beer.name}/test"]  # its own envs first
    recorded = {summary.env: summary for summary in list_envs(beer)}
    for env in ("dev", "test"):
        shown = envs[f"{beer.name}/{env}"]
        assert shown.endpoints == recorded[env].endpoints
        assert set(shown.endpoints) == {"Hosting endpoint", "REST API endpoint"}
        assert shown.stack == recorded[env].stack and shown.folder == str(beer.root)
        assert shown.resources == recorded[env].resources == 5  # hosting, auth, api, function, storage
    assert envs[f"{beer.name}/test"].current and not envs[f"{beer.name}/dev"].current
    assert envs[f"{beer.name}/dev"].endpoints["REST API endpoint"] != envs[f"{beer.name}/test"].endpoints["REST API endpoint"]
    assert envs[f"{site.name}/dev"].folder == str(site.root)
    assert envs[f"{site.name}/dev"].endpoints == {"Hosting endpoint": site.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["CloudFrontSecureURL"]}
    assert envs[f"{gone}/dev"].folder == NOT_ON_THIS_MACHINE
    shown = view.envs_table()
    row = shown[(shown["Project"] == beer.name) & (shown["Env"] == "dev")].iloc[0]
    assert row["API"] == envs[f"{beer.name}/dev"].endpoints["REST API endpoint"]
    page = view._repr_html_()
    for env in ("dev", "test"):
        url = envs[f"{beer.name}/{env}"].endpoints["Hosting endpoint"]
        assert f'<a href="{url}" target="_blank">{url}</a>' in page  # clickable in the notebook
    assert "<a href" not in view.text() and envs[f"{beer.name}/dev"].endpoints["Hosting endpoint"] in view.text()


def test_an_envs_resources_have_their_cloud_ids_state_and_endpoints(projects, boto3_client, local_cloud):
    beer = projects["beer"]
    view = console(beer.root, env="dev")
    assert view.env.key == f"{beer.name}/dev"
    rows = {row.type: row for row in view.resources}
    meta = json.loads(Path(beer.root, "amplify", "backend", "amplify-meta.json").read_text())  # test is current
    assert {"s3.Bucket", "iam.Role", "iam.RolePolicy", "cognito-idp.UserPool", "cognito-idp.UserPoolClient",
            "cognito-identity.IdentityPool", "apigateway.RestApi", "lambda.Function", "lambda.Permission",
            "dynamodb.Table"} <= set(rows)
    assert all(row.state == "exists" for row in view.resources), [r for r in view.resources if r.state != "exists"]
    dynamodb = boto3_client("dynamodb", local_cloud.settings.endpoint)
    table = rows["dynamodb.Table"]
    assert table.name.endswith("-dev") and table.id == dynamodb.describe_table(TableName=table.name)["Table"]["TableArn"]
    api = rows["apigateway.RestApi"]
    apis = boto3_client("apigateway", local_cloud.settings.endpoint).get_rest_apis()["items"]
    assert api.id in {item["id"] for item in apis if item["name"] == api.name}
    assert api.endpoint == by_key(view)[f"{beer.name}/dev"].endpoints["REST API endpoint"] and "/dev" in api.endpoint
    assert api.id not in json.dumps(meta)  # dev's ids, not the current env's
    pool = rows["cognito-idp.UserPool"]
    assert pool.id.startswith("arn:aws:cognito-idp:")
    assert rows["lambda.Function"].id.startswith("arn:aws:lambda:")

    dynamodb.delete_table(TableName=table.name)  # behind the project's back
    dynamodb.get_waiter("table_not_exists").wait(TableName=table.name)
    after = {row.name: row for row in console(beer.root, env=f"{beer.name}/dev").resources}
    assert after[table.name].state == "missing" and after[table.name].id == ""
    assert after[rows["lambda.Function"].name].state == "exists"


def test_the_diagram_has_a_node_per_resource_and_the_api_function_table_edges(projects):
    beer = projects["beer"]
    view = console(beer.root)  # the current env: test
    assert view.env.env == "test"
    root = ET.fromstring(view.diagram.svg())
    node_ids = {g.get("id") for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "")}
    edge_ids = {g.get("id") for g in root.iter(f"{SVG}g") if "edge" in (g.get("class") or "")}
    drawn = [row for row in view.resources if row.type not in ("iam.RolePolicy", "lambda.Permission",
                                                                "cognito-identity.IdentityPoolRoles")]
    assert {f"{row.type}:{row.name}" for row in drawn} == node_ids
    rows = {row.type: row for row in view.resources}
    api, function, table = (f"{kind}:{rows[kind].name}" for kind in ("apigateway.RestApi", "lambda.Function", "dynamodb.Table"))
    assert f"edge:{api}|{function}" in edge_ids
    assert f"edge:{function}|{table}" in edge_ids
    labels = {(edge["source"], edge["target"]): edge["label"] for edge in view.diagram.edges}
    assert labels[api, function] == "invokes"
    assert labels[function, table] == "amplify-resources-policy"  # the policy granting the table actions
    pools = [row for row in view.resources if row.type == "cognito-identity.IdentityPool"]
    roles = {f"iam.Role:{row.name}" for row in view.resources if row.type == "iam.Role" and row.category in ("auth", "root")}
    identity_pool = f"cognito-identity.IdentityPool:{pools[0].name}"
    assert {target for (source, target) in labels if source == identity_pool} >= roles
    user_pool = f"cognito-idp.UserPool:{rows['cognito-idp.UserPool'].name}"
    assert any(source == user_pool and target.startswith("cognito-idp.UserPoolClient:") for source, target in labels)
    hosting_bucket = next(row for row in view.resources if row.category == "hosting" and row.type == "s3.Bucket")
    assert f"s3.Bucket:{hosting_bucket.name}" in node_ids and hosting_bucket.endpoint
    assert "<svg" in view._repr_html_()


def test_prod_hosting_is_a_distribution_serving_the_endpoint_in_front_of_its_bucket(projects):
    site = projects["site"]
    view = console(projects["beer"].root, env=f"{site.name}/dev")  # another project's env, by PROJECT/ENV
    rows = {row.type: row for row in view.resources if row.category == "hosting"}
    distribution, bucket = rows["cloudfront.Distribution"], rows["s3.Bucket"]
    assert distribution.endpoint == site.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["CloudFrontSecureURL"]
    assert distribution.id.startswith("arn:aws:cloudfront::") and bucket.endpoint == ""
    assert "cloudfront.OriginAccessControl" in rows
    assert {"source": f"cloudfront.Distribution:{distribution.name}", "target": f"s3.Bucket:{bucket.name}",
            "label": "origin"} in view.diagram.edges


def test_console_cli_json_svg_and_bad_env(projects, tmp_path):
    beer = projects["beer"]
    shown = json.loads(run_cli("console", "--json", "--project-dir", str(beer.root)).stdout)
    keys = {f"{env['project']}/{env['env']}" for env in shown["envs"]}
    assert {f"{beer.name}/dev", f"{beer.name}/test", f"{projects['site'].name}/dev"} <= keys
    assert shown["env"]["env"] == "test" and {row["state"] for row in shown["env"]["resources"]} == {"exists"}
    assert {"nodes", "edges"} <= set(shown["diagram"])
    picture = tmp_path / "env.svg"
    text = run_cli("console", "--env", "dev", "--svg", str(picture), "--project-dir", str(beer.root))
    assert "Projects and envs" in text.stdout and f"Resources of {beer.name}/dev" in text.stdout
    assert ET.fromstring(picture.read_text()).tag == f"{SVG}svg"
    bad = run_cli("console", "--env", "nope", "--project-dir", str(beer.root), check=False)
    assert bad.returncode == 2 and "'nope' is not known" in bad.stderr


def test_without_graphviz_dot_the_tables_still_print_with_how_to_install_it(projects, tmp_path):
    beer = projects["beer"]
    bare = tmp_path / "bin"  # a PATH without dot (the CLI runs as this Python, which needs no PATH)
    bare.mkdir()
    done = run_cli("console", "--svg", str(tmp_path / "x.svg"), "--project-dir", str(beer.root), check=False,
                   env={"PATH": str(bare)})
    assert done.returncode == 1 and "apt-get install graphviz" in done.stdout + done.stderr
    assert f"Resources of {beer.name}/test" in done.stdout and not (tmp_path / "x.svg").exists()
