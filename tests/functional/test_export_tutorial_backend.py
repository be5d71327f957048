"""export cloudformation on the tutorial's whole backend (PROD hosting, auth, the api with its CRUD function and
table), pushed to the local cloud: the template passes cfn-lint with no finding, and every resource the engine made
(what the push recorded, the root resources, and each API Gateway resource and method read back from the cloud)
is in it, by type and logical id; the CLI writes one template per env and the function's zip under its S3 key."""
from __future__ import annotations

import json
import uuid
import zipfile

import boto3
import pytest
from cli_runner import run_cli

from amplify_nb.local import LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY
from amplify_nb.notebook import ensure_api, ensure_hosting
from amplify_nb.project import Project
from amplify_nb.project.export import export_cloudformation

# What CloudFormation calls each kind of resource the engine makes (written out here, not taken from the code).
CFN_TYPES = {
    "s3.Bucket": "AWS::S3::Bucket", "iam.Role": "AWS::IAM::Role", "iam.RolePolicy": "AWS::IAM::RolePolicy",
    "cloudfront.OriginAccessControl": "AWS::CloudFront::OriginAccessControl",
    "cloudfront.Distribution": "AWS::CloudFront::Distribution", "cognito-idp.UserPool": "AWS::Cognito::UserPool",
    "cognito-idp.UserPoolClient": "AWS::Cognito::UserPoolClient",
    "cognito-identity.IdentityPool": "AWS::Cognito::IdentityPool",
    "cognito-identity.IdentityPoolRoles": "AWS::Cognito::IdentityPoolRoleAttachment",
    "dynamodb.Table": "AWS::DynamoDB::Table", "lambda.Function": "AWS::Lambda::Function",
    "apigateway.RestApi": "AWS::ApiGateway::RestApi", "lambda.Permission": "AWS::Lambda::Permission",
}


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory, local_cloud) -> Project:
    folder = tmp_path_factory.mktemp("export") / "beerapp"
    folder.mkdir()
    ensure_hosting(folder, "dev", environment="PROD", publish_app=False)
    suffix = uuid.uuid4().hex[:6]  # the session's cloud is shared: a table or function name is one project's
    return ensure_api(folder, "dev", function_name=f"beerfn{suffix}", table_name=f"beer{suffix}")


def made_by_the_engine(project: Project) -> list[dict]:
    """Every resource the pushes recorded, plus the env's root resources (never recorded: push never sweeps them)."""
    meta = project.amplify_meta()
    stack = meta["providers"]["awscloudformation"]["StackName"]
    made = [{"type": "s3.Bucket", "name": meta["providers"]["awscloudformation"]["DeploymentBucketName"]},
            {"type": "iam.Role", "name": f"{stack}-authRole"}, {"type": "iam.Role", "name": f"{stack}-unauthRole"}]
    for category, resources in meta.items():
        if category != "providers":
            for entry in resources.values():
                made += entry["providerMetadata"]["resources"]
    return made


def test_the_tutorial_backend_exports_as_one_template_cfn_lint_accepts_with_every_resource(tutorial, tmp_path):
    [exported] = export_cloudformation(tutorial, out_dir=tmp_path)
    assert exported.lint == []
    body = json.loads(exported.path.read_text())
    resources, listed = body["Resources"], body["Metadata"]["AmplifyNb"]["Resources"]
    made = made_by_the_engine(tutorial)
    assert {item["type"] for item in made} == set(CFN_TYPES)  # the whole tutorial backend, every kind
    for item in made:
        logical_id = listed[f"{item['type']}:{item['name']}"][0]
        assert resources[logical_id]["Type"] == CFN_TYPES[item["type"]], item
    assert body["Metadata"]["AmplifyNb"]["NotExported"] == []

    # The API Gateway resources and methods the push made, read back from the cloud, are each in the template.
    api = next(iter(tutorial.amplify_meta()["api"].values()))["output"]
    client = boto3.client("apigateway", endpoint_url=tutorial.target().endpoint(), region_name=LOCAL_REGION,
                          aws_access_key_id=LOCAL_ACCESS_KEY_ID, aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY)
    in_cloud = {(item["path"], method) for item in client.get_resources(restApiId=api["ApiId"], embed=["methods"])["items"]
                for method in item.get("resourceMethods") or {}}
    assert in_cloud and template_methods(resources) == in_cloud
    stage = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage")
    assert stage["Properties"]["StageName"] == {"Ref": "Env"}
    assert {p["Default"] for p in body["Parameters"].values() if "Default" in p} >= {"dev", tutorial.name}


def template_methods(resources: dict) -> set[tuple[str, str]]:
    """(path, HTTP method) of every AWS::ApiGateway::Method, following each ResourceId up to the root."""
    def path_of(resource_id) -> str:
        if "Fn::GetAtt" in resource_id:
            return ""
        props = resources[resource_id["Ref"]]["Properties"]
        return path_of(props["ParentId"]) + "/" + props["PathPart"]

    return {(path_of(r["Properties"]["ResourceId"]) or "/", r["Properties"]["HttpMethod"])
            for r in resources.values() if r["Type"] == "AWS::ApiGateway::Method"}


def test_the_cli_writes_the_template_and_the_function_zip_under_its_s3_key(tutorial, tmp_path):
    done = run_cli("export", "cloudformation", "--env", "dev", "--out", str(tmp_path / "out"), cwd=tutorial.root)
    template = tmp_path / "out" / f"{tutorial.name}-dev.template.json"
    assert str(template) in done.stdout and "cfn-lint: no findings" in done.stdout
    body = json.loads(template.read_text())
    [artifact] = body["Metadata"]["AmplifyNb"]["Artifacts"]
    zipped = tmp_path / "out" / f"{tutorial.name}-dev-artifacts" / artifact["key"]
    assert body["Parameters"][artifact["parameter"]]["Default"] == artifact["key"]
    assert "index.py" in zipfile.ZipFile(zipped).namelist()


def test_an_unknown_env_is_refused_with_exit_2_and_nothing_written(tutorial, tmp_path):
    done = run_cli("export", "cloudformation", "--env", "prod", "--out", str(tmp_path / "out"), cwd=tutorial.root,
                   check=False)
    assert done.returncode == 2 and "no initialized env 'prod'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_every_env_gets_its_own_template_with_its_own_names(tutorial, tmp_path):
    """(Last in this file: it adds env test to the shared project and makes it current.)"""
    from amplify_nb.project import init_env

    init_env(tutorial, "test", progress=False)
    exported = {item.env: item for item in export_cloudformation(tutorial, out_dir=tmp_path)}
    assert set(exported) == {"dev", "test"} and all(item.lint == [] for item in exported.values())
    dev, test = (exported[env].template.body for env in ("dev", "test"))
    assert test["Parameters"]["Env"]["Default"] == "test"
    assert test["Parameters"]["NamePrefix"]["Default"] != dev["Parameters"]["NamePrefix"]["Default"]
    assert set(dev["Resources"]) == set(test["Resources"])  # logical ids carry neither the env nor its stack name
