"""storage: Amplify's two services. NoSQL Database: a DynamoDB table per env, `<tableName>-<env>`, on-demand,
with a stream. Content: an S3 bucket per env with policies on the env's roles (storage_content.py).
The answers live in amplify/backend/storage/<name>/cli-inputs.json in Amplify's shape (plus, for a table, the
column list, which Amplify only asks and amplify_nb needs to ask `update` again).

Functions refer to a table through Refs: Name (known from the files), Arn and StreamArn (from the cloud); to a
bucket through BucketName and Arn (both known from the files).
"""
from __future__ import annotations

from ..deploy.remote import RemoteState
from ..deploy.rules.dynamodb import GlobalIndex, Key, Table
from ..errors import InputError, Problem
from ..fileio import read_json
from ..specs import StorageSpec
from ..specs.base import resources_from_backend_config
from . import DeployContext, register
from . import storage_content as content
from .auth import auth_resource_name
from .root import tags as root_tags

SERVICE = "DynamoDB"


def cli_inputs(spec: StorageSpec) -> dict:
    """Amplify's cli-inputs.json for a DynamoDB resource."""
    def key(name: str) -> dict:
        return {"fieldName": name, "fieldType": spec.column_type(name)}

    inputs = {
        "resourceName": spec.resource_name,
        "tableName": spec.table_name,
        "partitionKey": key(spec.partition_key),
        "gsi": [{"name": g["name"], "partitionKey": key(g["partition_key"]),
                 **({"sortKey": key(g["sort_key"])} if g.get("sort_key") else {})} for g in spec.gsis],
        "triggerFunctions": [],
        "columns": [dict(column) for column in spec.columns],
    }
    if spec.sort_key:
        inputs["sortKey"] = key(spec.sort_key)
    return inputs


def is_content(inputs: dict) -> bool:
    return "bucketName" in inputs


def spec_from_inputs(inputs: dict, project_name: str = "amplify", resources=None) -> StorageSpec:
    if is_content(inputs):
        return StorageSpec.for_project(project_name, resources, content.answers_from_inputs(inputs))
    answers = {
        "service": "nosql",
        "resource_name": inputs["resourceName"],
        "table_name": inputs["tableName"],
        "columns": inputs.get("columns") or [{"name": inputs["partitionKey"]["fieldName"],
                                              "type": inputs["partitionKey"]["fieldType"]}],
        "partition_key": inputs["partitionKey"]["fieldName"],
        "sort_key": (inputs.get("sortKey") or {}).get("fieldName", ""),
        "gsis": [{"name": g["name"], "partition_key": g["partitionKey"]["fieldName"],
                  "sort_key": (g.get("sortKey") or {}).get("fieldName", "")} for g in inputs.get("gsi", [])],
    }
    return StorageSpec.for_project(project_name, resources, answers)


def read_inputs(project_root, resource_name: str) -> dict:
    from pathlib import Path

    path = Path(project_root) / "amplify" / "backend" / "storage" / resource_name / "cli-inputs.json"
    found = read_json(path, None)
    if not found:
        raise InputError(f"amplify/backend/storage/{resource_name}/cli-inputs.json is missing: the storage resource "
                         f"{resource_name} cannot be deployed. Remove it and add it again.")
    return found


def deployed_table_name(project_root, resource_name: str, env: str) -> str:
    return f"{read_inputs(project_root, resource_name)['tableName']}-{env}"


def deployed_bucket_name(project_root, resource_name: str, env: str) -> str | None:
    """The content bucket of a storage resource in this env; None for a table."""
    inputs = read_inputs(project_root, resource_name)
    return f"{inputs['bucketName']}-{env}" if is_content(inputs) else None


def table_model(spec: StorageSpec, env: str, tags: dict) -> Table:
    key = lambda name: Key.of(name, spec.column_type(name))  # noqa: E731
    return Table(spec.deployed_table_name(env), partition_key=key(spec.partition_key),
                 sort_key=key(spec.sort_key) if spec.sort_key else None,
                 global_indexes=tuple(GlobalIndex(g["name"], key(g["partition_key"]),
                                                  key(g["sort_key"]) if g.get("sort_key") else None) for g in spec.gsis),
                 tags=tags)


