"""The three ways a method is protected, enforced as API Gateway enforces them: NONE, COGNITO_USER_POOLS and
AWS_IAM. Each gives the event's identity (and authorizer), or a GatewayRefusal carrying API Gateway's answer.

Callers hold the cloud's read lock (moto's pools, roles and users are read here).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from ...settings import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from ..cognito import pool_by_id
from ..cognito_credentials import CredentialStore
from ..cognito_tokens import EXPIRED, TokenRejected, TokenVerifier, issuer_of_pool
from .events import authorizer_claims, empty_identity, header_value
from .models import MethodView, StageView, iam_user_by_key, role_documents
from .policy import evaluate
from .sigv4 import EXPIRED_TOKEN, INVALID_TOKEN, SignatureError, check_scope, parse_authorization, verify_signature

INVOKE_ACTION = "execute-api:Invoke"


class GatewayRefusal(Exception):
    """The gateway answers itself: response type, message, status, error type, body key; and why (for the log)."""

    def __init__(self, response_type: str, message: str, reason: str, status: int | None = None,
                 error_type: str | None = None, body_key: str = "message"):
        super().__init__(message)
        self.response_type, self.message, self.reason = response_type, message, reason
        self.status, self.error_type, self.body_key = status, error_type, body_key


@dataclass
class AuthResult:
    identity: dict[str, Any]
    authorizer: dict[str, Any] | None
    caller: str | None
    reason: str
    strip_authorization: bool = False


@dataclass(frozen=True)
class Caller:
    secret: str
    session_token: str | None
    expired: bool
    arn: str
    identity: dict[str, Any]
    documents: list[tuple[str, Any]] | None  # None: the account's root, allowed everything


def execute_api_arn(stage: StageView, method: str, path: str, mask: bool = False) -> str:
    account = f"********{stage.account_id[-4:]}" if mask else stage.account_id
    return f"arn:aws:execute-api:{stage.region}:{account}:{stage.api_id}/{stage.stage}/{method}/{path.lstrip('/')}"


def find_caller(store: CredentialStore, access_key: str, account_id: str) -> Caller | None:
    issued = store.lookup(access_key)
    if issued is not None:
        role_id, documents = role_documents(issued.role_arn)
        role_name = issued.role_arn.rsplit("/", 1)[-1]
        caller = f"{role_id or 'AROA' + role_name.upper()[:17]}:CognitoIdentityCredentials"
        arn = f"arn:aws:sts::{account_id}:assumed-role/{role_name}/CognitoIdentityCredentials"
        identity = {"cognitoIdentityPoolId": issued.identity_pool_id, "cognitoIdentityId": issued.identity_id,
                    "cognitoAuthenticationType": issued.authentication_type,
                    "cognitoAuthenticationProvider": issued.provider, "accessKey": issued.access_key_id,
                    "accountId": account_id, "caller": caller, "user": caller, "userArn": arn}
        return Caller(issued.secret_key, issued.session_token, issued.expired, arn, identity, documents)
    if access_key == LOCAL_ACCESS_KEY_ID:  # the local cloud's own admin key: the account's root
        arn = f"arn:aws:iam::{account_id}:root"
        identity = {"accessKey": access_key, "accountId": account_id, "caller": account_id, "user": account_id,
                    "userArn": arn}
        return Caller(LOCAL_SECRET_ACCESS_KEY, None, False, arn, identity, None)
    found = iam_user_by_key(access_key)
    if found is not None:
        user, secret, documents = found
        identity = {"accessKey": access_key, "accountId": account_id, "caller": user.id, "user": user.id,
                    "userArn": user.arn}
        return Caller(secret, None, False, user.arn, identity, documents)
    return None


def stage_documents(stage: StageView, caller: Caller) -> list[tuple[str, Any]]:
    """The caller's policies as this stage sees them: a mock stage's own invoke policies replace the pushed ones
    of the same name on the caller's role (the project's unpushed paths, for the mock's api id)."""
    role = caller.arn.split(":assumed-role/", 1)[-1].split("/", 1)[0] if ":assumed-role/" in caller.arn else None
    replaced = stage.role_policies.get(role or "", {}) if stage.role_policies else {}
    if not replaced:
        return list(caller.documents or [])
    kept = [(name, doc) for name, doc in caller.documents or [] if name not in replaced]
    return kept + list(replaced.items())


