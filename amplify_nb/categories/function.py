"""function (Python Lambda): `amplify add function` with the Hello World or the CRUD template.

Files under amplify/backend/function/<name>/ as Amplify lays them out: src/ (index.py, requirements.txt),
amplify.state, function-parameters.json (its permissions, plus the answers amplify_nb needs to ask `update`
again) and <name>-cloudformation-template.json describing what push makes. backend-config's dependsOn names
every storage resource the function may access, so tables are made first and removing one is refused.

Push: the zip is built first (content-hashed: an unchanged src/ is neither rebuilt nor re-uploaded), then the
execution role (trusting lambda.amazonaws.com), its policies (its own log group; exactly the actions its access
asks for on exactly those tables), then the function `<name>-<env>` with ENV, REGION and
STORAGE_<RES>_NAME/_ARN/_STREAMARN as environment variables, resolved through Refs to the tables.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..deploy.models import Role, RolePolicy
from ..deploy.rules.awslambda import Function
from ..deploy.rules.dynamodb import table_arn
from ..errors import InputError
from ..fileio import read_json
from ..functions.build import Build, build_function
from ..functions.environment import function_environment
from ..functions.permissions import LAMBDA_TRUST, execution_role_policies
from ..functions.templates import write_function_source
from ..specs import FunctionSpec
from ..specs.base import OPERATIONS, resources_from_backend_config
from . import DeployContext, Ref, register
from .root import tags as root_tags
from .storage import deployed_bucket_name, deployed_table_name, read_inputs

SERVICE = "Lambda"
PARAMETERS = "function-parameters.json"
TABLE_ATTRIBUTES = ("Name", "Arn", "StreamArn")
BUCKET_ATTRIBUTES = ("BucketName",)


def storage_attributes(project_root, resource: str) -> tuple[str, ...]:
    """What a function gets of a storage resource: a table's Name/Arn/StreamArn, a bucket's BucketName."""
    return BUCKET_ATTRIBUTES if deployed_bucket_name(project_root, resource, "") is not None else TABLE_ATTRIBUTES


def storage_arn(ctx: DeployContext, resource: str) -> str:
    bucket = deployed_bucket_name(ctx.project_root, resource, ctx.env)
    if bucket is not None:
        return f"arn:aws:s3:::{bucket}"
    return table_arn(ctx.target.region, ctx.target.account_id, deployed_table_name(ctx.project_root, resource, ctx.env))


def folder_of(project_root, name: str) -> Path:
    return Path(project_root) / "amplify" / "backend" / "function" / name


def permissions(spec: FunctionSpec) -> dict:
    """The access answers plus the CRUD function's own table (create/read/update/delete on it)."""
    access = {category: {resource: list(ops) for resource, ops in resources.items()}
              for category, resources in (spec.access or {}).items()}
    if spec.crud_table:
        access.setdefault("storage", {}).setdefault(spec.crud_table, list(OPERATIONS))
    return access


