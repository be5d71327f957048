"""A whole environment in one file: the target, init's answers and each category's answers.

The keys are the specs' own answer names (kebab-case accepted, as `--answers` takes them), grouped by flow:

    target: local                 # configure: target, region, profile, endpoint_url (top level)
    init: {name: beerapp, env: dev}
    hosting: {environment: DEV, publish: true}
    auth: {sign_in_with: email}
    storage: [{resource_name: reviews, columns: [...]}]     # extra tables (or content buckets)
    functions: [{name: stats, template: hello-world}]       # extra functions
    api: {name: beerapi, path: /beer, new_function: {name: beerfn, new_table: {resource_name: beer}}}

A workshop file adds `trainees: [ana, ben]` (one project each, under `workshop_dir`); `{trainee}` in any text
is replaced by the trainee's name, so each project gets its own cloud names.

Everything is checked here before anything is written: an unknown key is refused with "did you mean", and every
message starts with the key's path in the file (`api.new_function.runtime: ...`). No IO: the caller reads the file.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import InputError, Problem
from .api import ApiSpec
from .auth import AuthSpec
from .base import Spec
from .configure import ConfigureSpec
from .function import FunctionSpec
from .hosting import HostingSpec
from .init import InitSpec
from .storage import StorageSpec

TARGET_KEYS = ("target", "region", "profile", "endpoint_url")
SINGLE_SECTIONS = {"hosting": HostingSpec, "auth": AuthSpec, "api": ApiSpec}
LIST_SECTIONS = {"storage": ("storage", StorageSpec, "resource_name"), "functions": ("function", FunctionSpec, "name")}
WORKSHOP_KEYS = ("trainees", "workshop_dir")
TOP_LEVEL_KEYS = ("project_dir", *TARGET_KEYS, "init", *SINGLE_SECTIONS, *LIST_SECTIONS, *WORKSHOP_KEYS)
# Keys of a section that are not answers of its flow.
SECTION_EXTRAS = {"hosting": {"publish": "install the sample app and publish it after the push (default true)"}}
TRAINEE_PLACEHOLDER = "{trainee}"
TRAINEE_PATTERN = r"[a-z][a-z0-9]{0,15}"
DEFAULT_WORKSHOP_DIR = "workshop"
# The order resources are added in: what others refer to comes first.
APPLY_ORDER = ("hosting", "auth", "storage", "function", "api")


@dataclass(frozen=True)
class Section:
    """The answers of one resource, and where they are in the file (`hosting`, `storage[0]`, `api.new_function`)."""

    category: str
    path: str
    answers: dict


@dataclass(frozen=True)
class EnvironmentSpec:
    """A parsed, checked environment file: what setup_environment applies."""

    configure: ConfigureSpec | None  # None: the file names no target (an existing env keeps its own; else local)
    init: dict  # init's answers; the project name defaults to the folder's
    sections: tuple[Section, ...] = ()  # as written; api's nested function and table are expanded by expand_api
    publish: bool = True  # hosting: install the sample app and publish it
    project_dir: str = ""
    trainees: tuple[str, ...] = ()
    workshop_dir: str = DEFAULT_WORKSHOP_DIR

    @property
    def env(self) -> str:
        return self.init.get("env") or InitSpec.default_of("env")

    def section(self, category: str) -> Section | None:
        return next((s for s in self.sections if s.category == category), None)


def parse_environment_text(text: str, source: str = "the environment file") -> dict:
    """YAML (or JSON) text -> the mapping parse_environment takes."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"Cannot read {source} as YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{source} must hold a mapping of keys (target, init, hosting, auth, api, ...), "
                         f"not {type(data).__name__}.")
    return data


