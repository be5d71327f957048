"""The one boto3 seam: every cloud call goes through a Target.

A target is where the backend lives: the embedded local cloud (default), real AWS through a named profile,
or any AWS-compatible endpoint. The rest of the code asks a Target for clients and never builds its own.
"""
from __future__ import annotations

import difflib
import functools
import os
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import boto3
import botocore
import botocore.exceptions
import botocore.session
from botocore.config import Config

from .errors import AmplifyNbError, InputError, Problem

TARGET_KINDS = ("local", "aws", "endpoint")
DEFAULT_REGION = "us-east-1"

# Standard retry mode also retries TooManyRequests / LimitExceeded, which API Gateway and Cognito quotas raise.
# A connect is given 10 s (not botocore's 60) and is retried once only (see _fail_fast_on_connection_errors).
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 10}, connect_timeout=10)
# The end user's clients (sign-up, sign-in, codes): Cognito's per-user limits (LimitExceededException) last an
# hour or a day, so retrying them only makes a person wait minutes for the same refusal. Legacy mode retries
# throttling and 5xx, never LimitExceededException.
_PUBLIC_CONFIG = Config(retries={"mode": "legacy", "max_attempts": 3}, connect_timeout=10,
                        signature_version=botocore.UNSIGNED)
# Local cloud and endpoints: one host for every bucket and account (S3 Control would prefix the account id).
_PATH_STYLE = Config(s3={"addressing_style": "path"}, inject_host_prefix=False)
CONNECT_ATTEMPTS = 2  # a refused or timed-out connect is tried this many times, then reported
# (region, endpoint, service) -> client, for the local cloud only (see Target.client).
_LOCAL_CLIENTS: dict[tuple, Any] = {}
# (kind, profile, SESSION_ENV values) -> boto3 Session: one per identity, so an MFA or SSO profile asks once per
# process; other config files or environment keys are another identity.
_SESSIONS: dict[tuple, boto3.Session] = {}
SESSION_ENV = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_ACCESS_KEY_ID")
_CLIENT_LOCK = threading.Lock()  # a boto3 Session may not make two clients at once
STANDARD_PARTITION = "aws"  # ARNs (arn:aws:...) and service hosts (*.amazonaws.com) are written for it


@functools.cache
def region_partitions() -> dict[str, str]:
    """Every region botocore knows -> its partition (aws, aws-cn, aws-us-gov, ...)."""
    session = botocore.session.get_session()
    return {region: partition for partition in session.get_available_partitions()
            for region in session.get_available_regions("ec2", partition_name=partition)}


