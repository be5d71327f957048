"""Resource models: what the project wants to exist in the cloud, by physical name.

Models are plain data. Planner rules (deploy/rules/) know how to read one from the cloud and which calls
make it match. Every model is found by its name, so a push that was killed can always tell what exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .plan import Var


@dataclass(frozen=True)
class Resource:
    type_name: ClassVar[str] = ""
    name: str

    @property
    def key(self) -> str:
        return f"{self.type_name}:{self.name}"

    def ref(self, attribute: str) -> Var:
        """A value of this resource (Arn, Id...) stored while the plan runs."""
        return Var(f"{self.key}.{attribute}")

    def identity(self) -> dict:
        """What is recorded after a push, enough for the sweeper to find and delete it later."""
        return {"type": self.type_name, "name": self.name}


@dataclass(frozen=True)
class Bucket(Resource):
    type_name: ClassVar[str] = "s3.Bucket"
    policy: dict | None = None
    block_public_access: dict = field(default_factory=lambda: dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))
    website: dict | None = None
    tags: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Role(Resource):
    type_name: ClassVar[str] = "iam.Role"
    assume_role_policy: dict = field(default_factory=dict)
    inline_policies: dict = field(default_factory=dict)  # policy name -> document
    description: str = ""
    tags: dict = field(default_factory=dict)


def freeze(value: Any) -> Any:
    """A canonical form of a JSON document, to compare the cloud's copy with ours."""
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(sorted((freeze(v) for v in value), key=repr)) if len(value) != 1 else freeze(value[0])
    return value