def parse_environment(data: dict, trainee: str | None = None) -> EnvironmentSpec:
    """Check a whole environment mapping; raise InputError naming each bad key's path, before anything is done."""
    if not isinstance(data, dict):
        raise InputError(f"An environment must be a mapping of keys ({', '.join(TOP_LEVEL_KEYS)}), not {data!r}.")
    if trainee is not None:
        data = substitute_trainee(data, trainee)
    problems: list[Problem] = []
    data = _snake_keys(data, TOP_LEVEL_KEYS, "", problems)

    configure_answers = {k: data[k] for k in TARGET_KEYS if data.get(k) not in (None, "")}
    configure = _build(ConfigureSpec, configure_answers, "", problems) if configure_answers else None
    if configure is not None:
        problems += _at("", configure.problems())

    init = _mapping(data.get("init"), "init", problems)
    init = _checked_answers(InitSpec, init, "init", problems)
    if init is not None:
        spec = _build(InitSpec, init, "init", problems)
        if spec is not None:  # the name defaults to the folder's: checked when it is known
            problems += _at("init", [p for p in spec.problems() if p.field != "name" or "name" in init])

    sections: list[Section] = []
    publish = True
    for key, spec_cls in SINGLE_SECTIONS.items():
        if key not in data:
            continue
        answers = _mapping(data[key], key, problems)
        if answers is None:
            continue
        extras = {name: answers.pop(name) for name in list(answers) if name in SECTION_EXTRAS.get(key, {})}
        if "publish" in extras:
            publish = extras["publish"]
            if not isinstance(publish, bool):
                problems.append(_problem("hosting.publish", f"must be true or false (got {publish!r})."))
        answers = _checked_answers(spec_cls, answers, key, problems, extras=SECTION_EXTRAS.get(key, {}))
        if answers is not None:
            sections.append(Section(key, key, answers))

    for key, (category, spec_cls, name_field) in LIST_SECTIONS.items():
        entries = data.get(key)
        if entries is None:
            continue
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            problems.append(_problem(key, f"must be a list of {category} answers (got {entries!r})."))
            continue
        for number, entry in enumerate(entries):
            path = f"{key}[{number}]"
            answers = _checked_answers(spec_cls, _mapping(entry, path, problems), path, problems)
            if answers is None:
                continue
            if not answers.get(name_field):
                problems.append(_problem(f"{path}.{name_field}", f"each entry of {key} needs a {name_field}, so a "
                                                                 "second run finds the resource it made."))
                continue
            sections.append(Section(category, path, answers))

    trainees = _trainees(data.get("trainees"), problems)
    workshop_dir = data.get("workshop_dir") or DEFAULT_WORKSHOP_DIR
    project_dir = data.get("project_dir") or ""
    for key, value in (("workshop_dir", workshop_dir), ("project_dir", project_dir)):
        if not isinstance(value, str):
            problems.append(_problem(key, f"must be a folder path (got {value!r})."))
    environment = EnvironmentSpec(configure=configure, init=init or {}, sections=tuple(sections),
                                  publish=publish, project_dir=project_dir, trainees=trainees,
                                  workshop_dir=workshop_dir)
    problems += shape_problems(environment)  # the sections that could be read, so every problem is told at once
    if problems:
        raise InputError(problems)
    return environment


def expand_api(section: Section, project_name: str = "amplify") -> list[Section]:
    """The api as the api flow nests it: its new table, its new function (using that table), then the api itself
    (using that function), each as a resource of its own with the answers the file gave it."""
    answers = dict(section.answers)
    api = ApiSpec.from_answers(answers, project_name=project_name)
    new_function = api.new_function_spec()
    if new_function is None:
        return [section]
    nested = answers.pop("new_function", None)
    given_function = dict(nested) if isinstance(nested, dict) else {}
    expanded = []
    function_answers = {k: v for k, v in given_function.items() if k != "new_table"}
    function_answers.update(name=new_function.name, template=new_function.template)
    table = new_function.new_table_spec()
    if table is not None:
        table_answers = {**(given_function.get("new_table") or {}), "service": "nosql",
                         "resource_name": table.resource_name}
        expanded.append(Section("storage", f"{section.path}.new_function.new_table", table_answers))
        function_answers.update(data_source="project", table=table.resource_name)
    expanded.append(Section("function", f"{section.path}.new_function", function_answers))
    answers.update(name=api.name, lambda_source="project", function=new_function.name)
    expanded.append(Section("api", section.path, answers))
    return expanded


def resource_sections(environment: EnvironmentSpec, api_name: str = "", project_name: str = "amplify") -> list[Section]:
    """Every resource the environment describes, in the order they are added (tables before the functions that
    use them, functions before the api); `api_name` names the api when the file does not (the project's own)."""
    found: list[Section] = []
    for section in environment.sections:
        if section.category == "api":
            answers = {**section.answers, **({"name": api_name} if api_name and not section.answers.get("name") else {})}
            found += expand_api(Section("api", section.path, answers), project_name)
        else:
            found.append(section)
    return sorted(found, key=lambda s: APPLY_ORDER.index(s.category))


def shape_problems(environment: EnvironmentSpec) -> list[Problem]:
    """Each resource checked alone (no project known yet), and two resources of the file with one name refused."""
    found: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for section in resource_sections(environment):
        spec = _build(spec_class(section.category), section.answers, section.path, found)
        if spec is None:
            continue
        # defaults that depend on the project (names) are checked once it is known (project/setup.py)
        found += _at(section.path, [p for p in spec.problems() if not p.field or p.field in section.answers])
        if section.category not in NAME_FIELDS:
            continue
        name = getattr(spec, NAME_FIELDS[section.category])
        if (section.category, name) in seen:
            found.append(_problem(section.path, f"{section.category} {name!r} is also made by "
                                                f"{seen[section.category, name]}: give each resource its own name."))
        seen.setdefault((section.category, name), section.path)
    return found


