"""Read-only access to the cloud for the planner: describe/list/get calls only, 'not found' as None."""
from __future__ import annotations

import copy
import json
from typing import Any

import botocore.exceptions

from ..aws import Target, error_code
from ..errors import CloudError

READ_PREFIXES = ("get_", "list_", "describe_", "head_")


class RemoteState:
    """The planner's view of the cloud. It refuses mutating methods, so planning can never change anything.

    `answers`, a dict shared by the plans made of one moment (the push plan and the drift check shown with it),
    keeps every answer, so the second plan reads nothing the first one already read.
    """

    def __init__(self, target: Target, answers: dict[str, Any] | None = None):
        self.target = target
        self.answers = answers

    def read(self, service: str, method: str, missing: tuple[str, ...] = (), **params: Any) -> Any:
        if not method.startswith(READ_PREFIXES):
            raise AssertionError(f"the planner may only read; {service}.{method} is not a read call")
        return self._answer(("read", service, method, missing, params), lambda: self._read(service, method, missing, params))

    def _answer(self, call: tuple, ask: Any) -> Any:
        if self.answers is None:
            return ask()
        key = json.dumps(call, sort_keys=True, default=str)
        if key not in self.answers:
            self.answers[key] = ask()
        return copy.deepcopy(self.answers[key])  # a rule may change what it was given

    def _read(self, service: str, method: str, missing: tuple[str, ...], params: dict[str, Any]) -> Any:
        try:
            return getattr(self.target.client(service), method)(**params)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in missing:
                return None
            raise CloudError(f"Reading {service} ({method}) failed: {exc}") from exc
        except botocore.exceptions.BotoCoreError as exc:
            raise CloudError(self.target.explain_failure(exc)) from exc

    def paginate(self, service: str, method: str, key: str, **params: Any) -> list:
        """Every item of every page; key is a JMESPath to the items ("UserPools", "DistributionList.Items")."""
        if not method.startswith(READ_PREFIXES):
            raise AssertionError(f"the planner may only read; {service}.{method} is not a read call")
        return self._answer(("paginate", service, method, key, params), lambda: self._paginate(service, method, key, params))

    def _paginate(self, service: str, method: str, key: str, params: dict[str, Any]) -> list:
        try:
            pages = self.target.client(service).get_paginator(method).paginate(**params)
            return [item for item in pages.search(key) if item is not None]
        except botocore.exceptions.ClientError as exc:
            raise CloudError(f"Reading {service} ({method}) failed: {exc}") from exc
        except botocore.exceptions.BotoCoreError as exc:  # no credentials, expired SSO token, endpoint down
            raise CloudError(self.target.explain_failure(exc)) from exc

    @property
    def region(self) -> str:
        return self.target.region

    @property
    def account_id(self) -> str:
        return self.target.account_id
