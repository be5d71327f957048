"""The Python counterpart of Amplify JS's Auth: sign up, confirm, sign in, tokens, sign out, forgot password.

It talks to the user pool the way a web app does: unsigned calls to Cognito's public API (no AWS credentials),
the tokens kept in memory only (never written to disk, never shown in full). Every token Cognito returns is
verified against the pool's published keys (JWKS): signature (RS256), issuer, audience / client_id, expiry and
token_use. Tokens are refreshed shortly before they expire.

    auth = Auth.from_project(project)
    auth.sign_up("ana@example.com", "a good password")
    auth.confirm_sign_up("ana@example.com", code)   # the code from the email (the local mailbox locally)
    auth.sign_in("ana@example.com", "a good password")
    auth.id_token_claims()["email"]
    auth.sign_out()

Errors are AuthError subclasses whose message says what to do.
"""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import botocore.exceptions
import jwt

from ..aws import Target, error_code
from ..errors import AmplifyNbError

REFRESH_MARGIN_SECONDS = 300  # refresh tokens this long before they expire, as Amplify JS does
LEEWAY_SECONDS = 5  # clock difference tolerated when checking exp / iat


# --- errors -------------------------------------------------------------------------------------------------
class AuthError(AmplifyNbError):
    """A Cognito call failed; `code` is Cognito's error code ('' for errors of this client)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class NotAuthorizedError(AuthError):
    """Wrong username or password, a revoked session, or an action the user's state does not allow."""


class UserNotConfirmedError(AuthError):
    """The account exists but its email address has not been confirmed with the code yet."""


class UsernameExistsError(AuthError):
    """Someone already signed up with this email / username."""


class InvalidPasswordError(AuthError):
    """The password does not meet the user pool's password policy."""


class CodeMismatchError(AuthError):
    """The confirmation or reset code is wrong."""


class ExpiredCodeError(AuthError):
    """The code is too old (sign-up codes last 24 h, reset codes 1 h): ask for a new one."""


class UserNotFoundError(AuthError):
    """No account with that email / username."""


class LimitExceededError(AuthError):
    """Too many attempts in a short time."""


class NotSignedInError(AuthError):
    """An action needs a signed-in user and there is none (or the session ended)."""


class TokenVerificationError(AuthError):
    """A token failed verification against the pool's keys (signature, issuer, audience, expiry or use)."""


ERROR_CLASSES: dict[str, type[AuthError]] = {
    "NotAuthorizedException": NotAuthorizedError,
    "UserNotConfirmedException": UserNotConfirmedError,
    "UsernameExistsException": UsernameExistsError,
    "InvalidPasswordException": InvalidPasswordError,
    "CodeMismatchException": CodeMismatchError,
    "ExpiredCodeException": ExpiredCodeError,
    "UserNotFoundException": UserNotFoundError,
    "LimitExceededException": LimitExceededError,
    "TooManyRequestsException": LimitExceededError,
    "TooManyFailedAttemptsException": LimitExceededError,
}


# --- values -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthConfig:
    """Where the user pool is: what aws-exports.js says (plus the endpoint on the local target)."""

    region: str
    user_pool_id: str
    client_id: str
    identity_pool_id: str | None = None
    endpoint: str | None = None  # None: AWS itself
    username_attributes: tuple = ("EMAIL",)
    password_policy: dict = field(default_factory=lambda: {"passwordPolicyMinLength": 8, "passwordPolicyCharacters": []})

    @classmethod
    def from_exports(cls, exports: dict | str | Path) -> "AuthConfig":
        """From the aws-exports object (a dict), or an aws-exports.js / amplifyconfiguration.json file."""
        if not isinstance(exports, dict):
            text = Path(exports).read_text(encoding="utf-8")
            exports = json.loads(text[text.index("{"): text.rindex("}") + 1])
        if not exports.get("aws_user_pools_id"):
            raise AuthError("This configuration has no user pool (aws_user_pools_id): add auth and push first "
                            "(`amplify-nb add auth`, then `amplify-nb push`).")
        return cls(
            region=exports.get("aws_cognito_region") or exports.get("aws_project_region") or "us-east-1",
            user_pool_id=exports["aws_user_pools_id"],
            client_id=exports["aws_user_pools_web_client_id"],
            identity_pool_id=exports.get("aws_cognito_identity_pool_id"),
            endpoint=exports.get("aws_cognito_endpoint"),
            username_attributes=tuple(exports.get("aws_cognito_username_attributes") or ()),
            password_policy=dict(exports.get("aws_cognito_password_protection_settings") or {}),
        )

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        base = (self.endpoint or f"https://cognito-idp.{self.region}.amazonaws.com").rstrip("/")
        return f"{base}/{self.user_pool_id}/.well-known/jwks.json"

    def password_rules(self) -> str:
        """The pool's policy in words, for error messages and forms."""
        length = self.password_policy.get("passwordPolicyMinLength", 8)
        kinds = {"REQUIRES_LOWERCASE": "a lowercase letter", "REQUIRES_UPPERCASE": "an uppercase letter",
                 "REQUIRES_NUMBERS": "a number", "REQUIRES_SYMBOLS": "a symbol"}
        needs = [kinds[c] for c in self.password_policy.get("passwordPolicyCharacters", []) if c in kinds]
        return f"at least {length} characters" + (f", with {', '.join(needs)}" if needs else "")


