"""Builds, with boto3, a REST API the way a push of the api category makes it (see the api category's contract):
a user pool and identity pool, a table, a real Python handler zipped into a function, `/beer` and
`/beer/{proxy+}` with ANY (AWS_PROXY) or one method per operation (cognito), OPTIONS (MOCK, CORS), the
DEFAULT_4XX / DEFAULT_5XX gateway responses, the Lambda permission, a deployment and stage `dev`, and the
execute-api:Invoke policies on the identity pool's roles. Shared by tests/functional/test_local_apigw.py and
benchmarks/bench_api.py."""
from __future__ import annotations

import io
import json
import textwrap
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

REGION, ACCOUNT = "us-east-1", "123456789012"
CORS_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent"
CORS_METHODS = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
METHODS = {"create": ["POST"], "read": ["GET"], "update": ["PUT", "PATCH"], "delete": ["DELETE"]}

HANDLER = '''
import json, os, time
import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*"}

def handler(event, context):
    proxy = (event.get("pathParameters") or {}).get("proxy") or ""
    method = event["httpMethod"]
    if proxy == "event":
        return {"statusCode": 200, "headers": CORS, "body": json.dumps(event)}
    if proxy == "boom":
        raise ValueError("boom")
    if proxy == "malformed":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if proxy == "extra":
        return {"statusCode": 200, "body": "", "wrongValue": 1}
    if proxy == "slow" or event["resource"] == "/slow":
        time.sleep(float(event["queryStringParameters"]["seconds"]))
        return {"statusCode": 200, "body": "slept"}
    if proxy == "headers":
        return {"statusCode": "201", "headers": {"X-One": "solo", "Content-Type": "text/plain"},
                "multiValueHeaders": {"X-One": ["a", "b"]}, "body": "ok"}
    if method in ("POST", "PUT"):
        TABLE.put_item(Item=json.loads(event["body"]))
        return {"statusCode": 200, "headers": CORS, "body": json.dumps({"success": "post call succeed!"})}
    if method == "GET":
        items = TABLE.scan()["Items"]
        return {"statusCode": 200, "headers": CORS, "body": json.dumps(items, default=str)}
    if method == "DELETE":
        TABLE.delete_item(Key={"id": proxy.split("/")[-1]})
        return {"statusCode": 200, "headers": CORS, "body": "{}"}
    return {"statusCode": 400, "body": "unsupported"}
'''

TRUST_LAMBDA = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="local",
                        aws_secret_access_key="local")


def zip_of(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", textwrap.dedent(source))
    return buffer.getvalue()


@dataclass
class Identity:
    """A user pool with two app clients and an identity pool whose auth/unauth roles are named."""

    user_pool_id: str
    client_id: str
    other_client_id: str
    identity_pool_id: str
    auth_role: str
    unauth_role: str

    @property
    def provider(self) -> str:
        return f"cognito-idp.{REGION}.amazonaws.com/{self.user_pool_id}"


@dataclass
class BeerApi:
    api_id: str
    root_url: str
    table: str
    function: str
    authorization: str


def make_identity(endpoint: str, guests: bool = True) -> Identity:
    idp, identity, iam = client("cognito-idp", endpoint), client("cognito-identity", endpoint), client("iam", endpoint)
    suffix = uuid.uuid4().hex[:8]
    pool = idp.create_user_pool(PoolName=f"beer-{suffix}", UsernameAttributes=["email"])["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    clients = [idp.create_user_pool_client(UserPoolId=pool, ClientName=f"c{i}", ExplicitAuthFlows=flows)
               ["UserPoolClient"]["ClientId"] for i in range(2)]
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool}"
    identity_pool = identity.create_identity_pool(
        IdentityPoolName=f"beer{suffix}", AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": c} for c in clients])["IdentityPoolId"]
    roles = {}
    for kind, short in (("authenticated", "auth"), ("unauthenticated", "unauth")):
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": identity_pool}}}]}
        name = f"amplify-beer-dev-{suffix}-{short}Role"
        roles[kind] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    identity.set_identity_pool_roles(IdentityPoolId=identity_pool, Roles=roles)
    return Identity(pool, clients[0], clients[1], identity_pool, roles["authenticated"].rsplit("/", 1)[-1],
                    roles["unauthenticated"].rsplit("/", 1)[-1])


def sign_in(endpoint: str, ident: Identity, email: str, client_id: str | None = None) -> dict[str, str]:
    """A confirmed user's tokens (IdToken, AccessToken)."""
    idp = client("cognito-idp", endpoint)
    password = "Passw0rd!long"
    try:
        idp.admin_create_user(UserPoolId=ident.user_pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email}])
        idp.admin_set_user_password(UserPoolId=ident.user_pool_id, Username=email, Password=password, Permanent=True)
    except idp.exceptions.UsernameExistsException:
        pass
    result = idp.initiate_auth(ClientId=client_id or ident.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]
    return {"IdToken": result["IdToken"], "AccessToken": result["AccessToken"]}


