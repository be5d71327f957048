"""The push engine's desired models written as one CloudFormation template (`amplify-nb export cloudformation`).

The template is made from the very models push plans, so it describes exactly what the engine deploys: every
model becomes its AWS::* resource(s) with the same settings; a Var between models (a role trusting an identity
pool's id) becomes Ref / Fn::GetAtt; literal ARNs and names of other models in the text become Fn::Sub with the
pseudo parameters and Refs; names are Parameters (Env, NamePrefix = the env's root stack name, ProjectName, each
bucket's name, the Lambda code location), defaulting to this env's values. A model with no CloudFormation
equivalent is listed in the template's Metadata instead of being left out silently.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .models import (Bucket, Budget, Distribution, LambdaPermission, OriginAccessControl, Resource, RestApi, Role,
                     RolePolicy)
from .plan import Joined, Var
from .rules.apigateway import (DEPLOYMENT_PREFIX, GATEWAY_RESPONSES, GATEWAY_TEMPLATE, PREFLIGHT_TEMPLATE,
                               _cors_parameters, integration_uri, shape_hash)
from .rules.awslambda import Function
from .rules.budgets import ALARMS, budget_document, notification, subscriber
from .rules.cloudfront import ORIGIN_ID, origin_read_policy
from .rules.cognito import IdentityPool, IdentityPoolRoles, UserPool, UserPoolClient
from .rules.dynamodb import Table

METADATA_KEY = "AmplifyNb"
# The models whose Ref is their physical name: a literal name of one inside another text becomes ${LogicalId}.
NAMED_BY_REF = (Bucket.type_name, Role.type_name, Table.type_name, Function.type_name)
# (model type, stored attribute) -> "Ref" or a GetAtt attribute; anything else is GetAtt of the same name.
ATTRIBUTES = {
    ("s3.Bucket", "Name"): "Ref", ("iam.Role", "Name"): "Ref", ("dynamodb.Table", "Name"): "Ref",
    ("lambda.Function", "Name"): "Ref", ("cognito-idp.UserPool", "Id"): "Ref",
    ("cognito-idp.UserPoolClient", "ClientId"): "Ref", ("cognito-identity.IdentityPool", "Id"): "Ref",
    ("apigateway.RestApi", "Id"): "Ref", ("cloudfront.Distribution", "Id"): "Ref",
}
SUFFIXES = {
    Bucket.type_name: "Bucket", Role.type_name: "Role", RolePolicy.type_name: "Policy",
    OriginAccessControl.type_name: "OriginAccessControl", Distribution.type_name: "Distribution",
    UserPool.type_name: "UserPool", UserPoolClient.type_name: "UserPoolClient", IdentityPool.type_name: "IdentityPool",
    IdentityPoolRoles.type_name: "RoleAttachment", Table.type_name: "Table", Function.type_name: "Function",
    RestApi.type_name: "RestApi", LambdaPermission.type_name: "Permission", Budget.type_name: "Budget",
}


@dataclass(frozen=True)
class Cfn:
    """A value already in CloudFormation's form (an intrinsic function): written as it is."""

    value: Any


@dataclass
class EnvNames:
    """What the env's names are made of, to turn them into Parameters."""

    env: str
    stack_name: str
    project_name: str
    region: str
    account: str


@dataclass
class Template:
    body: dict
    logical_ids: dict[str, list[str]]  # model key -> the logical ids it became (the first is the model itself)
    not_exported: list[dict] = field(default_factory=list)
    artifacts: list[dict] = field(default_factory=list)  # {"zip": local build, "parameter": S3 key parameter, "key": default}


