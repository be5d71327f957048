"""The Python API client on its own: a small HTTP server in the test plays the API, checks each request's SigV4
signature with botocore against the credentials the (stubbed) identity pool handed out, and answers as API
Gateway does; so signing, the token in cognito mode, errors, retries, query strings, bodies and DataFrames are
checked without a cloud."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field

import boto3
import pandas as pd
import pytest
from botocore.credentials import Credentials
from botocore.stub import Stubber

from amplify_nb.aws import Target
from amplify_nb.client import (API, ApiError, ApiNetworkError, BadGatewayError, BadRequestError, BeerApi,
                               ForbiddenError, GatewayTimeoutError, NotSignedInError, UnauthorizedError)
from amplify_nb.client.api import frame, read_exports
from amplify_nb.client.auth import AuthConfig, Tokens

from sigv4_check import SignatureMismatch, verify_sigv4

REGION = "us-east-1"
POOL = "us-east-1_TestPool1"
IDENTITY_POOL = "us-east-1:11111111-2222-3333-4444-555555555555"
PROVIDER = f"cognito-idp.{REGION}.amazonaws.com/{POOL}"
ID_TOKEN = "eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJhbmEiLCJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJlLW9mLXRoZS1wb29s"
EXPIRES = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


# --- the fake API ---------------------------------------------------------------------------------------------
@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    signer: str | None  # the access key whose signature botocore confirmed, None if unsigned
    signature_problem: str = ""


@dataclass
class FakeApi:
    """Records every request; answers from `answers` (status, headers, body) in order, else 200 with an echo."""

    credentials: dict[str, Credentials] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict, object]] = field(default_factory=list)
    handler: object = None  # optional callable(Received) -> (status, headers, body)
    url: str = ""


def serve(api: FakeApi):
    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            signer, problem = None, ""
            if "Authorization" in headers and headers["Authorization"].startswith("AWS4-"):
                try:
                    signer = verify_sigv4(self.command, f"http://{headers['Host']}{self.path}", headers, body,
                                          api.credentials, REGION)
                except SignatureMismatch as exc:
                    problem = str(exc)
            parts = urllib.parse.urlsplit(self.path)
            received = Received(self.command, parts.path, urllib.parse.parse_qs(parts.query), headers, body,
                                signer, problem)
            api.requests.append(received)
            if problem:
                status, extra, answer = 403, {"x-amzn-ErrorType": "InvalidSignatureException"}, {"message": problem}
            elif api.answers:
                status, extra, answer = api.answers.pop(0)
            elif api.handler:
                status, extra, answer = api.handler(received)
            else:
                status, extra, answer = 200, {}, {"method": self.command, "path": parts.path,
                                                  "body": body.decode() or None}
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def fake_api():
    api = FakeApi()
    server = serve(api)
    api.url = f"http://127.0.0.1:{server.server_address[1]}/restapis/abc123/dev/_user_request_"
    yield api
    server.shutdown()
    server.server_close()


# --- a signed-in user and the identity pool -----------------------------------------------------------------
class FakeAuth:
    """What API needs of Auth: the config, the target for unsigned clients, and the session's ID token."""

    def __init__(self, target: Target, signed_in: bool = True):
        self.config = AuthConfig(region=REGION, user_pool_id=POOL, client_id="webclient",
                                 identity_pool_id=IDENTITY_POOL)
        self.target = target
        self.signed_in = signed_in

    def tokens(self) -> Tokens:
        if not self.signed_in:
            raise NotSignedInError("nobody is signed in")
        return Tokens(id_token=ID_TOKEN, access_token="access", refresh_token="refresh", expires_at=0)