class Authorizer:
    def __init__(self, store: CredentialStore, verifier: TokenVerifier) -> None:
        self.store, self.verifier = store, verifier

    def check(self, stage: StageView, method: MethodView, http_method: str, path: str, url: str,
              headers: list[tuple[str, str]], body: bytes, source_ip: str) -> AuthResult:
        identity = empty_identity(source_ip, header_value(headers, "User-Agent"))
        kind = method.authorization_type
        if kind == "NONE":
            return AuthResult(identity, None, None, "the method needs no authorization")
        if kind == "COGNITO_USER_POOLS":
            return self._cognito(stage, method, headers, identity)
        if kind == "AWS_IAM":
            return self._iam(stage, http_method, path, url, headers, body, identity)
        raise GatewayRefusal("API_CONFIGURATION_ERROR", "Internal server error",
                             f"authorization type {kind} is not served by the local cloud", status=500)

    def _cognito(self, stage: StageView, method: MethodView, headers: list[tuple[str, str]],
                 identity: dict[str, Any]) -> AuthResult:
        authorizer = stage.authorizers.get(method.authorizer_id or "")
        if authorizer is None or authorizer.type != "COGNITO_USER_POOLS":
            raise GatewayRefusal("AUTHORIZER_CONFIGURATION_ERROR", "Internal server error",
                                 f"the method names no Cognito authorizer ({method.authorizer_id})", status=500)
        token = (header_value(headers, authorizer.identity_header) or "").strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not token:
            raise GatewayRefusal("UNAUTHORIZED", "Unauthorized", f"no {authorizer.identity_header} header")
        issuers = {issuer_of_pool(arn) for arn in authorizer.provider_arns
                   if pool_by_id(arn.rsplit("/", 1)[-1]) is not None}
        token_use = "access" if method.scopes else "id"
        try:
            claims = self.verifier.verify(token, issuers, token_use=token_use)
        except TokenRejected as rejected:
            if rejected.kind == EXPIRED:
                raise GatewayRefusal("UNAUTHORIZED", "The incoming token has expired", rejected.reason) from None
            raise GatewayRefusal("UNAUTHORIZED", "Unauthorized", rejected.reason) from None
        if method.scopes and not set(str(claims.get("scope", "")).split()) & set(method.scopes):
            raise GatewayRefusal("UNAUTHORIZED", "Unauthorized", "the access token has none of the method's scopes")
        caller = str(claims.get("email") or claims.get("cognito:username") or claims.get("username")
                     or claims.get("sub"))
        return AuthResult(identity, authorizer_claims(claims), caller,
                          f"{token_use} token of {claims.get('iss', '').rsplit('/', 1)[-1]} verified")

    def _iam(self, stage: StageView, http_method: str, path: str, url: str, headers: list[tuple[str, str]],
             body: bytes, identity: dict[str, Any]) -> AuthResult:
        try:
            signed = parse_authorization(header_value(headers, "Authorization"),
                                         header_value(headers, "X-Amz-Date") or header_value(headers, "Date"))
            check_scope(signed, stage.region)
            caller = find_caller(self.store, signed.access_key, stage.account_id)
            if caller is None:
                raise SignatureError("INVALID_SIGNATURE", "UnrecognizedClientException", INVALID_TOKEN,
                                     "unknown access key")
            if caller.session_token is not None and not hmac.compare_digest(
                    caller.session_token, header_value(headers, "X-Amz-Security-Token") or ""):
                raise SignatureError("INVALID_SIGNATURE", "UnrecognizedClientException", INVALID_TOKEN,
                                     "session token missing or not the one issued with the key")
            if caller.expired:
                raise SignatureError("EXPIRED_TOKEN", "ExpiredTokenException", EXPIRED_TOKEN, "credentials expired")
            verify_signature(signed, caller.secret, http_method, url, headers, body)
        except SignatureError as error:
            raise GatewayRefusal(error.response_type, error.message, error.reason, status=error.status,
                                 error_type=error.error_type) from None
        resource = execute_api_arn(stage, http_method, path)
        if caller.documents is None:
            reason = "signed by the account's root key"
        else:
            decision = evaluate(stage_documents(stage, caller), INVOKE_ACTION, resource)
            if not decision.allowed:
                raise GatewayRefusal(
                    "ACCESS_DENIED", f"User: {caller.arn} is not authorized to perform: {INVOKE_ACTION} on resource: "
                    f"{execute_api_arn(stage, http_method, path, mask=True)}", decision.reason,
                    error_type="AccessDeniedException", body_key="Message")
            reason = decision.reason
        return AuthResult({**identity, **caller.identity}, None, caller.arn, f"SigV4 verified; {reason}",
                          strip_authorization=True)
