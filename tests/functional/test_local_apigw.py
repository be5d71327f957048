"""The local API Gateway serves a pushed REST API as API Gateway does: Cognito and IAM auth with API Gateway's
codes and bodies (the handler never runs when auth fails), the Lambda's errors, malformed replies and timeouts,
CORS on every error, the proxy event, concurrency without lost writes, and issued credentials across a restart."""
from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import requests
from local_api_builder import (CORS_HEADERS, identity_credentials, make_beer_api, make_identity, sign_in,
                               signed_request)

from amplify_nb.local import LocalCloud, LocalSettings
from amplify_nb.local.services.cognito import cognito_dir

UNAUTHORIZED = {"message": "Unauthorized"}
MISSING = {"message": "Missing Authentication Token"}
INTERNAL = {"message": "Internal server error"}


@pytest.fixture(scope="module")
def endpoint(local_cloud) -> str:
    return local_cloud.settings.endpoint


@pytest.fixture(scope="module")
def ident(endpoint):
    return make_identity(endpoint, guests=True)


@pytest.fixture(scope="module")
def cognito_api(endpoint, ident):
    return make_beer_api(endpoint, ident, "cognito")


@pytest.fixture(scope="module")
def readonly_api(endpoint, ident):
    return make_beer_api(endpoint, ident, "cognito", operations=("read",))


@pytest.fixture(scope="module")
def iam_api(endpoint, ident):
    return make_beer_api(endpoint, ident, "iam", guest_operations=("read",), slow_integration_ms=1000)


@pytest.fixture(scope="module")
def tokens(endpoint, ident):
    return sign_in(endpoint, ident, "ada@example.com")


def handler_runs(endpoint: str, api_id: str) -> int:
    """How many requests reached the Lambda (the inspector records a Lambda duration only for those)."""
    rows = requests.get(f"{endpoint}/_amplify_nb/apis/requests", params={"api": api_id}, timeout=10).json()
    return sum(1 for row in rows if row["lambda_ms"] is not None)


def assert_cors(response) -> None:
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Headers"] == CORS_HEADERS


def private_key(state_dir) -> dict:
    return json.loads((cognito_dir(state_dir) / "signing-key.json").read_text())


def forge(claims: dict, key=None, algorithm="RS256", headers=None) -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


# --- Cognito user pools -----------------------------------------------------------------------------------------
def test_an_id_token_raw_or_bearer_reaches_the_handler_with_its_claims_as_strings(cognito_api, tokens):
    for value in (tokens["IdToken"], f"Bearer {tokens['IdToken']}"):
        response = requests.get(f"{cognito_api.root_url}/beer/event", headers={"Authorization": value}, timeout=30)
        assert response.status_code == 200, response.text
        event = response.json()
        claims = event["requestContext"]["authorizer"]["claims"]
        assert claims["email"] == "ada@example.com" and claims["token_use"] == "id"
        assert all(isinstance(v, str) for v in claims.values()) and claims["exp"].endswith(str(datetime.now().year))
        assert event["requestContext"]["identity"]["cognitoIdentityId"] is None
        assert event["headers"]["Authorization"] == value


def test_forged_expired_foreign_access_and_missing_tokens_get_401_and_the_handler_never_runs(
        endpoint, cognito_api, tokens, ident, local_cloud):
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    header = jwt.get_unverified_header(tokens["IdToken"])
    real_key = jwt.PyJWK(private_key(local_cloud.settings.state_dir)).key
    head, payload, signature = tokens["IdToken"].split(".")
    tampered = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    tampered["email"] = "eve@example.com"
    tampered_token = ".".join([head, base64.urlsafe_b64encode(json.dumps(tampered).encode()).rstrip(b"=").decode(),
                               signature])
    other_pool = make_identity(endpoint, guests=False)
    cases = {
        "missing": None,
        "bad signature": tokens["IdToken"][:-4] + ("AAAA" if not tokens["IdToken"].endswith("AAAA") else "BBBB"),
        "another key": forge(claims, headers={"kid": header["kid"]}),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "tampered claims": tampered_token,
        "another pool": sign_in(endpoint, other_pool, "ada@example.com")["IdToken"],
        "access token": tokens["AccessToken"],
        "not a jwt": "hello",
    }
    before = handler_runs(endpoint, cognito_api.api_id)
    for case, token in cases.items():
        response = requests.get(f"{cognito_api.root_url}/beer", timeout=30,
                                headers={"Authorization": token} if token else {})
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED), case
        assert_cors(response)
    expired = forge({**claims, "exp": int(time.time()) - 10, "iat": int(time.time()) - 3700}, key=real_key,
                    headers={"kid": header["kid"]})
    response = requests.get(f"{cognito_api.root_url}/beer", headers={"Authorization": expired}, timeout=30)
    assert (response.status_code, response.json()) == (401, {"message": "The incoming token has expired"})
    assert handler_runs(endpoint, cognito_api.api_id) == before
    rows = requests.get(f"{endpoint}/_amplify_nb/apis/requests", params={"api": cognito_api.api_id}).json()
    assert rows[0]["decision"] == "denied" and "expired" in rows[0]["reason"]
    assert tokens["IdToken"] not in json.dumps(rows)


