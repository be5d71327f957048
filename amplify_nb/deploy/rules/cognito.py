"""Cognito models and their planner rules: user pool, app clients, identity pool, identity-pool roles.

Order on real AWS: user pool -> clients -> identity pool -> the env's roles trust the
identity pool (`aud`) -> set_identity_pool_roles. Everything is found by name (pool names carry the env), so a
killed push re-planned finishes without duplicates.

Real AWS resets every parameter update_user_pool / update_user_pool_client omit, so an update describes the
current settings, merges ours in and sends them all.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import CloudError
from ..models import Resource
from ..plan import APICall, StoreValue, Var
from ..planner import rule
from ..remote import RemoteState

NOT_FOUND = ("ResourceNotFoundException",)
IDENTITY_PROVIDER_HOST = "cognito-idp.{region}.amazonaws.com"


# --- models ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserPool(Resource):
    type_name: ClassVar[str] = "cognito-idp.UserPool"
    username_attributes: tuple = ("email",)  # empty: people choose a username
    auto_verified_attributes: tuple = ("email",)
    required_attributes: tuple = ("email",)
    password_policy: dict = field(default_factory=lambda: {
        "MinimumLength": 8, "RequireUppercase": False, "RequireLowercase": False, "RequireNumbers": False,
        "RequireSymbols": False, "TemporaryPasswordValidityDays": 7})
    mfa: str = "OFF"  # OFF | OPTIONAL (TOTP)
    email_subject: str = "Your verification code"
    email_message: str = "Your verification code is {####}"
    tags: dict = field(default_factory=dict)

    def managed_settings(self) -> dict:
        """What this model decides, in describe_user_pool's shape (compared with the cloud's copy, then sent)."""
        return {
            "Policies": {"PasswordPolicy": dict(self.password_policy)},
            "AutoVerifiedAttributes": list(self.auto_verified_attributes),
            "EmailVerificationSubject": self.email_subject,
            "EmailVerificationMessage": self.email_message,
            "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE",
                                            "EmailSubject": self.email_subject, "EmailMessage": self.email_message},
            "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            "UserPoolTags": dict(self.tags),
        }


@dataclass(frozen=True)
class UserPoolClient(Resource):
    """An app client of a user pool, named `name` inside the pool named `user_pool`."""

    type_name: ClassVar[str] = "cognito-idp.UserPoolClient"
    user_pool: str = ""
    explicit_auth_flows: tuple = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    refresh_token_days: int = 30
    read_attributes: tuple = ("email",)
    write_attributes: tuple = ("email",)

    def identity(self) -> dict:
        return {"type": self.type_name, "name": self.name, "user_pool": self.user_pool}

    def managed_settings(self) -> dict:
        return {
            "ExplicitAuthFlows": list(self.explicit_auth_flows),
            "RefreshTokenValidity": self.refresh_token_days,
            "TokenValidityUnits": {"RefreshToken": "days"},
            "ReadAttributes": list(self.read_attributes),
            "WriteAttributes": list(self.write_attributes),
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
        }


@dataclass(frozen=True)
class IdentityPool(Resource):
    type_name: ClassVar[str] = "cognito-identity.IdentityPool"
    allow_unauthenticated: bool = False
    # [{"ProviderName": "cognito-idp.<region>.amazonaws.com/<pool id>", "ClientId": ..., "ServerSideTokenCheck": False}]
    providers: tuple = ()
    tags: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IdentityPoolRoles(Resource):
    """The roles an identity pool hands out (set_identity_pool_roles); named after its identity pool."""

    type_name: ClassVar[str] = "cognito-identity.IdentityPoolRoles"
    authenticated_role_arn: Any = ""
    unauthenticated_role_arn: Any = ""


def identity_pool_trust(identity_pool_id: Any, amr: str) -> dict:
    """The trust policy of a role that identity pool's users assume (`amr` authenticated | unauthenticated)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"cognito-identity.amazonaws.com:aud": identity_pool_id},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
            },
        }],
    }


# --- helpers -----------------------------------------------------------------------------------------------------
def find_user_pool(name: str, remote: RemoteState) -> dict | None:
    """The user pool of that name ({Id, Name, ...}) or None. Names are not unique in Cognito: the oldest wins."""
    pools = [pool for pool in remote.paginate("cognito-idp", "list_user_pools", "UserPools", MaxResults=60)
             if pool.get("Name") == name]
    return sorted(pools, key=lambda pool: str(pool.get("CreationDate", "")))[0] if pools else None


