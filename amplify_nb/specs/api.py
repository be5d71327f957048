"""add api (REST): Amplify's flow with its defaults and rules.

A friendly name (`api<8 hex>`), a path (`/items`), the Lambda function behind it (a new one, which runs the
function flow and through it the storage flow, or one already in the project), whether access is restricted
(signed-in users only, or signed-in users and guests, each with create/read/update/delete), more paths, and how
callers prove who they are: `iam` (Amplify Gen 1's way: SigV4 with identity-pool credentials, execute-api:Invoke
policies on the env's roles) or `cognito` (a user-pool authorizer expecting the ID token).

`new_function: true` alone is the tutorial's path: the CRUD template and a new table named after the path
(`/beer` -> `beer`) with `id: string` as its partition key. Function answers instead of `true` start from the
same defaults.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, Problem
from .base import (OPERATIONS, InProject, ProjectResource, Spec, answer, check_choice, context, operations_problems,
                   row_problems)
from .function import FunctionSpec

PATH_PATTERN = r"(?:/(?:[a-zA-Z0-9\-]+|\{[a-zA-Z0-9\-]+\}))+"
DEFAULT_PATH = "/items"
RESERVED_NAMES = ("AdminQueries",)  # auth's admin API
LAMBDA_SOURCES = (
    ("new", "Create a new Lambda function"),
    ("project", "Use a Lambda function already added in the current Amplify project"),
)
WHO = (
    ("authenticated", "Authenticated users only"),
    ("authenticated_and_guests", "Authenticated and Guest users"),
)
AUTHORIZATIONS = (
    ("iam", "IAM: requests signed with the user's identity-pool credentials (Amplify's way)"),
    ("cognito", "Cognito user pool authorizer: requests carry the user's ID token"),
)
# The HTTP methods each operation allows (Amplify's mapping).
OPERATION_METHODS = {"create": ("POST",), "read": ("GET",), "update": ("PUT", "PATCH"), "delete": ("DELETE",)}

NAME_MESSAGE = "Resource name should be alphanumeric"
PATH_MESSAGE = ("Each path part must use characters a-z A-Z 0-9 - and must not be empty. Optionally, a path part "
                "can be surrounded by { } to denote a path parameter.")


def default_api_name(token: str) -> str:
    return f"api{token}"


def path_problem(path: Any) -> str:
    """Amplify's path rule: starts with /, does not end with /, parts of [a-zA-Z0-9-] or {param}; '' when fine."""
    if not isinstance(path, str) or not path:
        return "The path must be a text starting with / (e.g. /items)."
    if path == "/":
        return ""
    if not path.startswith("/"):
        return "Path must begin with / e.g. /items"
    if path.endswith("/"):
        return "Path must not end with /"
    if not re.fullmatch(PATH_PATTERN, path):
        return PATH_MESSAGE
    return ""


def normalized(path: str) -> str:
    """A path with every parameter written {} (so /beer/{id} and /beer/{name} are the same route)."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def overlaps(first: str, second: str) -> bool:
    """Whether one path lies under the other (/beer and /beer/{id}): access to one reaches the other."""
    a, b = normalized(first).rstrip("/"), normalized(second).rstrip("/")
    return a != b and (b.startswith(a + "/") or a.startswith(b + "/") or a == "" or b == "")


def table_name_for(path: str) -> str:
    """The tutorial's table name for a path: its first plain part, letters and digits (/beer -> beer)."""
    parts = [p for p in path.split("/") if p and not p.startswith("{")] if isinstance(path, str) else []
    name = re.sub(r"[^a-zA-Z0-9]", "", parts[0]) if parts else ""
    return name if len(name) >= 3 else (name + "table" if name else "items")


def _functions(spec) -> list[str]:
    return [r.name for r in spec.resources or () if r.category == "function"]


def _restricted(spec) -> bool:
    return bool(spec.restrict_access)


def _guests(spec) -> bool:
    return bool(spec.restrict_access) and spec.who == "authenticated_and_guests"


