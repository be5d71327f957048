"""Asking in a terminal, the way `amplify` does, with rules that never change a project behind the user's back.

When a command may ask (`interactive`, `confirm`):
- `--yes`: nothing is asked; questions take their defaults (or the given answers), confirmations are yes.
- a terminal on stdin: the questions not answered by flags or `--answers` are asked; confirmations are asked.
- no terminal: a command proceeds only if nothing is left to ask: `--answers FILE` answers the whole flow (the
  questions it leaves out take their defaults), or flags answer every question that applies. A confirmation
  (push, publish, remove) always needs `--yes` there. Otherwise: NoTerminalError (exit 2), nothing changed.
At a prompt, end of input (Ctrl-D) or Ctrl-C raises Aborted: the command stops before writing anything.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

from .errors import InputError
from .specs import OPERATIONS, Question, Spec

NO_TERMINAL = "no terminal to ask: pass --yes or --answers FILE"


class NoTerminalError(InputError):
    """A question or a confirmation is left and stdin is not a terminal."""

    def __init__(self) -> None:
        super().__init__(NO_TERMINAL)


class Aborted(Exception):
    """The user ended input (Ctrl-D) or pressed Ctrl-C at a prompt."""


def terminal() -> bool:
    return sys.stdin.isatty()


def unanswered(spec: Spec, given: dict) -> list[Question]:
    """The questions that apply to the spec and that no flag or answers file answered."""
    return [q for q in spec.questions() if q.name not in given and q.applies(spec)]


def interactive(args: Any, spec: Spec | None = None, given: dict | None = None) -> bool:
    """Whether to ask the spec's questions now. Raises NoTerminalError when some are left without a terminal."""
    if getattr(args, "yes", False):
        return False
    if terminal():
        return True
    if getattr(args, "answers", None):
        return False
    if spec is not None and not unanswered(spec, given or {}):
        return False
    bad = [p for p in spec.problems() if p.field in (given or {})] if spec is not None else []
    if bad:  # a wrong answer given is the more useful message
        raise InputError(bad)
    raise NoTerminalError()


def read(prompt: str) -> str:
    """One line from the user; Ctrl-D or Ctrl-C -> Aborted."""
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        raise Aborted() from None


def yes_no(prompt: str, default: bool) -> bool:
    hint = "(Y/n)" if default else "(y/N)"
    while True:
        reply = read(f"? {prompt} {hint} ").strip().lower()
        if not reply:
            return default
        if reply in ("y", "yes"):
            return True
        if reply in ("n", "no"):
            return False
        print(">> Please answer y or n.")


def confirm(args: Any, question: str, default: bool = True) -> bool:
    """A confirmation before a change: --yes says yes; without a terminal it cannot be asked. What cannot be
    undone (env remove, delete) defaults to No, as Amplify asks it."""
    if getattr(args, "yes", False):
        return True
    if not terminal():
        raise NoTerminalError()
    return yes_no(question, default)


# --- questions ---------------------------------------------------------------------------------------------------
def match_option(reply: str, options: tuple[tuple[str, str], ...]) -> str:
    """What a person typed, as an option's value: its number, its value or its label in any case, or the start
    of one label ("prod" for "PROD (S3 with CloudFront using HTTPS)"); anything else is returned as typed, for
    the spec to refuse with its message."""
    reply = reply.strip()
    if reply.isdigit() and 1 <= int(reply) <= len(options):
        return options[int(reply) - 1][0]
    folded = reply.casefold()
    for value, label in options:
        if folded in (str(value).casefold(), str(label).casefold()):
            return value
    starting = [value for value, label in options if folded and str(label).casefold().startswith(folded)]
    return starting[0] if len(starting) == 1 else reply