def find_client(pool_id: str, name: str, remote: RemoteState) -> dict | None:
    clients = remote.paginate("cognito-idp", "list_user_pool_clients", "UserPoolClients", UserPoolId=pool_id, MaxResults=60)
    return next((client for client in clients if client.get("ClientName") == name), None)


def find_identity_pool(name: str, remote: RemoteState) -> dict | None:
    pools = remote.paginate("cognito-identity", "list_identity_pools", "IdentityPools", MaxResults=60)
    return next((pool for pool in pools if pool.get("IdentityPoolName") == name), None)


def contains(current: Any, wanted: Any) -> bool:
    """Whether the cloud's value holds what we want; extra keys the service adds (defaults) do not count."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(contains(current.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list):
        if not isinstance(current, list) or len(current) != len(wanted):
            return False
        if all(isinstance(item, str) for item in wanted):
            return sorted(current) == sorted(wanted)
        return all(contains(c, w) for c, w in zip(current, wanted))
    return current == wanted


def merged_update(remote: RemoteState, service: str, operation: str, current: dict, ours: dict) -> dict:
    """Every settable parameter of the cloud's current copy, with ours on top: an update that resets nothing."""
    members = remote.target.client(service).meta.service_model.operation_model(operation).input_shape.members
    params = {name: copy.deepcopy(value) for name, value in current.items() if name in members}
    for name, value in ours.items():
        params[name] = merged(params.get(name), copy.deepcopy(value))
    return params


def merged(current: Any, ours: Any) -> Any:
    """Ours on top of the cloud's value, key by key inside settings that are objects: TokenValidityUnits
    {"RefreshToken": "days"} must not drop the pool's AccessToken/IdToken units (an AccessTokenValidity of 30
    minutes would become 30 hours, which Cognito refuses), nor a password policy the keys we do not manage."""
    if isinstance(current, dict) and isinstance(ours, dict):
        return {**current, **{key: merged(current.get(key), value) for key, value in ours.items()}}
    return ours


