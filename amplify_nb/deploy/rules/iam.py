"""Planner rules for IAM roles (trust and tags) and for inline role policies, each compared with the cloud's copy.

A role's rule leaves its inline policies alone: each is a RolePolicy model with its own owner, so the sweeper
removes a policy only when the category that made it no longer wants it."""
from __future__ import annotations

import json
from urllib.parse import unquote

from ..models import Role, RolePolicy, freeze
from ..plan import APICall, JsonText, StoreValue
from ..planner import rule
from ..remote import RemoteState


@rule(Role)
class RoleRule:
    def plan(self, role: Role, remote: RemoteState) -> list:
        key, name = role.key, role.name
        found = remote.read("iam", "get_role", missing=("NoSuchEntity",), RoleName=name)
        steps: list = [StoreValue(f"{key}.Name", name)]
        if found is None:
            params = {"RoleName": name, "AssumeRolePolicyDocument": JsonText(role.assume_role_policy)}
            if role.description:
                params["Description"] = role.description
            if role.tags:
                params["Tags"] = [{"Key": k, "Value": v} for k, v in role.tags.items()]
            steps.append(APICall(key, "create", "iam", "create_role", params, store={f"{key}.Arn": "Role.Arn"}))
        else:
            steps.append(StoreValue(f"{key}.Arn", found["Role"]["Arn"]))
            if freeze(_document(found["Role"]["AssumeRolePolicyDocument"])) != freeze(role.assume_role_policy):
                steps.append(APICall(key, "update", "iam", "update_assume_role_policy",
                                     {"RoleName": name, "PolicyDocument": JsonText(role.assume_role_policy)}))
            current_tags = {t["Key"]: t["Value"] for t in found["Role"].get("Tags", [])}
            if role.tags and any(current_tags.get(k) != v for k, v in role.tags.items()):
                steps.append(APICall(key, "update", "iam", "tag_role",
                                     {"RoleName": name, "Tags": [{"Key": k, "Value": v} for k, v in role.tags.items()]}))
        return steps

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return remote.read("iam", "get_role", missing=("NoSuchEntity",), RoleName=identity["name"]) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = remote.read("iam", "get_role", missing=("NoSuchEntity",), RoleName=identity["name"])
        return {t["Key"]: t["Value"] for t in found["Role"].get("Tags", [])} if found else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        name = identity["name"]
        key = f"{Role.type_name}:{name}"
        if not self.exists(identity, remote):
            return []
        steps = [APICall(key, "delete", "iam", "delete_role_policy", {"RoleName": name, "PolicyName": policy}, ok_codes=("NoSuchEntity",))
                 for policy in _inline_policy_names(name, remote)]
        attached = remote.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        steps += [APICall(key, "delete", "iam", "detach_role_policy", {"RoleName": name, "PolicyArn": p["PolicyArn"]}, ok_codes=("NoSuchEntity",))
                  for p in attached]
        steps.append(APICall(key, "delete", "iam", "delete_role", {"RoleName": name}, ok_codes=("NoSuchEntity",)))
        return steps


@rule(RolePolicy)
class RolePolicyRule:
    def plan(self, policy: RolePolicy, remote: RemoteState) -> list:
        current = self._current(policy.role, policy.policy_name, remote)
        if current is not None and freeze(current) == freeze(policy.document):
            return []
        return [APICall(policy.key, "create" if current is None else "update", "iam", "put_role_policy",
                        {"RoleName": policy.role, "PolicyName": policy.policy_name, "PolicyDocument": JsonText(policy.document)})]

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        role, policy_name = identity["name"].split("/", 1)
        return self._current(role, policy_name, remote) is not None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        if not self.exists(identity, remote):
            return []
        role, policy_name = identity["name"].split("/", 1)
        return [APICall(f"{RolePolicy.type_name}:{identity['name']}", "delete", "iam", "delete_role_policy",
                        {"RoleName": role, "PolicyName": policy_name}, ok_codes=("NoSuchEntity",))]

    @staticmethod
    def _current(role: str, policy_name: str, remote: RemoteState) -> dict | None:
        found = remote.read("iam", "get_role_policy", missing=("NoSuchEntity",), RoleName=role, PolicyName=policy_name)
        return _document(found["PolicyDocument"]) if found else None


def _inline_policy_names(role_name: str, remote: RemoteState) -> list[str]:
    return remote.paginate("iam", "list_role_policies", "PolicyNames", RoleName=role_name)


def _document(value):
    """IAM returns policy documents URL-encoded text (real AWS) or already-decoded dicts (boto3 helpers, moto)."""
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value
