"""Cognito as Cognito behaves, where moto does not.

- Sign-up sends a 6-digit confirmation code, and ConfirmSignUp really checks it: a wrong code fails with
  CodeMismatchException, an old one with ExpiredCodeException (24 h, Cognito's lifetime). The "email" goes to a
  local mailbox in the state dir (`amplify-nb local mailbox`, GET /_amplify_nb/mailbox). ResendConfirmationCode
  works (moto: NotImplemented), and CodeDeliveryDetails always says EMAIL.
- ForgotPassword / ConfirmForgotPassword use the same codes (1 h), never moto's x-moto-* header.
- Tokens are signed with an RSA key made for this state dir (moto signs with ONE key bundled in moto, so anyone
  could forge a token), served at /<pool id>/.well-known/jwks.json.
- Set/GetIdentityPoolRoles (moto: NotImplemented) are kept here.
- Error texts follow Cognito's (password policy, unknown users with PreventUserExistenceErrors).

Raw browser requests (unsigned JSON with X-Amz-Target) get the same answers, with CORS, so a web page served
from another local port can sign people in.

State changes of users go through moto's app (confirm, new password), so the state log records them and a
restart replays them. What only this module knows (codes, mailbox, identity-pool roles, the key) lives in
<state dir>/cognito/ and is re-read from there.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from ... import fileio
from ..middleware import MIDDLEWARES, Middleware, ServerContext
from ..wsgi import Answer, call_app, cors_headers, json_response, preflight, read_body
from .mailbox_page import render_mailbox, wants_html

IDP_TARGET = "AWSCognitoIdentityProviderService."
IDENTITY_TARGET = "AWSCognitoIdentityService."
MAILBOX_PATH = "/_amplify_nb/mailbox"
JWKS_PATH = re.compile(r"^/(?P<pool>[\w-]+_[0-9a-zA-Z]+)/\.well-known/jwks\.json$")
FOLDER = "cognito"
SENDER = "no-reply@verificationemail.com"  # Cognito's default sender
# Cognito's code lifetimes: sign-up 24 h, forgot-password 1 h.
CODE_LIFETIME_SECONDS = {"sign-up": 24 * 3600, "forgot-password": 3600}
PURPOSE_SUBJECT_FALLBACK = "Your verification code"
PURPOSE_MESSAGE_FALLBACK = "Your verification code is {####}"

_JSON = "application/x-amz-json-1.1"
# Settings Cognito keeps when update_user_pool omits them (it cannot change them after creation).
IMMUTABLE_POOL_SETTINGS = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")


# --- files in the state dir -----------------------------------------------------------------------------------
def cognito_dir(state_dir: Path | str) -> Path:
    return Path(state_dir) / FOLDER


def read_mailbox(state_dir: Path | str, to: str | None = None) -> list[dict]:
    """The local mailbox, newest first; only mail to `to` (case-insensitive) when given."""
    path = cognito_dir(state_dir) / "mailbox.jsonl"
    if not path.exists():
        return []
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue  # a half-written last line (the daemon was killed while writing)
        if to is None or str(message.get("to", "")).lower() == to.lower():
            messages.append(message)
    return list(reversed(messages))


class CognitoStore:
    """codes.json (pending codes), mailbox.jsonl (delivered mail), identity-pool-roles.json, under one lock.

    Every call reads the file again, so what is on disk is the truth (a test may age a code by editing
    `expires_at` in codes.json).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.lock = threading.Lock()

    @property
    def codes_file(self) -> Path:
        return self.folder / "codes.json"

    @property
    def mailbox_file(self) -> Path:
        return self.folder / "mailbox.jsonl"

    @property
    def roles_file(self) -> Path:
        return self.folder / "identity-pool-roles.json"

    def _read(self, path: Path) -> dict:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write(self, path: Path, data: dict) -> None:
        fileio.atomic_write_json(path, data)

    # codes ------------------------------------------------------------------------------------------------
    def issue_code(self, pool_id: str, user_id: str, purpose: str) -> tuple[str, float]:
        """A new code for this user and purpose; it replaces any earlier one (only the latest works)."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires_at = time.time() + CODE_LIFETIME_SECONDS[purpose]
        with self.lock:
            codes = self._read(self.codes_file)
            codes.setdefault(pool_id, {})[f"{purpose}:{user_id}"] = {"code": code, "expires_at": expires_at}
            self._write(self.codes_file, codes)
        return code, expires_at

    def check_code(self, pool_id: str, user_id: str, purpose: str, code: str) -> str:
        """ok | mismatch | expired (a user without a pending code gets mismatch, as in Cognito)."""
        with self.lock:
            entry = self._read(self.codes_file).get(pool_id, {}).get(f"{purpose}:{user_id}")
        if not entry or not secrets.compare_digest(str(entry["code"]), str(code or "").strip()):
            return "mismatch"
        if time.time() > float(entry["expires_at"]):
            return "expired"
        return "ok"

    def consume_code(self, pool_id: str, user_id: str, purpose: str) -> None:
        with self.lock:
            codes = self._read(self.codes_file)
            if codes.get(pool_id, {}).pop(f"{purpose}:{user_id}", None) is not None:
                self._write(self.codes_file, codes)

    # mailbox ----------------------------------------------------------------------------------------------
    def deliver(self, message: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.lock, open(self.mailbox_file, "a", encoding="utf-8") as mailbox:
            mailbox.write(json.dumps(message) + "\n")

    # identity-pool roles ----------------------------------------------------------------------------------
    def roles(self, identity_pool_id: str) -> dict | None:
        with self.lock:
            return self._read(self.roles_file).get(identity_pool_id)

    def set_roles(self, identity_pool_id: str, entry: dict | None) -> None:
        with self.lock:
            data = self._read(self.roles_file)
            if entry is None:
                if data.pop(identity_pool_id, None) is None:
                    return
            else:
                data[identity_pool_id] = entry
            self._write(self.roles_file, data)


# --- the signing key ----------------------------------------------------------------------------------------
def load_or_create_signing_key(path: Path) -> dict:
    """This state dir's private RSA key as a JWK (with its kid), made once and kept (mode 0600)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, private=True)
    jwk = {**key.as_dict(private=True), "alg": "RS256", "use": "sig"}
    jwk["kid"] = _thumbprint(jwk)
    fileio.atomic_write_text(path, json.dumps(jwk), mode=0o600)  # a private key: readable by its owner only
    return jwk


