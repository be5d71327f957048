"""Planner rule for IAM roles: trust policy, inline policies and tags compared with the cloud's copy."""
from __future__ import annotations

import json
from urllib.parse import unquote

from ..models import Role, freeze
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
            current_policies: dict = {}
        else:
            steps.append(StoreValue(f"{key}.Arn", found["Role"]["Arn"]))
            if freeze(_document(found["Role"]["AssumeRolePolicyDocument"])) != freeze(role.assume_role_policy):
                steps.append(APICall(key, "update", "iam", "update_assume_role_policy",
                                     {"RoleName": name, "PolicyDocument": JsonText(role.assume_role_policy)}))
            current_tags = {t["Key"]: t["Value"] for t in found["Role"].get("Tags", [])}
            if role.tags and any(current_tags.get(k) != v for k, v in role.tags.items()):
                steps.append(APICall(key, "update", "iam", "tag_role",
                                     {"RoleName": name, "Tags": [{"Key": k, "Value": v} for k, v in role.tags.items()]}))
            current_policies = _inline_policies(name, remote)

        for policy_name, document in role.inline_policies.items():
            if policy_name not in current_policies or freeze(current_policies[policy_name]) != freeze(document):
                steps.append(APICall(key, "update", "iam", "put_role_policy",
                                     {"RoleName": name, "PolicyName": policy_name, "PolicyDocument": JsonText(document)}))
        for policy_name in sorted(set(current_policies) - set(role.inline_policies)):
            steps.append(APICall(key, "update", "iam", "delete_role_policy", {"RoleName": name, "PolicyName": policy_name}))
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
                 for policy in _inline_policies(name, remote)]
        attached = remote.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        steps += [APICall(key, "delete", "iam", "detach_role_policy", {"RoleName": name, "PolicyArn": p["PolicyArn"]}, ok_codes=("NoSuchEntity",))
                  for p in attached]
        steps.append(APICall(key, "delete", "iam", "delete_role", {"RoleName": name}, ok_codes=("NoSuchEntity",)))
        return steps


def _inline_policies(role_name: str, remote: RemoteState) -> dict:
    names = remote.paginate("iam", "list_role_policies", "PolicyNames", RoleName=role_name)
    return {
        name: _document(remote.read("iam", "get_role_policy", RoleName=role_name, PolicyName=name)["PolicyDocument"])
        for name in names
    }


def _document(value):
    """IAM returns policy documents URL-encoded text (real AWS) or already-decoded dicts (boto3 helpers, moto)."""
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value
