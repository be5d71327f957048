"""Defer openapi_spec_validator (2 s to import, jsonschema included) until moto really validates an OpenAPI file.

moto.apigateway.models imports it at module level, so every start of a local cloud holding one REST API paid
those 2 s (loading a snapshot imports the modules of its objects), while only import_rest_api/put_rest_api
ever call it. Installed by the daemon before moto is imported: moto gets a light stand-in whose `validate`
imports the real library on first call, and whose OpenAPIValidationError is what that `validate` raises for
any of the real library's validation errors, so moto's `except OpenAPIValidationError` still catches them.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any

PACKAGE = "openapi_spec_validator"
EXCEPTIONS = f"{PACKAGE}.validation.exceptions"


class OpenAPIValidationError(Exception):
    """Stands for the real library's OpenAPIValidationError in moto's `except` clauses (which read .message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def validate(*args: Any, **kwargs: Any) -> Any:
    real = _real()
    try:
        return real.validate(*args, **kwargs)
    except importlib.import_module(EXCEPTIONS).OpenAPIValidationError as error:
        raise OpenAPIValidationError(getattr(error, "message", str(error))) from error


def _real() -> types.ModuleType:
    stand_in = sys.modules.get(PACKAGE)
    if stand_in is not None and getattr(stand_in, "_amplify_nb_stand_in", False):
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]
    return importlib.import_module(PACKAGE)


def install() -> None:
    """Put the stand-ins in sys.modules unless the real library is already imported."""
    if PACKAGE in sys.modules:
        return
    package = types.ModuleType(PACKAGE, __doc__)
    package.validate = validate  # type: ignore[attr-defined]
    package.__path__ = []  # a package, so its submodules can be imported from it
    package._amplify_nb_stand_in = True  # type: ignore[attr-defined]
    validation = types.ModuleType(f"{PACKAGE}.validation")
    validation.__path__ = []
    exceptions = types.ModuleType(EXCEPTIONS)
    exceptions.OpenAPIValidationError = OpenAPIValidationError  # type: ignore[attr-defined]
    validation.exceptions = exceptions  # type: ignore[attr-defined]
    package.validation = validation  # type: ignore[attr-defined]
    sys.modules.update({PACKAGE: package, f"{PACKAGE}.validation": validation, EXCEPTIONS: exceptions})
