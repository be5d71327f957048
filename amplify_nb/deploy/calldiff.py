"""Which settings a planned call would change: its parameters compared with what the rule read from the cloud.

Rules plan a call when the cloud differs from the model; they do not say where. The call's own parameters say
what it would set, and the reads made while planning it say what the cloud has, so the difference is found
generically: each top-level parameter is looked up in the read responses by name (the shallowest node of that
name outside a list: `MemorySize` in get_function's `Configuration`, `BillingMode` in describe_table's
`BillingModeSummary`), then compared value by value. A parameter the cloud has no node for is an address
(`UserPoolId`, `restApiId`) when it is plain text, and a setting absent from the cloud when it is a document.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

from .plan import APICall, Joined, JsonText, Var


class _Absent:
    """No such setting (in the cloud, or in what the call sends)."""

    def __repr__(self) -> str:
        return "(none)"


ABSENT: Any = _Absent()
# The keys that name an object inside a list response (a resource's path, an index's name).
LABEL_KEYS = ("path", "name", "Name", "IndexName", "RoleName", "FunctionName", "TableName")
# Parameters naming what a call acts on, never shown as a setting.
ADDRESS_SUFFIXES = ("Id", "id", "Name", "Arn", "Bucket", "Resource", "resourceArn", "IfMatch")


@dataclass(frozen=True)
class SettingChange:
    """One setting a call would change, found at `path` in the call's parameters."""

    path: tuple  # keys and list indexes: ("Policies", "PasswordPolicy", "MinimumLength")
    cloud: Any = ABSENT
    wanted: Any = ABSENT

    @property
    def setting(self) -> str:
        return dotted(self.path)

    def drift_text(self) -> str:
        """As drift reads it: what was pushed, then what the cloud has now."""
        if self.cloud is ABSENT:
            return f"{self.setting}: {show(self.wanted)} -> missing in the cloud"
        if self.wanted is ABSENT:
            return f"{self.setting}: not pushed -> {show(self.cloud)} in the cloud"
        if _plain_list(self.wanted) or _plain_list(self.cloud):  # a list of actions: what was taken out or added
            wanted, cloud = _as_list(self.wanted), _as_list(self.cloud)
            gone = [item for item in wanted if item not in cloud]
            added = [item for item in cloud if item not in wanted]
            return f"{self.setting}: " + "; ".join(
                [f"{show(', '.join(map(str, gone)))} missing in the cloud"] * bool(gone)
                + [f"{show(', '.join(map(str, added)))} added in the cloud"] * bool(added))
        return f"{self.setting}: {show(self.wanted)} -> {show(self.cloud)} in the cloud"

    def repair_text(self) -> str:
        """As the repair reads it: the setting's last name, from the cloud's value to the pushed one."""
        leaf = next((part for part in reversed(self.path) if isinstance(part, str)), self.setting)
        return f"{leaf} {show(self.cloud)} -> {show(self.wanted)}"


@dataclass(frozen=True)
class CallChange:
    """A call whose parameters match the cloud everywhere it could be compared (a new API deployment, new code):
    the call itself is the change, named after what it acts on."""

    label: str

    def drift_text(self) -> str:
        return f"push would call {self.label}"

    def repair_text(self) -> str:
        return self.label


def call_changes(call: APICall, reads: list[dict]) -> list[SettingChange | CallChange]:
    """What this call would change, against the responses of the reads made while planning it."""
    params = plain(call.params)
    responses = [plain_response(response) for response in reads]
    changes: list = []
    for name, value in params.items():
        found = find_node(name, responses)
        if found is ABSENT:
            if isinstance(value, (dict, list)) and value:
                changes.append(SettingChange((name,), ABSENT, value))
            continue
        changes += diff(value, found, (name,))
    return changes or [CallChange(call_label(call, params, responses))]


