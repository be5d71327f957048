"""Exceptions with messages a trainee can act on.

Front-ends map them to exit codes: InputError -> 2 (bad input, nothing changed), any other AmplifyNbError -> 1.
"""
from __future__ import annotations

from dataclasses import dataclass


class AmplifyNbError(Exception):
    """An operation failed; the message says what to do next."""


class InputError(AmplifyNbError):
    """The user's input was refused before anything was written or created."""

    def __init__(self, problems: "list[Problem] | str"):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Problem:
    """One validation message, tied to the answer (field) it is about."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class ProjectNotFoundError(AmplifyNbError):
    """The folder has no amplify/ project yet."""


class PushInProgressError(AmplifyNbError):
    """Another push or publish holds the project lock."""


class CloudError(AmplifyNbError):
    """A call to the cloud failed; the message names the step and the service's own error."""


class UnsafeDeletionError(AmplifyNbError):
    """A plan would delete a resource that belongs to another env or project: refused before any call."""