class TemplateWriter:
    def __init__(self, models: list[Resource], names: EnvNames):
        self.models = models
        self.names = names
        self.resources: dict[str, dict] = {}
        self.ids: dict[str, str] = {}
        for model in models:
            if model.type_name in SUFFIXES:
                self.ids[model.key] = self._unique(self._base_id(model))
        self.parameters: dict[str, dict] = {
            "Env": {"Type": "String", "Default": names.env, "AllowedPattern": "^[a-z]{2,10}$",
                    "Description": "The Amplify env: the suffix of every resource name."},
            "NamePrefix": {"Type": "String", "Default": names.stack_name,
                           "Description": "The env's root stack name, the prefix of its roles and deployment bucket."},
            "ProjectName": {"Type": "String", "Default": names.project_name, "Description": "The Amplify project."},
        }
        self.logical_ids: dict[str, list[str]] = {}
        self.not_exported: list[dict] = []
        self.artifacts: list[dict] = []
        self._name_patterns = self._names_in_text()

    # --- ids and names -------------------------------------------------------------------------------------------
    def _base_id(self, model: Resource) -> str:
        name = model.name.split("/", 1)[-1] if isinstance(model, (RolePolicy, LambdaPermission)) else model.name
        if isinstance(model, RolePolicy):
            name = f"{_short(model.role, self.names)}-{name}"
        return pascal(_short(name, self.names)) + SUFFIXES[model.type_name]

    def _unique(self, base: str) -> str:
        taken = set(self.ids.values()) | set(self.resources)
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}{number}", number + 1
        return candidate

    def _names_in_text(self) -> list[tuple[re.Pattern, str]]:
        """Physical names of the models whose Ref is their name, longest first, as ${LogicalId}."""
        named = sorted((m for m in self.models if m.type_name in NAMED_BY_REF), key=lambda m: -len(m.name))
        return [(re.compile(rf"(?<![\w-]){re.escape(m.name)}(?![\w-])"), "${" + self.ids[m.key] + "}") for m in named]

    def name(self, model: Resource, name: str | None = None) -> Any:
        """A resource's own name property: a Parameter for a bucket, else Fn::Sub of NamePrefix and Env."""
        name = model.name if name is None else name
        if isinstance(model, Bucket):
            parameter = self.ids[model.key] + "Name"
            self.parameters[parameter] = {"Type": "String", "Default": name, "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                                          "Description": f"Name of the bucket {name} (bucket names are global)."}
            return {"Ref": parameter}
        text = _escape(name)
        if name.startswith(self.names.stack_name):
            text = "${NamePrefix}" + _escape(name[len(self.names.stack_name):])
        for suffix in (f"-{self.names.env}", f"_{self.names.env}"):
            if text.endswith(suffix):
                text = text[: -len(self.names.env)] + "${Env}"
                break
        if text == _escape(name):  # a name made from another resource's (an OAC named after its bucket)
            return self.text(name, own=model)
        return {"Fn::Sub": text}

    # --- values ----------------------------------------------------------------------------------------------------
    def value(self, value: Any, own: Resource | None = None) -> Any:
        """A model's value in the template: Vars as Ref/GetAtt, Joined as Fn::Join, names and ARNs as Fn::Sub."""
        if isinstance(value, Cfn):
            return value.value
        if isinstance(value, Var):
            return self.var(value)
        if isinstance(value, Joined):
            return {"Fn::Join": ["", [self.value(part, own) for part in value.parts]]}
        if isinstance(value, dict):
            return {key: self.value(item, own) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item, own) for item in value]
        if isinstance(value, str):
            return self.text(value, own)
        return value

    def var(self, var: Var) -> Any:
        key, attribute = var.name.rsplit(".", 1)
        if key not in self.ids:
            raise ValueError(f"{var} refers to {key}, which is not in the template")
        kind = ATTRIBUTES.get((key.split(":", 1)[0], attribute), attribute)
        if key.startswith(Distribution.type_name + ":") and attribute == "Arn":
            return {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${" + self.ids[key] + "}"}
        return {"Ref": self.ids[key]} if kind == "Ref" else {"Fn::GetAtt": [self.ids[key], kind]}

    def text(self, text: str, own: Resource | None = None) -> Any:
        """A literal string: the env's values as Refs, other models' names, the region, account and root stack name
        inside it as Fn::Sub (never `own`'s name: a resource cannot refer to itself)."""
        names = self.names
        exact = {names.env: {"Ref": "Env"}, names.region: {"Ref": "AWS::Region"}, names.stack_name: {"Ref": "NamePrefix"},
                 names.project_name: {"Ref": "ProjectName"}}
        if text in exact:
            return exact[text]
        result = _escape(text)
        for pattern, replacement in self._name_patterns:
            if own is None or replacement != "${" + self.ids.get(own.key, "") + "}":
                result = pattern.sub(lambda _: replacement, result)
        result = result.replace(f":{names.region}:", ":${AWS::Region}:").replace(
            f".{names.region}.amazonaws.com", ".${AWS::Region}.amazonaws.com")
        result = re.sub(rf"(?<=:){re.escape(names.account)}(?=:)", "${AWS::AccountId}", result)
        result = re.sub(rf"(?<![\w-]){re.escape(names.stack_name)}", "${NamePrefix}", result)
        if result != _escape(text):
            result = result.replace("arn:aws:", "arn:${AWS::Partition}:")
        if result.startswith(f"/{names.env}/"):  # an execute-api ARN's stage part
            result = "/${Env}/" + result[len(names.env) + 2:]
        if result == _escape(text):
            return text
        whole = re.fullmatch(r"\$\{([A-Za-z0-9:]+)\}", result)
        return {"Ref": whole.group(1)} if whole else {"Fn::Sub": result}

    # --- the template ----------------------------------------------------------------------------------------------
    def add(self, model: Resource, logical_id: str, resource_type: str, properties: dict, **extra) -> str:
        self.resources[logical_id] = {"Type": resource_type, "Properties": properties, **extra}
        self.logical_ids.setdefault(model.key, []).append(logical_id)
        return logical_id

    def write(self) -> Template:
        for model in self.models:
            writer = WRITERS.get(model.type_name)
            if writer is None or (isinstance(model, Budget) and not model.wanted):
                reason = ("the env's budget is turned off: nothing to create" if isinstance(model, Budget)
                          else f"amplify_nb has no CloudFormation form for {model.type_name}")
                self.not_exported.append({"model": model.key, "reason": reason})
                continue
            writer(self, model)
        used = json.dumps(self.resources)
        for name in ("Env", "NamePrefix", "ProjectName"):  # cfn-lint warns about a parameter nothing uses
            if f'{{"Ref": "{name}"}}' not in used and "${" + name + "}" not in used:
                del self.parameters[name]
        body = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"{self.names.project_name} env {self.names.env}: the backend amplify-nb deploys, "
                           "exported from the models its push plans",
            "Metadata": {METADATA_KEY: {"Resources": self.logical_ids, "NotExported": self.not_exported,
                                        "Artifacts": [{k: v for k, v in a.items() if k != "zip"} for a in self.artifacts]}},
            "Parameters": self.parameters,
            "Resources": self.resources,
        }
        return Template(body, self.logical_ids, self.not_exported, self.artifacts)

    def id_of(self, type_name: str, name: str) -> str | None:
        return self.ids.get(f"{type_name}:{name}")

    def ref_or_name(self, type_name: str, name: str) -> Any:
        found = self.id_of(type_name, name)
        return {"Ref": found} if found else self.text(name)


