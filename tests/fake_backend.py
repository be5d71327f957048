"""A fake Amplify backend on one loopback port, for clients tested on their own (the web app, aws-amplify JS):

* Cognito user pool: InitiateAuth (USER_PASSWORD_AUTH) for one user, answering JWT-shaped tokens (unsigned: the
  clients under test read tokens, they do not verify them); any other user-pool call answers {}.
* Cognito identity pool: GetId / GetCredentialsForIdentity, fresh credentials each time, remembered so the API can
  check signatures; the Logins of every call are recorded.
* The REST API at /restapis/<id>/<stage>/_user_request_/beer: the CRUD function's routes in memory, behind
  - iam: every request must carry botocore's SigV4 signature (execute-api) for credentials this fake handed out,
  - cognito: the Authorization header must be the ID token this fake issued.
  Refused requests get API Gateway's status and are recorded in `refused`.
* CORS as Amplify's API answers it (preflight and every reply), since the app runs on another origin.
"""
from __future__ import annotations

import base64
import http.server
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

from botocore.credentials import Credentials

from sigv4_check import SignatureMismatch, verify_sigv4

REGION = "us-east-1"
POOL = "us-east-1_BeerPool1"
CLIENT_ID = "beerwebclient"
IDENTITY_POOL = "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
STAGE_PATH = "/restapis/beer1/dev/_user_request_"


def fake_jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256', 'kid': 'test'})}.{part(claims)}.c2lnbmF0dXJl"


def fake_id_token(email: str) -> str:
    now = int(time.time())
    return fake_jwt({"sub": str(uuid.uuid5(uuid.NAMESPACE_URL, email)), "email": email, "token_use": "id",
                     "aud": CLIENT_ID, "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}",
                     "cognito:username": email, "iat": now, "exp": now + 3600})