def role_name(name: str, env: str) -> str:
    """Amplify's `<name>LambdaRole<8 hex>-<env>`, within IAM's 64 characters."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:40]}LambdaRole{digest}-{env}"[:64]


class FunctionCategory:
    name = "function"
    spec = FunctionSpec
    single = False

    def default_spec(self, project) -> FunctionSpec:
        return FunctionSpec.for_project(project.name, resources_from_backend_config(project.backend_config()))

    def resource_name(self, spec: FunctionSpec) -> str:
        return spec.name

    def companions(self, spec: FunctionSpec) -> list:
        """Resources added with this one: the new table of a CRUD function ("Create a new DynamoDB table")."""
        table = spec.new_table_spec()
        return [("storage", table)] if table is not None else []

    def read_spec(self, project, resource_name: str) -> FunctionSpec:
        saved = read_json(project.paths.resource_dir(self.name, resource_name) / PARAMETERS, {}) or {}
        answers = {key: saved[key] for key in ("runtime", "template", "timeout", "memory", "environment") if key in saved}
        access = {category: dict(resources) for category, resources in saved.get("permissions", {}).items()}
        if saved.get("table"):
            answers.update(data_source="project", table=saved["table"])
            access.get("storage", {}).pop(saved["table"], None)
        access = {category: resources for category, resources in access.items() if resources}
        answers.update(name=resource_name, access=access, advanced_settings=bool(saved.get("advancedSettings")))
        return FunctionSpec.for_project(project.name, resources_from_backend_config(project.backend_config()), answers)

    def write(self, project, resource_name: str, spec: FunctionSpec) -> dict:
        problems = spec.env_problems(project.env_name)
        folder = project.paths.resource_dir(self.name, resource_name)
        existing = (folder / PARAMETERS).exists()
        if existing:
            problems += spec.problems_for_update(self.read_spec(project, resource_name))
        if problems:
            raise InputError(problems)
        access = permissions(spec)
        if not existing or self.read_spec(project, resource_name).template != spec.template:
            table = spec.crud_table or None
            key = read_inputs(project.root, table)["partitionKey"]["fieldName"] if table else "id"
            write_function_source(spec.template, folder / "src", table_resource=table, partition_key=key)
        project.write_json(folder / "amplify.state", {
            "pluginId": "amplify-python-function-runtime-provider", "functionRuntime": "python",
            "defaultEditorFile": "src/index.py", "useLegacyBuild": False})
        project.write_json(folder / PARAMETERS, {
            "permissions": access, "lambdaLayers": [], "runtime": spec.runtime, "template": spec.template,
            "table": spec.crud_table, "timeout": spec.timeout, "memory": spec.memory,
            "environment": dict(spec.environment or {}), "advancedSettings": bool(spec.advanced_settings)})
        project.write_json(folder / f"{resource_name}-cloudformation-template.json", cloudformation_template(spec, access))
        return {
            "build": True, "providerPlugin": "awscloudformation", "service": SERVICE,
            "dependsOn": [{"category": category, "resourceName": resource,
                           "attributes": list(storage_attributes(project.root, resource))}
                          for category, resources in sorted(access.items()) for resource in sorted(resources)],
        }

    def _saved(self, ctx: DeployContext, resource_name: str) -> dict:
        saved = read_json(folder_of(ctx.project_root, resource_name) / PARAMETERS, None)
        if not saved:
            raise InputError(f"amplify/backend/function/{resource_name}/{PARAMETERS} is missing: remove the function "
                             "and add it again.")
        return saved

    def build(self, ctx: DeployContext, resource_name: str, entry: dict):
        folder = folder_of(ctx.project_root, resource_name)
        runtime = FunctionSpec.from_answers({"name": resource_name, "runtime": self._saved(ctx, resource_name)["runtime"]}).lambda_runtime
        built = build_function(folder / "src", folder / "dist", runtime)
        return BuildNote(built, resource_name)

    def unbuilt(self, resource_name: str):
        """Stands for a build where only the models' names matter (a teardown): no zip, nothing run."""
        return BuildNote(Build(Path(), "", changed=False, digest=""), resource_name)

    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        saved = self._saved(ctx, resource_name)
        build = entry["build"].build
        region, account = ctx.target.region, ctx.target.account_id
        tags = root_tags(ctx.stack_name, ctx.project_name, ctx.env)
        access = saved.get("permissions", {})
        tables = access.get("storage", {})
        arns = {"storage": {resource: storage_arn(ctx, resource) for resource in tables}}
        role = Role(role_name(resource_name, ctx.env), assume_role_policy=LAMBDA_TRUST, tags=tags,
                    description=f"Execution role of function {resource_name} ({ctx.env})")
        deployed = f"{resource_name}-{ctx.env}"
        policies = execution_role_policies(deployed, region, account, access or None, arns if tables else None)
        environment = function_environment(ctx.env, region, {"storage": {
            resource: {attribute: Ref("storage", resource, attribute)
                       for attribute in storage_attributes(ctx.project_root, resource)}
            for resource in tables}}, extra=saved.get("environment"))
        spec = FunctionSpec.from_answers({"name": resource_name, "runtime": saved["runtime"]})
        function = Function(deployed, runtime=spec.lambda_runtime, handler="index.handler", role=role.ref("Arn"),
                            zip_path=str(build.zip_path), code_sha256=build.sha256_b64, timeout=saved["timeout"],
                            memory=saved["memory"], environment=environment, tags=tags,
                            description=f"{ctx.project_name} function {resource_name} ({ctx.env})")
        return [role] + [RolePolicy.on(role.name, name, document) for name, document in policies.items()] + [function]

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict:
        deployed, role = f"{resource_name}-{ctx.env}", role_name(resource_name, ctx.env)
        return {"Name": deployed, "Arn": variables.get(f"{Function.type_name}:{deployed}.Arn"), "Region": ctx.target.region,
                "LambdaExecutionRole": role, "LambdaExecutionRoleArn": variables.get(f"{Role.type_name}:{role}.Arn")}

    def attributes(self, ctx: DeployContext, resource_name: str, entry: dict) -> dict:
        function = Function(f"{resource_name}-{ctx.env}")
        return {"Name": function.name, "Arn": function.ref("Arn")}

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict:
        return {}

    def describe(self, project, resource_name: str, meta_entry: dict) -> list:
        """The function as the Lambda console's configuration tab shows it (read from the cloud)."""
        config = project.target().client("lambda").get_function_configuration(FunctionName=meta_entry["output"]["Name"])
        variables = config.get("Environment", {}).get("Variables", {})
        return [
            ("Function name", config["FunctionName"]), ("ARN", config["FunctionArn"]), ("Runtime", config["Runtime"]),
            ("Handler", config["Handler"]), ("State", config.get("State")), ("Timeout (s)", config["Timeout"]),
            ("Memory (MB)", config["MemorySize"]), ("Code size (bytes)", config["CodeSize"]),
            ("Code SHA-256", config["CodeSha256"]), ("Execution role", config["Role"]),
            ("Environment", ", ".join(f"{k}={v}" for k, v in sorted(variables.items()))),
            ("Last modified", config.get("LastModified")),
        ]