def test_an_id_token_of_another_app_client_of_the_pool_is_admitted(endpoint, cognito_api, ident):
    token = sign_in(endpoint, ident, "bob@example.com", client_id=ident.other_client_id)["IdToken"]
    assert requests.get(f"{cognito_api.root_url}/beer", headers={"Authorization": token}, timeout=30).status_code == 200


def test_a_read_only_api_answers_a_post_with_missing_authentication_token(readonly_api, tokens):
    response = requests.post(f"{readonly_api.root_url}/beer", json={"id": "1"}, timeout=30,
                             headers={"Authorization": tokens["IdToken"]})
    assert (response.status_code, response.json()) == (403, MISSING)
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert_cors(response)


def test_unknown_path_api_or_stage_is_missing_authentication_token_and_preflight_is_the_mock(cognito_api, endpoint):
    for url in (f"{cognito_api.root_url}/nothing", f"{endpoint}/restapis/nope/dev/_user_request_/beer",
                cognito_api.root_url.replace("/dev/", "/prod/") + "/beer"):
        response = requests.get(url, timeout=30)
        assert (response.status_code, response.json()) == (403, MISSING), url
    assert_cors(requests.get(f"{cognito_api.root_url}/nothing", timeout=30))
    preflight = requests.options(f"{cognito_api.root_url}/beer/42", timeout=30,
                                 headers={"Origin": "http://127.0.0.1:9", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200 and preflight.content == b""
    assert preflight.headers["Access-Control-Allow-Methods"] == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    assert_cors(preflight)


# --- IAM ----------------------------------------------------------------------------------------------------------
def test_identity_pool_credentials_sign_requests_and_the_event_carries_the_identity(endpoint, iam_api, ident, tokens):
    creds = identity_credentials(endpoint, ident, tokens["IdToken"])
    assert creds["access_key"].startswith("ASIA")
    again = identity_credentials(endpoint, ident, tokens["IdToken"])
    assert again["identity_id"] == creds["identity_id"]
    response = signed_request("POST", f"{iam_api.root_url}/beer", creds, {"id": "1", "name": "Duff"})
    assert response.status_code == 200, response.text
    event = signed_request("GET", f"{iam_api.root_url}/beer/event?a=1&a=2&b=x+y", creds).json()
    identity = event["requestContext"]["identity"]
    assert identity["cognitoIdentityId"] == creds["identity_id"]
    assert identity["cognitoAuthenticationType"] == "authenticated"
    assert identity["cognitoIdentityPoolId"] == ident.identity_pool_id
    assert identity["cognitoAuthenticationProvider"].endswith(":CognitoSignIn:" + jwt.decode(
        tokens["IdToken"], options={"verify_signature": False})["sub"])
    assert identity["userArn"].endswith(f"assumed-role/{ident.auth_role}/CognitoIdentityCredentials")
    assert identity["accessKey"] == creds["access_key"]
    assert "Authorization" not in event["headers"] and "authorizer" not in event["requestContext"]
    assert event["queryStringParameters"] == {"a": "2", "b": "x y"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"]}
    assert event["resource"] == "/beer/{proxy+}" and event["pathParameters"] == {"proxy": "event"}
    assert event["requestContext"]["path"] == "/dev/beer/event" and event["path"] == "/beer/event"
    assert event["body"] is None and event["stageVariables"] is None and event["isBase64Encoded"] is False
    rows = requests.get(f"{endpoint}/_amplify_nb/apis/requests", params={"api": iam_api.api_id}).json()
    post = next(row for row in rows if row["method"] == "POST")
    assert [call["operation"] for call in post["dynamodb"]] == ["PutItem"]
    assert post["dynamodb"][0]["table"] == iam_api.table
    assert creds["secret_key"] not in json.dumps(rows) and creds["token"] not in json.dumps(rows)


def test_bad_iam_requests_get_403_with_api_gateways_messages_and_never_run_the_handler(
        endpoint, iam_api, ident, tokens):
    creds = identity_credentials(endpoint, ident, tokens["IdToken"])
    url = f"{iam_api.root_url}/beer"
    before = handler_runs(endpoint, iam_api.api_id)
    unsigned = requests.get(url, timeout=30)
    assert (unsigned.status_code, unsigned.json()) == (403, MISSING)
    wrong = signed_request("GET", url, {**creds, "secret_key": "not-the-secret"})
    assert wrong.status_code == 403 and wrong.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    unknown = signed_request("GET", url, {**creds, "access_key": "ASIAUNKNOWN000000000"})
    assert (unknown.status_code, unknown.json()) == (403, {
        "message": "The security token included in the request is invalid."})
    stale_date = (datetime.now(timezone.utc) - timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    from unittest import mock
    twenty_minutes_ago = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=20)
    with mock.patch("botocore.auth.get_current_datetime", return_value=twenty_minutes_ago):  # a slow clock
        stale = signed_request("GET", url, creds)
    assert stale.status_code == 403 and stale.json()["message"].startswith(f"Signature expired: {stale_date[:11]}")
    bearer = requests.get(url, headers={"Authorization": f"Bearer {tokens['IdToken']}"}, timeout=30)
    assert bearer.status_code == 403 and "not a valid key=value pair" in bearer.json()["message"]
    for response in (unsigned, wrong, unknown, stale, bearer):
        assert_cors(response)
    assert handler_runs(endpoint, iam_api.api_id) == before


def test_a_guest_may_read_but_not_write_and_the_denial_names_the_role_and_resource(endpoint, iam_api, ident):
    guest = identity_credentials(endpoint, ident, None)
    assert signed_request("GET", f"{iam_api.root_url}/beer", guest).status_code == 200
    denied = signed_request("POST", f"{iam_api.root_url}/beer", guest, {"id": "x"})
    assert denied.status_code == 403
    message = denied.json()["Message"]
    assert message.startswith(f"User: arn:aws:sts::123456789012:assumed-role/{ident.unauth_role}/"
                              "CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke")
    assert message.endswith(f":********9012:{iam_api.api_id}/dev/POST/beer")
    assert_cors(denied)


def test_credentials_need_a_real_id_token_and_guests_only_where_allowed(endpoint, tokens):
    closed = make_identity(endpoint, guests=False)
    import boto3
    identity = boto3.client("cognito-identity", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="x", aws_secret_access_key="x")
    with pytest.raises(identity.exceptions.NotAuthorizedException):
        identity.get_id(IdentityPoolId=closed.identity_pool_id)
    with pytest.raises(identity.exceptions.NotAuthorizedException):  # a token of another pool
        identity.get_id(IdentityPoolId=closed.identity_pool_id, Logins={closed.provider: tokens["IdToken"]})


# --- the Lambda ---------------------------------------------------------------------------------------------------
def test_handler_errors_malformed_replies_and_timeouts_are_502_and_504(endpoint, iam_api, ident, tokens):
    creds = identity_credentials(endpoint, ident, tokens["IdToken"])
    for tail in ("boom", "malformed", "extra", "slow?seconds=5"):  # the function's own timeout is 3 s: 502
        response = signed_request("GET", f"{iam_api.root_url}/beer/{tail}", creds)
        assert (response.status_code, response.json()) == (502, INTERNAL), tail
        assert_cors(response)
    timed_out = signed_request("GET", f"{iam_api.root_url}/slow?seconds=2", creds)
    assert timed_out.status_code == 403  # /slow is not in the role's policy ...
    local = {"access_key": "local", "secret_key": "local"}  # ... the account's root key may call it
    response = signed_request("GET", f"{iam_api.root_url}/slow?seconds=2", local)
    assert (response.status_code, response.json()) == (504, {"message": "Endpoint request timed out"})
    assert_cors(response)
    headers = signed_request("GET", f"{iam_api.root_url}/beer/headers", creds)
    assert headers.status_code == 201 and headers.headers["X-One"] == "a, b, solo" and headers.text == "ok"
    assert headers.headers["Content-Type"] == "text/plain"


def test_a_function_without_the_apigateway_permission_gives_500(endpoint, ident):
    api = make_beer_api(endpoint, ident, "open", permission=False)
    response = requests.get(f"{api.root_url}/beer", timeout=30)
    assert (response.status_code, response.json()) == (500, INTERNAL)
    assert_cors(response)


def test_16_clients_by_200_requests_lose_no_write_and_get_no_5xx(endpoint, ident):
    api = make_beer_api(endpoint, ident, "open")
    statuses: list[int] = []

    def client(number: int) -> None:
        with requests.Session() as session:
            for index in range(200):
                answer = session.post(f"{api.root_url}/beer", json={"id": f"{number}-{index}"}, timeout=60)
                statuses.append(answer.status_code)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(client, range(16)))
    assert len(statuses) == 3200 and not [s for s in statuses if s >= 500]
    import boto3
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    assert ddb.scan(TableName=api.table, Select="COUNT")["Count"] == 3200


def test_a_restart_keeps_serving_and_keeps_issued_credentials_valid(tmp_path, free_port):
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=tmp_path / "cloud"))
    cloud.start()
    try:
        endpoint = cloud.settings.endpoint
        ident = make_identity(endpoint)
        api = make_beer_api(endpoint, ident, "iam")
        creds = identity_credentials(endpoint, ident, sign_in(endpoint, ident, "cy@example.com")["IdToken"])
        assert signed_request("POST", f"{api.root_url}/beer", creds, {"id": "a"}).status_code == 200
        cloud.stop()
        cloud.start()
        assert (cognito_dir(cloud.settings.state_dir) / "credentials.json").stat().st_mode & 0o777 == 0o600
        again = signed_request("GET", f"{api.root_url}/beer", creds)
        assert again.status_code == 200 and again.json() == [{"id": "a"}]
    finally:
        cloud.stop()