@pytest.fixture
def identity_pool():
    """A Target whose unsigned cognito-identity client is stubbed; returns (target, stubber)."""
    target = Target(kind="aws", region=REGION, profile="unused")
    client = boto3.client("cognito-identity", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    target._clients["cognito-identity#unsigned"] = client
    with Stubber(client) as stubber:
        yield target, stubber
        stubber.assert_no_pending_responses()


def hand_out(stubber: Stubber, fake_api: FakeApi, logins: dict | None, key: str = "ASIALOCALUSER0001",
             identity: str = f"{REGION}:identity-1", get_id: bool = True, expires: dt.datetime = EXPIRES) -> Credentials:
    """Stub GetId (once) and GetCredentialsForIdentity, expecting exactly these Logins; the API knows the secret."""
    params = {"Logins": logins} if logins else {}
    secret, token = f"secret-{uuid.uuid4().hex}", f"session-{uuid.uuid4().hex}"
    if get_id:
        stubber.add_response("get_id", {"IdentityId": identity}, {"IdentityPoolId": IDENTITY_POOL, **params})
    stubber.add_response("get_credentials_for_identity", {
        "IdentityId": identity,
        "Credentials": {"AccessKeyId": key, "SecretKey": secret, "SessionToken": token, "Expiration": expires},
    }, {"IdentityId": identity, **params})
    fake_api.credentials[key] = Credentials(key, secret, token)
    return fake_api.credentials[key]


def exports(fake_api: FakeApi, authorization: str | None = "iam") -> dict:
    entry = {"name": "beerapi", "endpoint": fake_api.url, "region": REGION}
    if authorization:
        entry["authorization"] = authorization
    return {"aws_project_region": REGION, "aws_cloud_logic_custom": [entry]}


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- iam --------------------------------------------------------------------------------------------------------
def test_the_signed_in_users_identity_pool_credentials_sign_a_get_with_its_query(fake_api, identity_pool):
    target, stubber = identity_pool
    credentials = hand_out(stubber, fake_api, {PROVIDER: ID_TOKEN})
    api = API(exports(fake_api), auth=FakeAuth(target))

    answer = api.get("beerapi", "/beer", query={"type": "pale ale", "tag": ["a&b", "c"], "n": 2})

    (request,) = fake_api.requests
    assert request.signer == credentials.access_key and not request.signature_problem
    assert request.headers["X-Amz-Security-Token"] == credentials.token
    assert request.headers["Host"] == urllib.parse.urlsplit(fake_api.url).netloc  # the port is part of it
    assert request.path == "/restapis/abc123/dev/_user_request_/beer"
    assert request.query == {"type": ["pale ale"], "tag": ["a&b", "c"], "n": ["2"]}
    assert answer == {"method": "GET", "path": "/restapis/abc123/dev/_user_request_/beer", "body": None}


def test_a_json_body_is_sent_and_its_hash_is_signed(fake_api, identity_pool):
    target, stubber = identity_pool
    credentials = hand_out(stubber, fake_api, {PROVIDER: ID_TOKEN})
    api = API(exports(fake_api), auth=FakeAuth(target))

    api.post("beerapi", "/beer", body={"name": "Punk IPA", "brand": "BrewDog", "type": "IPA"})

    (request,) = fake_api.requests
    assert request.signer == credentials.access_key
    assert json.loads(request.body) == {"name": "Punk IPA", "brand": "BrewDog", "type": "IPA"}
    assert request.headers["Content-Type"] == "application/json; charset=UTF-8"
    # The same request with another body does not verify: the payload hash is part of the signature.
    tampered = json.dumps({"name": "Other"}).encode()
    with pytest.raises(SignatureMismatch):
        verify_sigv4("POST", f"http://{request.headers['Host']}{request.path}", request.headers, tampered,
                     fake_api.credentials, REGION)


def test_credentials_are_reused_until_shortly_before_they_expire_then_renewed(fake_api, identity_pool):
    target, stubber = identity_pool
    clock = FakeClock(1_000_000.0)
    first = hand_out(stubber, fake_api, {PROVIDER: ID_TOKEN},
                     expires=dt.datetime.fromtimestamp(clock.now + 3600, dt.timezone.utc))
    api = API(exports(fake_api), auth=FakeAuth(target), clock=clock)
    api.get("beerapi", "/beer")
    api.get("beerapi", "/beer")
    clock.now += 3600 - 200  # within the refresh margin: new credentials, same identity (no second GetId)
    second = hand_out(stubber, fake_api, {PROVIDER: ID_TOKEN}, key="ASIALOCALUSER0002", get_id=False)
    api.get("beerapi", "/beer")

    assert [r.signer for r in fake_api.requests] == [first.access_key, first.access_key, second.access_key]


def test_a_guest_gets_credentials_without_logins_when_nobody_is_signed_in(fake_api, identity_pool):
    target, stubber = identity_pool
    guest = hand_out(stubber, fake_api, None, key="ASIALOCALGUEST001", identity=f"{REGION}:guest-1")
    api = API(exports(fake_api), auth=FakeAuth(target, signed_in=False))

    api.get("beerapi", "/beer")

    assert fake_api.requests[0].signer == guest.access_key
    assert api.identity_id() == f"{REGION}:guest-1"


def test_without_guest_access_the_request_goes_unsigned_and_the_403_says_to_sign_in(fake_api, identity_pool):
    target, stubber = identity_pool
    stubber.add_client_error("get_id", "NotAuthorizedException",
                             "Unauthenticated access is not supported for this identity pool.",
                             expected_params={"IdentityPoolId": IDENTITY_POOL})
    fake_api.answers.append((403, {"x-amzn-ErrorType": "MissingAuthenticationTokenException"},
                             {"message": "Missing Authentication Token"}))
    api = API(exports(fake_api), auth=FakeAuth(target, signed_in=False))

    with pytest.raises(ForbiddenError) as caught:
        api.get("beerapi", "/beer")

    assert "Authorization" not in fake_api.requests[0].headers
    error = caught.value
    assert (error.status, error.error_type) == (403, "MissingAuthenticationTokenException")
    assert error.message.startswith("Missing Authentication Token") and "sign in first" in error.message


def test_a_request_with_its_own_authorization_header_is_not_signed_as_in_amplify_js(fake_api, identity_pool):
    target, _ = identity_pool  # no identity-pool call is expected
    api = API(exports(fake_api), auth=FakeAuth(target))
    api.get("beerapi", "/beer", headers={"Authorization": "custom"})
    assert fake_api.requests[0].headers["Authorization"] == "custom"
    assert fake_api.requests[0].signer is None


def test_no_secret_reaches_a_repr_or_an_error_message(fake_api, identity_pool):
    target, stubber = identity_pool
    credentials = hand_out(stubber, fake_api, {PROVIDER: ID_TOKEN})
    api = API(exports(fake_api), auth=FakeAuth(target))
    fake_api.handler = lambda received: (403, {}, {"message": "Authorization header requires 'Credential' parameter. "
                                                   f"Authorization={received.headers['Authorization']} "
                                                   f"token={received.headers['X-Amz-Security-Token']} {ID_TOKEN}"})
    with pytest.raises(ForbiddenError) as caught:
        api.get("beerapi", "/beer")
    shown = " ".join([str(caught.value), repr(caught.value.body), repr(api), repr(api._credentials)])
    for secret in (credentials.secret_key, credentials.token, ID_TOKEN,
                   fake_api.requests[0].headers["Authorization"]):
        assert secret not in shown
    assert "<hidden" in str(caught.value)


# --- cognito ------------------------------------------------------------------------------------------------------
def test_cognito_mode_sends_the_raw_id_token_and_nothing_signed(fake_api, identity_pool):
    target, _ = identity_pool
    api = API(exports(fake_api, "cognito"), auth=FakeAuth(target))
    api.delete("beerapi", "/beer/42")
    (request,) = fake_api.requests
    assert request.headers["Authorization"] == ID_TOKEN
    assert "X-Amz-Date" not in request.headers and request.method == "DELETE" and request.path.endswith("/beer/42")


def test_cognito_mode_without_a_user_stops_before_any_request(fake_api, identity_pool):
    target, _ = identity_pool
    api = API(exports(fake_api, "cognito"), auth=FakeAuth(target, signed_in=False))
    with pytest.raises(NotSignedInError, match="sign in first"):
        api.get("beerapi", "/beer")
    assert fake_api.requests == []


# --- errors and retries -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("status, headers, body, error_class, message, error_type", [
    (400, {}, {"message": "name is required."}, BadRequestError, "name is required.", ""),
    (401, {"x-amzn-ErrorType": "UnauthorizedException"}, {"message": "Unauthorized"}, UnauthorizedError,
     "Unauthorized", "UnauthorizedException"),
    (401, {}, {"message": "The incoming token has expired"}, UnauthorizedError, "The incoming token has expired", ""),
    (403, {"x-amzn-ErrorType": "AccessDeniedException:http://internal.amazon.com/coral/"},
     {"Message": "User: arn:aws:sts::********0000:assumed-role/authRole/CognitoIdentityCredentials is not "
                 "authorized to perform: execute-api:Invoke"}, ForbiddenError, "is not authorized", "AccessDeniedException"),
    (403, {"x-amzn-ErrorType": "MissingAuthenticationTokenException"}, {"message": "Missing Authentication Token"},
     ForbiddenError, "this API has no such path or method", "MissingAuthenticationTokenException"),
])
def test_error_answers_become_api_errors_with_status_message_and_type(fake_api, status, headers, body, error_class,
                                                                      message, error_type):
    fake_api.answers.append((status, headers, body))
    api = API(exports(fake_api, "none"))
    with pytest.raises(error_class) as caught:
        api.post("beerapi", "/beer", body={})
    assert caught.value.status == status and message in caught.value.message
    assert caught.value.error_type == error_type and caught.value.body == body
    assert len(fake_api.requests) == 1


