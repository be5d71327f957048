"""add function (Python): Amplify's flow with its defaults and rules.

A name (`<project><8 hex>`), a runtime (`python`: the Lambda runtime matching this machine's Python), a template
(Hello World, or a CRUD function for DynamoDB using a table of the project or a new one made by the storage flow
in the same answers), and the advanced settings: access to other resources ({category: {resource: [create, read,
update, delete]}}, which become environment variables such as STORAGE_<RES>_NAME), timeout, memory and extra
environment variables. Deployed as `<name>-<env>`.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sys
from dataclasses import dataclass

from ..errors import InputError, Problem
from .base import OPERATIONS, InProject, ProjectResource, Spec, access_problems, answer, check_choice, context
from .storage import StorageSpec

# Lambda's Python runtimes that still accept new functions, oldest first (python3.10 was deprecated on 2026-10-31).
LAMBDA_PYTHON_RUNTIMES = ("python3.11", "python3.12", "python3.13", "python3.14")
DEFAULT_RUNTIME = "python"
TEMPLATES = (
    ("hello-world", "Hello World"),
    ("crud-dynamodb", "CRUD function for DynamoDB (Integration with API Gateway)"),
)
DATA_SOURCES = (
    ("project", "Use DynamoDB table configured in the current Amplify project"),
    ("new", "Create a new DynamoDB table"),
)
DEFAULT_TIMEOUT = 25  # seconds: what Amplify's function template sets
MAX_TIMEOUT = 900
DEFAULT_MEMORY = 128  # MB: Lambda's default
MIN_MEMORY, MAX_MEMORY = 128, 10240
MAX_FUNCTION_NAME = 64  # Lambda's limit, on the deployed <name>-<env>
ENVIRONMENT_BYTES = 4096  # Lambda's limit on all variables together
# Set by Lambda itself (it refuses them) or by amplify_nb for every function (ENV, REGION) or from `access`.
RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "ENV", "REGION",
})

FUNCTION_NAME_MESSAGE = "You can use the following characters: a-z A-Z 0-9"
VARIABLE_NAME_MESSAGE = ("Environment variable names must start with a letter and use only letters, digits and _ "
                         "(got {name!r}).")


def local_runtime(version: tuple[int, int] | None = None) -> str:
    """This interpreter as a Lambda runtime name (python3.11)."""
    major, minor = version or sys.version_info[:2]
    return f"python{major}.{minor}"


def default_runtime(version: tuple[int, int] | None = None) -> str:
    """The Lambda runtime matching this machine's Python, else the supported one closest to it."""
    wanted = local_runtime(version)
    if wanted in LAMBDA_PYTHON_RUNTIMES:
        return wanted
    minor = int(wanted.split(".")[1])
    return min(LAMBDA_PYTHON_RUNTIMES, key=lambda r: (abs(int(r.split(".")[1]) - minor), -int(r.split(".")[1])))


def default_function_name(project_name: str, token: str) -> str:
    """Amplify's default: the project name (letters and digits) and 8 hex characters."""
    return re.sub(r"[^a-zA-Z0-9]", "", project_name)[:40] + token


def storage_variable_prefix(resource_name: str) -> str:
    """STORAGE_<RES>: the prefix of the variables that carry a table's Name, Arn and StreamArn."""
    return "STORAGE_" + re.sub(r"[^A-Z0-9]", "_", resource_name.upper())


def _crud(spec: "FunctionSpec") -> bool:
    return spec.template == "crud-dynamodb"


def _tables(spec: "FunctionSpec") -> list[str]:
    return [r.name for r in spec.resources or () if r.category == "storage" and r.service == "DynamoDB"]


def _access_targets(spec: "FunctionSpec") -> list[tuple[str, str]]:
    """What access may name: every resource of the project but this function itself."""
    return [(f"{r.category}/{r.name}", f"{r.category}: {r.name}" + (f" ({r.service})" if r.service else ""))
            for r in spec.resources or () if (r.category, r.name) != ("function", spec.name)]


def _advanced(name: str):
    """An advanced setting applies when the user opted into them, or when it was given a non-default value."""
    def applies(spec: "FunctionSpec") -> bool:
        return bool(spec.advanced_settings) or getattr(spec, name) != spec.default_of(name)
    return applies


