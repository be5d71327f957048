"""Which env a resource found by name belongs to: its `amplify-nb:stack` tag (the env's root stack, unique per
project and env). Names like `<table>-<env>` or `<function>-<env>` are not unique on a shared cloud: another
project's env `dev` may have a table `beer-dev` too, which a push must never adopt, change or delete."""
from __future__ import annotations

from ..errors import InputError, Problem

OWNER_TAG = "amplify-nb:stack"


def check_owned(kind: str, name: str, wanted_tags: dict, found_tags: dict | None, choose_another: str,
                settled: bool = True) -> None:
    """Refuse (InputError, nothing changed) a resource of that name that is not tagged as this env's.

    A model without the tag (tests, tools) checks nothing. `settled` False (a table still CREATING after a killed
    push) lets a missing tag pass: tags given at creation may show only once the resource is ready.
    """
    mine = wanted_tags.get(OWNER_TAG)
    theirs = (found_tags or {}).get(OWNER_TAG)
    if mine is None or theirs == mine or (theirs is None and not settled):
        return
    whose = (f"its {OWNER_TAG} tag is {theirs!r}, another project's or env's" if theirs
             else f"it has no {OWNER_TAG} tag: it was made outside this project")
    raise InputError([Problem("name", (
        f"A {kind} named {name!r} already exists on this cloud and is not this env's ({whose}; this env's is "
        f"{mine!r}), so this push will not adopt, change or delete it. {choose_another} Nothing was changed."))])
