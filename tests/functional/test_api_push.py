"""add api through the amplify-nb command and push it to the local cloud: the tutorial's whole backend (hosting,
auth, an API with a new CRUD function and a new table), Amplify's files, API Gateway's state as the data plane
reads it, outputs and aws-exports, a second push planning nothing, both authorization modes, a push killed at
every step converging when run again, bad answers refused without writing, and remove api."""
from __future__ import annotations

import json
import uuid

import pytest
from cli_runner import run_cli

from amplify_nb.local.apis import local_api_root_url
from amplify_nb.project import Project, plan

TUTORIAL = {"name": "beerapi", "path": "/beer", "new_function": {"name": "beerLambda"}, "restrict_access": True,
            "who": "authenticated", "auth_permissions": ["create", "read", "update", "delete"]}


def unique_api(**changes) -> dict:
    """The tutorial's answers under names of their own (every test shares one local cloud)."""
    suffix = uuid.uuid4().hex[:6]
    return {**TUTORIAL, "name": f"beerapi{suffix}", "new_function": {
        "name": f"beerLambda{suffix}", "new_table": {"resource_name": f"beer{suffix}"}}, **changes}


CORS_ALLOW_HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'"


def files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def write_answers(folder, answers: dict, name: str = "api.yaml"):
    path = folder.parent / name
    path.write_text(json.dumps(answers))
    return str(path)


def bootstrap(project_dir, *, hosting: bool = True):
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    if hosting:
        run_cli("add", "hosting", "--yes", "--project-dir", str(project_dir))
    run_cli("add", "auth", "--yes", "--resource-name", "beerauth", "--project-dir", str(project_dir))


def add_api(project_dir, answers: dict, check: bool = True):
    return run_cli("add", "api", "--yes", "--answers", write_answers(project_dir, answers), "--project-dir",
                   str(project_dir), check=check)


def meta(project_dir) -> dict:
    return json.loads((project_dir / "amplify/backend/amplify-meta.json").read_text())


def pending(project) -> list:
    """The calls a push would make now (empty when the cloud matches the project)."""
    return [f"{row['call']} {row['parameters']}" for row in plan(project).rows()]


def api_state(client, api_id: str) -> dict:
    """What API Gateway holds for the API, normalised (ids out) so two pushes compare."""
    resources = client.get_resources(restApiId=api_id, embed=["methods"])["items"]
    state = {}
    for resource in resources:
        methods = {}
        for method in resource.get("resourceMethods", {}):
            found = client.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=method)
            integration = found.get("methodIntegration") or {}
            methods[method] = {
                "authorizationType": found["authorizationType"], "authorizer": bool(found.get("authorizerId")),
                "integration": integration.get("type"), "uri": integration.get("uri"),
                "integrationHttpMethod": integration.get("httpMethod"),
                "responses": (integration.get("integrationResponses") or {}).get("200", {}).get("responseParameters"),
            }
        state[resource["path"]] = methods
    responses = {kind: client.get_gateway_response(restApiId=api_id, responseType=kind).get("responseParameters")
                 for kind in ("DEFAULT_4XX", "DEFAULT_5XX")}
    stage = client.get_stage(restApiId=api_id, stageName="dev")
    return {"resources": state, "gateway_responses": responses, "stage": stage["stageName"],
            "authorizers": [(a["name"], a["type"], a["identitySource"]) for a in
                            client.get_authorizers(restApiId=api_id)["items"]]}


@pytest.fixture
def project_dir(tmp_path, local_cloud):
    """A project with hosting and auth; deleted afterwards with `amplify-nb delete`, since the tutorial's names
    (beer-dev, beerLambda-dev) can belong to one project at a time on the session's shared cloud."""
    folder = tmp_path / "beer"
    bootstrap(folder)
    yield folder
    if (folder / "amplify").exists():
        run_cli("delete", "--yes", "--project-dir", str(folder))