@dataclass
class ApiPathSpec(Spec):
    """Another path of the API (Amplify's "Do you want to add another path?"), with its own function and access."""

    flow = "api path"

    path: str = answer("", "Provide a path (e.g., /book/{isbn})",
                       help="Served as <path> and <path>/{proxy+}; parts of letters, digits and -, or {parameter}.")
    function: str = answer("", "Choose the Lambda function to invoke by this path",
                           choices_from=lambda api: api.path_functions(),
                           help="A function of the project, or the new function of this API.")
    restrict_access: bool = answer(True, "Restrict API access?",
                                   help="Yes: only signed-in users (and guests, if chosen) may call this path.")
    who: str = answer("authenticated", "Who should have access?", choices=WHO, when=_restricted,
                      help="Guests are visitors who have not signed in (identity-pool guest credentials).")
    auth_permissions: list = answer(list(OPERATIONS), "What permissions do you want to grant to Authenticated users?",
                                    choices=OPERATIONS, kind="multi", when=_restricted,
                                    help="create=POST, read=GET, update=PUT and PATCH, delete=DELETE.")
    guest_permissions: list = answer(["read"], "What permissions do you want to grant to Guest users?",
                                     choices=OPERATIONS, kind="multi", when=_guests,
                                     help="What visitors who have not signed in may do on this path.")

    def problems(self) -> list[Problem]:
        found = []
        message = path_problem(self.path)
        if message:
            found.append(Problem("path", message))
        if not isinstance(self.function, str) or not self.function:
            found.append(Problem("function", "Choose the Lambda function this path invokes."))
        found += _access_problems(self)
        return found


def _access_problems(spec) -> list[Problem]:
    found = []
    if not isinstance(spec.restrict_access, bool):
        return [Problem("restrict_access", f"restrict_access must be yes or no (got {spec.restrict_access!r}).")]
    if not spec.restrict_access:
        return found
    found += check_choice(spec, "who", "Who should have access")
    audiences = [("auth_permissions", "Authenticated users")]
    if spec.who == "authenticated_and_guests":
        audiences.append(("guest_permissions", "Guest users"))
    for field_name, who in audiences:
        found += operations_problems(field_name, getattr(spec, field_name),
                                     f"Select at least one permission for {who} among",
                                     f"Each permission for {who} may appear only once.")
    return found


