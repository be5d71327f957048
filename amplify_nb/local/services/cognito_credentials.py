"""Identity-pool credentials the local cloud really issues: GetId and GetCredentialsForIdentity.

moto hands out random keys nobody can check. Here GetCredentialsForIdentity verifies the Logins token (an ID
token of a user pool the identity pool names, checked like Cognito Identity does: signature, issuer, expiry,
the app client when the identity pool names one) or, with no Logins, admits a guest only when the identity pool
allows unauthenticated identities; the role comes from the identity pool's roles (authenticated or
unauthenticated). The issued AccessKeyId (ASIA...), SecretKey and SessionToken last one hour and are kept in
<state>/cognito/credentials.json (mode 0600), so the API Gateway data plane can check a SigV4 signature made with
them and knows whose identity and role they carry, across a restart. GetId gives the same identity id for the
same user of the same pool every time (identities.json).
"""
from __future__ import annotations

import json
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ... import fileio
from ..middleware import MIDDLEWARES, Middleware, ServerContext
from ..wsgi import Answer, cors_headers, read_body
from .cognito import FOLDER, IDENTITY_TARGET, CognitoStore, load_or_create_signing_key, pool_by_id, public_jwks
from .cognito_tokens import TokenRejected, TokenVerifier, issuer_of_pool

CREDENTIALS_LIFETIME_SECONDS = 3600
_JSON = "application/x-amz-json-1.1"
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class IssuedCredentials:
    """One set of identity-pool credentials and what API Gateway tells the handler about its caller."""

    access_key_id: str
    secret_key: str
    session_token: str
    expiration: float
    identity_id: str
    identity_pool_id: str
    role_arn: str
    authentication_type: str  # authenticated | unauthenticated
    provider: str | None  # cognito-idp.<region>.amazonaws.com/<pool>,...:CognitoSignIn:<sub>

    @property
    def expired(self) -> bool:
        return time.time() >= self.expiration


class CredentialStore:
    """credentials.json and identities.json under <state>/cognito/; the daemon's one copy is `store_for`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.lock = threading.Lock()
        self._credentials: dict[str, IssuedCredentials] = {
            key: IssuedCredentials(**entry) for key, entry in self._read("credentials.json").items()}

    def _read(self, name: str) -> dict:
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return {}

    def identity_for(self, pool_id: str, login: str | None) -> str:
        """The identity of this login in this identity pool (made once); a guest gets a new one each time."""
        with self.lock:
            identities = self._read("identities.json")
            known = identities.setdefault(pool_id, {})
            if login is not None and login in known:
                return known[login]
            identity_id = f"{pool_id.split(':', 1)[0]}:{uuid.uuid4()}"
            known[login or f"guest:{identity_id}"] = identity_id
            fileio.atomic_write_json(self.folder / "identities.json", identities)
            return identity_id

    def login_of(self, pool_id: str, identity_id: str) -> str | None:
        """The login an identity belongs to ("guest:..." for a guest), None when the pool never gave it out."""
        with self.lock:
            known = self._read("identities.json").get(pool_id, {})
        return next((login for login, found in known.items() if found == identity_id), None)

    def identity_pools(self) -> list[str]:
        with self.lock:
            return list(self._read("identities.json"))

    def issue(self, **fields: Any) -> IssuedCredentials:
        credentials = IssuedCredentials(
            access_key_id="ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
            secret_key=secrets.token_urlsafe(30)[:40], session_token=secrets.token_urlsafe(96),
            expiration=float(int(time.time()) + CREDENTIALS_LIFETIME_SECONDS), **fields)
        with self.lock:
            kept = {key: value for key, value in self._credentials.items() if not value.expired}
            kept[credentials.access_key_id] = credentials
            self._credentials = kept
            fileio.atomic_write_text(self.folder / "credentials.json",
                                     json.dumps({key: asdict(value) for key, value in kept.items()}), mode=0o600)
        return credentials

    def lookup(self, access_key_id: str) -> IssuedCredentials | None:
        with self.lock:
            return self._credentials.get(access_key_id)


_STORES: dict[Path, CredentialStore] = {}
_STORES_LOCK = threading.Lock()


def store_for(state_dir: Path) -> CredentialStore:
    """The daemon's one CredentialStore for a state dir (shared by this service and the API Gateway data plane)."""
    folder = Path(state_dir) / FOLDER
    with _STORES_LOCK:
        if folder not in _STORES:
            folder.mkdir(parents=True, exist_ok=True)
            _STORES[folder] = CredentialStore(folder)
        return _STORES[folder]


def verifier_for(state_dir: Path) -> TokenVerifier:
    """Checks tokens against this state dir's signing key (made by cognito.py when missing)."""
    key = load_or_create_signing_key(Path(state_dir) / FOLDER / "signing-key.json")
    return TokenVerifier(public_jwks(key)["keys"][0])


class IdentityError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def find_identity_pool(identity_pool_id: str) -> Any | None:
    from moto.cognitoidentity.models import cognitoidentity_backends

    for account in list(cognitoidentity_backends.values()):
        for backend in list(account.values()):
            pool = backend.identity_pools.get(identity_pool_id)
            if pool is not None:
                return pool
    return None