# --- one writer per model type ----------------------------------------------------------------------------------------
def tag_list(writer: TemplateWriter, tags: dict) -> list[dict]:
    return [{"Key": key, "Value": writer.value(value)} for key, value in tags.items()]


def write_bucket(w: TemplateWriter, bucket: Bucket) -> None:
    props: dict = {"BucketName": w.name(bucket),
                   "PublicAccessBlockConfiguration": dict(bucket.block_public_access),
                   "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}
    if bucket.website:
        website: dict = {}
        if "IndexDocument" in bucket.website:
            website["IndexDocument"] = bucket.website["IndexDocument"]["Suffix"]
        if "ErrorDocument" in bucket.website:
            website["ErrorDocument"] = bucket.website["ErrorDocument"]["Key"]
        props["WebsiteConfiguration"] = website
    if bucket.cors:
        props["CorsConfiguration"] = {"CorsRules": [_cors_rule(rule) for rule in bucket.cors.get("CORSRules", [])]}
    if bucket.tags:
        props["Tags"] = tag_list(w, bucket.tags)
    logical_id = w.add(bucket, w.ids[bucket.key], "AWS::S3::Bucket", props)
    if bucket.manage_policy and bucket.policy:
        w.add(bucket, logical_id + "Policy", "AWS::S3::BucketPolicy",
              {"Bucket": {"Ref": logical_id}, "PolicyDocument": w.value(bucket.policy)})


def _cors_rule(rule: dict) -> dict:
    names = {"AllowedHeaders": "AllowedHeaders", "AllowedMethods": "AllowedMethods", "AllowedOrigins": "AllowedOrigins",
             "ExposeHeaders": "ExposedHeaders", "MaxAgeSeconds": "MaxAge", "ID": "Id"}
    return {names[key]: value for key, value in rule.items() if key in names}


def write_role(w: TemplateWriter, role: Role) -> None:
    props: dict = {"RoleName": w.name(role), "AssumeRolePolicyDocument": w.value(role.assume_role_policy, role)}
    if role.description:
        props["Description"] = w.text(role.description)
    if role.tags:
        props["Tags"] = tag_list(w, role.tags)
    w.add(role, w.ids[role.key], "AWS::IAM::Role", props)


def write_role_policy(w: TemplateWriter, policy: RolePolicy) -> None:
    w.add(policy, w.ids[policy.key], "AWS::IAM::RolePolicy", {
        "PolicyName": policy.policy_name, "RoleName": w.ref_or_name(Role.type_name, policy.role),
        "PolicyDocument": w.value(policy.document)})


def write_origin_access_control(w: TemplateWriter, oac: OriginAccessControl) -> None:
    w.add(oac, w.ids[oac.key], "AWS::CloudFront::OriginAccessControl", {"OriginAccessControlConfig": {
        "Name": w.name(oac), "Description": w.text(oac.description), "OriginAccessControlOriginType": "s3",
        "SigningBehavior": "always", "SigningProtocol": "sigv4"}})


def write_distribution(w: TemplateWriter, dist: Distribution) -> None:
    bucket_id = w.id_of(Bucket.type_name, dist.origin_bucket)
    oac_id = w.id_of(OriginAccessControl.type_name, dist.origin_access_control)
    origin: dict = {"Id": ORIGIN_ID,
                    "DomainName": {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]} if bucket_id else w.text(dist.origin_domain),
                    "S3OriginConfig": {"OriginAccessIdentity": ""}}
    if oac_id:
        origin["OriginAccessControlId"] = {"Fn::GetAtt": [oac_id, "Id"]}
    methods = ["GET", "HEAD"]
    config = {
        "Comment": w.text(dist.comment), "Enabled": True, "DefaultRootObject": dist.default_root_object,
        "HttpVersion": "http2", "Origins": [origin],
        "DefaultCacheBehavior": {"TargetOriginId": ORIGIN_ID, "ViewerProtocolPolicy": "redirect-to-https",
                                 "AllowedMethods": methods, "CachedMethods": methods, "Compress": True,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                 "MinTTL": dist.min_ttl, "DefaultTTL": dist.default_ttl, "MaxTTL": dist.max_ttl},
        "CustomErrorResponses": [{"ErrorCode": code, "ResponsePagePath": page, "ResponseCode": response,
                                  "ErrorCachingMinTTL": dist.error_caching_min_ttl}
                                 for code, page, response in dist.error_responses],
    }
    props: dict = {"DistributionConfig": config}
    if dist.tags:
        props["Tags"] = tag_list(w, dist.tags)
    logical_id = w.add(dist, w.ids[dist.key], "AWS::CloudFront::Distribution", props)
    if dist.grant_origin_read and bucket_id:
        arn = Cfn({"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${" + logical_id + "}"})
        # The same grant as push writes; with the current policy language version (cfn-lint warns on 2008-10-17,
        # CloudFront's console default, which the statement does not need).
        document = {**origin_read_policy(dist.origin_bucket, arn), "Version": "2012-10-17"}
        w.add(dist, bucket_id + "OriginReadPolicy", "AWS::S3::BucketPolicy", {
            "Bucket": {"Ref": bucket_id}, "PolicyDocument": w.value(document)})