def make_beer_api(endpoint: str, ident: Identity, authorization: str = "iam",
                  operations: tuple[str, ...] = ("create", "read", "update", "delete"),
                  guest_operations: tuple[str, ...] = (), function_timeout: int = 3,
                  slow_integration_ms: int | None = None, permission: bool = True) -> BeerApi:
    """authorization: iam | cognito | open (restrict_access false)."""
    from amplify_nb.local.apis import local_api_root_url

    apigw, lam, ddb, iam = (client(s, endpoint) for s in ("apigateway", "lambda", "dynamodb", "iam"))
    suffix = uuid.uuid4().hex[:8]
    table = f"beer-{suffix}-dev"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    role = iam.create_role(RoleName=f"beerLambdaRole{suffix}", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    function = f"beerLambda{suffix}-dev"
    function_arn = lam.create_function(
        FunctionName=function, Runtime="python3.11", Role=role["Role"]["Arn"], Handler="index.handler",
        Code={"ZipFile": zip_of(HANDLER)}, Timeout=function_timeout,
        Environment={"Variables": {"TABLE": table, "ENV": "dev"}})["FunctionArn"]
    name = f"beerapi{suffix}-dev"
    api = apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]},
                                tags={"user:Stack": "dev"})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    authorizer = None
    if authorization == "cognito":
        authorizer = apigw.create_authorizer(
            restApiId=api, name=f"{name}-cognito", type="COGNITO_USER_POOLS",
            providerARNs=[f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{ident.user_pool_id}"],
            identitySource="method.request.header.Authorization")["id"]
    beer = apigw.create_resource(restApiId=api, parentId=root, pathPart="beer")["id"]
    proxy = apigw.create_resource(restApiId=api, parentId=beer, pathPart="{proxy+}")["id"]
    resources = [beer, proxy]
    if slow_integration_ms:
        resources.append(apigw.create_resource(restApiId=api, parentId=root, pathPart="slow")["id"])
    for resource in resources:
        if authorization == "cognito":
            methods = [m for op in operations for m in METHODS[op]]
        else:
            methods = ["ANY"]
        kind = {"iam": "AWS_IAM", "cognito": "COGNITO_USER_POOLS", "open": "NONE"}[authorization]
        for method in methods:
            extra = {"authorizerId": authorizer} if authorizer else {}
            apigw.put_method(restApiId=api, resourceId=resource, httpMethod=method, authorizationType=kind, **extra)
            timeout = {"timeoutInMillis": slow_integration_ms} if resource == resources[-1] and slow_integration_ms \
                else {}
            apigw.put_integration(restApiId=api, resourceId=resource, httpMethod=method, type="AWS_PROXY",
                                  integrationHttpMethod="POST", uri=uri, **timeout)
        apigw.put_method(restApiId=api, resourceId=resource, httpMethod="OPTIONS", authorizationType="NONE")
        apigw.put_integration(restApiId=api, resourceId=resource, httpMethod="OPTIONS", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        cors = {"method.response.header.Access-Control-Allow-Origin": "'*'",
                "method.response.header.Access-Control-Allow-Headers": f"'{CORS_HEADERS}'",
                "method.response.header.Access-Control-Allow-Methods": f"'{CORS_METHODS}'"}
        apigw.put_method_response(restApiId=api, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                                  responseParameters={k: False for k in cors})
        apigw.put_integration_response(restApiId=api, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                                       responseParameters=cors)
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        apigw.put_gateway_response(restApiId=api, responseType=kind, responseParameters={
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            "gatewayresponse.header.Access-Control-Allow-Headers": f"'{CORS_HEADERS}'",
            "gatewayresponse.header.Access-Control-Allow-Methods": f"'{CORS_METHODS}'",
            "gatewayresponse.header.Access-Control-Expose-Headers": "'Date,X-Amzn-ErrorType'"})
    if permission:
        lam.add_permission(FunctionName=function, StatementId=f"{name}-invoke", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*/*/*")
    apigw.create_deployment(restApiId=api, stageName="dev")
    if authorization == "iam":
        for role_name, allowed in ((ident.auth_role, operations), (ident.unauth_role, guest_operations)):
            resources_arns = [f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/dev/{m}/beer{tail}"
                              for op in allowed for m in METHODS[op] for tail in ("", "/*")]
            if resources_arns:
                iam.put_role_policy(RoleName=role_name, PolicyName=f"{name}-access", PolicyDocument=json.dumps({
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["execute-api:Invoke"],
                                                            "Resource": resources_arns}]}))
    return BeerApi(api, local_api_root_url(endpoint, api, "dev"), table, function, authorization)


def identity_credentials(endpoint: str, ident: Identity, id_token: str | None) -> dict[str, str]:
    """GetId + GetCredentialsForIdentity, as Amplify JS's fetchAuthSession does (guest without a token)."""
    identity = boto3.client("cognito-identity", endpoint_url=endpoint, region_name=REGION,
                            aws_access_key_id="unused", aws_secret_access_key="unused")
    logins = {ident.provider: id_token} if id_token else {}
    identity_id = identity.get_id(IdentityPoolId=ident.identity_pool_id, Logins=logins)["IdentityId"]
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    return {"identity_id": identity_id, "access_key": creds["AccessKeyId"], "secret_key": creds["SecretKey"],
            "token": creds["SessionToken"]}


def signed_request(method: str, url: str, creds: dict[str, str] | None, body: Any = None,
                   headers: dict[str, str] | None = None, service: str = "execute-api",
                   region: str = REGION) -> Any:
    """Send a request signed with botocore's SigV4 (as the Python API client and Amplify JS sign)."""
    import requests
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = json.dumps(body).encode() if body is not None else None
    request = AWSRequest(method=method, url=url, data=data, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    if creds is not None:
        SigV4Auth(Credentials(creds["access_key"], creds["secret_key"], creds.get("token")), service,
                  region).add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=60)