def spec_class(category: str) -> type[Spec]:
    return {"hosting": HostingSpec, "auth": AuthSpec, "storage": StorageSpec, "function": FunctionSpec,
            "api": ApiSpec}[category]


NAME_FIELDS = {"storage": "resource_name", "function": "name", "api": "name"}  # the backend folder's name




def with_path(path: str, problems: list[Problem]) -> list[Problem]:
    """Problems of one resource's spec, each named by its key path in the file."""
    return _at(path, problems)


def substitute_trainee(value: Any, trainee: str) -> Any:
    """`{trainee}` in every text of the file replaced by the trainee's name (API paths keep their `{id}`)."""
    if isinstance(value, str):
        return value.replace(TRAINEE_PLACEHOLDER, trainee)
    if isinstance(value, list):
        return [substitute_trainee(item, trainee) for item in value]
    if isinstance(value, dict):
        return {key: substitute_trainee(item, trainee) for key, item in value.items()}
    return value


# --- helpers ------------------------------------------------------------------------------------------------------
def _problem(path: str, message: str) -> Problem:
    return Problem(path, f"{path}: {message}")


def _at(path: str, problems: list[Problem]) -> list[Problem]:
    def key(problem: Problem) -> str:
        if not problem.field:
            return path
        return f"{path}.{problem.field}" if path else problem.field
    return [Problem(key(p), f"{key(p)}: {p.message}") for p in problems]


def _mapping(value: Any, path: str, problems: list[Problem]) -> dict | None:
    """A section's answers: a mapping; empty (`auth:`) means Amplify's defaults."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(_problem(path, f"must be a mapping of answers (got {value!r})."))
        return None
    return dict(value)


def _snake_keys(mapping: dict, known, path: str, problems: list[Problem], hints: dict | None = None) -> dict:
    """Keys in snake_case (kebab-case as the CLI's flags spell them is accepted); unknown ones refused with the
    closest known key."""
    result = {}
    for raw, value in mapping.items():
        name = str(raw).replace("-", "_")
        where = f"{path}.{raw}" if path else str(raw)
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]}?" if close else ""
            problems.append(_problem(where, f"unknown key.{hint} Known keys: {', '.join(sorted(known))}."))
            continue
        if name in result:
            problems.append(_problem(where, f"given twice (as {name} too)."))
        result[name] = value
    return result


def _checked_answers(spec_cls: type[Spec], answers: dict | None, path: str, problems: list[Problem],
                     extras: dict | None = None) -> dict | None:
    """One flow's answers with their keys checked, nested flows (kind spec) and rows (kind rows) too."""
    if answers is None:
        return None
    questions = {q.name: q for q in spec_cls.questions()}
    before = len(problems)
    answers = _snake_keys(answers, set(questions) | set(extras or {}), path, problems)
    for name, value in list(answers.items()):
        question = questions.get(name)
        if question is None:
            continue
        # a nested flow is a mapping of its answers; empty means its defaults, and new_function: true the tutorial's
        if question.kind == "spec" and isinstance(value, dict):
            answers[name] = _checked_answers(question.item, value, f"{path}.{name}", problems)
        elif question.kind == "spec" and not (value is None or (value is True and name == "new_function")):
            problems.append(_problem(f"{path}.{name}", f"must be a mapping of {question.item.flow} answers "
                                                       f"(got {value!r})."))
        elif question.kind == "rows" and isinstance(value, list):
            answers[name] = [_checked_answers(question.item, row, f"{path}.{name}[{i}]", problems)
                             if isinstance(row, dict) else row for i, row in enumerate(value)]
    return answers if len(problems) == before else None


def _build(spec_cls: type[Spec], answers: dict, path: str, problems: list[Problem]) -> Spec | None:
    """The spec of these answers (texts coerced), or None with the problems recorded under the path."""
    try:
        return spec_cls.from_answers(answers)
    except InputError as exc:
        problems += _at(path, exc.problems)
        return None
    except (TypeError, ValueError) as exc:
        problems.append(_problem(path, f"cannot read these answers ({exc})."))
        return None


def _trainees(value: Any, problems: list[Problem]) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        problems.append(_problem("trainees", f"must be a list of names (got {value!r})."))
        return ()
    for number, name in enumerate(value):
        if not re.fullmatch(TRAINEE_PATTERN, name):
            problems.append(_problem(f"trainees[{number}]", f"{name!r} must be 1-16 lowercase letters or digits, "
                                                            "starting with a letter (it names a folder and is put "
                                                            "into cloud resource names)."))
    repeated = sorted({name for name in value if value.count(name) > 1})
    if repeated:
        problems.append(_problem("trainees", f"{', '.join(repeated)} appear more than once."))
    return tuple(value)