@dataclass
class FakeBackend:
    mode: str  # iam | cognito
    email: str = ""
    password: str = ""
    id_token: str | None = None
    credentials: dict[str, Credentials] = field(default_factory=dict)
    logins_seen: list[dict] = field(default_factory=list)
    api_calls: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, access key or "id token")
    refused: list[str] = field(default_factory=list)
    forbidden_methods: set[str] = field(default_factory=set)
    guests_allowed: bool = True
    beers: dict[str, dict] = field(default_factory=dict)
    url: str = ""
    server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)

    def exports(self, with_user_pool: bool = True) -> dict:
        """aws-exports as push generates it for this backend (the local endpoint in aws_cognito_endpoint)."""
        config = {"aws_project_region": REGION, "aws_cognito_region": REGION,
                  "aws_cognito_identity_pool_id": IDENTITY_POOL, "aws_cognito_endpoint": self.url,
                  "aws_cloud_logic_custom": [{"name": "beerapi", "region": REGION, "authorization": self.mode,
                                              "endpoint": self.url + STAGE_PATH}]}
        if with_user_pool:
            config.update(aws_user_pools_id=POOL, aws_user_pools_web_client_id=CLIENT_ID)
        return config

    def start(self) -> "FakeBackend":
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _handler(backend: FakeBackend):
    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, status: int, body, extra: dict | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "x-amzn-ErrorType")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self):  # the CORS preflight, as Amplify's OPTIONS methods answer it
            self.reply(200, None, {"Access-Control-Allow-Methods": "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT",
                                   "Access-Control-Allow-Headers": self.headers.get("Access-Control-Request-Headers", "")})

        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "")
            if target.startswith("AWSCognitoIdentityService."):
                return self.identity(target.split(".", 1)[1], json.loads(body))
            if target.startswith("AWSCognitoIdentityProviderService."):
                return self.user_pool(target.split(".", 1)[1], json.loads(body))
            who = self.check(body)
            if who is None:
                return
            backend.api_calls.append((self.command, urllib.parse.urlsplit(self.path).path, who))
            if self.command in backend.forbidden_methods:
                return self.reply(403, {"Message": "User: anonymous is not authorized to perform: execute-api:Invoke "
                                                   f"on resource: {self.command}"},
                                  {"x-amzn-ErrorType": "AccessDeniedException"})
            self.beer_route(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

        def user_pool(self, operation: str, body: dict) -> None:
            if operation != "InitiateAuth":
                return self.reply(200, {})
            given = body.get("AuthParameters", {})
            if (body.get("AuthFlow"), given.get("USERNAME"), given.get("PASSWORD")) != \
                    ("USER_PASSWORD_AUTH", backend.email, backend.password):
                return self.reply(400, {"__type": "NotAuthorizedException", "message": "Incorrect username or password."})
            backend.id_token = fake_id_token(backend.email)
            now = int(time.time())
            access = fake_jwt({"sub": "user", "token_use": "access", "client_id": CLIENT_ID, "username": backend.email,
                               "iat": now, "exp": now + 3600})
            self.reply(200, {"AuthenticationResult": {"IdToken": backend.id_token, "AccessToken": access,
                                                      "RefreshToken": "refresh", "ExpiresIn": 3600,
                                                      "TokenType": "Bearer"}})

        def identity(self, operation: str, body: dict) -> None:
            logins = body.get("Logins", {})
            backend.logins_seen.append(logins)
            if not logins and not backend.guests_allowed:
                return self.reply(400, {"__type": "NotAuthorizedException",
                                        "message": "Unauthenticated access is not supported for this identity pool."})
            if operation == "GetId":
                return self.reply(200, {"IdentityId": f"{REGION}:{'user' if logins else 'guest'}-1"})
            key = f"ASIAFAKE{uuid.uuid4().hex[:12].upper()}"
            credentials = Credentials(key, f"secret/{uuid.uuid4().hex}", f"token+{uuid.uuid4().hex}")
            backend.credentials[key] = credentials
            self.reply(200, {"IdentityId": body["IdentityId"], "Credentials": {
                "AccessKeyId": key, "SecretKey": credentials.secret_key, "SessionToken": credentials.token,
                "Expiration": time.time() + 3600}})

        def check(self, body: bytes) -> str | None:
            headers = dict(self.headers.items())
            if backend.mode == "cognito":
                if not backend.id_token or self.headers.get("Authorization") != backend.id_token:
                    backend.refused.append(f"{self.command} {self.path}: not the ID token")
                    self.reply(401, {"message": "Unauthorized"})
                    return None
                return "id token"
            if self.headers.get("Authorization") is None:
                backend.refused.append(f"{self.command} {self.path}: unsigned")
                self.reply(403, {"message": "Missing Authentication Token"},
                           {"x-amzn-ErrorType": "MissingAuthenticationTokenException"})
                return None
            try:
                return verify_sigv4(self.command, f"http://{self.headers['Host']}{self.path}", headers, body,
                                    backend.credentials, REGION)
            except SignatureMismatch as exc:
                backend.refused.append(f"{self.command} {self.path}: {exc}")
                self.reply(403, {"message": "The request signature we calculated does not match"},
                           {"x-amzn-ErrorType": "InvalidSignatureException"})
                return None

        def beer_route(self, body: bytes) -> None:
            rest = urllib.parse.urlsplit(self.path).path.split(STAGE_PATH + "/beer", 1)[-1].strip("/")
            data = json.loads(body) if body else None
            if not rest:
                if self.command == "GET":
                    return self.reply(200, list(backend.beers.values()))
                beer = {"id": uuid.uuid4().hex, **data}
                backend.beers[beer["id"]] = beer
                return self.reply(201, beer)
            beer_id = urllib.parse.unquote(rest)
            if beer_id not in backend.beers:
                return self.reply(404, {"message": f"No item with id {beer_id}."})
            if self.command == "PUT":
                backend.beers[beer_id] = {"id": beer_id, **data}
                return self.reply(200, backend.beers[beer_id])
            self.reply(200, backend.beers.pop(beer_id))

        def log_message(self, *args):
            pass

    return Handler