def public_jwks(private_jwk: dict) -> dict:
    return {"keys": [{name: private_jwk[name] for name in ("alg", "e", "kid", "kty", "n", "use")}]}


def _thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint: a stable key id."""
    canonical = json.dumps({name: jwk[name] for name in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class _KidSigner:
    """Stands in for joserfc.jwt inside moto's cognitoidp models: moto writes the header kid "dummy"."""

    def __init__(self, real: Any, kid: str):
        self._real, self._kid = real, kid

    def encode(self, header: dict, claims: dict, key: Any, *args: Any, **kwargs: Any) -> str:
        return self._real.encode({**header, "kid": self._kid}, claims, key, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def install_signing_key(private_jwk: dict) -> None:
    """Make moto sign every Cognito token with this key (and name it in the header), in this process."""
    from joserfc.jwk import RSAKey
    from moto.cognitoidp import models, responses

    key = RSAKey.import_key({k: v for k, v in private_jwk.items() if k not in ("alg", "use", "kid")})
    pool_class = models.CognitoIdpUserPool
    original_init = getattr(pool_class.__init__, "_moto_init", pool_class.__init__)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.json_web_key = key

    __init__._moto_init = original_init  # type: ignore[attr-defined]
    pool_class.__init__ = __init__  # type: ignore[method-assign]
    real_jwt = getattr(models.jwt, "_real", models.jwt)
    models.jwt = _KidSigner(real_jwt, private_jwk["kid"])
    responses.CognitoIdpJsonWebKeyResponse.json_web_key = json.dumps(public_jwks(private_jwk)).encode()
    for account in models.cognitoidp_backends.values():  # pools made before (none, when called at start)
        for backend in account.values():
            for pool in getattr(backend, "user_pools", {}).values():
                pool.json_web_key = key


# --- moto lookups (read only) --------------------------------------------------------------------------------
def _idp_backends() -> Iterable[Any]:
    from moto.cognitoidp.models import cognitoidp_backends

    for account in list(cognitoidp_backends.values()):
        for region, backend in list(account.items()):
            if region != "global":
                yield backend


def pool_for_client(client_id: str) -> Any | None:
    for backend in _idp_backends():
        for pool in list(backend.user_pools.values()):
            if client_id in pool.clients:
                return pool
    return None


def pool_by_id(pool_id: str) -> Any | None:
    for backend in _idp_backends():
        if pool_id in backend.user_pools:
            return backend.user_pools[pool_id]
    return None


def identity_pool_exists(identity_pool_id: str) -> bool:
    from moto.cognitoidentity.models import cognitoidentity_backends

    return any(identity_pool_id in backend.identity_pools
               for account in list(cognitoidentity_backends.values()) for backend in list(account.values()))


def _status(user: Any) -> str:
    return getattr(user.status, "value", str(user.status))


def mask_email(email: str) -> str:
    """Cognito's CodeDeliveryDetails.Destination: a***@e***."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def password_problem(policy: dict, password: str) -> str:
    """Cognito's text for a password its pool's policy refuses."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password did not conform with policy: Password not long enough"
    checks = (("RequireUppercase", r"[A-Z]", "Password must have uppercase characters"),
              ("RequireLowercase", r"[a-z]", "Password must have lowercase characters"),
              ("RequireNumbers", r"[0-9]", "Password must have numeric characters"),
              ("RequireSymbols", r"[\^$*.\[\]{}()?\"!@#%&/\\,><':;|_~`=+\- ]", "Password must have symbol characters"))
    for flag, pattern, text in checks:
        if policy.get(flag) and not re.search(pattern, password):
            return f"Password did not conform with policy: {text}"
    return "Password did not conform with policy"


# --- the middleware -----------------------------------------------------------------------------------------
class CognitoError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class CognitoMiddleware(Middleware):
    """Cognito's codes, mailbox, keys and identity-pool roles; reads of moto's users under the cloud's lock."""

    ORDER = 300
    UNLOGGED_PATHS = (MAILBOX_PATH, JWKS_PATH)

    def __init__(self, context: ServerContext) -> None:
        super().__init__(context)
        self.store = CognitoStore(context.state_dir(FOLDER))
        key = load_or_create_signing_key(self.store.folder / "signing-key.json")
        install_signing_key(key)
        self.jwks = json.dumps(public_jwks(key)).encode()
        self.idp: dict[str, Callable] = {
            "SignUp": self.sign_up,
            "ConfirmSignUp": self.confirm_sign_up,
            "ResendConfirmationCode": self.resend_confirmation_code,
            "ForgotPassword": self.forgot_password,
            "ConfirmForgotPassword": self.confirm_forgot_password,
            "InitiateAuth": self.initiate_auth,
            "UpdateUserPool": self.update_user_pool,
            "DeleteUser": self.delete_user,
        }
        self.identity: dict[str, Callable] = {
            "SetIdentityPoolRoles": self.set_identity_pool_roles,
            "GetIdentityPoolRoles": self.get_identity_pool_roles,
            "DeleteIdentityPool": self.delete_identity_pool,
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: Any) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        if method == "GET" and path == MAILBOX_PATH:
            to = (parse_qs(environ.get("QUERY_STRING", "")).get("to") or [None])[0]
            messages = read_mailbox(self.store.folder.parent, to)
            if wants_html(environ.get("HTTP_ACCEPT", "")):
                body = render_mailbox(messages, to)
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
                return [body]
            return json_response(start_response, 200, messages)
        if method == "GET" and JWKS_PATH.match(path):
            return self.serve_jwks(JWKS_PATH.match(path)["pool"], environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if method == "OPTIONS" and "x-amz-target" in environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").lower():
            return preflight(environ, start_response)
        if method != "POST" or not target.startswith((IDP_TARGET, IDENTITY_TARGET)):
            return next_app(environ, start_response)
        service, _, operation = target.partition(".")
        handler = (self.idp if target.startswith(IDP_TARGET) else self.identity).get(operation)
        if handler is None:
            return next_app(environ, start_response)
        body = read_body(environ)
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return self.reply(environ, start_response, error=CognitoError("SerializationException", "The request body is not JSON."))

        def moto(changed: bytes | None = None, target: str | None = None) -> Answer:
            overrides = {"HTTP_X_AMZ_TARGET": target} if target else None
            return call_app(next_app, environ, changed or body, lock=self.context.lock, overrides=overrides)

        try:
            with self.context.lock.reading():  # moto's users and pools are read here; `moto` lets go of it
                answer = handler(params, moto)
        except CognitoError as error:
            return self.reply(environ, start_response, error=error)
        if isinstance(answer, Answer):
            return answer.send(start_response)
        return self.reply(environ, start_response, payload=answer)

    # --- plumbing ---------------------------------------------------------------------------------------------
    def reply(self, environ: dict[str, Any], start_response: Callable[..., Any], payload: dict | None = None,
              error: CognitoError | None = None) -> list[bytes]:
        headers = [("Content-Type", _JSON), ("x-amzn-RequestId", str(uuid.uuid4()))] + cors_headers(environ)
        if error is not None:
            headers.append(("x-amzn-ErrorType", error.code))
            return Answer(400, headers, json.dumps({"__type": error.code, "message": error.message}).encode()
                          ).send(start_response)
        return Answer(200, headers, json.dumps(payload or {}).encode()).send(start_response)

    def serve_jwks(self, pool_id: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.context.lock.reading():
            exists = pool_by_id(pool_id) is not None
        headers = [("Content-Type", "application/json")] + cors_headers(environ)
        if not exists:
            return Answer(404, headers, json.dumps({"message": f"User pool {pool_id} does not exist."}).encode()
                          ).send(start_response)
        return Answer(200, headers, self.jwks).send(start_response)

    # --- user pools -------------------------------------------------------------------------------------------
    def _pool_and_user(self, params: dict) -> tuple[Any, Any]:
        pool = pool_for_client(str(params.get("ClientId", "")))
        if pool is None:
            raise CognitoError("ResourceNotFoundException", f"User pool client {params.get('ClientId')} does not exist.")
        return pool, pool._get_user(str(params.get("Username", "")))

    def _send_code(self, pool: Any, user: Any, purpose: str) -> dict:
        """Issue a code, put the email in the mailbox, return Cognito's CodeDeliveryDetails."""
        email = user.attribute_lookup.get("email")
        if not email:
            raise CognitoError("InvalidParameterException",
                               "Cannot send a code: the user has no email address (the user pool sends codes by email).")
        code, expires_at = self.store.issue_code(pool.id, user.id, purpose)
        config = pool.extended_config
        subject = config.get("EmailVerificationSubject") or PURPOSE_SUBJECT_FALLBACK
        text = (config.get("EmailVerificationMessage") or PURPOSE_MESSAGE_FALLBACK).replace("{####}", code)
        now = datetime.now(timezone.utc)
        self.store.deliver({
            "id": str(uuid.uuid4()), "time": now.isoformat(timespec="seconds"), "from": SENDER, "to": email,
            "subject": subject, "body": text, "code": code, "purpose": purpose, "user_pool_id": pool.id,
            "expires_at": datetime.fromtimestamp(expires_at, timezone.utc).isoformat(timespec="seconds"),
        })
        return {"Destination": mask_email(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    def _check(self, pool: Any, user: Any, purpose: str, code: str) -> None:
        verdict = self.store.check_code(pool.id, user.id, purpose, code)
        if verdict == "mismatch":
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        if verdict == "expired":
            raise CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")

    def _password_error(self, answer: Answer, pool: Any, password: str) -> Answer:
        if answer.error_type == "InvalidPasswordException" and pool is not None:
            policy = pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
            raise CognitoError("InvalidPasswordException", password_problem(policy, password))
        return answer

    def sign_up(self, params: dict, moto: Callable[[], Answer]) -> Any:
        answer = moto()
        pool = pool_for_client(str(params.get("ClientId", "")))
        if not answer.ok:
            return self._password_error(answer, pool, str(params.get("Password", "")))
        result = answer.json()
        user = next((u for u in list(pool.users.values()) if u.id == result.get("UserSub")), None) if pool else None
        if user is None or not user.attribute_lookup.get("email"):
            return answer
        return {"UserConfirmed": False, "CodeDeliveryDetails": self._send_code(pool, user, "sign-up"),
                "UserSub": result["UserSub"]}

    def confirm_sign_up(self, params: dict, moto: Callable[..., Answer]) -> Any:
        pool, user = self._pool_and_user(params)
        if user is None:
            return moto()  # moto's UserNotFoundException
        if _status(user) == "CONFIRMED":
            raise CognitoError("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
        self._check(pool, user, "sign-up", str(params.get("ConfirmationCode", "")))
        answer = moto()
        if answer.ok:
            self.store.consume_code(pool.id, user.id, "sign-up")
            # The code proved the address: Cognito marks it verified (moto does not), logged like any change.
            moto(json.dumps({"UserPoolId": pool.id, "Username": user.username,
                             "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}).encode(),
                 IDP_TARGET + "AdminUpdateUserAttributes")
        return answer

    def resend_confirmation_code(self, params: dict, moto: Callable[[], Answer]) -> Any:
        pool, user = self._pool_and_user(params)
        if user is None:
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        if _status(user) == "CONFIRMED":
            raise CognitoError("InvalidParameterException", "User is already confirmed.")
        return {"CodeDeliveryDetails": self._send_code(pool, user, "sign-up")}

    def forgot_password(self, params: dict, moto: Callable[[], Answer]) -> Any:
        pool, user = self._pool_and_user(params)
        if user is None:
            # PreventUserExistenceErrors: Cognito answers as if it had sent a code.
            username = str(params.get("Username", ""))
            destination = mask_email(username) if "@" in username else "u***@e***"
            return {"CodeDeliveryDetails": {"Destination": destination, "DeliveryMedium": "EMAIL", "AttributeName": "email"}}
        if _status(user) != "CONFIRMED":
            raise CognitoError("InvalidParameterException",
                               "Cannot reset password for the user as there is no registered/verified email or phone_number")
        return {"CodeDeliveryDetails": self._send_code(pool, user, "forgot-password")}

    def confirm_forgot_password(self, params: dict, moto: Callable[[], Answer]) -> Any:
        pool, user = self._pool_and_user(params)
        if user is None:
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        self._check(pool, user, "forgot-password", str(params.get("ConfirmationCode", "")))
        password = str(params.get("Password", ""))
        policy = pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
        from moto.cognitoidp.exceptions import InvalidPasswordException

        try:
            for backend in _idp_backends():
                if pool.id in backend.user_pools:
                    backend._validate_password(pool.id, password)  # read only: moto's policy check
        except InvalidPasswordException:
            raise CognitoError("InvalidPasswordException", password_problem(policy, password)) from None
        answer = moto()
        if answer.ok:
            self.store.consume_code(pool.id, user.id, "forgot-password")
        return answer

    def update_user_pool(self, params: dict, moto: Callable[..., Answer]) -> Any:
        """Keep what Cognito never changes on a pool: moto's update would reset it (email sign-in would stop)."""
        pool = pool_by_id(str(params.get("UserPoolId", "")))
        if pool is None:
            return moto()
        kept = {name: pool.extended_config[name] for name in IMMUTABLE_POOL_SETTINGS
                if name in pool.extended_config and name not in params}
        return moto(json.dumps({**params, **kept}).encode()) if kept else moto()

    def delete_user(self, params: dict, moto: Callable[..., Answer]) -> Any:
        """DeleteUser (moto: NotImplemented) as the AdminDeleteUser it amounts to, so it is logged and replayed."""
        token = str(params.get("AccessToken", ""))
        for backend in _idp_backends():
            for pool in list(backend.user_pools.values()):
                if token in pool.access_tokens:
                    _, username = pool.access_tokens[token]
                    body = json.dumps({"UserPoolId": pool.id, "Username": username}).encode()
                    answer = moto(body, IDP_TARGET + "AdminDeleteUser")
                    return answer if not answer.ok else {}
        raise CognitoError("NotAuthorizedException", "Access Token has been revoked")

    def initiate_auth(self, params: dict, moto: Callable[[], Answer]) -> Any:
        answer = moto()
        if answer.error_type == "UserNotFoundException":
            pool = pool_for_client(str(params.get("ClientId", "")))
            client = pool.clients.get(params.get("ClientId")) if pool else None
            if client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED":
                raise CognitoError("NotAuthorizedException", "Incorrect username or password.")
        return answer

    # --- identity pools ---------------------------------------------------------------------------------------
    def set_identity_pool_roles(self, params: dict, moto: Callable[[], Answer]) -> Any:
        pool_id = str(params.get("IdentityPoolId", ""))
        if not identity_pool_exists(pool_id):
            raise CognitoError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
        roles = params.get("Roles") or {}
        if not isinstance(roles, dict) or any(k not in ("authenticated", "unauthenticated") for k in roles):
            raise CognitoError("InvalidParameterException", "Roles may only have the keys authenticated and unauthenticated.")
        self.store.set_roles(pool_id, {"Roles": roles, "RoleMappings": params.get("RoleMappings") or {}})
        return {}

    def get_identity_pool_roles(self, params: dict, moto: Callable[[], Answer]) -> Any:
        pool_id = str(params.get("IdentityPoolId", ""))
        if not identity_pool_exists(pool_id):
            raise CognitoError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
        entry = self.store.roles(pool_id) or {}
        result: dict = {"IdentityPoolId": pool_id, "Roles": entry.get("Roles", {})}
        if entry.get("RoleMappings"):
            result["RoleMappings"] = entry["RoleMappings"]
        return result

    def delete_identity_pool(self, params: dict, moto: Callable[[], Answer]) -> Any:
        answer = moto()
        if answer.ok:
            self.store.set_roles(str(params.get("IdentityPoolId", "")), None)
        return answer


MIDDLEWARES.append(CognitoMiddleware)
