"""What a worker needs to know about one function: its code folder and the settings Lambda runs it with."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

LATEST = "$LATEST"
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128
# Lambda's managed runtimes give the init phase (importing the handler's module) 10 s of its own.
INIT_TIMEOUT_SECONDS = 10.0
SUPPORTED_RUNTIME_PREFIX = "python3."


def default_runtime() -> str:
    """The Lambda runtime matching the interpreter the workers run on (workers always use this interpreter)."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class Credentials:
    """What the handler's boto3 finds in its environment (Lambda puts the execution role's keys there)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


@dataclass(frozen=True)
class FunctionConfig:
    """One function version as a worker runs it. `fingerprint` changes with anything that needs a fresh worker."""

    name: str
    handler: str
    code_dir: Path
    runtime: str = field(default_factory=default_runtime)
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    environment: dict[str, str] = field(default_factory=dict)
    region: str = "us-east-1"
    account_id: str = "123456789012"
    version: str = LATEST
    code_sha256: str = ""
    endpoint_url: str | None = None
    credentials: Credentials = Credentials("local", "local", "local")
    # Each worker signs with its own access key (credentials' key + a suffix), so the cloud can tell which
    # invoke made a call (the local API Gateway's request inspector does).
    worker_keys: bool = False

    @property
    def arn(self) -> str:
        """The unqualified function ARN (Lambda's invoked_function_arn when invoked by name)."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    @property
    def fingerprint(self) -> str:
        settings = {
            "name": self.name, "handler": self.handler, "code_dir": str(self.code_dir), "runtime": self.runtime,
            "timeout": self.timeout, "memory": self.memory_mb, "environment": self.environment,
            "region": self.region, "version": self.version, "code": self.code_sha256,
            "endpoint": self.endpoint_url, "credentials": [self.credentials.access_key_id,
                                                           self.credentials.secret_access_key],
        }
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def new_log_stream_name(version: str = LATEST) -> str:
    """A stream name as Lambda makes one per execution environment: 2020/01/31/[$LATEST]<32 hex>."""
    return f"{datetime.now(timezone.utc):%Y/%m/%d}/[{version}]{secrets.token_hex(16)}"


def worker_credentials(config: FunctionConfig) -> Credentials:
    """The keys one worker gets: the function's, or with `worker_keys` an access key of its own."""
    if not config.worker_keys:
        return config.credentials
    own_key = f"{config.credentials.access_key_id}W{secrets.token_hex(8).upper()}"
    return Credentials(own_key, config.credentials.secret_access_key, config.credentials.session_token)


def worker_environment(config: FunctionConfig, runtime_api: str, log_stream: str,
                       credentials: Credentials | None = None) -> dict[str, str]:
    """The environment Lambda gives a Python runtime, pointed at the local cloud.

    Nothing of the calling process's environment leaks in but PATH (a user's AWS_PROFILE would make boto3 look
    for a profile; a proxy variable would send the Runtime API calls away), and the shared AWS config files are
    hidden, so the handler's boto3 uses exactly the endpoint, region and keys given here. The function's own
    variables come first; Lambda's reserved names win over them, as Lambda refuses to let them be set.
    """
    import awslambdaric

    credentials = credentials or config.credentials
    environment = dict(config.environment)
    environment.update({
        "_HANDLER": config.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": config.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_ACCESS_KEY": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "LAMBDA_TASK_ROOT": str(config.code_dir),
        "LAMBDA_RUNTIME_DIR": str(Path(awslambdaric.__file__).parent),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(config.code_dir),
        "PYTHONUNBUFFERED": "1",  # output written around the runtime's own (unbuffered) streams still arrives in order
    })
    if credentials.session_token:
        environment["AWS_SESSION_TOKEN"] = credentials.session_token
    if config.endpoint_url:
        environment["AWS_ENDPOINT_URL"] = config.endpoint_url
    return environment
