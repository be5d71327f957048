"""The shape every question flow shares: a dataclass of answers with defaults and a validate().

The same field names are spec fields, papermill/YAML keys, `--answers` keys and (kebab-cased) CLI flags, so the
three front-ends (form, CLI, notebook parameters) fill one spec and one action consumes it.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

from ..errors import InputError, Problem


@dataclass(frozen=True)
class Question:
    """How a front-end asks for one answer."""

    name: str
    prompt: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    kind: str = "text"  # text | choice | int | bool | multi

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def answer(default: Any, prompt: str, help: str = "", choices: Iterable = (), kind: str | None = None) -> Any:
    """A spec field carrying its question. choices are values or (value, label) pairs."""
    pairs = tuple((c, c) if isinstance(c, str) else tuple(c) for c in choices)
    if kind is None:
        kind = "choice" if pairs else "bool" if isinstance(default, bool) else "int" if isinstance(default, int) else "text"
    meta = {"question": dict(prompt=prompt, help=help, choices=pairs, kind=kind)}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


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

        Unknown names are refused, so a typo in an answers file does not silently take a default.
        """
        answers = {k: v for k, v in (answers or {}).items() if v is not None}
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InputError([Problem(name, f"Unknown answer {name!r} for {cls.flow}; known answers: {', '.join(sorted(known))}.") for name in unknown])
        values = {**{k: v for k, v in defaults.items() if k in known}, **answers}
        return cls(**{k: _coerce(cls, k, v) for k, v in values.items()})

    def to_answers(self) -> dict[str, Any]:
        return {q.name: getattr(self, q.name) for q in self.questions()}

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
    kinds = {q.name: q.kind for q in cls.questions()}
    kind = kinds.get(name)
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
    return value


def check_pattern(field_name: str, value: Any, pattern: str, message: str) -> list[Problem]:
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        return [Problem(field_name, message)]
    return []


def check_choice(spec: Spec, field_name: str, what: str) -> list[Problem]:
    question = spec.question(field_name)
    values = [value for value, _ in question.choices]
    if getattr(spec, field_name) not in values:
        return [Problem(field_name, f"{what} must be one of: {', '.join(values)} (got {getattr(spec, field_name)!r}).")]
    return []
