"""Lambda functions: the model and its planner rule.

Real Lambda is asynchronous where moto is not: a new function is Pending until Active (wait function_active_v2),
every update leaves LastUpdateStatus InProgress, and a second update before it is Successful fails with
ResourceConflictException, so each update is followed by a function_updated_v2 wait. A role created a moment ago
is not assumable yet for ~10 s (IAM is eventually consistent): create_function is retried while Lambda says so.

The code is compared by CodeSha256 (base64 of the zip's SHA-256, which Lambda reports), so an unchanged build
is never uploaded again. The log group /aws/lambda/<name> is made by Lambda itself on the first invoke and is
left behind on delete, as Amplify's CloudFormation stack does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ...errors import CloudError
from ..models import Resource
from ..ownership import OWNER_TAG, check_owned
from ..plan import APICall, Retry, StoreValue, Var, Wait
from ..planner import rule
from ..remote import RemoteState

NOT_FOUND = ("ResourceNotFoundException",)
# Direct uploads (ZipFile) are limited to 50 MB; bigger packages need an S3 upload, which amplify_nb does not do.
MAX_ZIP_BYTES = 50 * 1024 ** 2
# A new role not yet assumable, or another update still running: both pass on their own (chalice waits 150 s).
PROPAGATION_RETRY = Retry(codes=("InvalidParameterValueException", "ResourceConflictException"),
                          message=r"role.*cannot be assumed|role.*does not have permissions|valid principal|in progress",
                          attempts=30, delay=5.0)


CHOOSE_ANOTHER_FUNCTION = ("Functions are named <function name>-<env>: remove this function (`amplify-nb remove "
                           "function NAME`) and add it again under another name, or use another env name.")


@dataclass(frozen=True)
class Function(Resource):
    """A zip-packaged function, named `<name>-<env>` by the function category."""

    type_name: ClassVar[str] = "lambda.Function"
    runtime: str = "python3.12"
    handler: str = "index.handler"
    role: Any = ""  # the execution role's ARN, or a Var of the Role model (`role.ref("Arn")`)
    zip_path: str = ""  # the build's zip (functions/build.py)
    code_sha256: str = ""  # base64 SHA-256 of that zip, as Lambda's CodeSha256
    timeout: int = 25  # Amplify's default
    memory: int = 128
    environment: dict = field(default_factory=dict)
    description: str = ""
    tags: dict = field(default_factory=dict)

    def identity(self) -> dict:
        """With the env stack it is tagged with, so the sweeper deletes it only while it still is ours."""
        return {**super().identity(), "owner": self.tags.get(OWNER_TAG)}

    def configuration(self) -> dict:
        """What update_function_configuration sets, in get_function's Configuration shape."""
        return {"Runtime": self.runtime, "Role": self.role, "Handler": self.handler, "Timeout": self.timeout,
                "MemorySize": self.memory, "Description": self.description,
                "Environment": {"Variables": dict(self.environment)}}

    def zip_bytes(self) -> bytes:
        path = Path(self.zip_path)
        if not path.is_file():
            raise CloudError(f"The build of function {self.name} is missing ({path}): build it, then push again.")
        if path.stat().st_size > MAX_ZIP_BYTES:
            raise CloudError(f"The build of function {self.name} is {path.stat().st_size / 1024 ** 2:.0f} MB zipped; "
                             "Lambda takes at most 50 MB uploaded directly. Trim requirements.txt.")
        return path.read_bytes()


@rule(Function)
class FunctionRule:
    def plan(self, function: Function, remote: RemoteState) -> list:
        key, name = function.key, function.name
        found = remote.read("lambda", "get_function", missing=NOT_FOUND, FunctionName=name)
        steps: list = [StoreValue(f"{key}.Name", name)]
        if found is None:
            params = {"FunctionName": name, "PackageType": "Zip", "Code": {"ZipFile": function.zip_bytes()},
                      "Publish": False, **function.configuration()}
            if function.tags:
                params["Tags"] = dict(function.tags)
            return steps + [
                APICall(key, "create", "lambda", "create_function", params,
                        store={f"{key}.Arn": "FunctionArn"}, retry=PROPAGATION_RETRY),
                Wait(key, "lambda", "function_active_v2", {"FunctionName": name}, delay=1, max_attempts=300),
            ]

        check_owned("Lambda function", name, function.tags, found.get("Tags"), CHOOSE_ANOTHER_FUNCTION)
        current = found["Configuration"]
        arn = current["FunctionArn"]
        steps.append(StoreValue(f"{key}.Arn", arn))
        updates: list = []
        if current.get("CodeSha256") != function.code_sha256:
            updates.append(APICall(key, "update", "lambda", "update_function_code",
                                   {"FunctionName": name, "ZipFile": function.zip_bytes()}, retry=PROPAGATION_RETRY))
            updates.append(self._updated(function))
        if _config_drift(current, function.configuration()):
            updates.append(APICall(key, "update", "lambda", "update_function_configuration",
                                   {"FunctionName": name, **function.configuration()}, retry=PROPAGATION_RETRY))
            updates.append(self._updated(function))
        if updates:  # a push killed mid-update left the function busy: let that finish first
            if current.get("State") == "Pending":
                steps.append(Wait(key, "lambda", "function_active_v2", {"FunctionName": name}, delay=1, max_attempts=300))
            elif current.get("LastUpdateStatus") == "InProgress":
                steps.append(self._updated(function))
        steps += updates
        current_tags = found.get("Tags") or {}
        missing_tags = {k: v for k, v in function.tags.items() if current_tags.get(k) != v}
        if missing_tags:
            steps.append(APICall(key, "update", "lambda", "tag_resource", {"Resource": arn, "Tags": missing_tags}))
        return steps

    @staticmethod
    def _updated(function: Function) -> Wait:
        return Wait(function.key, "lambda", "function_updated_v2", {"FunctionName": function.name}, delay=1, max_attempts=300)

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return remote.read("lambda", "get_function", missing=NOT_FOUND, FunctionName=identity["name"]) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = remote.read("lambda", "get_function", missing=NOT_FOUND, FunctionName=identity["name"])
        return (found.get("Tags") or {}) if found else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        if not self.exists(identity, remote):
            return []
        return [APICall(f"{Function.type_name}:{identity['name']}", "delete", "lambda", "delete_function",
                        {"FunctionName": identity["name"]}, ok_codes=NOT_FOUND)]


def _config_drift(current: dict, wanted: dict) -> list[str]:
    """The settings that differ (a Var still unknown at plan time counts as different: its resource is new)."""
    drift = []
    for name, value in wanted.items():
        have = current.get(name)
        if name == "Environment":
            have = {"Variables": (have or {}).get("Variables") or {}}
        if name == "Description":
            have = have or ""
        if _has_var(value) or have != value:
            drift.append(name)
    return drift


def _has_var(value: Any) -> bool:
    if isinstance(value, Var):
        return True
    if isinstance(value, dict):
        return any(_has_var(v) for v in value.values())
    return False