class IdentityCredentialsService(Middleware):
    """GetId and GetCredentialsForIdentity answered here (never logged: their state is this service's files)."""

    ORDER = 310

    def __init__(self, context: ServerContext) -> None:
        super().__init__(context)
        self.store = store_for(context.settings.state_dir)
        self.verifier = verifier_for(context.settings.state_dir)
        self.roles = CognitoStore(context.state_dir(FOLDER))
        self.operations: dict[str, Callable[[dict], dict]] = {
            "GetId": self.get_id, "GetCredentialsForIdentity": self.get_credentials_for_identity}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any], next_app: Any) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = self.operations.get(target[len(IDENTITY_TARGET):]) if target.startswith(IDENTITY_TARGET) else None
        if operation is None or environ.get("REQUEST_METHOD") != "POST":
            return next_app(environ, start_response)
        headers = [("Content-Type", _JSON), ("x-amzn-RequestId", str(uuid.uuid4()))] + cors_headers(environ)
        try:
            params = json.loads(read_body(environ) or b"{}")
            with self.context.lock.reading():
                result = operation(params if isinstance(params, dict) else {})
        except ValueError:
            return self._error(start_response, headers, IdentityError("SerializationException", "Body is not JSON."))
        except IdentityError as error:
            return self._error(start_response, headers, error)
        return Answer(200, headers, json.dumps(result).encode()).send(start_response)

    @staticmethod
    def _error(start_response: Callable[..., Any], headers: list[tuple[str, str]], error: IdentityError) -> list[bytes]:
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        return Answer(400, headers + [("x-amzn-ErrorType", error.code)], body).send(start_response)

    # --- the checks -----------------------------------------------------------------------------------------
    def _pool(self, params: dict) -> tuple[str, Any]:
        pool_id = str(params.get("IdentityPoolId", ""))
        pool = find_identity_pool(pool_id)
        if pool is None:
            raise IdentityError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
        return pool_id, pool

    def _login(self, pool: Any, logins: dict | None) -> tuple[str, str] | None:
        """(login key, provider text for the event) of a verified Logins map; None for a guest."""
        if not logins:
            if not pool.allow_unauthenticated_identities:
                raise IdentityError("NotAuthorizedException",
                                    "Unauthenticated access is not supported for this identity pool.")
            return None
        if not isinstance(logins, dict) or len(logins) != 1:
            raise IdentityError("InvalidParameterException", "Logins must name exactly one user pool provider.")
        (provider, token), = logins.items()
        clients = {str(p.get("ClientId") or "") for p in (pool.cognito_identity_providers or [])
                   if p.get("ProviderName") == provider}
        if not clients:
            raise IdentityError("NotAuthorizedException",
                                f"Invalid login token. Not a valid OpenId Connect identity token. ({provider} is not "
                                "a provider of this identity pool)")
        pool_id = provider.rsplit("/", 1)[-1]
        if pool_by_id(pool_id) is None:
            raise IdentityError("NotAuthorizedException", f"Invalid login token. User pool {pool_id} does not exist.")
        try:
            claims = self.verifier.verify(str(token), {issuer_of_pool(pool_id)}, token_use="id")
        except TokenRejected as rejected:
            message = ("Invalid login token. Token expired: the ID token has expired." if rejected.kind == "expired"
                       else f"Invalid login token. {rejected.reason}.")
            raise IdentityError("NotAuthorizedException", message) from None
        if "" not in clients and claims.get("aud") not in clients:
            raise IdentityError("NotAuthorizedException",
                                f"Invalid login token. Issued to app client {claims.get('aud')}, which this identity "
                                "pool does not name.")
        sub = str(claims.get("sub", ""))
        return f"{provider}:{sub}", f"{provider},{provider}:CognitoSignIn:{sub}"

    def get_id(self, params: dict) -> dict:
        pool_id, pool = self._pool(params)
        login = self._login(pool, params.get("Logins"))
        return {"IdentityId": self.store.identity_for(pool_id, login[0] if login else None)}

    def get_credentials_for_identity(self, params: dict) -> dict:
        identity_id = str(params.get("IdentityId", ""))
        pool_id = identity_id and next((p for p in self._known_pools() if identity_id.startswith(p.split(":")[0])
                                        and self.store.login_of(p, identity_id) is not None), None)
        if not pool_id:
            raise IdentityError("ResourceNotFoundException", f"Identity '{identity_id}' not found.")
        _, pool = self._pool({"IdentityPoolId": pool_id})
        owner = self.store.login_of(pool_id, identity_id) or ""
        login = self._login(pool, params.get("Logins"))
        if login is None and not owner.startswith("guest:"):
            raise IdentityError("NotAuthorizedException", "Logins don't match. Please include at least one valid "
                                                          "login for this identity or identity pool.")
        if login is not None and login[0] != owner:
            raise IdentityError("NotAuthorizedException", "Logins don't match. Please include at least one valid "
                                                          "login for this identity or identity pool.")
        kind = "authenticated" if login else "unauthenticated"
        role_arn = ((self.roles.roles(pool_id) or {}).get("Roles") or {}).get(kind)
        if not role_arn:
            raise IdentityError("InvalidIdentityPoolConfigurationException",
                                "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
        issued = self.store.issue(identity_id=identity_id, identity_pool_id=pool_id, role_arn=role_arn,
                                  authentication_type=kind, provider=login[1] if login else None)
        return {"IdentityId": identity_id, "Credentials": {
            "AccessKeyId": issued.access_key_id, "SecretKey": issued.secret_key,
            "SessionToken": issued.session_token, "Expiration": issued.expiration}}

    def _known_pools(self) -> list[str]:
        return self.store.identity_pools()


MIDDLEWARES.append(IdentityCredentialsService)