def write_user_pool(w: TemplateWriter, pool: UserPool) -> None:
    props = {"UserPoolName": w.name(pool), **w.value(pool.managed_settings()),
             "UsernameConfiguration": {"CaseSensitive": False},
             "Schema": [{"Name": attribute, "AttributeDataType": "String", "Required": True, "Mutable": True}
                        for attribute in pool.required_attributes],
             "MfaConfiguration": pool.mfa}
    if pool.mfa != "OFF":
        props["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA"]
    if pool.username_attributes:
        props["UsernameAttributes"] = list(pool.username_attributes)
    w.add(pool, w.ids[pool.key], "AWS::Cognito::UserPool", props)


def write_user_pool_client(w: TemplateWriter, client: UserPoolClient) -> None:
    w.add(client, w.ids[client.key], "AWS::Cognito::UserPoolClient", {
        "ClientName": client.name, "UserPoolId": w.ref_or_name(UserPool.type_name, client.user_pool),
        "GenerateSecret": False, **w.value(client.managed_settings())})


def write_identity_pool(w: TemplateWriter, pool: IdentityPool) -> None:
    props: dict = {"IdentityPoolName": w.name(pool), "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
                   "AllowClassicFlow": False, "CognitoIdentityProviders": w.value(list(pool.providers))}
    if pool.tags:
        props["IdentityPoolTags"] = tag_list(w, pool.tags)
    w.add(pool, w.ids[pool.key], "AWS::Cognito::IdentityPool", props)