@dataclass
class ApiSpec(InProject, Spec):
    flow = "api"

    name_token: str = context(default_factory=lambda: secrets.token_hex(4))
    project_name: str = context("amplify")
    resources: tuple[ProjectResource, ...] | None = context(None)  # None: not known (no project check)

    name: str = answer(
        "", "Provide a friendly name for your resource to be used as a label for this category in the project",
        follows=lambda s: default_api_name(s.name_token),
        help="The folder under amplify/backend/api/; deployed as the REST API <name>-<env>. Letters and digits.")
    path: str = answer(
        DEFAULT_PATH, "Provide a path (e.g., /book/{isbn})",
        help="The API serves <path> and everything under it (<path>/{proxy+}) with the function. "
             "Parts of letters, digits and -, or {parameter}.")
    lambda_source: str = answer(
        "", "Choose a Lambda source", choices=LAMBDA_SOURCES,
        follows=lambda s: "project" if s.function else "new",
        help="A new function runs the function questions (and, for the CRUD template, the table questions) now; "
             "or use a function already in the project.")
    function: str = answer(
        "", "Choose the Lambda function to invoke by this path", choices_from=_functions,
        when=lambda s: s.lambda_source == "project",
        follows=lambda s: (_functions(s) or [""])[0] if s.lambda_source == "project" else "",
        help="The function that answers every request to this path.")
    new_function: Any = answer(
        {}, "The new function (true: the CRUD function with a table named after the path)", kind="spec", item=FunctionSpec, when=lambda s: s.lambda_source == "new",
        help="Answers of `add function` (true alone: the tutorial's CRUD function with a new table named after "
             "the path, partition key id).")
    restrict_access: bool = answer(
        True, "Restrict API access?",
        help="Yes: only signed-in users (and guests, if chosen) may call the API. No: anyone may.")
    who: str = answer(
        "authenticated", "Who should have access?", choices=WHO, when=_restricted,
        help="Guests are visitors who have not signed in (identity-pool guest credentials).")
    auth_permissions: list = answer(
        list(OPERATIONS), "What permissions do you want to grant to Authenticated users?", choices=OPERATIONS,
        kind="multi", when=_restricted,
        help="create=POST, read=GET, update=PUT and PATCH, delete=DELETE: each becomes the methods allowed.")
    guest_permissions: list = answer(
        ["read"], "What permissions do you want to grant to Guest users?", choices=OPERATIONS, kind="multi",
        when=_guests, help="What visitors who have not signed in may do.")
    more_paths: list = answer(
        [], "Another path", kind="rows", item=ApiPathSpec, optional="Do you want to add another path?",
        more="Do you want to add another path?",
        help="Each further path has its own function and access.")
    authorization: str = answer(
        "iam", "How should callers prove who they are?", choices=AUTHORIZATIONS,
        when=lambda s: s.any_restricted(),
        help="iam signs requests with the user's identity-pool credentials (Amplify Gen 1). cognito sends the "
             "user pool's ID token to a user-pool authorizer (signed-in users only).")

    def __post_init__(self) -> None:
        if self.new_function is True:  # the tutorial's answer: a new CRUD function with its defaults
            self.new_function = {}
        elif self.new_function is False or self.new_function is None:
            self.new_function = {}
            if self.lambda_source == "":
                self.lambda_source = "project"
        super().__post_init__()

    # --- what the category deploys ----------------------------------------------------------------------------
    def new_function_spec(self) -> FunctionSpec | None:
        """The function added with the API: the CRUD template and a new table named after the path, unless the
        answers say otherwise; its default names are stable for this API."""
        if self.lambda_source != "new":
            return None
        answers = dict(self.new_function) if isinstance(self.new_function, dict) else {}
        answers.setdefault("template", "crud-dynamodb")
        if answers["template"] == "crud-dynamodb" and not answers.get("table") and answers.get("data_source", "new") == "new":
            table = {"service": "nosql", **(answers.get("new_table") or {})}
            table.setdefault("resource_name", table_name_for(self.path))
            answers["new_table"] = table
        token = hashlib.sha256(f"api:{self.name}".encode()).hexdigest()[:8]
        return FunctionSpec.from_answers(answers, name_token=token, project_name=self.project_name,
                                         resources=self.resources)

    def nested(self, name: str) -> tuple[Spec, dict]:
        """The new function's flow: the CRUD template with a new table named after the path, by default."""
        if name != "new_function":
            return super().nested(name)
        return self.replace(lambda_source="new").new_function_spec(), {}

    @property
    def function_name(self) -> str:
        """The function of the first path."""
        new = self.new_function_spec()
        return new.name if new is not None else self.function

    def path_functions(self) -> list[str]:
        """What a further path may invoke: the project's functions and this API's new function."""
        names = _functions(self)
        try:
            new = self.new_function_spec()
        except InputError:
            new = None
        return names + ([new.name] if new is not None and new.name not in names else [])

    def paths(self) -> list[dict]:
        """Every path with its function and access: {path, function, restrict_access, who, auth, guest}."""
        rows = [{"path": self.path, "function": self.function_name, "restrict_access": self.restrict_access,
                 "who": self.who, "auth_permissions": self.auth_permissions,
                 "guest_permissions": self.guest_permissions}]
        for row in self.more_paths if isinstance(self.more_paths, list) else []:
            if isinstance(row, dict):
                parsed = ApiPathSpec.from_answers(row)
                rows.append({"path": parsed.path, "function": parsed.function, "restrict_access": parsed.restrict_access,
                             "who": parsed.who, "auth_permissions": parsed.auth_permissions,
                             "guest_permissions": parsed.guest_permissions})
        for row in rows:
            if not row["restrict_access"]:
                row.update(auth_permissions=[], guest_permissions=[], who="")
            elif row["who"] != "authenticated_and_guests":
                row["guest_permissions"] = []
        return rows

    def any_restricted(self) -> bool:
        """Whether some path restricts access (then the authorization mode matters)."""
        flags = [self.restrict_access]
        if isinstance(self.more_paths, list):
            flags += [row.get("restrict_access", True) for row in self.more_paths if isinstance(row, dict)]
        return any(flag not in (False, "false", "no", "n") for flag in flags)

    def functions(self) -> list[str]:
        """The functions the API invokes, each once, in path order."""
        names = [row["function"] for row in self.paths()]
        return [n for i, n in enumerate(names) if n and n not in names[:i]]

    def path_warnings(self) -> list[str]:
        """Said, not refused (as Amplify): a path under another one gives the other's callers access to it too."""
        paths = [row["path"] for row in self._safe_paths()]
        warnings = []
        for i, first in enumerate(paths):
            for second in paths[i + 1:]:
                if overlaps(first, second):
                    inner, outer = (second, first) if len(normalized(second)) > len(normalized(first)) else (first, second)
                    warnings.append(f"This path {inner} overlaps with {outer}. Users authorized to access {outer} "
                                    f"will also have access to {inner}.")
        return warnings

    def runtime_warnings(self) -> list[str]:
        """What the CLI says before writing: overlapping paths, and the new function's runtime."""
        found = self.path_warnings()
        try:
            new = self.new_function_spec()
        except InputError:
            new = None
        return found + (new.runtime_warnings() if new is not None else [])

    def _safe_paths(self) -> list[dict]:
        try:
            return self.paths()
        except InputError:
            return []

    # --- rules ---------------------------------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        found = []
        if not isinstance(self.name, str) or not re.fullmatch(r"[a-zA-Z0-9]+", self.name):
            found.append(Problem("name", NAME_MESSAGE))
        elif self.name in RESERVED_NAMES:
            found.append(Problem("name", f"{self.name} is a reserved name for REST API resources for use by the "
                                         "auth category. Please use a different name."))
        message = path_problem(self.path)
        if message:
            found.append(Problem("path", message))
        found += check_choice(self, "lambda_source", "The Lambda source")
        found += self._function_problems()
        found += _access_problems(self)
        if not isinstance(self.more_paths, list):
            found.append(Problem("more_paths", f"more_paths must be a list of paths (got {self.more_paths!r})."))
        else:
            found += row_problems(self.question("more_paths"), self.more_paths, "Path")
            found += self._more_path_problems()
        if self.any_restricted():
            found += self._authorization_problems()
        return found

    def _function_problems(self) -> list[Problem]:
        if self.lambda_source == "project":
            if isinstance(self.new_function, dict) and self.new_function:
                return [Problem("new_function", "function and new_function are mutually exclusive: use a function "
                                                "of the project (function) or create one (new_function).")]
            functions = _functions(self)
            if not self.function:
                return [Problem("function", "Choose the Lambda function this path invokes" +
                                (f" ({', '.join(functions)})." if functions else
                                 ": the project has none yet, so create one (new_function: true)."))]
            if self.resources is not None and self.function not in functions:
                return [Problem("function", f"The project has no function {self.function!r} "
                                            f"(functions: {', '.join(functions) or 'none'}).")]
            return []
        if self.lambda_source != "new":
            return []
        if self.function:
            return [Problem("function", "function and new_function are mutually exclusive: use a function of the "
                                        "project (function) or create one (new_function).")]
        if not isinstance(self.new_function, dict):
            return [Problem("new_function", f"new_function must be true or a mapping of function answers "
                                            f"(got {self.new_function!r}).")]
        try:
            new = self.new_function_spec()
        except InputError as exc:
            return [Problem("new_function", f"new_function: {p.message}") for p in exc.problems]
        if self.resources is not None and self.name in {r.name for r in self.resources if r.category == "api"}:
            # answers of an API that exists (a notebook run again): its new function was added with it
            if new.name in _functions(self):
                return []
            return [Problem("new_function", f"new_function: an update does not add functions; add {new.name} with "
                                            f"`amplify-nb add function`, then use it (function: {new.name}).")]
        found = [Problem("new_function", f"new_function: {p.message}") for p in new.problems()]
        if self.resources is not None and new.name in _functions(self):
            found.append(Problem("new_function", f"new_function: the project already has a function named "
                                                 f"{new.name!r}: choose another name or use it (function: {new.name})."))
        return found

    def _more_path_problems(self) -> list[Problem]:
        found = []
        rows = self._safe_paths()
        seen: dict[str, str] = {}
        for row in rows:
            if not isinstance(row["path"], str) or path_problem(row["path"]):
                continue
            key = normalized(row["path"])
            if key in seen:
                found.append(Problem("more_paths", f"Path {row['path']} is already used by this API ({seen[key]})."))
            seen.setdefault(key, row["path"])
        known = self.path_functions()
        for number, row in enumerate(rows[1:], start=1):
            if row["function"] and self.resources is not None and row["function"] not in known:
                found.append(Problem("more_paths", f"Path {number} ({row['path']}): the project has no function "
                                                   f"{row['function']!r} (functions: {', '.join(known) or 'none'})."))
        return found

    def _authorization_problems(self) -> list[Problem]:
        found = check_choice(self, "authorization", "The authorization")
        has_auth = self.resources is None or any(r.category == "auth" for r in self.resources)
        if not has_auth:
            found.append(Problem("restrict_access", "Restricting API access needs auth (a user pool and an identity "
                                                    "pool): add auth first (`amplify-nb add auth`), or answer no."))
        if self.authorization == "cognito":
            guests = [row["path"] for row in self._safe_paths() if row["who"] == "authenticated_and_guests"]
            if guests:
                found.append(Problem("authorization", (
                    f"A Cognito user-pool authorizer admits only signed-in users (guests have no ID token), but "
                    f"{', '.join(guests)} gives guests access: choose iam authorization, or Authenticated users only.")))
        return found

    def problems_for_update(self, old: "ApiSpec") -> list[Problem]:
        """What an update may not change: the API's name (it names the folder and the deployed REST API)."""
        if self.name != old.name:
            return [Problem("name", f"The API's name cannot be changed (it is {old.name!r}).")]
        return []