def test_a_get_answered_502_is_retried_three_times_with_backoff_a_post_only_once(fake_api):
    sleeps: list[float] = []
    api = API(exports(fake_api, "none"), sleep=sleeps.append)
    failure = (502, {}, {"message": "Internal server error"})
    fake_api.answers.extend([failure] * 3)
    with pytest.raises(BadGatewayError, match="Internal server error"):
        api.get("beerapi", "/beer")
    assert len(fake_api.requests) == 3 and len(sleeps) == 2

    fake_api.answers.extend([failure] * 3)
    with pytest.raises(BadGatewayError):
        api.post("beerapi", "/beer", body={"name": "x"})
    assert len(fake_api.requests) == 4  # a POST is not repeated: it might have been applied
    fake_api.answers.clear()


def test_a_retried_get_succeeds_once_the_api_recovers_and_504_is_a_timeout_error(fake_api):
    api = API(exports(fake_api, "none"), sleep=lambda seconds: None)
    fake_api.answers.extend([(503, {}, {"message": "busy"}), (200, {}, [{"id": "1"}])])
    assert api.get("beerapi", "/beer") == [{"id": "1"}]
    fake_api.answers.append((504, {}, {"message": "Endpoint request timed out"}))
    with pytest.raises(GatewayTimeoutError, match="Endpoint request timed out"):
        api.put("beerapi", "/beer/1", body={"name": "x"}, retry=False)