def write_identity_pool_roles(w: TemplateWriter, attachment: IdentityPoolRoles) -> None:
    roles = {"authenticated": attachment.authenticated_role_arn, "unauthenticated": attachment.unauthenticated_role_arn}
    w.add(attachment, w.ids[attachment.key], "AWS::Cognito::IdentityPoolRoleAttachment", {
        "IdentityPoolId": w.ref_or_name(IdentityPool.type_name, attachment.name),
        "Roles": {kind: w.value(arn) for kind, arn in roles.items() if arn}})


def write_table(w: TemplateWriter, table: Table) -> None:
    props: dict = {"TableName": w.name(table), "AttributeDefinitions": table.attribute_definitions(),
                   "KeySchema": table.key_schema(), "BillingMode": table.billing_mode,
                   "StreamSpecification": {"StreamViewType": table.stream_view_type}}
    if table.global_indexes:
        props["GlobalSecondaryIndexes"] = [index.description() for index in table.global_indexes]
    if table.tags:
        props["Tags"] = tag_list(w, table.tags)
    w.add(table, w.ids[table.key], "AWS::DynamoDB::Table", props)


def write_function(w: TemplateWriter, function: Function) -> None:
    logical_id = w.ids[function.key]
    w.parameters.setdefault("FunctionCodeBucket", {
        "Type": "String", "Description": "A bucket holding the functions' build zips (upload them before deploying)."})
    key_parameter = logical_id + "CodeKey"
    key = f"amplify-builds/{function.name}-{_sha_hex(function.code_sha256)}-build.zip"
    w.parameters[key_parameter] = {"Type": "String", "Default": key,
                                   "Description": f"S3 key of the build zip of {function.name} in FunctionCodeBucket."}
    w.artifacts.append({"zip": function.zip_path, "parameter": key_parameter, "key": key, "function": function.name})
    props: dict = {"FunctionName": w.name(function), "Runtime": function.runtime, "Handler": function.handler,
                   "Role": w.value(function.role), "Code": {"S3Bucket": {"Ref": "FunctionCodeBucket"},
                                                            "S3Key": {"Ref": key_parameter}},
                   "Timeout": function.timeout, "MemorySize": function.memory}
    if function.environment:
        props["Environment"] = {"Variables": w.value(function.environment, function)}
    if function.description:
        props["Description"] = w.text(function.description)
    if function.tags:
        props["Tags"] = tag_list(w, function.tags)
    w.add(function, logical_id, "AWS::Lambda::Function", props)


