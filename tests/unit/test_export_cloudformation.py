"""Models -> CloudFormation (deploy/cloudformation.py) for the shapes the tutorial backend does not have: a DEV
website bucket opened by a public policy, a Cognito-authorized API, content-storage policies with IAM policy
variables, a table with an index, the env's budget. Each template passes cfn-lint with no finding; references
are Ref / GetAtt / Fn::Sub, names are Parameters; a model with no CloudFormation form is listed, not dropped."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from amplify_nb.deploy.cloudformation import EnvNames, pascal, template_for
from amplify_nb.deploy.models import Bucket, Budget, LambdaPermission, Resource, RestApi, Role, RolePolicy
from amplify_nb.deploy.plan import Joined, Var
from amplify_nb.deploy.rules.awslambda import Function
from amplify_nb.deploy.rules.cognito import UserPool
from amplify_nb.deploy.rules.dynamodb import GlobalIndex, Key, Table
from amplify_nb.project.export import lint_template

NAMES = EnvNames(env="prod", stack_name="amplify-shop-prod-x1y2z", project_name="shop", region="eu-west-1",
                 account="111122223333")
OPEN = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), False)


def site_bucket() -> Bucket:
    name = "shop-site-prod"
    return Bucket(name, block_public_access=OPEN, website={"IndexDocument": {"Suffix": "index.html"},
                                                           "ErrorDocument": {"Key": "index.html"}},
                  policy={"Version": "2012-10-17", "Statement": [{
                      "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                      "Resource": f"arn:aws:s3:::{name}/*"}]},
                  cors={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 3000}]},
                  tags={"user:Stack": "prod"})


def models() -> list[Resource]:
    pool = UserPool("shop_userpool-prod", mfa="OPTIONAL")
    role = Role("shopfnRole-prod", assume_role_policy={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    table = Table("orders-prod", partition_key=Key("id"), sort_key=Key("at", "N"),
                  global_indexes=(GlobalIndex("byCustomer", Key("customer")),))
    function = Function("shopfn-prod", role=role.ref("Arn"), zip_path="/nowhere/latest-build.zip",
                        code_sha256="dN/tDHFmrGkl/9YvR3eqRvTXpg0aZA1GRVBLVG7GjbM=",
                        environment={"ENV": "prod", "STORAGE_ORDERS_NAME": "orders-prod"})
    api = RestApi("shopapi-prod", region="eu-west-1", stage="prod", authorizer="shopapi-cognito",
                  user_pool_arn=pool.ref("Arn"),
                  routes={"/orders": {"GET": {"authorization": "COGNITO_USER_POOLS",
                                              "function_arn": "arn:aws:lambda:eu-west-1:111122223333:function:shopfn-prod"},
                                      "OPTIONS": {"authorization": "NONE", "function_arn": ""}}},
                  cors_headers={"Access-Control-Allow-Origin": "'*'"})
    content = RolePolicy.on("amplify-shop-prod-x1y2z-authRole", "files-access", {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [
            "arn:aws:s3:::shop-site-prod/private/${cognito-identity.amazonaws.com:sub}/*"]}]})
    return [site_bucket(), Role("amplify-shop-prod-x1y2z-authRole", assume_role_policy={"Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                           "Action": "sts:AssumeRoleWithWebIdentity"}]}),
            content, pool, role, table, function, api,
            LambdaPermission.on("shopfn-prod", "shopapi-prod-invoke", Joined(
                ("arn:aws:execute-api:eu-west-1:111122223333:", api.ref("Id"), "/*/*/*"))),
            Budget("amplify-shop-prod-x1y2z-monthly", amount=25, email="ops@example.com")]


@pytest.fixture(scope="module")
def template():
    return template_for(models(), NAMES)


def test_the_template_passes_cfn_lint(template):
    assert lint_template(template.body, NAMES.region) == []


def resource(template, key: str, index: int = 0) -> dict:
    return template.body["Resources"][template.logical_ids[key][index]]


def test_references_become_ref_getatt_and_sub(template):
    function = resource(template, "lambda.Function:shopfn-prod")["Properties"]
    role_id = template.logical_ids["iam.Role:shopfnRole-prod"][0]
    assert function["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert function["Environment"]["Variables"] == {"ENV": {"Ref": "Env"}, "STORAGE_ORDERS_NAME": {"Ref": "OrdersTable"}}
    assert function["FunctionName"] == {"Fn::Sub": "shopfn-${Env}"}
    assert function["Code"] == {"S3Bucket": {"Ref": "FunctionCodeBucket"}, "S3Key": {"Ref": "ShopfnFunctionCodeKey"}}
    method = next(r for r in template.body["Resources"].values()
                  if r["Type"] == "AWS::ApiGateway::Method" and r["Properties"]["HttpMethod"] == "GET")["Properties"]
    assert method["AuthorizationType"] == "COGNITO_USER_POOLS" and method["AuthorizerId"] == {"Ref": "ShopapiRestApiAuthorizer"}
    assert method["Integration"]["Uri"] == {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                                                      "functions/arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:"
                                                      "function:${ShopfnFunction}/invocations"}
    authorizer = template.body["Resources"]["ShopapiRestApiAuthorizer"]["Properties"]
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": ["ShopUserpoolUserPool", "Arn"]}]


def test_iam_policy_variables_stay_literal_inside_fn_sub(template):
    document = resource(template, "iam.RolePolicy:amplify-shop-prod-x1y2z-authRole/files-access")["Properties"]
    assert document["RoleName"] == {"Ref": "AuthRoleRole"}
    assert document["PolicyDocument"]["Statement"][0]["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ShopSiteBucket}/private/${!cognito-identity.amazonaws.com:sub}/*"}]


def test_names_are_parameters_defaulting_to_this_envs(template):
    parameters = template.body["Parameters"]
    assert parameters["Env"]["Default"] == "prod" and parameters["NamePrefix"]["Default"] == NAMES.stack_name
    assert parameters["ShopSiteBucketName"]["Default"] == "shop-site-prod"
    bucket = resource(template, "s3.Bucket:shop-site-prod")["Properties"]
    assert bucket["BucketName"] == {"Ref": "ShopSiteBucketName"}
    assert bucket["WebsiteConfiguration"] == {"IndexDocument": "index.html", "ErrorDocument": "index.html"}
    assert bucket["CorsConfiguration"] == {"CorsRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAge": 3000}]}
    assert resource(template, "s3.Bucket:shop-site-prod", 1)["Type"] == "AWS::S3::BucketPolicy"
    assert resource(template, "iam.Role:amplify-shop-prod-x1y2z-authRole")["Properties"]["RoleName"] == {
        "Fn::Sub": "${NamePrefix}-authRole"}
    budget = resource(template, "budgets.Budget:amplify-shop-prod-x1y2z-monthly")["Properties"]
    assert budget["Budget"]["BudgetLimit"] == {"Amount": 25, "Unit": "USD"}
    assert [n["Subscribers"] for n in budget["NotificationsWithSubscribers"]] == [
        [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}]] * 2


def test_logical_ids_do_not_carry_the_env_or_its_stack_name(template):
    assert {"ShopSiteBucket", "AuthRoleRole", "OrdersTable", "ShopfnFunction", "ShopapiRestApi"} <= set(
        template.body["Resources"])
    assert pascal("/orders/{proxy+}") == "OrdersProxy"


@dataclass(frozen=True)
class Gadget(Resource):
    type_name: ClassVar[str] = "gadget.Thing"


def test_a_model_without_a_cloudformation_form_is_listed_not_dropped():
    template = template_for([Gadget("thing-prod"), Budget("amplify-shop-prod-x1y2z-monthly", wanted=False)], NAMES)
    assert template.body["Metadata"]["AmplifyNb"]["NotExported"] == [
        {"model": "gadget.Thing:thing-prod", "reason": "amplify_nb has no CloudFormation form for gadget.Thing"},
        {"model": "budgets.Budget:amplify-shop-prod-x1y2z-monthly",
         "reason": "the env's budget is turned off: nothing to create"}]


def test_a_reference_to_a_model_outside_the_template_is_an_error():
    orphan = Role("r-prod", assume_role_policy={"aud": Var("cognito-identity.IdentityPool:gone.Id")})
    with pytest.raises(ValueError, match="not in the template"):
        template_for([orphan], NAMES)