def test_an_unreachable_api_is_a_network_error():
    api = API({"aws_cloud_logic_custom": [{"name": "beerapi", "endpoint": "http://127.0.0.1:9/restapis/x/dev/_user_request_",
                                           "region": REGION, "authorization": "none"}]}, sleep=lambda seconds: None)
    with pytest.raises(ApiNetworkError, match="Cannot reach the API"):
        api.get("beerapi", "/beer")


def test_an_unknown_api_name_lists_the_apis_there_are(fake_api):
    with pytest.raises(ApiError, match="the APIs are: beerapi"):
        API(exports(fake_api, "none")).get("nope", "/beer")


def test_the_configuration_is_read_from_an_aws_exports_js_file(fake_api, tmp_path):
    path = tmp_path / "aws-exports.js"
    path.write_text("/* eslint-disable */\nconst awsmobile = " + json.dumps(exports(fake_api, None)) +
                    ";\n\nexport default awsmobile;\n")
    api = API(path)
    assert api.config("beerapi").authorization == "iam"  # Amplify Gen 1's default when not recorded
    assert read_exports(path)["aws_cloud_logic_custom"][0]["endpoint"] == fake_api.url
    with pytest.raises(ApiError, match="Push first"):
        API(tmp_path / "missing.js")


# --- DataFrames and the beer example ------------------------------------------------------------------------------
def test_a_list_answer_as_a_dataframe(fake_api):
    fake_api.answers.append((200, {}, [{"id": "1", "name": "Punk IPA", "abv": 5.4, "meta": {"brewed": 2007}},
                                       {"id": "2", "name": "Pilsner", "abv": 4.4, "meta": {"brewed": 1842}}]))
    table = API(exports(fake_api, "none")).get("beerapi", "/beer", as_frame=True)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["id", "name", "abv", "meta.brewed"] and table["abv"].dtype == float
    assert frame(["a", "b"])["value"].tolist() == ["a", "b"]
    one = frame({"id": "1"}, ["name", "id"])
    assert one.columns.tolist() == ["name", "id"] and one["name"].isna().all() and one["id"].tolist() == ["1"]
    with pytest.raises(ApiError, match="not a list of objects"):
        frame("just text")