@dataclass(frozen=True)
class CodeDelivery:
    """Where Cognito sent a code (CodeDeliveryDetails): e.g. EMAIL to a***@e***."""

    destination: str
    medium: str
    attribute: str

    @classmethod
    def from_response(cls, details: dict | None) -> "CodeDelivery | None":
        if not details:
            return None
        return cls(details.get("Destination", ""), details.get("DeliveryMedium", ""), details.get("AttributeName", ""))


@dataclass(frozen=True)
class SignUpResult:
    user_sub: str
    confirmed: bool
    delivery: CodeDelivery | None


@dataclass(frozen=True)
class User:
    username: str  # Cognito's username (the sub for email sign-in pools)
    attributes: dict

    @property
    def sub(self) -> str:
        return self.attributes.get("sub", "")

    @property
    def email(self) -> str:
        return self.attributes.get("email", "")


@dataclass
class Tokens:
    """The signed-in session. Its repr never shows the tokens (a notebook output must not leak them)."""

    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float = 0.0  # epoch seconds at which the id / access tokens expire

    def __repr__(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.expires_at))
        return f"Tokens(id_token=<hidden>, access_token=<hidden>, refresh_token=<hidden>, expires_at={when!r})"


# --- the client ---------------------------------------------------------------------------------------------
class Auth:
    def __init__(self, config: AuthConfig, target: Target | None = None, clock: Callable[[], float] = time.time,
                 refresh_margin: float = REFRESH_MARGIN_SECONDS):
        self.config = config
        self.target = target or Target(kind="endpoint" if config.endpoint else "aws", region=config.region,
                                       endpoint_url=config.endpoint)
        self.clock = clock
        self.refresh_margin = refresh_margin
        self._tokens: Tokens | None = None
        self._username: str | None = None
        self._jwks: jwt.PyJWKClient | None = None

    @classmethod
    def from_project(cls, project, **kwargs: Any) -> "Auth":
        """The project's pushed user pool, reached through the project's target (the local cloud is started)."""
        meta = project.amplify_meta().get("auth", {})
        pushed = [entry for entry in meta.values() if entry.get("output", {}).get("UserPoolId")]
        if not pushed:
            raise AuthError("This project has no pushed user pool yet: run `amplify-nb add auth`, then `amplify-nb push`.")
        entry = pushed[0]
        output, frontend = entry["output"], entry.get("frontendAuthConfig", {})
        target = project.target()
        config = AuthConfig(
            region=target.region, user_pool_id=output["UserPoolId"], client_id=output["AppClientIDWeb"],
            identity_pool_id=output.get("IdentityPoolId"), endpoint=target.endpoint(),
            username_attributes=tuple(frontend.get("usernameAttributes", ())),
            password_policy=dict(frontend.get("passwordProtectionSettings") or {}))
        return cls(config, target=target, **kwargs)

    @classmethod
    def from_exports(cls, exports: dict | str | Path, **kwargs: Any) -> "Auth":
        return cls(AuthConfig.from_exports(exports), **kwargs)

    # --- calls ------------------------------------------------------------------------------------------------
    @property
    def _idp(self) -> Any:
        return self.target.public_client("cognito-idp")

    def _call(self, method: str, messages: dict[str, str] | None = None, **params: Any) -> dict:
        """Call Cognito; turn its error into an AuthError whose message says what to do next."""
        try:
            return getattr(self._idp, method)(**params)
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            detail = exc.response.get("Error", {}).get("Message", "")
            text = (messages or {}).get(code) or DEFAULT_MESSAGES.get(code) or f"Cognito refused {method}: {detail or code}."
            text = text.replace("{detail}", detail.rstrip(".") or code).replace("{rules}", self.config.password_rules())
            raise ERROR_CLASSES.get(code, AuthError)(text, code) from None
        except botocore.exceptions.BotoCoreError as exc:
            where = self.config.endpoint or f"cognito-idp.{self.config.region}.amazonaws.com"
            raise AuthError(f"Cannot reach Cognito at {where}: {exc}. Check the network (or start the local "
                            "cloud: amplify-nb local start).") from None

    # --- sign-up ----------------------------------------------------------------------------------------------
    def sign_up(self, username: str, password: str, email: str | None = None, attributes: dict | None = None) -> SignUpResult:
        """Create an account; Cognito sends a confirmation code to its email address."""
        attributes = dict(attributes or {})
        if email or ("@" in username and "email" not in attributes):
            attributes.setdefault("email", email or username)
        result = self._call("sign_up", {
            "UsernameExistsException": f"An account with {username} already exists: sign in, or reset the password "
                                       "with forgot_password() if it is lost.",
            "InvalidPasswordException": "This password is too weak for the user pool ({detail}). Use {rules}.",
            "InvalidParameterException": "Cognito refused the sign-up: {detail}. For this user pool, sign up with a valid "
                                         "email address as the username.",
            "LimitExceededException": "Cognito refused the sign-up: {detail}. " + EMAIL_LIMIT,
        }, ClientId=self.config.client_id, Username=username, Password=password,
            UserAttributes=[{"Name": k, "Value": str(v)} for k, v in attributes.items()])
        return SignUpResult(result.get("UserSub", ""), bool(result.get("UserConfirmed")),
                            CodeDelivery.from_response(result.get("CodeDeliveryDetails")))

    def confirm_sign_up(self, username: str, code: str) -> None:
        """Confirm the account with the code from the email."""
        self._call("confirm_sign_up", {
            "NotAuthorizedException": f"{username} is already confirmed: just sign in.",
        }, ClientId=self.config.client_id, Username=username, ConfirmationCode=str(code).strip())

    def resend_code(self, username: str) -> CodeDelivery:
        """Send a new confirmation code (earlier codes stop working)."""
        result = self._call("resend_confirmation_code", {
            "InvalidParameterException": f"{username} is already confirmed: just sign in.",
            "LimitExceededException": "Cognito sends at most 5 confirmation codes per user per hour ({detail}): use the "
                                      "code of the latest email, or wait an hour. " + EMAIL_LIMIT,
        }, ClientId=self.config.client_id, Username=username)
        return CodeDelivery.from_response(result.get("CodeDeliveryDetails"))  # type: ignore[return-value]

    # --- sign-in ----------------------------------------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> User:
        """Sign in with USER_PASSWORD_AUTH; the tokens are verified, then kept in memory."""
        result = self._call("initiate_auth", {
            "NotAuthorizedException": "Incorrect email or password. Check both, or reset the password with "
                                      "forgot_password().",
        }, ClientId=self.config.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})
        if "AuthenticationResult" not in result:
            raise AuthError(f"The user pool asks for a further step ({result.get('ChallengeName')}), e.g. MFA, that this "
                            "client does not support: finish signing in in the web app.", result.get("ChallengeName", ""))
        self._keep(result["AuthenticationResult"])
        self._username = username
        return self.current_user()

    def ensure_signed_in(self, username: str, password: str,
                         code: Callable[[str], str] | None = None) -> list[tuple[str, str]]:
        """Sign in as `username`, doing first whatever is missing: sign up, confirm the account, or reset a password
        that differs from an earlier run's. `code(purpose)` gives the code Cognito sent (purpose sign-up or
        forgot-password); by default the local mailbox's latest one. Returns the steps taken, for a notebook to show.
        Idempotent: run again, it only signs in."""
        code = code or (lambda purpose: self.latest_code(username, purpose))
        steps: list[tuple[str, str]] = []
        try:
            delivery = self.sign_up(username, password).delivery
            steps.append(("sign up", f"a code went by {delivery.medium} to {delivery.destination}" if delivery
                          else "the account was created"))
            self.confirm_sign_up(username, code("sign-up"))
            steps.append(("confirm", "the account is confirmed with the emailed code"))
        except UsernameExistsError:
            steps.append(("sign up", "the account exists already (an earlier run)"))
        try:
            self.sign_in(username, password)
        except UserNotConfirmedError:  # an earlier run stopped before its code was entered
            self.confirm_sign_up(username, code("sign-up"))
            steps.append(("confirm", "the account is confirmed with the emailed code"))
            self.sign_in(username, password)
        except NotAuthorizedError:  # the account exists with another password
            self.forgot_password(username)
            self.confirm_forgot_password(username, code("forgot-password"), password)
            steps.append(("forgot password", "the password was reset with the emailed code"))
            self.sign_in(username, password)
        steps.append(("sign in", "tokens received and verified against the pool's keys"))
        return steps

    def _keep(self, result: dict, refresh_token: str | None = None) -> Tokens:
        tokens = Tokens(id_token=result["IdToken"], access_token=result["AccessToken"],
                        refresh_token=result.get("RefreshToken") or refresh_token or "",
                        expires_at=self.clock() + int(result.get("ExpiresIn", 3600)))
        self.verify(tokens.id_token, "id")
        self.verify(tokens.access_token, "access")
        self._tokens = tokens
        return tokens

    @property
    def signed_in(self) -> bool:
        return self._tokens is not None

    def tokens(self) -> Tokens:
        """The session's tokens, refreshed first when they expire within refresh_margin seconds."""
        if self._tokens is None:
            raise NotSignedInError("Nobody is signed in: call sign_in(email, password) first.")
        if self.clock() >= self._tokens.expires_at - self.refresh_margin:
            return self.refresh()
        return self._tokens

    def refresh(self) -> Tokens:
        """New id and access tokens from the refresh token (REFRESH_TOKEN_AUTH)."""
        if self._tokens is None:
            raise NotSignedInError("Nobody is signed in: call sign_in(email, password) first.")
        try:
            result = self._call("initiate_auth", {
                "NotAuthorizedException": "The session has ended (signed out, or the refresh token expired): "
                                          "sign in again.",
            }, ClientId=self.config.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": self._tokens.refresh_token})
        except NotAuthorizedError as exc:
            self._tokens = None
            raise NotSignedInError(str(exc), exc.code) from None
        return self._keep(result["AuthenticationResult"], refresh_token=self._tokens.refresh_token)

    def current_user(self) -> User:
        """The signed-in user, as the user pool knows them now (GetUser with the access token)."""
        tokens = self.tokens()
        try:
            result = self._call("get_user", AccessToken=tokens.access_token)
        except NotAuthorizedError as exc:
            self._tokens = None
            raise NotSignedInError(f"The session has ended ({exc}): sign in again.", exc.code) from None
        attributes = {item["Name"]: item["Value"] for item in result.get("UserAttributes", [])}
        return User(result.get("Username", ""), attributes)

    def id_token_claims(self) -> dict:
        """The verified claims of the current ID token (sub, email, iss, aud, exp, token_use...)."""
        return self.verify(self.tokens().id_token, "id")

    # --- sign-out, passwords, deletion -----------------------------------------------------------------------
    def sign_out(self, global_sign_out: bool = True) -> None:
        """Forget the session; global (the default) also revokes every refresh token of the user, on all devices."""
        tokens, self._tokens = self._tokens, None
        if tokens is None or not global_sign_out:
            return
        try:
            self._call("global_sign_out", AccessToken=tokens.access_token)
        except NotAuthorizedError:
            pass  # already revoked: the outcome the user asked for

    def forgot_password(self, username: str) -> CodeDelivery:
        """Send a code to reset the password; then call confirm_forgot_password()."""
        result = self._call("forgot_password", {
            "InvalidParameterException": f"{username} cannot reset the password yet: the account is not confirmed. "
                                         "Confirm it with the sign-up code first (resend_code() sends a new one).",
            "LimitExceededException": "Cognito allows only a few password resets per user per hour ({detail}): use the "
                                      "code of the latest email, or wait an hour. " + EMAIL_LIMIT,
        }, ClientId=self.config.client_id, Username=username)
        return CodeDelivery.from_response(result.get("CodeDeliveryDetails"))  # type: ignore[return-value]

    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None:
        self._call("confirm_forgot_password", {
            "InvalidPasswordException": "This new password is too weak for the user pool ({detail}). Use {rules}.",
            "CodeMismatchException": "That reset code is wrong: use the code of the latest email (forgot_password() "
                                     "sends a new one).",
            "ExpiredCodeException": "That reset code has expired (they last an hour): ask for a new one with "
                                    "forgot_password().",
        }, ClientId=self.config.client_id, Username=username, ConfirmationCode=str(code).strip(), Password=new_password)

    def delete_user(self) -> None:
        """Delete the signed-in user's account, then forget the session."""
        tokens = self.tokens()
        self._call("delete_user", AccessToken=tokens.access_token)
        self._tokens = None

    # --- verification -----------------------------------------------------------------------------------------
    def verify(self, token: str, token_use: str = "id") -> dict:
        """The claims of a token this user pool issued, after checking signature, iss, aud/client_id, exp, token_use."""
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(self.config.jwks_url, cache_keys=True, timeout=30)
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.config.issuer,
                                audience=self.config.client_id if token_use == "id" else None,
                                options={"require": ["exp", "iat", "iss", "sub", "token_use"],
                                         "verify_aud": token_use == "id"},
                                leeway=LEEWAY_SECONDS)
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
            raise TokenVerificationError(
                f"The {token_use} token did not pass verification against the user pool's keys "
                f"({self.config.jwks_url}): {exc}. Do not trust it; sign in again.") from None
        if claims.get("token_use") != token_use:
            raise TokenVerificationError(f"This is an {claims.get('token_use')} token, not an {token_use} token.")
        if token_use == "access" and claims.get("client_id") != self.config.client_id:
            raise TokenVerificationError("This access token was issued to another app client of the pool.")
        return claims

    # --- the local mailbox ------------------------------------------------------------------------------------
    def mailbox(self, to: str | None = None) -> list[dict]:
        """The local cloud's mailbox (newest first): where codes go instead of email on the local target."""
        if not self.target.is_local and not self.config.endpoint:
            raise AuthError("There is no local mailbox on AWS: the code arrives by email.")
        base = (self.target.endpoint() or self.config.endpoint or "").rstrip("/")
        query = f"?{urllib.parse.urlencode({'to': to})}" if to else ""
        with urllib.request.urlopen(f"{base}/_amplify_nb/mailbox{query}", timeout=30) as response:  # noqa: S310 (loopback)
            return json.loads(response.read().decode("utf-8"))

    def latest_code(self, to: str, purpose: str | None = None) -> str:
        """The code of the newest local email to `to` (purpose: sign-up | forgot-password)."""
        for message in self.mailbox(to):
            if purpose is None or message.get("purpose") == purpose:
                return message["code"]
        raise AuthError(f"No code for {to} in the local mailbox yet: sign up (or ask for a new code) first.")

    def __repr__(self) -> str:
        state = f"signed in as {self._username}" if self._tokens else "signed out"
        return f"Auth(user_pool={self.config.user_pool_id!r}, {state})"