# --- rules -------------------------------------------------------------------------------------------------------
@rule(UserPool)
class UserPoolRule:
    def plan(self, pool: UserPool, remote: RemoteState) -> list:
        key, name = pool.key, pool.name
        provider_prefix = IDENTITY_PROVIDER_HOST.format(region=remote.region) + "/"
        found = find_user_pool(name, remote)
        if found is None:
            params = {"PoolName": name, **pool.managed_settings(),
                      "UsernameConfiguration": {"CaseSensitive": False},
                      "Schema": [{"Name": attribute, "AttributeDataType": "String", "Required": True, "Mutable": True}
                                 for attribute in pool.required_attributes],
                      "MfaConfiguration": "OFF"}
            if pool.username_attributes:
                params["UsernameAttributes"] = list(pool.username_attributes)
            steps: list = [APICall(key, "create", "cognito-idp", "create_user_pool", params, store={
                f"{key}.Id": "UserPool.Id", f"{key}.Arn": "UserPool.Arn",
                f"{key}.ProviderName": f"join('', ['{provider_prefix}', UserPool.Id])"})]
            if pool.mfa != "OFF":
                steps.append(self._set_mfa(pool, Var(f"{key}.Id")))
            return steps

        pool_id = found["Id"]
        current = remote.read("cognito-idp", "describe_user_pool", UserPoolId=pool_id)["UserPool"]
        steps = [StoreValue(f"{key}.Id", pool_id), StoreValue(f"{key}.Arn", current["Arn"]),
                 StoreValue(f"{key}.ProviderName", provider_prefix + pool_id)]
        if sorted(current.get("UsernameAttributes") or []) != sorted(pool.username_attributes):
            raise CloudError(
                f"The user pool {name} signs people in with {_sign_in(current.get('UsernameAttributes'))}; the project "
                f"asks for {_sign_in(pool.username_attributes)}. Cognito cannot change this on an existing pool: "
                "remove auth (`amplify-nb remove auth`), push, then add it again with the new choice.")
        mfa = remote.read("cognito-idp", "get_user_pool_mfa_config", UserPoolId=pool_id)
        current_mfa = mfa.get("MfaConfiguration") or current.get("MfaConfiguration") or "OFF"
        ours = pool.managed_settings()
        ours["UserPoolTags"] = {**(current.get("UserPoolTags") or {}), **pool.tags}  # keep tags added by others
        if any(not contains(current.get(name_), value) for name_, value in ours.items()):
            params = merged_update(remote, "cognito-idp", "UpdateUserPool", current, ours)
            params.update(UserPoolId=pool_id, MfaConfiguration=current_mfa)
            params.pop("PoolName", None)
            admin = params.get("AdminCreateUserConfig") or {}
            if "UnusedAccountValidityDays" in admin and "TemporaryPasswordValidityDays" in pool.password_policy:
                # Deprecated twin of TemporaryPasswordValidityDays: AWS refuses an update that sends both.
                params["AdminCreateUserConfig"] = {k: v for k, v in admin.items() if k != "UnusedAccountValidityDays"}
            steps.append(APICall(key, "update", "cognito-idp", "update_user_pool", params))
        if current_mfa != pool.mfa:
            steps.append(self._set_mfa(pool, pool_id))
        return steps

    @staticmethod
    def _set_mfa(pool: UserPool, pool_id: Any) -> APICall:
        return APICall(pool.key, "update", "cognito-idp", "set_user_pool_mfa_config", {
            "UserPoolId": pool_id, "SoftwareTokenMfaConfiguration": {"Enabled": pool.mfa != "OFF"},
            "MfaConfiguration": pool.mfa})

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return find_user_pool(identity["name"], remote) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = find_user_pool(identity["name"], remote)
        current = found and remote.read("cognito-idp", "describe_user_pool", missing=NOT_FOUND, UserPoolId=found["Id"])
        return (current["UserPool"].get("UserPoolTags") or {}) if current else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        found = find_user_pool(identity["name"], remote)
        if found is None:
            return []
        key = f"{UserPool.type_name}:{identity['name']}"
        current = remote.read("cognito-idp", "describe_user_pool", missing=NOT_FOUND, UserPoolId=found["Id"]) or {}
        steps = []
        domain = (current.get("UserPool") or {}).get("Domain")
        if domain:  # AWS refuses to delete a pool that still has a domain
            steps.append(APICall(key, "delete", "cognito-idp", "delete_user_pool_domain",
                                 {"Domain": domain, "UserPoolId": found["Id"]}, ok_codes=NOT_FOUND))
        steps.append(APICall(key, "delete", "cognito-idp", "delete_user_pool", {"UserPoolId": found["Id"]}, ok_codes=NOT_FOUND))
        return steps


@rule(UserPoolClient)
class UserPoolClientRule:
    def plan(self, client: UserPoolClient, remote: RemoteState) -> list:
        key = client.key
        pool_key = f"{UserPool.type_name}:{client.user_pool}"
        pool = find_user_pool(client.user_pool, remote)
        found = find_client(pool["Id"], client.name, remote) if pool else None
        if found is None:
            params = {"UserPoolId": pool["Id"] if pool else Var(f"{pool_key}.Id"), "ClientName": client.name,
                      "GenerateSecret": False, **client.managed_settings()}
            return [APICall(key, "create", "cognito-idp", "create_user_pool_client", params,
                            store={f"{key}.ClientId": "UserPoolClient.ClientId"})]
        steps: list = [StoreValue(f"{key}.ClientId", found["ClientId"])]
        current = remote.read("cognito-idp", "describe_user_pool_client", UserPoolId=pool["Id"],
                              ClientId=found["ClientId"])["UserPoolClient"]
        ours = client.managed_settings()
        if any(not contains(current.get(name), value) for name, value in ours.items()):
            params = merged_update(remote, "cognito-idp", "UpdateUserPoolClient", current, ours)
            params.update(UserPoolId=pool["Id"], ClientId=found["ClientId"])
            steps.append(APICall(key, "update", "cognito-idp", "update_user_pool_client", params))
        return steps

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        pool = find_user_pool(identity.get("user_pool", ""), remote)
        return pool is not None and find_client(pool["Id"], identity["name"], remote) is not None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        pool = find_user_pool(identity.get("user_pool", ""), remote)
        found = find_client(pool["Id"], identity["name"], remote) if pool else None
        if found is None:
            return []
        return [APICall(f"{UserPoolClient.type_name}:{identity['name']}", "delete", "cognito-idp", "delete_user_pool_client",
                        {"UserPoolId": pool["Id"], "ClientId": found["ClientId"]}, ok_codes=NOT_FOUND)]