class BeerStore:
    """The CRUD function's routes, in memory: what BeerApi talks to."""

    def __init__(self):
        self.items: dict[str, dict] = {}

    def __call__(self, received: Received):
        parts = received.path.split("/_user_request_")[1].strip("/").split("/")
        body = json.loads(received.body) if received.body else None
        if len(parts) == 1:
            if received.method == "GET":
                return 200, {}, list(self.items.values())
            item = {"id": uuid.uuid4().hex, **body}
            self.items[item["id"]] = item
            return 201, {}, item
        beer_id = urllib.parse.unquote(parts[1])
        if beer_id not in self.items:
            return 404, {}, {"message": f"No item with id {beer_id}."}
        if received.method == "PUT":
            if set(body) != {"name", "brand", "type"}:
                return 400, {}, {"message": "every field is required"}
            self.items[beer_id] = {"id": beer_id, **body}
        return 200, {}, self.items.pop(beer_id) if received.method == "DELETE" else self.items[beer_id]


def test_beer_api_lists_adds_updates_and_deletes(fake_api):
    fake_api.handler = BeerStore()
    beers = BeerApi(API(exports(fake_api, "none")))
    assert beers.list().columns.tolist() == ["name", "brand", "type", "id"] and beers.list().empty

    punk = beers.add("Punk IPA", "BrewDog", "IPA")
    beers.add("Augustiner Hell", "Augustiner", "Lager")
    updated = beers.update(punk["id"], type="India Pale Ale")
    assert updated == {"id": punk["id"], "name": "Punk IPA", "brand": "BrewDog", "type": "India Pale Ale"}
    listed = beers.list()
    assert listed["name"].tolist() == ["Augustiner Hell", "Punk IPA"]
    assert listed.columns.tolist() == ["name", "brand", "type", "id"]
    assert beers.delete(punk["id"])["name"] == "Punk IPA"
    assert beers.list()["name"].tolist() == ["Augustiner Hell"]
    with pytest.raises(ApiError) as caught:
        beers.delete(punk["id"])
    assert caught.value.status == 404