def write_lambda_permission(w: TemplateWriter, permission: LambdaPermission) -> None:
    w.add(permission, w.ids[permission.key], "AWS::Lambda::Permission", {
        "FunctionName": w.ref_or_name(Function.type_name, permission.function_name),
        "Action": "lambda:InvokeFunction", "Principal": permission.principal,
        "SourceArn": w.value(permission.source_arn)})


def write_budget(w: TemplateWriter, budget: Budget) -> None:
    document = budget_document(budget)
    document["BudgetLimit"] = {"Amount": budget.amount, "Unit": "USD"}
    document["BudgetName"] = w.name(budget)
    w.add(budget, w.ids[budget.key], "AWS::Budgets::Budget", {
        "Budget": document,
        "NotificationsWithSubscribers": [{"Notification": notification(kind, threshold),
                                          "Subscribers": [subscriber(budget.email)]} for kind, threshold in ALARMS]})


def write_rest_api(w: TemplateWriter, api: RestApi) -> None:
    """The API, a Resource per path (parents first), a Method per route, the authorizer, the CORS gateway
    responses, then a Deployment after every method and the env's Stage."""
    api_id = w.ids[api.key]
    props: dict = {"Name": w.name(api), "EndpointConfiguration": {"Types": ["REGIONAL"]}}
    if api.description:
        props["Description"] = w.text(api.description)
    if api.tags:
        props["Tags"] = tag_list(w, api.tags)
    w.add(api, api_id, "AWS::ApiGateway::RestApi", props)
    rest_api = {"Ref": api_id}
    resource_ids: dict[str, Any] = {"/": {"Fn::GetAtt": [api_id, "RootResourceId"]}}
    for path in sorted((p for p in api.routes if p != "/"), key=lambda p: p.count("/")):
        parent = path.rsplit("/", 1)[0] or "/"
        logical_id = w._unique(api_id + pascal(path) + "Resource")
        w.add(api, logical_id, "AWS::ApiGateway::Resource", {
            "RestApiId": rest_api, "ParentId": resource_ids[parent], "PathPart": path.rsplit("/", 1)[1]})
        resource_ids[path] = {"Ref": logical_id}
    authorizer = None
    if api.authorizer:
        authorizer = w.add(api, api_id + "Authorizer", "AWS::ApiGateway::Authorizer", {
            "Name": api.authorizer, "RestApiId": rest_api, "Type": "COGNITO_USER_POOLS",
            "ProviderARNs": [w.value(api.user_pool_arn)], "IdentitySource": "method.request.header.Authorization"})
    methods = []
    for path, routes in api.routes.items():
        for method, wanted in routes.items():
            methods.append(w.add(api, w._unique(api_id + pascal(path) + method.title() + "Method"),
                                 "AWS::ApiGateway::Method",
                                 _method(w, api, rest_api, resource_ids[path], method, wanted, authorizer)))
    for kind in GATEWAY_RESPONSES:
        w.add(api, api_id + pascal(kind) + "Response", "AWS::ApiGateway::GatewayResponse", {
            "RestApiId": rest_api, "ResponseType": kind,
            "ResponseParameters": _cors_parameters("gatewayresponse.header.", api.cors_headers, True),
            "ResponseTemplates": {"application/json": GATEWAY_TEMPLATE}})
    deployment = w.add(api, api_id + "Deployment", "AWS::ApiGateway::Deployment",
                       {"RestApiId": rest_api, "Description": DEPLOYMENT_PREFIX + shape_hash(api)},
                       **({"DependsOn": methods} if methods else {}))
    stage_props: dict = {"RestApiId": rest_api, "DeploymentId": {"Ref": deployment}, "StageName": w.text(api.stage)}
    if api.tags:
        stage_props["Tags"] = tag_list(w, api.tags)
    w.add(api, api_id + "Stage", "AWS::ApiGateway::Stage", stage_props)