# COGNITO_DEFAULT (the pools amplify_nb makes) sends from no-reply@verificationemail.com, 50 emails a day per
# AWS account for all its pools together, not adjustable.
EMAIL_LIMIT = ("(The user pool's default email sender allows 50 emails a day per AWS account, for all its user pools "
               "together, reset at 09:00 UTC; more needs the pool set to send with Amazon SES.)")

DEFAULT_MESSAGES = {
    "NotAuthorizedException": "Cognito refused this: {detail}",
    "UserNotConfirmedException": "This account is not confirmed yet: enter the code from the email with "
                                 "confirm_sign_up(), or get a new code with resend_code().",
    "UsernameExistsException": "An account with this name already exists: sign in instead.",
    "InvalidPasswordException": "The password does not meet the user pool's policy ({detail}). Use {rules}.",
    "CodeMismatchException": "That code is wrong: use the code of the latest email (asking for a new code makes "
                             "earlier ones stop working).",
    "ExpiredCodeException": "That code has expired: ask for a new one with resend_code().",
    "UserNotFoundException": "There is no account with that name: check it, or sign up first.",
    "LimitExceededException": "Too many attempts: wait a few minutes, then try again.",
    "TooManyRequestsException": "Too many requests: wait a moment, then try again.",
    "TooManyFailedAttemptsException": "Too many failed attempts: wait a few minutes, then try again.",
    "ResourceNotFoundException": "The app client or user pool does not exist (anymore): push auth again, and use "
                                 "the aws-exports.js of that push.",
}