class BuildNote:
    """A function's build, as the push plan reports it."""

    def __init__(self, build, resource_name: str):
        self.build, self.changed = build, build.changed
        self.summary = (f"src/ changed: rebuilt {Path(build.zip_path).name} (CodeSha256 {build.sha256_b64[:12]}…)"
                        if build.changed else "unchanged: last build reused")


def cloudformation_template(spec: FunctionSpec, access: dict) -> dict:
    """What push makes for the function, as the CloudFormation template Amplify would deploy (for reading)."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Lambda function {spec.name} written by amplify-nb ({spec.template})",
        "Parameters": {"env": {"Type": "String"}},
        "Resources": {
            "LambdaExecutionRole": {"Type": "AWS::IAM::Role", "Properties": {
                "RoleName": {"Fn::Join": ["", [role_name(spec.name, "").rstrip("-"), "-", {"Ref": "env"}]]},
                "AssumeRolePolicyDocument": LAMBDA_TRUST}},
            "LambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": {"Fn::Join": ["", [spec.name, "-", {"Ref": "env"}]]},
                "Handler": "index.handler", "Runtime": spec.lambda_runtime, "Timeout": spec.timeout,
                "MemorySize": spec.memory, "Role": {"Fn::GetAtt": ["LambdaExecutionRole", "Arn"]},
                "Environment": {"Variables": {name: {"Ref": name} for name in spec.environment_variable_names()}}}},
        },
        "Metadata": {"amplify-nb": {"access": access}},
    }


register(FunctionCategory())