def _method(w: TemplateWriter, api: RestApi, rest_api: dict, resource_id: Any, method: str, wanted: dict,
            authorizer: str | None) -> dict:
    authorization = wanted.get("authorization", "NONE")
    props: dict = {"RestApiId": rest_api, "ResourceId": resource_id, "HttpMethod": method,
                   "AuthorizationType": authorization, "ApiKeyRequired": False}
    if authorization == "COGNITO_USER_POOLS" and authorizer:
        props["AuthorizerId"] = {"Ref": authorizer}
    if wanted.get("function_arn"):
        props["Integration"] = {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "PassthroughBehavior": "WHEN_NO_MATCH",
                                "Uri": w.value(integration_uri(api.region, wanted["function_arn"]))}
        return props
    props["Integration"] = {
        "Type": "MOCK", "RequestTemplates": {"application/json": PREFLIGHT_TEMPLATE}, "PassthroughBehavior": "NEVER",
        "IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": ""},
                                  "ResponseParameters": _cors_parameters("method.response.header.", api.cors_headers, True)}]}
    props["MethodResponses"] = [{"StatusCode": "200", "ResponseModels": {"application/json": "Empty"},
                                 "ResponseParameters": _cors_parameters("method.response.header.", api.cors_headers, False)}]
    return props


WRITERS: dict[str, Callable[[TemplateWriter, Any], None]] = {
    Bucket.type_name: write_bucket, Role.type_name: write_role, RolePolicy.type_name: write_role_policy,
    OriginAccessControl.type_name: write_origin_access_control, Distribution.type_name: write_distribution,
    UserPool.type_name: write_user_pool, UserPoolClient.type_name: write_user_pool_client,
    IdentityPool.type_name: write_identity_pool, IdentityPoolRoles.type_name: write_identity_pool_roles,
    Table.type_name: write_table, Function.type_name: write_function, RestApi.type_name: write_rest_api,
    LambdaPermission.type_name: write_lambda_permission, Budget.type_name: write_budget,
}


def template_for(models: list[Resource], names: EnvNames) -> Template:
    return TemplateWriter(models, names).write()


# --- helpers ----------------------------------------------------------------------------------------------------------
def pascal(text: str) -> str:
    """`beer-dev`, `/items/{proxy+}`, `DEFAULT_4XX` -> BeerDev, ItemsProxy, Default4xx (letters and digits only)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _short(name: str, names: EnvNames) -> str:
    """A name without the env's stack prefix and env suffix, so logical ids are the same in every env."""
    if name.startswith(names.stack_name):
        name = name[len(names.stack_name):]
    name = re.sub(rf"[-_]{re.escape(names.env)}(?=[-_])", "", name)  # inside: `<bucket>-dev-oac`, `<api>-dev-invoke`
    for suffix in (f"__{names.env}", f"-{names.env}", f"_{names.env}"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _escape(text: str) -> str:
    """Fn::Sub reads ${...} as a variable: a literal one (an IAM policy variable) is written ${!...}."""
    return text.replace("${", "${!")


def _sha_hex(code_sha256: str) -> str:
    import base64

    try:
        return base64.b64decode(code_sha256).hex()[:20]
    except (ValueError, TypeError):
        return "build"