def test_the_inspector_on_the_cli_and_as_a_dataframe(endpoint, cognito_api, tokens, local_cloud):
    from cli_runner import run_cli

    from amplify_nb.views import api_requests

    requests.post(f"{cognito_api.root_url}/beer", json={"id": "inspected"}, timeout=30,
                  headers={"Authorization": tokens["IdToken"]})
    text = run_cli("local", "requests", "--api", cognito_api.api_id).stdout
    assert f"{cognito_api.api_id}/dev  POST /beer  -> 200" in text and "DynamoDB: PutItem" in text
    rows = json.loads(run_cli("local", "requests", "--api", cognito_api.api_id, "--json").stdout)
    assert rows[0]["caller"] == "ada@example.com" and rows[0]["decision"] == "allowed"
    frame = api_requests(cognito_api.api_id)
    assert frame.loc[0, "method"] == "POST" and frame.loc[0, "dynamodb"].startswith("PutItem")
    assert tokens["IdToken"] not in text


def test_a_change_is_live_only_after_a_new_deployment(endpoint, ident):
    import boto3
    api = make_beer_api(endpoint, ident, "open")
    apigw = boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                         aws_secret_access_key="local")
    root = next(r["id"] for r in apigw.get_resources(restApiId=api.api_id)["items"] if r["path"] == "/")
    wine = apigw.create_resource(restApiId=api.api_id, parentId=root, pathPart="wine")["id"]
    beer_method = apigw.get_method(restApiId=api.api_id, resourceId=next(
        r["id"] for r in apigw.get_resources(restApiId=api.api_id)["items"] if r["path"] == "/beer"), httpMethod="ANY")
    apigw.put_method(restApiId=api.api_id, resourceId=wine, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api.api_id, resourceId=wine, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=beer_method["methodIntegration"]["uri"])
    assert requests.get(f"{api.root_url}/wine", timeout=30).status_code == 403  # not deployed yet
    apigw.create_deployment(restApiId=api.api_id, stageName="dev")
    assert requests.get(f"{api.root_url}/wine", timeout=30).status_code == 200


def test_an_attached_policy_with_an_explicit_deny_wins_over_the_inline_allow(endpoint):
    import boto3
    ident = make_identity(endpoint, guests=False)
    api = make_beer_api(endpoint, ident, "iam")
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    deny = iam.create_policy(PolicyName=f"deny-{api.api_id}", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "execute-api:*",
                                                "Resource": f"arn:aws:execute-api:*:*:{api.api_id}/*/GET/beer/secret*"}]}))
    iam.attach_role_policy(RoleName=ident.auth_role, PolicyArn=deny["Policy"]["Arn"])
    creds = identity_credentials(endpoint, ident, sign_in(endpoint, ident, "dee@example.com")["IdToken"])
    assert signed_request("GET", f"{api.root_url}/beer", creds).status_code == 200
    denied = signed_request("GET", f"{api.root_url}/beer/secret", creds)
    assert denied.status_code == 403 and "is not authorized to perform: execute-api:Invoke" in denied.json()["Message"]
    rows = requests.get(f"{endpoint}/_amplify_nb/apis/requests", params={"api": api.api_id}, timeout=10).json()
    assert rows[0]["reason"] == f"explicit Deny in policy {deny['Policy']['Arn']}"