@rule(IdentityPool)
class IdentityPoolRule:
    def plan(self, pool: IdentityPool, remote: RemoteState) -> list:
        key, name = pool.key, pool.name
        providers = [dict(provider) for provider in pool.providers]
        found = find_identity_pool(name, remote)
        if found is None:
            params = {"IdentityPoolName": name, "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
                      "AllowClassicFlow": False, "CognitoIdentityProviders": providers}
            if pool.tags:
                params["IdentityPoolTags"] = dict(pool.tags)
            return [APICall(key, "create", "cognito-identity", "create_identity_pool", params,
                            store={f"{key}.Id": "IdentityPoolId"})]
        pool_id = found["IdentityPoolId"]
        steps: list = [StoreValue(f"{key}.Id", pool_id)]
        current = remote.read("cognito-identity", "describe_identity_pool", IdentityPoolId=pool_id)
        current_providers = sorted((p.get("ProviderName"), p.get("ClientId")) for p in current.get("CognitoIdentityProviders") or [])
        wanted_providers = sorted((p.get("ProviderName"), p.get("ClientId")) for p in providers)
        current_tags = current.get("IdentityPoolTags") or {}
        if (bool(current.get("AllowUnauthenticatedIdentities")) != pool.allow_unauthenticated
                or current_providers != wanted_providers
                or any(current_tags.get(k) != v for k, v in pool.tags.items())):
            current = {k: v for k, v in current.items() if v not in ("", None)}  # unset optional strings
            params = merged_update(remote, "cognito-identity", "UpdateIdentityPool", current, {
                "IdentityPoolId": pool_id, "IdentityPoolName": name,
                "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
                "CognitoIdentityProviders": providers, "IdentityPoolTags": {**current_tags, **pool.tags}})
            steps.append(APICall(key, "update", "cognito-identity", "update_identity_pool", params))
        return steps

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return find_identity_pool(identity["name"], remote) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = find_identity_pool(identity["name"], remote)
        current = found and remote.read("cognito-identity", "describe_identity_pool", missing=NOT_FOUND,
                                         IdentityPoolId=found["IdentityPoolId"])
        return (current.get("IdentityPoolTags") or {}) if current else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        found = find_identity_pool(identity["name"], remote)
        if found is None:
            return []
        return [APICall(f"{IdentityPool.type_name}:{identity['name']}", "delete", "cognito-identity", "delete_identity_pool",
                        {"IdentityPoolId": found["IdentityPoolId"]}, ok_codes=NOT_FOUND)]


@rule(IdentityPoolRoles)
class IdentityPoolRolesRule:
    """set_identity_pool_roles, after the roles trust the pool. Deleting the identity pool removes it too."""

    def plan(self, attachment: IdentityPoolRoles, remote: RemoteState) -> list:
        key = attachment.key
        roles = {"authenticated": attachment.authenticated_role_arn,
                 "unauthenticated": attachment.unauthenticated_role_arn}
        found = find_identity_pool(attachment.name, remote)
        if found is not None:
            pool_id = found["IdentityPoolId"]
            current = remote.read("cognito-identity", "get_identity_pool_roles", missing=NOT_FOUND, IdentityPoolId=pool_id) or {}
            if current.get("Roles") == roles:
                return []
        else:
            pool_id = Var(f"{IdentityPool.type_name}:{attachment.name}.Id")
        return [APICall(key, "update", "cognito-identity", "set_identity_pool_roles",
                        {"IdentityPoolId": pool_id, "Roles": roles})]

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        found = find_identity_pool(identity["name"], remote)
        if found is None:
            return False
        current = remote.read("cognito-identity", "get_identity_pool_roles", missing=NOT_FOUND,
                              IdentityPoolId=found["IdentityPoolId"]) or {}
        return bool(current.get("Roles"))

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        return []


def _sign_in(attributes) -> str:
    names = {"email": "email", "phone_number": "phone number"}
    return " or ".join(names.get(a, a) for a in attributes or []) or "a username"
