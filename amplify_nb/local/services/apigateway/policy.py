"""IAM policy evaluation for execute-api:Invoke, as IAM decides it: an explicit Deny wins, then any Allow.

Statements may use Action / NotAction, Resource / NotResource, and the `*` and `?` wildcards (actions compare
case-insensitively, resources case-sensitively). Conditions are not evaluated here, so a statement with a
Condition fails safe: it never allows, and a conditioned Deny denies.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ALLOW, DENY, IMPLICIT_DENY = "allow", "deny", "implicit-deny"


@dataclass(frozen=True)
class Decision:
    effect: str  # allow | deny | implicit-deny
    reason: str

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW


@lru_cache(maxsize=4096)
def _pattern(wildcard: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in wildcard)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return bool(_pattern(pattern, ignore_case).match(value))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement:
        if not any(wildcard_match(p, action, ignore_case=True) for p in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(wildcard_match(p, action, ignore_case=True) for p in _as_list(statement["NotAction"])):
            return False
    else:
        return False
    if "Resource" in statement:
        return any(wildcard_match(p, resource) for p in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(wildcard_match(p, resource) for p in _as_list(statement["NotResource"]))
    return False


def parse_document(document: str | dict[str, Any]) -> dict[str, Any]:
    """A policy document as IAM stores it (JSON text, maybe URL-encoded by moto) as a dict."""
    if isinstance(document, dict):
        return document
    from urllib.parse import unquote

    text = document.strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = unquote(text)
    return json.loads(text)


def evaluate(documents: Iterable[tuple[str, str | dict[str, Any]]], action: str, resource: str) -> Decision:
    """Decide `action` on `resource` from (policy name, document) pairs."""
    allowed_by: str | None = None
    for name, document in documents:
        try:
            statements = parse_document(document).get("Statement", [])
        except (ValueError, AttributeError):
            continue
        for statement in statements if isinstance(statements, list) else [statements]:
            if not isinstance(statement, dict) or not _applies(statement, action, resource):
                continue
            effect = str(statement.get("Effect", ""))
            if effect == "Deny":
                return Decision(DENY, f"explicit Deny in policy {name}")
            if effect == "Allow" and "Condition" not in statement and allowed_by is None:
                allowed_by = name
    if allowed_by is not None:
        return Decision(ALLOW, f"allowed by policy {allowed_by}")
    return Decision(IMPLICIT_DENY, "no policy allows it")