class StorageCategory:
    name = "storage"
    spec = StorageSpec
    single = False

    def default_spec(self, project) -> StorageSpec:
        return StorageSpec.for_project(project.name, resources_from_backend_config(project.backend_config()))

    def resource_name(self, spec: StorageSpec) -> str:
        return spec.resource_name

    def read_spec(self, project, resource_name: str) -> StorageSpec:
        inputs = read_json(project.paths.resource_dir(self.name, resource_name) / "cli-inputs.json", {})
        return spec_from_inputs(inputs, project.name, resources_from_backend_config(project.backend_config()))

    def write(self, project, resource_name: str, spec: StorageSpec) -> dict:
        problems = spec.env_problems(project.env_name)
        folder = project.paths.resource_dir(self.name, resource_name)
        existing = read_json(folder / "cli-inputs.json", None)
        if existing:
            problems += spec.problems_for_update(self.read_spec(project, resource_name))
        auth = auth_resource_name(project)
        if spec.service == "content" and auth is None:
            problems.append(Problem("service", "Add auth first (`amplify-nb add auth`): content storage grants "
                                               "on its roles."))
        if problems:
            raise InputError(problems)
        if spec.service == "content":
            project.write_json(folder / "cli-inputs.json",
                               content.cli_inputs(spec, (existing or {}).get("policyUUID")))
            # The policies go on the roles auth makes trust its identity pool: auth is pushed first.
            return {"service": content.SERVICE, "providerPlugin": "awscloudformation",
                    "dependsOn": [{"category": "auth", "resourceName": auth,
                                   "attributes": ["UserPoolId", "IdentityPoolId"]}]}
        project.write_json(folder / "cli-inputs.json", cli_inputs(spec))
        return {"service": SERVICE, "providerPlugin": "awscloudformation"}

    def _spec(self, ctx: DeployContext, resource_name: str) -> StorageSpec:
        return spec_from_inputs(read_inputs(ctx.project_root, resource_name), ctx.project_name)

    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        spec = self._spec(ctx, resource_name)
        found = spec.env_problems(ctx.env)
        if found:
            raise InputError(found)
        tags = root_tags(ctx.stack_name, ctx.project_name, ctx.env)
        if spec.service == "content":
            return content.content_models(spec, ctx.env, ctx.stack_name, tags)
        return [table_model(spec, ctx.env, tags)]

    def attributes(self, ctx: DeployContext, resource_name: str, entry: dict) -> dict:
        spec = self._spec(ctx, resource_name)
        if spec.service == "content":
            bucket = spec.deployed_bucket_name(ctx.env)
            return {"BucketName": bucket, "Arn": content.bucket_arn(bucket)}
        table = Table(spec.deployed_table_name(ctx.env))
        return {"Name": table.name, "Arn": table.ref("Arn"), "StreamArn": table.ref("StreamArn")}

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict:
        spec = self._spec(ctx, resource_name)
        if spec.service == "content":
            return {"BucketName": spec.deployed_bucket_name(ctx.env), "Region": ctx.target.region}
        key = f"{Table.type_name}:{spec.deployed_table_name(ctx.env)}"
        output = {
            "Name": spec.deployed_table_name(ctx.env), "Arn": variables.get(f"{key}.Arn"),
            "StreamArn": variables.get(f"{key}.StreamArn"), "Region": ctx.target.region,
            "PartitionKeyName": spec.partition_key, "PartitionKeyType": spec.attribute_type(spec.partition_key),
        }
        if spec.sort_key:
            output.update(SortKeyName=spec.sort_key, SortKeyType=spec.attribute_type(spec.sort_key))
        return output

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict:
        output = meta_entry.get("output", {})
        if meta_entry.get("service") == content.SERVICE:
            return {"aws_user_files_s3_bucket": output.get("BucketName"),
                    "aws_user_files_s3_bucket_region": output.get("Region", region)}
        return {"aws_dynamodb_all_tables_region": output.get("Region", region),
                "aws_dynamodb_table_schemas": [{"tableName": output.get("Name"), "region": output.get("Region", region)}]}

    def describe(self, project, resource_name: str, meta_entry: dict) -> list:
        """The table as the DynamoDB console's overview shows it, or the bucket as the S3 console's (from the cloud)."""
        if meta_entry.get("service") == content.SERVICE:
            return self._describe_bucket(project, resource_name, meta_entry)
        table = project.target().client("dynamodb").describe_table(TableName=meta_entry["output"]["Name"])["Table"]
        keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
        indexes = [f"{g['IndexName']} ({', '.join(k['AttributeName'] for k in g['KeySchema'])}; {g.get('IndexStatus')})"
                   for g in table.get("GlobalSecondaryIndexes", [])]
        return [
            ("Table name", table["TableName"]), ("ARN", table["TableArn"]), ("Status", table["TableStatus"]),
            ("Partition key", keys.get("HASH")), ("Sort key", keys.get("RANGE", "(none)")),
            ("Billing", table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")),
            ("Stream", table.get("StreamSpecification", {}).get("StreamViewType", "off")),
            ("Global secondary indexes", ", ".join(indexes) or "(none)"),
            ("Items (approximate)", table.get("ItemCount")),
        ]


    def _describe_bucket(self, project, resource_name: str, meta_entry: dict) -> list:
        remote, bucket = RemoteState(project.target()), meta_entry["output"]["BucketName"]

        def read(method: str, missing: str):
            return remote.read("s3", method, missing=(missing,), Bucket=bucket)

        cors = (read("get_bucket_cors", "NoSuchCORSConfiguration") or {}).get("CORSRules", [])
        block = (read("get_public_access_block", "NoSuchPublicAccessBlockConfiguration") or {}).get(
            "PublicAccessBlockConfiguration", {})
        spec = self.read_spec(project, resource_name)
        return [
            ("Bucket name", bucket), ("ARN", content.bucket_arn(bucket)),
            ("Region", meta_entry["output"].get("Region")),
            ("Public access", "blocked" if block and all(block.values()) else "not blocked"),
            ("Bucket policy", "present" if read("get_bucket_policy", "NoSuchBucketPolicy") else "(none)"),
            ("CORS", "; ".join(f"{','.join(r['AllowedMethods'])} from {','.join(r['AllowedOrigins'])}" for r in cors)
             or "(none)"),
            ("Access", content.access_summary(spec)),
        ]


register(StorageCategory())