def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows."""
    return frozenset(region_partitions())


def _fail_fast_on_connection_errors(attempts: int, caught_exception: BaseException | None = None, **_: Any) -> None:
    """A refused connect is a stopped local cloud or endpoint, or no network: say so within seconds instead of
    after ten backoffs (standard mode retries connection errors like throttling). Registered before botocore's
    retry handler; raising here ends the call with the connection error itself."""
    if (isinstance(caught_exception, (botocore.exceptions.EndpointConnectionError,
                                      botocore.exceptions.ConnectTimeoutError))
            and attempts >= CONNECT_ATTEMPTS):
        raise caught_exception


def _new_client(session: boto3.Session, service: str, region: str, endpoint: str | None, config: Config) -> Any:
    with _CLIENT_LOCK:
        client = session.client(service, region_name=region, endpoint_url=endpoint, config=config)
    client.meta.events.register_first("needs-retry", _fail_fast_on_connection_errors)
    return client


@dataclass(frozen=True)
class Target:
    """Where the cloud calls go. Stored per env in amplify/.config/local-aws-info.json (no secrets)."""

    kind: str = "local"
    region: str = DEFAULT_REGION
    profile: str | None = None
    endpoint_url: str | None = None
    _clients: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def problems(self) -> list[Problem]:
        found = []
        if self.kind not in TARGET_KINDS:
            found.append(Problem("target", f"Target must be one of {', '.join(TARGET_KINDS)}, not {self.kind!r}."))
        if self.kind == "endpoint" and not (self.endpoint_url or "").startswith(("http://", "https://")):
            found.append(Problem("endpoint_url", "An endpoint target needs --endpoint-url starting with http:// or https://."))
        if self.kind == "aws" and not self.profile:
            found.append(Problem("profile", "The aws target needs a named profile (--profile), as in ~/.aws/config."))
        if not self.region or not all(part.isalnum() for part in self.region.split("-")):
            found.append(Problem("region", f"Region {self.region!r} does not look like an AWS region (e.g. us-east-1)."))
        elif self.kind != "endpoint" and self.region not in known_regions():
            close = difflib.get_close_matches(self.region, sorted(known_regions()), n=3, cutoff=0.8)
            hint = f" Did you mean {' or '.join(close)}?" if close else " For example us-east-1 or eu-west-1."
            found.append(Problem("region", f"{self.region!r} is not an AWS region.{hint}"))
        elif self.kind == "aws" and region_partitions()[self.region] != STANDARD_PARTITION:
            found.append(Problem("region", (
                f"{self.region} is in the {region_partitions()[self.region]} partition (GovCloud or China), whose ARNs "
                "and service hosts differ from the standard AWS partition that amplify_nb writes: choose a standard "
                "region, e.g. us-east-1 or eu-west-1.")))
        return found

    def warnings(self) -> list[str]:
        """What is allowed but worth saying: an endpoint may serve regions AWS does not have."""
        if self.kind == "endpoint" and self.region and self.region not in known_regions():
            return [f"Region {self.region!r} is not an AWS region; the endpoint {self.endpoint_url} must accept it."]
        return []

    def validate(self) -> "Target":
        found = self.problems()
        if found:
            raise InputError(found)
        return self

    # --- clients -------------------------------------------------------------------------------------------
    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    def endpoint(self) -> str | None:
        """The endpoint URL clients use: the local cloud (started on demand), the given URL, or None for AWS."""
        if self.kind == "local":
            from .local import ensure_running

            return ensure_running()["endpoint"]
        return self.endpoint_url if self.kind == "endpoint" else None

    def session(self) -> boto3.Session:
        """The one boto3 Session of this target's identity, shared by every client and every Target of the process.

        Credentials are resolved once per session: an assume-role profile with MFA asks for its code once (not
        once per service, blocking a notebook kernel each time), and botocore's data folder is scanned once.
        botocore refreshes temporary credentials inside the session when they expire.
        """
        key = ("local",) if self.is_local else (self.kind, self.profile) + tuple(map(os.environ.get, SESSION_ENV))
        with _CLIENT_LOCK:
            if key not in _SESSIONS:
                _SESSIONS[key] = self._new_session()
            return _SESSIONS[key]

    def _new_session(self) -> boto3.Session:
        if self.kind == "local":
            from .local import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY

            return boto3.Session(aws_access_key_id=LOCAL_ACCESS_KEY_ID, aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
                                 region_name=self.region)
        try:
            return boto3.Session(profile_name=self.profile, region_name=self.region)
        except botocore.exceptions.ProfileNotFound as exc:
            raise InputError([Problem("profile", f"AWS profile {self.profile!r} not found in ~/.aws/config: {exc}")])

    def client(self, service: str) -> Any:
        """A cached boto3 client for the service at this target, made from the target's one session.

        Local-cloud clients are also shared by every Target of the process (their credentials are fixed
        dummies): building one loads the service's model (~0.25 s), which a notebook would otherwise pay
        at each push and publish. Clients of real accounts stay per Target; their session is shared.
        """
        if service not in self._clients:
            endpoint = self.endpoint()
            shared_key = (self.region, endpoint, service) if self.kind == "local" else None
            if shared_key in _LOCAL_CLIENTS:
                self._clients[service] = _LOCAL_CLIENTS[shared_key]
                return self._clients[service]
            config = _CLIENT_CONFIG.merge(_PATH_STYLE) if endpoint else _CLIENT_CONFIG
            self._clients[service] = _new_client(self.session(), service, self.region, endpoint, config)
            if shared_key is not None:
                _LOCAL_CLIENTS[shared_key] = self._clients[service]
        return self._clients[service]

    def transfer_manager(self, config: Any) -> Any:
        """An s3transfer manager for uploads to this target (s3_transfer.py: the CRT's where it can be used)."""
        from .s3_transfer import transfer_manager

        return transfer_manager(self.session(), self.client("s3"), config, self.endpoint(), self.is_local)

    def public_client(self, service: str) -> Any:
        """An unsigned client, as an app's end user has one: for the public APIs (Cognito sign-up, sign-in...).

        It needs no AWS credentials (botocore loads none for an unsigned client), so code that signs people in
        never sees the developer's keys nor asks for their MFA code.
        """
        key = f"{service}#unsigned"
        if key not in self._clients:
            self._clients[key] = _new_client(self.session(), service, self.region, self.endpoint(), _PUBLIC_CONFIG)
        return self._clients[key]

    @functools.cached_property
    def identity(self) -> dict:
        """STS caller identity: proves the credentials work and gives the account id."""
        try:
            found = self.client("sts").get_caller_identity()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise AmplifyNbError(self.explain_failure(exc)) from exc
        return {"Account": found["Account"], "Arn": found["Arn"], "UserId": found["UserId"]}

    def explain_failure(self, exc: Exception) -> str:
        """A failed call's real cause in words a person can act on: missing or refused credentials are not an
        unreachable endpoint."""
        where = self.describe()
        who = f"profile {self.profile!r}" if self.profile else "the default credential chain"
        if isinstance(exc, botocore.exceptions.ProfileNotFound):
            return f"The profile {self.profile!r} is not in ~/.aws/config: run `aws configure --profile {self.profile}`."
        if isinstance(exc, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
            return (f"No AWS credentials found for {who} ({exc}): run `aws configure"
                    + (f" --profile {self.profile}" if self.profile else "") + "` or `aws sso login`.")
        if isinstance(exc, (botocore.exceptions.SSOError, botocore.exceptions.TokenRetrievalError)):
            return (f"The SSO session of {who} has expired or is not signed in ({exc}): run `aws sso login"
                    + (f" --profile {self.profile}" if self.profile else "") + "`, then try again.")
        if isinstance(exc, botocore.exceptions.ClientError) and error_code(exc) in (
                "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException",
                "AccessDenied", "ExpiredTokenException"):
            return f"The {where} refused the credentials of {who}: {exc}"
        if isinstance(exc, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError)):
            hint = {"local": " Is the local cloud running? Start it with `amplify-nb local start`.",
                    "endpoint": f" Is the service at {self.endpoint_url} running?"}.get(
                self.kind, " Check the network connection.")
            return f"Cannot reach the {where}: {exc}.{hint}"
        return f"Cannot reach the {where}: {exc}"

    @property
    def account_id(self) -> str:
        return self.identity["Account"]

    def describe(self) -> str:
        if self.kind == "local":
            return f"local cloud ({self.region})"
        if self.kind == "endpoint":
            return f"endpoint {self.endpoint_url} ({self.region})"
        return f"AWS profile {self.profile!r} ({self.region})"

    # --- local-aws-info.json -------------------------------------------------------------------------------
    def to_aws_info(self) -> dict:
        """The env's entry in local-aws-info.json; Amplify's keys where they apply, never a secret."""
        entry: dict[str, Any] = {"configLevel": "project", "target": self.kind, "region": self.region}
        if self.kind == "aws":
            entry.update(useProfile=True, profileName=self.profile)
        if self.kind == "endpoint":
            entry.update(endpointUrl=self.endpoint_url, useProfile=bool(self.profile), profileName=self.profile)
        return entry

    @classmethod
    def from_aws_info(cls, entry: dict | None) -> "Target":
        entry = entry or {}
        kind = entry.get("target") or ("aws" if entry.get("useProfile") else "local")
        return cls(
            kind=kind,
            region=entry.get("region") or DEFAULT_REGION,
            profile=entry.get("profileName") if kind != "local" else None,
            endpoint_url=entry.get("endpointUrl"),
        )

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("_clients")
        return data


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""