def test_the_tutorials_api_is_written_pushed_and_planned_empty_the_second_time(project_dir, local_cloud):
    done = add_api(project_dir, TUTORIAL)
    assert "Successfully added resource beerapi locally." in done.stdout

    inputs = json.loads((project_dir / "amplify/backend/api/beerapi/cli-inputs.json").read_text())
    assert inputs == {"version": 1, "authorization": "iam", "paths": {"/beer": {
        "name": "/beer", "lambdaFunction": "beerLambda",
        "permissions": {"setting": "private", "auth": ["create", "read", "update", "delete"]}}}}
    config = json.loads((project_dir / "amplify/backend/backend-config.json").read_text())
    assert list(config) == ["hosting", "auth", "storage", "function", "api"]
    assert config["api"]["beerapi"] == {"service": "API Gateway", "providerPlugin": "awscloudformation", "dependsOn": [
        {"category": "function", "resourceName": "beerLambda", "attributes": ["Name", "Arn"]},
        {"category": "auth", "resourceName": "beerauth", "attributes": ["UserPoolId"]}]}
    table = json.loads((project_dir / "amplify/backend/storage/beer/cli-inputs.json").read_text())
    assert (table["tableName"], table["partitionKey"]) == ("beer", {"fieldName": "id", "fieldType": "string"})
    parameters = json.loads((project_dir / "amplify/backend/function/beerLambda/function-parameters.json").read_text())
    assert parameters["template"] == "crud-dynamodb" and parameters["table"] == "beer"

    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    output = meta(project_dir)["api"]["beerapi"]["output"]
    api_id = output["ApiId"]
    assert output["RootUrl"] == local_api_root_url(local_cloud.endpoint, api_id, "dev")
    assert output["ApiName"] == "beerapi"

    client = project.target().client("apigateway")
    api = client.get_rest_api(restApiId=api_id)
    assert api["name"] == "beerapi-dev" and api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["tags"]["user:Stack"] == "dev"
    state = api_state(client, api_id)
    function_arn = project.target().client("lambda").get_function(FunctionName="beerLambda-dev")["Configuration"]["FunctionArn"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    preflight = {"authorizationType": "NONE", "authorizer": False, "integration": "MOCK", "uri": None,
                 "integrationHttpMethod": None, "responses": {
                     "method.response.header.Access-Control-Allow-Origin": "'*'",
                     "method.response.header.Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
                     "method.response.header.Access-Control-Allow-Methods": "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'"}}
    proxied = {"authorizationType": "AWS_IAM", "authorizer": False, "integration": "AWS_PROXY", "uri": uri,
               "integrationHttpMethod": "POST", "responses": None}
    assert state["resources"] == {"/": {}, "/beer": {"ANY": proxied, "OPTIONS": preflight},
                                  "/beer/{proxy+}": {"ANY": proxied, "OPTIONS": preflight}}
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        assert state["gateway_responses"][kind]["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'"
        assert state["gateway_responses"][kind]["gatewayresponse.header.Access-Control-Allow-Headers"] == CORS_ALLOW_HEADERS
    assert state["stage"] == "dev" and state["authorizers"] == []

    statement = json.loads(project.target().client("lambda").get_policy(FunctionName="beerLambda-dev")["Policy"])["Statement"]
    assert [(s["Sid"], s["Condition"]["ArnLike"]["AWS:SourceArn"]) for s in statement] == [
        ("beerapi-dev-invoke", f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*/*/*")]
    stack = json.loads((project_dir / "amplify/team-provider-info.json").read_text())["dev"]["awscloudformation"]["StackName"]
    policy = project.target().client("iam").get_role_policy(RoleName=f"{stack}-authRole", PolicyName="beerapi-api-invoke")
    resources = policy["PolicyDocument"]["Statement"][0]["Resource"]
    prefix = f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/dev"
    assert set(resources) == {f"{prefix}/{m}/beer{tail}" for m in ("POST", "GET", "PUT", "PATCH", "DELETE")
                              for tail in ("", "/*")}

    exports = json.loads((project_dir / "src/amplifyconfiguration.json").read_text())
    assert exports["aws_cloud_logic_custom"] == [{"name": "beerapi", "endpoint": output["RootUrl"],
                                                   "region": "us-east-1", "authorization": "iam"}]
    assert f"REST API endpoint: {output['RootUrl']}" in run_cli("status", "--project-dir", str(project_dir)).stdout
    assert pending(project) == []
    deployments = client.get_deployments(restApiId=api_id)["items"]
    assert len(deployments) == 1
    from amplify_nb.categories import category
    described = dict(category("api").describe(project, "beerapi", meta(project_dir)["api"]["beerapi"]))
    assert described["API name"] == "beerapi-dev" and described["Stage"] == "dev"
    assert described["Resources"] == "/beer (ANY, OPTIONS); /beer/{proxy+} (ANY, OPTIONS)"


def test_cognito_authorization_makes_a_user_pool_authorizer_and_one_method_per_permission(project_dir):
    answers = unique_api(authorization="cognito", auth_permissions=["read"])
    name = answers["name"]
    add_api(project_dir, answers)
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    output = meta(project_dir)["api"][name]["output"]
    client = project.target().client("apigateway")
    state = api_state(client, output["ApiId"])
    assert state["authorizers"] == [(f"{name}-cognito", "COGNITO_USER_POOLS", "method.request.header.Authorization")]
    assert set(state["resources"]["/beer"]) == {"GET", "OPTIONS"}
    assert state["resources"]["/beer"]["GET"]["authorizationType"] == "COGNITO_USER_POOLS"
    assert state["resources"]["/beer"]["GET"]["authorizer"]
    authorizer = client.get_authorizers(restApiId=output["ApiId"])["items"][0]
    assert authorizer["providerARNs"] == [meta(project_dir)["auth"]["beerauth"]["output"]["UserPoolArn"]]
    assert json.loads((project_dir / "src/amplifyconfiguration.json").read_text())[
        "aws_cloud_logic_custom"][0]["authorization"] == "cognito"
    assert pending(project) == []

    # switching to iam replaces the methods, deletes the authorizer and redeploys once
    run_cli("update", "api", name, "--yes", "--answers", write_answers(project_dir, {"authorization": "iam"}, "iam.yaml"),
            "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    state = api_state(client, output["ApiId"])
    assert state["authorizers"] == [] and set(state["resources"]["/beer"]) == {"ANY", "OPTIONS"}
    assert state["resources"]["/beer"]["ANY"]["authorizationType"] == "AWS_IAM"
    assert len(client.get_deployments(restApiId=output["ApiId"])["items"]) == 2
    assert pending(project) == []


def test_a_path_added_by_update_is_pushed_and_removing_it_deletes_exactly_its_resources(project_dir):
    answers = unique_api()
    name, function = answers["name"], answers["new_function"]["name"]
    add_api(project_dir, answers)
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    api_id = meta(project_dir)["api"][name]["output"]["ApiId"]
    client = project.target().client("apigateway")
    more = {"more_paths": [{"path": "/brewery/{id}", "function": function, "restrict_access": False}]}
    run_cli("update", "api", name, "--yes", "--answers", write_answers(project_dir, more, "more.yaml"),
            "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    state = api_state(client, api_id)
    assert set(state["resources"]) == {"/", "/beer", "/beer/{proxy+}", "/brewery", "/brewery/{id}",
                                       "/brewery/{id}/{proxy+}"}
    assert state["resources"]["/brewery"] == {}
    assert state["resources"]["/brewery/{id}"]["ANY"]["authorizationType"] == "NONE"
    assert pending(project) == []

    run_cli("update", "api", name, "--yes", "--answers",
            write_answers(project_dir, {"more_paths": []}, "fewer.yaml"), "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    assert set(api_state(client, api_id)["resources"]) == {"/", "/beer", "/beer/{proxy+}"}
    assert len(client.get_deployments(restApiId=api_id)["items"]) == 3
    assert pending(project) == []


@pytest.mark.parametrize("answers, message", [
    ({"name": "bad-name"}, "Resource name should be alphanumeric"),
    ({"name": "AdminQueries"}, "reserved name"),
    ({"path": "beer"}, "Path must begin with /"),
    ({"path": "/beer/"}, "Path must not end with /"),
    ({"path": "/be er"}, "Each path part must use characters"),
    ({"new_function": False, "function": "nosuchfunction"}, "The project has no function 'nosuchfunction'"),
    ({"function": "beerLambda"}, "function and new_function are mutually exclusive"),
    ({"auth_permissions": []}, "Select at least one permission for Authenticated users"),
    ({"auth_permissions": ["write"]}, "Select at least one permission for Authenticated users"),
    ({"who": "authenticated_and_guests", "authorization": "cognito"}, "admits only signed-in users"),
    ({"authorization": "oauth"}, "The authorization must be one of: iam, cognito"),
    ({"new_function": {"name": "bad-name"}}, "new_function: You can use the following characters"),
    ({"new_function": {"new_table": {"partition_key": "nope"}}}, "new_function: new_table: The partition key"),
    ({"more_paths": [{"path": "/beer", "function": "beerLambda"}]}, "Path /beer is already used by this API"),
    ({"colour": "blue"}, "Unknown answer 'colour' for api"),
])
def test_bad_api_answers_exit_2_and_write_nothing(project_dir, answers, message):
    before = files(project_dir)
    done = add_api(project_dir, {**TUTORIAL, **answers}, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert files(project_dir) == before


def test_restricting_access_without_auth_is_refused(tmp_path, local_cloud):
    folder = tmp_path / "noauth"
    run_cli("init", "--yes", "--project-dir", str(folder))
    done = add_api(folder, TUTORIAL, check=False)
    assert done.returncode == 2 and "add auth first" in done.stderr
    run_cli("add", "api", "--yes", "--name", "beerapi", "--path", "/beer", "--new-function", "true",
            "--restrict-access", "no", "--project-dir", str(folder))  # the same answers as flags
    config = json.loads((folder / "amplify/backend/backend-config.json").read_text())
    assert [d["category"] for d in config["api"]["beerapi"]["dependsOn"]] == ["function"]
    assert list(config["storage"]) == ["beer"]
    inputs = json.loads((folder / "amplify/backend/api/beerapi/cli-inputs.json").read_text())
    assert inputs["paths"]["/beer"]["permissions"] == {"setting": "open"}


def test_an_overlapping_path_is_said_not_refused(project_dir):
    done = add_api(project_dir, {**TUTORIAL, "more_paths": [{"path": "/beer/{id}/brewery", "function": "beerLambda"}]})
    assert "This path /beer/{id}/brewery overlaps with /beer" in done.stdout


def test_remove_api_deletes_the_api_its_permission_and_policy_and_keeps_the_function(project_dir):
    answers = unique_api()
    name, function = answers["name"], answers["new_function"]["name"]
    add_api(project_dir, answers)
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    done = run_cli("remove", "function", function, "--yes", "--project-dir", str(project_dir), check=False)
    assert done.returncode == 2 and f"used by api {name}" in done.stderr
    run_cli("remove", "api", name, "--yes", "--project-dir", str(project_dir))
    assert not (project_dir / "amplify/backend/api" / name).exists()
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    names = [api["name"] for api in project.target().client("apigateway").get_rest_apis()["items"]]
    assert f"{name}-dev" not in names
    lambda_client = project.target().client("lambda")
    assert lambda_client.get_function(FunctionName=f"{function}-dev")["Configuration"]["State"] == "Active"
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_policy(FunctionName=f"{function}-dev")
    stack = json.loads((project_dir / "amplify/team-provider-info.json").read_text())["dev"]["awscloudformation"]["StackName"]
    policies = project.target().client("iam").list_role_policies(RoleName=f"{stack}-authRole")["PolicyNames"]
    assert f"{name}-api-invoke" not in policies
    assert "aws_cloud_logic_custom" not in json.loads((project_dir / "src/amplifyconfiguration.json").read_text())
    assert pending(project) == []


def tutorial_project(folder, suffix: str) -> Project:
    """init, hosting, auth and the tutorial's api (new function, new table) written but not pushed; names
    carry the suffix so several such projects share one local cloud."""
    from amplify_nb.categories import category
    from amplify_nb.project import add_resource, init_project
    from amplify_nb.specs import InitSpec

    folder.mkdir(parents=True)
    project, _ = init_project(folder, InitSpec.for_project(folder), progress=False)
    for name, answers in (("hosting", {}), ("auth", {"resource_name": f"beerauth{suffix}"}),
                          ("api", {**TUTORIAL, "name": f"beerapi{suffix}", "new_function": {
                              "name": f"beerLambda{suffix}", "new_table": {"resource_name": f"beer{suffix}"}}})):
        add_resource(project, name, category(name).default_spec(project).answered(answers))
    return Project.open(folder)


def normalised_backend(project: Project, suffix: str) -> dict:
    """The API's state in the cloud and the recorded outputs, with this project's names and ids taken out."""
    output = meta(project.root)["api"][f"beerapi{suffix}"]["output"]
    client = project.target().client("apigateway")
    state = {"api": api_state(client, output["ApiId"]), "output": sorted(output),
             "deployments": len(client.get_deployments(restApiId=output["ApiId"])["items"]),
             "permission": json.loads(project.target().client("lambda").get_policy(
                 FunctionName=f"beerLambda{suffix}-dev")["Policy"])["Statement"][0]["Condition"],
             "exports": sorted(json.loads((project.root / "src/amplifyconfiguration.json").read_text()))}
    text = json.dumps(state).replace(output["ApiId"], "API").replace(suffix, "")
    return json.loads(text)


def test_the_tutorials_push_killed_at_every_step_converges_when_run_again(tmp_path, local_cloud):
    baseline_suffix = uuid.uuid4().hex[:6]
    baseline = tutorial_project(tmp_path / "baseline", baseline_suffix)
    total = len(plan(baseline).steps)
    assert total >= 30
    run_cli("push", "--yes", "--project-dir", str(baseline.root))
    expected = normalised_backend(baseline, baseline_suffix)
    assert expected["deployments"] == 1
    for step in range(1, total + 1):
        suffix = uuid.uuid4().hex[:6]
        project = tutorial_project(tmp_path / f"killed{step}", suffix)
        killed = run_cli("push", "--yes", "--project-dir", str(project.root),
                         env={"AMPLIFY_NB_FAULT_AFTER_STEPS": str(step)}, check=False)
        assert killed.returncode == -9, killed.stdout + killed.stderr
        run_cli("push", "--yes", "--project-dir", str(project.root))
        assert normalised_backend(project, suffix) == expected, f"killed after {step}"  # one deployment too
        assert pending(project) == [], f"a push after the rerun still has work (killed after {step})"


def test_a_notebook_cell_applying_the_same_answers_twice_changes_nothing_the_second_time(project_dir):
    from amplify_nb.categories import category
    from amplify_nb.project import apply_resource

    project = Project.open(project_dir)
    answers = unique_api()

    def cell():
        return apply_resource(project, "api", category("api").default_spec(project).answered(answers))

    assert cell()[1] == "added"
    before = files(project_dir)
    name, _ = cell()
    assert name == answers["name"] and files(project_dir) == before