@dataclass
class FunctionSpec(InProject, Spec):
    flow = "function"

    name_token: str = context(default_factory=lambda: secrets.token_hex(4))
    project_name: str = context("amplify")
    resources: tuple[ProjectResource, ...] | None = context(None)  # None: not known (no project check)

    name: str = answer(
        "", "Provide an AWS Lambda function name", follows=lambda s: default_function_name(s.project_name, s.name_token),
        help="The folder under amplify/backend/function/ and, with -<env> appended, the Lambda function's name. "
             "Letters and digits only.")
    runtime: str = answer(
        DEFAULT_RUNTIME, "Choose the runtime that you want to use",
        choices=[(DEFAULT_RUNTIME, "Python (the Lambda runtime matching this machine's Python)")]
        + [(r, r) for r in LAMBDA_PYTHON_RUNTIMES],
        help="python picks the Lambda runtime of the Python you run here, so the code behaves the same in the "
             "cloud; name one (python3.12) to pin it.")
    template: str = answer(
        "hello-world", "Choose the function template that you want to use", choices=TEMPLATES,
        help="Hello World returns a fixed answer. The CRUD function serves GET/POST/PUT/DELETE on a DynamoDB table "
             "behind a REST API (the tutorial's beers).")
    data_source: str = answer(
        "", "Choose a DynamoDB data source option", choices=DATA_SOURCES, when=_crud,
        follows=lambda s: "new" if s.new_table or (not s.table and not _tables(s)) else "project",
        help="Use a table already in the project, or create one now with the storage questions.")
    table: str = answer(
        "", "Choose from one of the already configured DynamoDB tables", choices_from=_tables,
        when=lambda s: _crud(s) and s.data_source == "project",
        follows=lambda s: (_tables(s) or [""])[0] if _crud(s) and s.data_source == "project" else "",
        help="The storage resource the CRUD function reads and writes (it gets create/read/update/delete on it).")
    new_table: dict = answer(
        {}, "The new table", kind="spec", item=StorageSpec,
        when=lambda s: _crud(s) and s.data_source == "new",
        help="Answers of `add storage` (NoSQL): the table is added with the function.")
    advanced_settings: bool = answer(
        False, "Do you want to configure advanced settings?",
        help="Access to other resources, timeout, memory and environment variables.")
    access: dict = answer(
        {}, "Select the categories you want this function to have access to.", kind="access",
        choices_from=_access_targets, when=_advanced("access"),
        optional="Do you want to access other resources in this project from your Lambda function?",
        help="Each resource chosen gives the function's role exactly those operations on it, and the function "
             "environment variables with its name and ARN (STORAGE_<RES>_NAME, STORAGE_<RES>_ARN, ...).")
    timeout: int = answer(
        DEFAULT_TIMEOUT, "Enter the function's timeout (in seconds)", when=_advanced("timeout"),
        help="Lambda stops an invoke after this long (\"Task timed out\"). Amplify sets 25 s, below API Gateway's 29 s.")
    memory: int = answer(
        DEFAULT_MEMORY, "Enter the function's memory (in MB)", when=_advanced("memory"),
        help="128-10240 MB; Lambda gives CPU in proportion to memory.")
    environment: dict = answer(
        {}, "Enter the environment variables", kind="mapping",
        when=_advanced("environment"),
        optional="Do you want to configure environment variables for this function?",
        help="Extra variables for the function. ENV, REGION and the access variables are set for you.")

    # --- what the category deploys ---------------------------------------------------------------------------
    @property
    def lambda_runtime(self) -> str:
        return default_runtime() if self.runtime == DEFAULT_RUNTIME else self.runtime

    def deployed_name(self, env: str) -> str:
        return f"{self.name}-{env}"

    def new_table_spec(self) -> StorageSpec | None:
        """The table to add with the function (data source "new"); its default names are stable for this function."""
        if not (_crud(self) and self.data_source == "new"):
            return None
        token = hashlib.sha256(self.name.encode()).hexdigest()[:8]
        return StorageSpec.from_answers({"service": "nosql", **(self.new_table or {})}, name_token=token,
                                        project_name=self.project_name, resources=self.resources)

    def nested(self, name: str) -> tuple[Spec, dict]:
        """The new table's storage flow: a NoSQL table (not asked), with names stable for this function."""
        if name != "new_table":
            return super().nested(name)
        return self.replace(template="crud-dynamodb", data_source="new").new_table_spec(), {"service": "nosql"}

    def environment_variable_names(self) -> list[str]:
        """The variables the function gets besides its own: ENV, REGION and one set per storage resource it accesses."""
        names = ["ENV", "REGION"]
        services = {(r.category, r.name): r.service for r in self.resources or ()}
        storage = dict(self.access.get("storage", {})) if isinstance(self.access, dict) else {}
        if self.crud_table:
            storage.setdefault(self.crud_table, list(OPERATIONS))
            services.setdefault(("storage", self.crud_table), "DynamoDB")
        for resource in storage:
            prefix = storage_variable_prefix(resource)
            if services.get(("storage", resource)) == "S3":
                names.append(f"{prefix}_BUCKETNAME")
            else:
                names += [f"{prefix}_NAME", f"{prefix}_ARN", f"{prefix}_STREAMARN"]
        return names

    @property
    def crud_table(self) -> str:
        """The storage resource the CRUD template uses ('' for Hello World)."""
        if not _crud(self):
            return ""
        new = self.new_table_spec()
        return new.resource_name if new else self.table

    def runtime_warnings(self, version: tuple[int, int] | None = None) -> list[str]:
        """Said, not refused: the cloud runs another Python than the one testing the code here."""
        here, there = local_runtime(version), (default_runtime(version) if self.runtime == DEFAULT_RUNTIME else self.runtime)
        if here == there:
            return []
        return [f"This machine runs {here.replace('python', 'Python ')} but the function will run on Lambda's "
                f"{there}: code that works here may behave differently there."]

    # --- rules ---------------------------------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        found = []
        if not isinstance(self.name, str) or not re.fullmatch(r"[a-zA-Z0-9]+", self.name):
            found.append(Problem("name", FUNCTION_NAME_MESSAGE))
        found += check_choice(self, "runtime", "The runtime")
        found += check_choice(self, "template", "The template")
        if _crud(self):
            found += self._data_source_problems()
        if self.applies("access"):
            found += self._access_problems()
        for field_name, low, high, unit in (("timeout", 1, MAX_TIMEOUT, "seconds"), ("memory", MIN_MEMORY, MAX_MEMORY, "MB")):
            value = getattr(self, field_name)
            if not (isinstance(value, int) and not isinstance(value, bool)) or not low <= value <= high:
                found.append(Problem(field_name, f"The {field_name} must be a whole number between {low} and {high} "
                                                 f"{unit} (got {value!r})."))
        found += self._environment_problems()
        return found

    def _data_source_problems(self) -> list[Problem]:
        if self.table and self.new_table:
            return [Problem("table", "table and new_table are mutually exclusive: use a table of the project "
                                     "(table) or create one (new_table).")]
        found = check_choice(self, "data_source", "The DynamoDB data source")
        if self.data_source == "project":
            tables = _tables(self)
            if not self.table:
                found.append(Problem("table", "Choose the DynamoDB table the CRUD function uses" +
                                     (f" ({', '.join(tables)})." if tables else
                                      ": the project has none yet, so create one (data source: new).")))
            elif self.resources is not None and self.table not in tables:
                found.append(Problem("table", f"The project has no DynamoDB table {self.table!r} "
                                              f"(tables: {', '.join(tables) or 'none'})."))
        elif self.data_source == "new":
            if not isinstance(self.new_table, dict):
                return found + [Problem("new_table", f"new_table must be a mapping of storage answers (got {self.new_table!r}).")]
            try:
                table = self.new_table_spec()
            except InputError as exc:
                return found + [Problem("new_table", f"new_table: {p.message}") for p in exc.problems]
            if table.service != "nosql":
                found.append(Problem("new_table", "new_table: the CRUD function needs a NoSQL Database (service: nosql)."))
            found += [Problem("new_table", f"new_table: {p.message}") for p in table.problems()]
            if self.resources is not None and table.resource_name in {r.name for r in self.resources if r.category == "storage"}:
                found.append(Problem("new_table", f"new_table: the project already has a storage resource named "
                                                  f"{table.resource_name!r}: choose another name or use it (table)."))
        return found

    def _access_problems(self) -> list[Problem]:
        if self.resources is None:  # no project to check against: the shape only
            return access_problems("access", self.access, _declared_targets(self.access))
        known = [r for r in self.resources if (r.category, r.name) != ("function", self.name)]
        return access_problems("access", self.access, known, exclude=("function", self.name))

    def _environment_problems(self) -> list[Problem]:
        if not isinstance(self.environment, dict):
            return [Problem("environment", f"Environment variables must be a mapping of names to values (got {self.environment!r}).")]
        found = []
        for name, value in self.environment.items():
            if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_]*", name):
                found.append(Problem("environment", VARIABLE_NAME_MESSAGE.format(name=name)))
            elif name in RESERVED_VARIABLES or name.startswith(("AWS_LAMBDA_", "STORAGE_")):
                found.append(Problem("environment", f"{name} is reserved: Lambda or amplify_nb sets it."))
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                found.append(Problem("environment", f"The value of {name} must be text (got {value!r})."))
        size = sum(len(str(k)) + len(str(v)) for k, v in self.environment.items())
        if size > ENVIRONMENT_BYTES:
            found.append(Problem("environment", f"Environment variables take {size} bytes; Lambda allows {ENVIRONMENT_BYTES} in all."))
        return found

    def env_problems(self, env: str) -> list[Problem]:
        """Lambda limits the deployed name, <name>-<env>, to 64 characters."""
        deployed = self.deployed_name(env)
        if isinstance(self.name, str) and len(deployed) > MAX_FUNCTION_NAME:
            return [Problem("name", f"With the environment name appended the function would be {deployed!r} "
                                    f"({len(deployed)} characters); Lambda allows {MAX_FUNCTION_NAME}. Choose a name "
                                    f"of at most {MAX_FUNCTION_NAME - len(env) - 1} characters.")]
        return []

    def problems_for_update(self, old: "FunctionSpec") -> list[Problem]:
        """What an update may not change: the function's name (it names the folder and the deployed function)."""
        if self.name != old.name:
            return [Problem("name", f"Function name cannot be changed (it is {old.name!r}).")]
        return []


def _declared_targets(access) -> list[ProjectResource]:
    """Without a project, every resource the mapping names is taken as existing."""
    if not isinstance(access, dict):
        return []
    return [ProjectResource(c, r) for c, targets in access.items() if isinstance(targets, dict) for r in targets]
