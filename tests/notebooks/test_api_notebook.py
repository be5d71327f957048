"""notebooks/04-api runs headless with papermill: alone (bootstrapping init, hosting and auth), twice without
change, in both authorization modes, and after 05-function (whose function it then uses): a signed-in user's
beers go through the local API, the real handler and the table, and no token or secret reaches the outputs."""
from __future__ import annotations

import re
import uuid

from test_notebooks import SECRET_PATTERNS, outputs_text, run_notebook

from amplify_nb.project import Project, plan


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def api_state(project: Project, api: str) -> dict:
    output = project.amplify_meta()["api"][api]["output"]
    gateway = project.target().client("apigateway")
    resources = gateway.get_resources(restApiId=output["ApiId"], embed=["methods"])["items"]
    return {"paths": {r["path"]: sorted(r.get("resourceMethods", {})) for r in resources},
            "stages": [s["stageName"] for s in gateway.get_stages(restApiId=output["ApiId"])["item"]],
            "output": output}


def test_api_notebook_alone_serves_the_beers_and_a_second_run_changes_nothing(tmp_path, local_cloud):
    project_dir, function, table = tmp_path / "beer", unique("beerfn"), unique("beer")
    executed = run_notebook("04-api.ipynb", tmp_path, project_dir=str(project_dir), function_name=function,
                            table_name=table, api_name="beerapi")
    project = Project.open(project_dir)
    assert set(project.backend_config()) == {"hosting", "auth", "storage", "function", "api"}
    state = api_state(project, "beerapi")
    assert state["paths"]["/beer"] == ["ANY", "OPTIONS"] and state["paths"]["/beer/{proxy+}"] == ["ANY", "OPTIONS"]
    assert state["stages"] == ["dev"] and state["output"]["RootUrl"].endswith(f"/restapis/{state['output']['ApiId']}/dev/_user_request_")
    text = outputs_text(executed)
    assert "✔ API 'beerapi' (iam)" in text and "MissingAuthenticationTokenException" in text and "403" in text
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, text), pattern
    deployment = project.target().client("apigateway").get_stage(restApiId=state["output"]["ApiId"],
                                                                   stageName="dev")["deploymentId"]

    again = run_notebook("04-api.ipynb", tmp_path, project_dir=str(project_dir), function_name=function,
                         table_name=table, api_name="beerapi")
    assert "unchanged" in outputs_text(again) and "0 cloud calls" in outputs_text(again)
    assert project.target().client("apigateway").get_stage(
        restApiId=state["output"]["ApiId"], stageName="dev")["deploymentId"] == deployment  # no new deployment
    assert not plan(project)


def test_api_notebook_with_a_user_pool_authorizer(tmp_path, local_cloud):
    project_dir = tmp_path / "cognito"
    executed = run_notebook("04-api.ipynb", tmp_path, project_dir=str(project_dir), function_name=unique("beerfn"),
                            table_name=unique("beer"), api_name="beerapi", authorization="cognito")
    project = Project.open(project_dir)
    gateway = project.target().client("apigateway")
    api_id = project.amplify_meta()["api"]["beerapi"]["output"]["ApiId"]
    authorizers = gateway.get_authorizers(restApiId=api_id)["items"]
    assert [a["type"] for a in authorizers] == ["COGNITO_USER_POOLS"]
    text = outputs_text(executed)
    assert "✔ API 'beerapi' (cognito)" in text and "401" in text
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, text), pattern


def test_after_05_function_the_api_uses_that_function(tmp_path, local_cloud):
    project_dir, function, table = tmp_path / "after05", unique("beerfn"), unique("beer")
    run_notebook("05-function.ipynb", tmp_path, project_dir=str(project_dir), function_name=function, table_name=table)
    run_notebook("04-api.ipynb", tmp_path, project_dir=str(project_dir), function_name=function, table_name=table,
                 api_name="beerapi")
    config = Project.open(project_dir).backend_config()
    assert list(config["function"]) == [function] and list(config["storage"]) == [table]
    assert {d["resourceName"] for d in config["api"]["beerapi"]["dependsOn"]} >= {function}