def shown(value: Any) -> str:
    """A default as a person reads it: Yes/No, names separated by commas, nothing for an empty answer."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(shown(item) for item in value)
    return "" if value is None else str(value)


LEARN_MORE = "I want to learn more."


def choose(prompt: str, options: tuple[tuple[str, str], ...], default: Any, learn_more: str = "") -> str:
    """A numbered list; the reply is a number, a value or a label (any case); Enter takes the default.
    With learn_more, a last entry "I want to learn more." prints that text and asks again, as Amplify does."""
    listed = options + (((LEARN_MORE, LEARN_MORE),) if learn_more else ())
    while True:
        for number, (value, label) in enumerate(listed, start=1):
            print(f"  {number}. {label}" + ("  (default)" if value == default else ""))
        label = next((label for value, label in options if value == default), shown(default))
        hint = f" [{label}]" if label else ""
        reply = read(f"? {prompt}{hint}: ").strip()
        value = match_option(reply, listed) if reply else default
        if value != LEARN_MORE:
            return value
        print(f"\n{learn_more}\n")


def choose_many(prompt: str, options: tuple[tuple[str, str], ...], default: list) -> list[str]:
    for number, (value, label) in enumerate(options, start=1):
        print(f"  {number}. {label}" + ("  (selected)" if value in default else ""))
    reply = read(f"? {prompt} (numbers or names, comma-separated, e.g. 1,3) [{shown(default) or 'none'}]: ").strip()
    if not reply:
        return list(default)
    chosen = []
    for part in filter(None, (p.strip() for p in reply.replace(" ", ",").split(","))):
        value = match_option(part, options)
        if value not in chosen:  # "read,2" names read twice: once is what was meant
            chosen.append(value)
    return chosen


def reply_for(question: Question, spec: Spec, default: Any) -> Any:
    """Ask one plain question (not rows, access or nested answers) and return the raw reply."""
    options = question.options(spec)
    if question.kind == "choice":
        return choose(question.prompt, options, default, question.help if question.learn_more else "")
    if question.kind == "multi":
        return choose_many(question.prompt, options, list(default or []))
    if question.kind == "bool":
        return yes_no(question.prompt, bool(default))
    if question.kind == "mapping":
        current = ", ".join(f"{k}={v}" for k, v in default.items()) if isinstance(default, dict) else ""
        return read(f"? {question.prompt} (NAME=value, comma-separated) ({current}) ").strip() or default
    hint = f"({shown(default)}) " if shown(default) else ""
    return read(f"? {question.prompt} {hint}").strip() or default


def ask(spec: Spec, given: dict, defaults: Callable[[dict], Spec] | None = None) -> Spec:
    """Ask every question that applies and that no flag answered, with its default shown; re-ask a bad answer.

    defaults rebuilds the defaults from the answers so far (a framework's folders follow the framework);
    without it, Spec.answered() does (a default that follows an earlier answer).
    """
    given = dict(given)
    for question in spec.questions():
        if question.name in given or not question.applies(spec):
            continue
        while True:
            value = ask_value(question, spec)
            answer = {question.name: value}
            try:
                candidate = defaults({**given, **answer}) if defaults else spec.answered(answer)
            except InputError as exc:
                print(f">> {exc}")
                continue
            mine = [p for p in candidate.problems() if p.field == question.name]
            if mine:
                print(">> " + "\n>> ".join(p.message for p in mine))
                continue
            spec, given = candidate, {**given, **answer}
            break
    return spec


def ask_value(question: Question, spec: Spec) -> Any:
    """The value of one question, asked the way its kind needs (an optional yes/no first, if any)."""
    current = getattr(spec, question.name)
    if question.optional and question.kind != "rows" and not yes_no(question.optional, bool(current)):
        return type(current)()  # "", [] or {}: the optional answer left out
    if question.kind == "rows":
        return ask_rows(question, spec)
    if question.kind == "access":
        return ask_access(question, spec)
    if question.kind == "spec":
        nested, fixed = spec.nested(question.name)
        return ask(nested, fixed).applicable_answers()
    return reply_for(question, spec, current)


def ask_rows(question: Question, spec: Spec) -> list[dict]:
    """Amplify's loop: one row's questions, then "add another?"; a row is re-asked until its answers are valid.

    A row's choices come from the parent (a GSI's keys are the table's columns, including the rows given so far)."""
    item: type[Spec] = question.item
    rows: list[dict] = []
    if question.optional and not yes_no(question.optional, bool(getattr(spec, question.name))):
        return rows
    if not question.optional:
        print(question.prompt)
    while True:
        row = item.from_answers({})
        for row_question in item.questions():
            if not row_question.applies(row):  # a row's conditional question (a path's guest permissions)
                continue
            parent = spec.answered({question.name: rows})
            while True:
                if row_question.optional and not yes_no(row_question.optional, False):
                    value: Any = ""
                else:
                    options = row_question.options(parent)
                    if row_question.kind == "choice":
                        value = choose(row_question.prompt, options, getattr(row, row_question.name) or "")
                    else:
                        value = reply_for(row_question, row, getattr(row, row_question.name))
                try:
                    candidate = row.answered({row_question.name: value})
                except InputError as exc:
                    print(f">> {exc}")
                    continue
                mine = [p.message for p in candidate.problems() if p.field == row_question.name]
                values = [v for v, _ in row_question.options(parent)]
                if row_question.choices_from and value not in values and value != "":
                    mine.append(f"Choose one of: {', '.join(values)}.")
                if mine:
                    print(">> " + "\n>> ".join(mine))
                    continue
                row = candidate
                break
        new_row = {k: v for k, v in row.applicable_answers().items() if v not in ("", None)}
        whole = [p.message for p in spec.answered({question.name: rows + [new_row]}).problems()
                 if p.field == question.name]
        if whole:
            print(">> " + "\n>> ".join(whole))
        else:
            rows.append(new_row)
        if not yes_no(question.more, True):
            return rows


def ask_access(question: Question, spec: Spec) -> dict:
    """Amplify's resource access: the categories, then the resources of each, then the operations of each."""
    targets = question.options(spec)  # ("storage/beer", "storage: beer (DynamoDB)") pairs
    if not targets:
        print("  (the project has no resources to give access to yet)")
        return {}
    by_category: dict[str, list[str]] = {}
    for value, _ in targets:
        category, _, resource = value.partition("/")
        by_category.setdefault(category, []).append(resource)
    current = getattr(spec, question.name) or {}
    categories = _pick(question.prompt, list(by_category), list(current))
    access: dict = {}
    for category in categories:
        resources = by_category[category]
        if len(resources) > 1:
            resources = _pick(f"{category.capitalize()} has {len(resources)} resources in this project. Select the "
                              f"one you would like your Lambda to access", resources, list(current.get(category, {})))
        for resource in resources:
            ops = _pick(f"Select the operations you want to permit on {resource}", list(OPERATIONS),
                        current.get(category, {}).get(resource, []))
            if ops:
                access.setdefault(category, {})[resource] = ops
    return access


def _pick(prompt: str, values: list[str], default: list[str]) -> list[str]:
    """A multi-select re-asked until every reply is one of the values."""
    while True:
        chosen = choose_many(prompt, tuple((v, v) for v in values), [d for d in default if d in values])
        wrong = [c for c in chosen if c not in values]
        if not wrong:
            return chosen
        print(f">> Choose among: {', '.join(values)} (not {', '.join(wrong)}).")
