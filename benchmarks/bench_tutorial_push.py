"""Benchmark: the tutorial's whole push (hosting, auth, and an api with its new CRUD function and table) in a
kernel and by the CLI, a push with no change, next to CloudFormation (what Amplify deploys with) creating only
the api + function + table part as one stack, on the same local cloud, in the same run.

    python benchmarks/bench_tutorial_push.py [--runs 3]      (or: make bench)

Each run uses a new project (and new names) on one privately started local cloud (free port, temporary state).
Amplify's own push of the same backend takes minutes on AWS (CloudFormation nested stacks, CloudFront); that is
not measurable here, so the peer is moto's CloudFormation on the same server, a lower bound of Amplify's way.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from shared import client, free_port, print_rows, timed

from amplify_nb.local import LocalCloud, LocalSettings  # noqa: E402
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV  # noqa: E402

ENV = "dev"


def tutorial_project(folder: Path):
    """A project with the tutorial's answers, not pushed yet (beyond init's root resources)."""
    from amplify_nb.notebook import api_spec, resource_spec
    from amplify_nb.project import add_resource, init_project
    from amplify_nb.specs import InitSpec

    project, _ = init_project(folder, InitSpec.for_project(folder, {"env": ENV}), progress=False)
    suffix = uuid.uuid4().hex[:6]
    add_resource(project, "hosting", resource_spec(project, "hosting", environment="PROD"))
    add_resource(project, "auth", resource_spec(project, "auth"))
    add_resource(project, "api", api_spec(project, function_name=f"beerfn{suffix}", table_name=f"beer{suffix}",
                                          name="beerapi", path="/beer"))
    return project


def cli_push(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "amplify_nb.cli", "push", "--yes", "--project-dir", str(folder)],
                   check=True, capture_output=True, timeout=600)


def cloudformation_stack(name: str) -> dict:
    """The api + function + table part of the tutorial as one CloudFormation template (Amplify's way, flattened)."""
    uri = {"Fn::Sub": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Function.Arn}/invocations"}

    def method(resource: str) -> dict:
        return {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": resource}, "HttpMethod": "ANY",
            "AuthorizationType": "AWS_IAM",
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri}}}

    return {"Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "TableName": f"{name}-{ENV}", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": f"{name}Role-{ENV}", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "table", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": {"Fn::GetAtt": ["Table", "Arn"]}}]}}]}},
        "Function": {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": f"{name}-{ENV}", "Runtime": "python3.11", "Handler": "index.handler", "Timeout": 25,
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return {'statusCode': 200, 'body': '[]'}\n"},
            "Environment": {"Variables": {"STORAGE_BEER_NAME": {"Ref": "Table"}}}}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": f"{name}api-{ENV}"}},
        "Beer": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "beer"}},
        "Proxy": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "Beer"}, "PathPart": "{proxy+}"}},
        "BeerAny": method("Beer"), "ProxyAny": method("Proxy"),
        "Permission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Ref": "Function"}, "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com"}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["BeerAny", "ProxyAny"],
                       "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": ENV}},
    }}


def create_stack(endpoint: str) -> None:
    name = f"cfn{uuid.uuid4().hex[:6]}"
    cloudformation = client("cloudformation", endpoint)
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(cloudformation_stack(name)),
                                Capabilities=["CAPABILITY_NAMED_IAM"])
    cloudformation.get_waiter("stack_create_complete").wait(StackName=name,
                                                            WaiterConfig={"Delay": 1, "MaxAttempts": 600})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-tutorial-push-", dir=os.environ.get("BENCH_TMP") or None))
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / "local-cloud"))
    os.environ[PORT_ENV], os.environ[STATE_DIR_ENV] = str(cloud.settings.port), str(cloud.settings.state_dir)
    from amplify_nb.project import push

    times: dict[str, list[float]] = {key: [] for key in ("kernel", "kernel again", "cli", "cli again", "stack")}
    try:
        cloud.start()
        for run in range(args.runs):
            project = tutorial_project(work / f"kernel{run}")
            times["kernel"].append(timed(lambda: push(project, progress=False)))
            times["kernel again"].append(timed(lambda: push(project, progress=False)))
            folder = tutorial_project(work / f"cli{run}").root
            times["cli"].append(timed(lambda: cli_push(folder)))
            times["cli again"].append(timed(lambda: cli_push(folder)))
            times["stack"].append(timed(lambda: create_stack(cloud.settings.endpoint)))
    finally:
        cloud.stop()
        shutil.rmtree(work, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in times.items()}
    stack = median["stack"]
    rows = [(label, f"{median[key]:.2f} s", f"{median[key] / stack:.2f}x")
            for label, key in (("tutorial push in a kernel (hosting PROD, auth, api + function + table)", "kernel"),
                               ("the same by the CLI (a new process: imports, lock, plan, push)", "cli"),
                               ("push with no change, in a kernel", "kernel again"),
                               ("push with no change, by the CLI", "cli again"),
                               ("peer: CloudFormation stack of the api + function + table only", "stack"))]
    print_rows(f"Tutorial push, median of {args.runs} run(s), same local cloud", ("what", "time",
               "/ CloudFormation stack (<1: faster)"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
