"""Which resource and method of a REST API a request path reaches, as API Gateway chooses them.

A literal path part beats a `{param}`, which beats the greedy `{proxy+}` (which must match at least one part);
trailing slashes are ignored when matching; a resource's own method beats its ANY. Values are returned as the
client sent them (percent-encoded): API Gateway does not decode path parameters.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ANY = "ANY"
_LITERAL, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class ResourceMatch:
    resource_path: str
    path_parameters: dict[str, str] | None


def _parts(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _match_one(template: str, parts: list[str]) -> tuple[list[int], dict[str, str]] | None:
    """The rank of each template part used (lower = more specific) and the parameters, or None."""
    template_parts = _parts(template)
    ranks: list[int] = []
    params: dict[str, str] = {}
    for index, part in enumerate(template_parts):
        if part.startswith("{") and part.endswith("+}"):
            rest = parts[index:]
            if index != len(template_parts) - 1 or not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            return ranks + [_GREEDY], params
        if index >= len(parts):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not parts[index]:
                return None
            params[part[1:-1]] = parts[index]
            ranks.append(_PARAM)
        elif part == parts[index]:
            ranks.append(_LITERAL)
        else:
            return None
    if len(template_parts) != len(parts):
        return None
    return ranks, params


def match_resource(resource_paths: Iterable[str], path: str) -> ResourceMatch | None:
    """The most specific resource template matching `path` (as sent, without the stage), or None."""
    parts = _parts(path)
    best: tuple[list[int], str, dict[str, str]] | None = None
    for template in resource_paths:
        found = _match_one(template, parts)
        if found is None:
            continue
        ranks, params = found
        if best is None or ranks < best[0]:
            best = (ranks, template, params)
    if best is None:
        return None
    return ResourceMatch(best[1], best[2] or None)


def match_method(methods: Iterable[str], http_method: str) -> str | None:
    """The method key a request uses on a resource: its own method first, then ANY."""
    available = {method.upper() for method in methods}
    if http_method.upper() in available:
        return http_method.upper()
    return ANY if ANY in available else None
