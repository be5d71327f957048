"""The shape every question flow shares: a dataclass of answers with defaults and a problems() check.

The same field names are spec fields, papermill/YAML keys, `--answers` keys and (kebab-cased) CLI flags, so the
three front-ends (form, CLI, notebook parameters) fill one spec and one action consumes it.

Beyond plain answers a question can be
- conditional (`when=`): it applies only once earlier answers make it so; front-ends skip it otherwise and the
  spec's problems() ignore it;
- repeated (kind "rows", `item=` a Spec of one row): the value is a list of dicts (a table's columns);
- a resource-access mapping (kind "access"): {category: {resource: [create, read, update, delete]}}, whose
  choices are the project's resources, which the front-end gives the spec as its `resources` context;
- a mapping of names to strings (kind "mapping": extra environment variables);
- nested answers of another flow (kind "spec", `item=` that Spec: a function's new table).
A default may follow earlier answers (`follows=`) until the user answers that question: see Spec.answered().
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable

import yaml

from ..errors import InputError, Problem

OPERATIONS = ("create", "read", "update", "delete")


@dataclass(frozen=True)
class ProjectResource:
    """One resource of the project, as a spec sees it: what `access` and `table` may name."""

    category: str
    name: str
    service: str = ""  # backend-config's service: DynamoDB, S3, Lambda, Cognito, "API Gateway", ...


def resources_from_backend_config(config: dict) -> tuple[ProjectResource, ...]:
    """The project's resources from backend-config.json's {category: {resource: {service, ...}}}."""
    return tuple(ProjectResource(category, name, (entry or {}).get("service", ""))
                 for category, resources in sorted((config or {}).items())
                 for name, entry in sorted((resources or {}).items()))


@dataclass(frozen=True)
class Question:
    """How a front-end asks for one answer."""

    name: str
    prompt: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    kind: str = "text"  # text | choice | int | bool | multi | rows | access | mapping | spec
    when: Callable[[Any], bool] | None = None  # spec -> does this question apply yet?
    choices_from: Callable[[Any], Iterable] | None = None  # spec -> choices that depend on earlier answers
    item: type | None = None  # rows: the Spec of one row; spec: the nested flow's Spec
    optional: str = ""  # a yes/no asked first (rows: "add any?"); "no" leaves the answer empty
    more: str = ""  # rows: asked after each row
    follows: Callable[[Any], Any] | None = None  # spec -> the default, while the question is unanswered
    learn_more: bool = False  # a menu's extra "I want to learn more." entry, which shows the help and asks again

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def applies(self, spec: "Spec") -> bool:
        return self.when is None or bool(self.when(spec))

    def options(self, spec: "Spec") -> tuple[tuple[str, str], ...]:
        """The choices as (value, label) pairs; dynamic ones computed from the spec (a row's: its parent's)."""
        if self.choices_from is None:
            return self.choices
        return _pairs(self.choices_from(spec))

    @property
    def flag_help(self) -> str:
        """--help text: the prompt, the choices, and the text forms the structured kinds accept."""
        values = [value for value, _ in self.choices]
        if self.kind == "rows" and self.item is not None:
            names = ":".join(q.name for q in self.item.questions())
            return f"{self.prompt} (JSON list of objects, or comma-separated {names} rows, e.g. {_row_example(self)})"
        if self.kind == "access":
            return (f"{self.prompt} (JSON/YAML {{category: {{resource: [ops]}}}}, or CATEGORY/RESOURCE=OP+OP,... "
                    f"with ops from {', '.join(OPERATIONS)}; e.g. storage/beer=create+read)")
        if self.kind == "mapping":
            return f"{self.prompt} (JSON/YAML mapping, or NAME=VALUE,NAME=VALUE)"
        if self.kind == "spec":
            return f"{self.prompt} (a JSON/YAML mapping of {self.item.flow} answers)"
        if self.kind == "multi":
            return f"{self.prompt} (comma-separated: {', '.join(values)})"
        return self.prompt + (f" ({', '.join(values)})" if values else "")


def _row_example(question: Question) -> str:
    return {"columns": "id:string,name:string,abv:number", "gsis": "byName:name,byStyle:style:abv",
            "more_paths": "/stats:beerLambda,/open/{id}:beerLambda:no"}.get(
        question.name, ":".join(q.name for q in question.item.questions()))


def _pairs(choices: Iterable) -> tuple[tuple[str, str], ...]:
    return tuple((c, c) if isinstance(c, str) else tuple(c) for c in choices)


def answer(default: Any, prompt: str, help: str = "", choices: Iterable = (), kind: str | None = None, *,
           when: Callable[[Any], bool] | None = None, choices_from: Callable[[Any], Iterable] | None = None,
           item: type | None = None, optional: str = "", more: str = "",
           follows: Callable[[Any], Any] | None = None, learn_more: bool = False, setting: bool = True) -> Any:
    """A spec field carrying its question. choices are values or (value, label) pairs.

    setting=False: the answer only steers which questions are asked (auth's "configure advanced settings?"); it is
    not part of the resource, so two specs that differ only there are equal."""
    pairs = _pairs(choices)
    if kind is None:
        kind = ("choice" if pairs or choices_from else "bool" if isinstance(default, bool)
                else "int" if isinstance(default, int) else "text")
    meta = {"question": dict(prompt=prompt, help=help, choices=pairs, kind=kind, when=when, choices_from=choices_from,
                             item=item, optional=optional, more=more, follows=follows,
                             learn_more=learn_more)}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: json.loads(json.dumps(default)), metadata=meta,  # a deep copy each time
                     compare=setting)
    return field(default=default, metadata=meta, compare=setting)


def context(default: Any = None, default_factory: Callable[[], Any] | None = None) -> Any:
    """A spec field that is not an answer: what the front-end knows about the project (its resources)."""
    if default_factory is not None:
        return field(default_factory=default_factory, compare=False, repr=False, metadata={"context": True})
    return field(default=default, compare=False, repr=False, metadata={"context": True})


@dataclass
class Spec:
    """Base of every flow's answers. Subclasses add fields made with answer() and implement problems()."""

    flow: ClassVar[str] = ""

    @classmethod
    def questions(cls) -> list[Question]:
        return [
            Question(name=f.name, **f.metadata["question"])
            for f in dataclasses.fields(cls)
            if "question" in f.metadata
        ]

    @classmethod
    def question(cls, name: str) -> Question:
        return next(q for q in cls.questions() if q.name == name)

    @classmethod
    def from_answers(cls, answers: dict[str, Any] | None = None, **defaults: Any):
        """Build a spec from answers (CLI flags, YAML, papermill parameters), over the given defaults.

        Unknown names are refused, so a typo in an answers file does not silently take a default. The defaults
        may also set context fields (the project's resources).
        """
        if answers is not None and not isinstance(answers, dict):
            raise InputError(f"The {cls.flow or 'flow'} answers must be a mapping of answer names to values "
                             f"(got {answers!r}).")
        answers = {k: v for k, v in (answers or {}).items() if v is not None}
        known = {q.name for q in cls.questions()}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InputError([Problem(name, f"Unknown answer {name!r} for {cls.flow}; known answers: {', '.join(sorted(known))}.") for name in unknown])
        settable = {f.name for f in dataclasses.fields(cls) if f.init}
        values = {**{k: v for k, v in defaults.items() if k in settable}, **answers}
        return cls(**{k: _coerce(cls, k, v) for k, v in values.items()})

    def changed_settings(self, other: "Spec") -> list[str]:
        """The answers that make this resource differ from `other` (those that only steer the questions left out)."""
        return [f.name for f in dataclasses.fields(self)
                if f.compare and "question" in f.metadata and getattr(self, f.name) != getattr(other, f.name)]

    def to_answers(self) -> dict[str, Any]:
        return {q.name: getattr(self, q.name) for q in self.questions()}

    def applicable_answers(self) -> dict[str, Any]:
        """The answers of the questions that apply (what a file of this resource should record)."""
        return {q.name: getattr(self, q.name) for q in self.questions() if q.applies(self)}

    def __post_init__(self) -> None:
        """An empty answer whose default follows earlier answers (`follows=`) takes that default."""
        for question in self.questions():
            if question.follows is not None and getattr(self, question.name) == "":
                setattr(self, question.name, question.follows(self))

    @classmethod
    def default_of(cls, name: str) -> Any:
        """A field's declared default (before any derived default)."""
        found = next(f for f in dataclasses.fields(cls) if f.name == name)
        return found.default_factory() if found.default_factory is not dataclasses.MISSING else found.default

    def applies(self, name: str) -> bool:
        return self.question(name).applies(self)

    def answered(self, given: dict[str, Any]):
        """This spec with the given answers on top; a default that follows earlier answers (`follows=`) is
        re-derived unless it was answered or no longer equals what it followed (the user changed it)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        fresh = type(self).from_answers(given, **values)
        for question in self.questions():
            if question.follows is None or question.name in given:
                continue
            if getattr(self, question.name) == question.follows(self):
                fresh = dataclasses.replace(fresh, **{question.name: question.follows(fresh)})
        return fresh

    def nested(self, name: str) -> tuple["Spec", dict]:
        """For a question of kind "spec": the nested flow's spec to start from, and the answers it must not ask."""
        value = getattr(self, name)
        return self.question(name).item.from_answers(value if isinstance(value, dict) else {}), {}

    def problems(self) -> list[Problem]:  # pragma: no cover - every flow overrides
        return []

    def check(self):
        """Return self when valid, else raise InputError with every message (nothing has been changed yet)."""
        found = self.problems()
        if found:
            raise InputError(found)
        return self

    def replace(self, **changes: Any):
        return dataclasses.replace(self, **changes)


def _coerce(cls: type, name: str, value: Any) -> Any:
    """Answers from a CLI or YAML arrive as text; turn them into the field's type."""
    questions = {q.name: q for q in cls.questions()}
    question = questions.get(name)
    kind = question.kind if question else None
    if kind == "int" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if kind == "bool" and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("y", "yes", "true", "1"):
            return True
        if lowered in ("n", "no", "false", "0"):
            return False
    if kind == "multi" and isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if kind == "rows":
        return _coerce_rows(question, value)
    if kind == "access" and isinstance(value, str):
        return _parse_access(name, value)
    if kind == "mapping" and isinstance(value, str):
        return _parse_structured(name, value, pairs="=")
    if kind == "spec" and isinstance(value, str):
        return _parse_structured(name, value)
    return value


def _parse_structured(name: str, text: str, pairs: str = "") -> Any:
    """A flag's JSON or YAML flow text ({...}, [...]); with pairs, also NAME<pairs>VALUE,NAME<pairs>VALUE."""
    stripped = text.strip()
    if not stripped:
        return {} if pairs else stripped
    if stripped[0] in "[{" or not pairs:
        try:
            return yaml.safe_load(stripped)
        except yaml.YAMLError as exc:
            raise InputError([Problem(name, f"{name}: cannot read {text!r} as JSON or YAML ({exc}).")]) from None
    result = {}
    for part in filter(None, (p.strip() for p in stripped.split(","))):
        key, sep, value = part.partition(pairs)
        if not sep:
            raise InputError([Problem(name, f"{name}: {part!r} should be NAME{pairs}VALUE.")])
        result[key.strip()] = value.strip()
    return result


def _parse_access(name: str, text: str) -> Any:
    """CATEGORY/RESOURCE=OP+OP,... (or JSON/YAML) -> {category: {resource: [ops]}}."""
    stripped = text.strip()
    if stripped[:1] in "[{":
        return _parse_structured(name, stripped)
    access: dict = {}
    for part in filter(None, (p.strip() for p in stripped.split(","))):
        target, sep, ops = part.partition("=")
        category, slash, resource = target.partition("/")
        if not sep or not slash or not category.strip() or not resource.strip():
            raise InputError([Problem(name, f"{name}: {part!r} should be CATEGORY/RESOURCE=OP+OP "
                                            f"(e.g. storage/beer=create+read).")])
        access.setdefault(category.strip(), {})[resource.strip()] = [op.strip() for op in ops.split("+") if op.strip()]
    return access


def _coerce_rows(question: Question, value: Any) -> Any:
    """Rows from a flag (JSON, or a:b,c:d mapped onto the row's questions in order) or YAML (a list of
    mappings); each row is checked for unknown answers and coerced by the row's spec."""
    item: type[Spec] = question.item
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in "[{":
            value = _parse_structured(question.name, stripped)
        else:
            names = [q.name for q in item.questions()]
            value = []
            for part in filter(None, (p.strip() for p in stripped.split(","))):
                fields = [f.strip() for f in part.split(":")]
                if len(fields) > len(names):
                    raise InputError([Problem(question.name, f"{question.name}: {part!r} has more than "
                                                             f"{len(names)} parts ({':'.join(names)}).")])
                value.append({n: f for n, f in zip(names, fields) if f})
    if not isinstance(value, list):
        return value  # problems() says what is wrong with it
    rows = []
    for number, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            rows.append(row)
            continue
        try:
            parsed = item.from_answers(row)  # refuses unknown answers, coerces text
        except InputError as exc:
            raise InputError([Problem(question.name, f"{question.name} row {number}: {p.message}")
                              for p in exc.problems]) from None
        rows.append({k: getattr(parsed, k) for k in row if row[k] is not None})
    return rows


def row_problems(question: Question, rows: Any, what: str) -> list[Problem]:
    """Each row checked by its own spec; messages name the row ("Column 2 (abv): ...")."""
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return [Problem(question.name, f"{question.name} must be a list of mappings (got {rows!r}).")]
    found = []
    for number, row in enumerate(rows, start=1):
        label = f"{what} {number}" + (f" ({row['name']})" if isinstance(row.get("name"), str) and row["name"] else "")
        try:
            problems = question.item.from_answers(row).problems()
        except InputError as exc:
            problems = exc.problems
        found += [Problem(question.name, f"{label}: {p.message}") for p in problems]
    return found


def access_problems(field_name: str, access: Any, resources: Iterable[ProjectResource],
                    exclude: tuple[str, str] | None = None) -> list[Problem]:
    """An access mapping names resources the project has, each with operations among create/read/update/delete."""
    if not isinstance(access, dict):
        return [Problem(field_name, f"Access must be a mapping {{category: {{resource: [operations]}}}} (got {access!r}).")]
    known = {(r.category, r.name) for r in resources}
    found = []
    for category, targets in access.items():
        if not isinstance(targets, dict):
            found.append(Problem(field_name, f"Access to {category!r} must map resource names to operations (got {targets!r})."))
            continue
        for resource, ops in targets.items():
            if (category, resource) not in known or (category, resource) == exclude:
                names = ", ".join(f"{c}/{n}" for c, n in sorted(known) if (c, n) != exclude) or "none"
                found.append(Problem(field_name, f"The project has no {category} resource {resource!r} to give access "
                                                 f"to (resources: {names})."))
            found += operations_problems(
                field_name, ops, f"Operations on {category}/{resource} must be a non-empty list of",
                f"Each operation on {category}/{resource} may appear only once.")
    return found


def operations_problems(field_name: str, ops: Any, invalid: str, repeated: str) -> list[Problem]:
    """A list of create/read/update/delete: not empty, nothing else, nothing twice (the messages name its subject)."""
    if not isinstance(ops, list) or not ops or any(op not in OPERATIONS for op in ops):
        return [Problem(field_name, f"{invalid}: {', '.join(OPERATIONS)} (got {ops!r}).")]
    if len(set(ops)) != len(ops):
        return [Problem(field_name, repeated)]
    return []


def check_pattern(field_name: str, value: Any, pattern: str, message: str) -> list[Problem]:
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        return [Problem(field_name, message)]
    return []


def check_choice(spec: Spec, field_name: str, what: str) -> list[Problem]:
    question = spec.question(field_name)
    values = [value for value, _ in question.options(spec)]
    if getattr(spec, field_name) not in values:
        return [Problem(field_name, f"{what} must be one of: {', '.join(values)} (got {getattr(spec, field_name)!r}).")]
    return []


class InProject:
    """For specs with the context fields project_name and resources (storage, function)."""

    @classmethod
    def for_project(cls, project_name: str, resources=None, answers: dict | None = None):
        """Amplify's defaults in this project (its name and resources), overridden by the given answers."""
        return cls.from_answers(answers, project_name=project_name,
                                resources=None if resources is None else tuple(resources))