def diff(wanted: Any, cloud: Any, path: tuple) -> list[SettingChange]:
    """Every leaf where wanted and cloud differ. Keys only the cloud has count inside nested documents (a
    function's Environment.Variables), not at the top of a call, where the call may set only some (tags)."""
    one_wanted, one_cloud = _single(wanted), _single(cloud)  # IAM's "Action": "x" is ["x"]
    if isinstance(one_wanted, dict) and isinstance(one_cloud, dict):
        changes = []
        for key, value in one_wanted.items():
            changes += diff(value, one_cloud[key], path + (key,)) if key in one_cloud else [
                SettingChange(path + (key,), ABSENT, value)]
        if len(path) > 1:
            changes += [SettingChange(path + (key,), value, ABSENT)
                        for key, value in one_cloud.items() if key not in one_wanted]
        return changes
    if canonical(wanted) == canonical(cloud):
        return []
    if (isinstance(wanted, list) and isinstance(cloud, list) and len(wanted) == len(cloud)
            and all(isinstance(item, dict) for item in wanted + cloud)):
        return [change for index, (w, c) in enumerate(zip(wanted, cloud)) for change in diff(w, c, path + (index,))]
    return [SettingChange(path, cloud, wanted)]


def find_node(name: str, responses: list[dict]) -> Any:
    """The cloud's value for a parameter: the shallowest node of that name outside lists (else of a name ending
    with it: update_assume_role_policy's PolicyDocument is get_role's AssumeRolePolicyDocument), ABSENT if there
    is none or several that disagree (then it cannot be told which one the call sets)."""
    nodes = [(path, value) for response in responses for path, value in _nodes(response)]
    found = [(len(path), value) for path, value in nodes if path[-1] == name] or [
        (len(path), value) for path, value in nodes if isinstance(path[-1], str) and path[-1].endswith(name)]
    if not found:
        return ABSENT
    depth = min(d for d, _ in found)
    values = [value for d, value in found if d == depth]
    return values[0] if all(canonical(v) == canonical(values[0]) for v in values) else ABSENT


def call_label(call: APICall, params: dict, responses: list[dict]) -> str:
    """The call and what it acts on: ids are named by the object that carries them in a read (`/extra` for a
    resource id), other short plain parameters are shown as they are."""
    parts = []
    for key, value in params.items():
        if not isinstance(value, str):
            continue
        named = _label_of(value, responses)
        if named:
            parts.append(named)
        elif not key.endswith(ADDRESS_SUFFIXES) and len(value) <= 24:
            parts.append(f"{key} {value}")
    return " ".join([call.method] + parts)


def _label_of(value: str, responses: list[dict]) -> str | None:
    for response in responses:
        for holder in _dicts(response):
            if any(holder.get(key) == value for key in ("id", "Id")):
                label = next((holder[k] for k in LABEL_KEYS if isinstance(holder.get(k), str)), None)
                if label:
                    return label
    return None


def _nodes(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), item
            yield from _nodes(item, path + (key,))


def _dicts(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item)


def plain(value: Any) -> Any:
    """Parameters as the service would receive them, for comparing: documents as documents, unknown values as
    their placeholder, file contents left out (code is compared by its hash by the rule itself)."""
    if isinstance(value, JsonText):
        return plain(value.document)
    if isinstance(value, (Var, Joined)):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not isinstance(v, bytes)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def plain_response(response: Any) -> Any:
    """A read's response without its metadata, JSON documents sent as text (a bucket policy) parsed."""
    if isinstance(response, dict):
        return {k: plain_response(v) for k, v in response.items() if k != "ResponseMetadata"}
    if isinstance(response, list):
        return [plain_response(v) for v in response]
    if isinstance(response, str) and response[:1] == "{":
        try:
            return json.loads(response)
        except ValueError:
            return response
    return response


def canonical(value: Any) -> Any:
    """A form where the order of lists and keys does not count, and a one-item list equals its item."""
    value = _single(value)
    if isinstance(value, dict):
        return tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(sorted((canonical(v) for v in value), key=repr))
    return value


def _plain_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def show(value: Any, limit: int = 60) -> str:
    """A value in a line of text: plain text as is, documents as compact JSON, cut at `limit`."""
    if value is ABSENT:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, default=str, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"
