"""auth: a Cognito user pool (email sign-in by default), its app clients, and an identity pool whose users get the
env's authRole / unauthRole, as `amplify add auth` makes them.

On disk (Amplify's layout): amplify/backend/auth/<resource>/cli-inputs.json holds the answers in Amplify's
cognitoConfig keys; the backend-config.json entry carries `frontendAuthConfig`, from which aws-exports.js gets
its aws_cognito_* keys after a push.
"""
from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

from ..deploy.rules.cognito import (
    IdentityPool,
    IdentityPoolRoles,
    UserPool,
    UserPoolClient,
    identity_pool_trust,
)
from ..errors import AmplifyNbError, InputError, Problem
from ..fileio import atomic_write_json, read_json
from ..specs.auth import PASSWORD_CHARACTERS, USERNAME_ATTRIBUTES, AuthSpec, default_resource_name
from . import DeployContext, register
from .root import root_resources, tags

CLI_INPUTS = "cli-inputs.json"
# Amplify's labels for the password character classes (cli-inputs.json) and aws-exports' spelling.
CHARACTER_LABELS = dict(PASSWORD_CHARACTERS)
CHARACTER_EXPORTS = {"lowercase": "REQUIRES_LOWERCASE", "uppercase": "REQUIRES_UPPERCASE",
                     "numbers": "REQUIRES_NUMBERS", "symbols": "REQUIRES_SYMBOLS"}
POLICY_FLAGS = {"lowercase": "RequireLowercase", "uppercase": "RequireUppercase", "numbers": "RequireNumbers",
                "symbols": "RequireSymbols"}
EXPORT_ATTRIBUTE = {"email": "EMAIL", "phone_number": "PHONE_NUMBER"}


@dataclasses.dataclass(frozen=True)
class Names:
    """The names Amplify derives for one auth resource (shared_id keeps them stable across updates)."""

    resource_name: str
    shared_id: str

    @property
    def _base(self) -> str:
        return self.resource_name[:80]

    @property
    def user_pool(self) -> str:
        return f"{self._base}_userpool_{self.shared_id}"

    @property
    def identity_pool(self) -> str:
        return f"{self._base}_identitypool_{self.shared_id}"

    @property
    def truncated(self) -> str:
        return f"{self.resource_name[:6]}{self.shared_id}"

    def deployed_user_pool(self, env: str) -> str:
        return f"{self.user_pool}-{env}"

    def deployed_identity_pool(self, env: str) -> str:
        return f"{self.identity_pool}__{env}"

    @property
    def native_client(self) -> str:
        return f"{self.truncated}_app_client"

    @property
    def web_client(self) -> str:
        return f"{self.truncated}_app_clientWeb"


class AuthCategory:
    name = "auth"
    spec = AuthSpec
    single = True  # Amplify allows one auth resource per project

    # --- answers <-> files ------------------------------------------------------------------------------------
    def default_spec(self, project) -> AuthSpec:
        return AuthSpec(resource_name=default_resource_name(project.name, secrets.token_hex(4)))

    def resource_name(self, spec: AuthSpec) -> str:
        return spec.resource_name

    def read_spec(self, project, resource_name: str) -> AuthSpec:
        return spec_from_inputs(resource_name, read_inputs(project.paths.resource_dir("auth", resource_name)))

    def write(self, project, resource_name: str, spec: AuthSpec) -> dict:
        folder = project.paths.resource_dir("auth", resource_name)
        existing = read_json(folder / CLI_INPUTS)
        if existing is not None and spec.resource_name != resource_name:
            raise InputError([Problem("resource_name", f"The auth resource is named {resource_name!r}; its name cannot "
                                                       "change. Remove it and add it again to rename it.")])
        pushed = read_json(project.paths.resource_dir("auth", resource_name, current=True) / CLI_INPUTS)
        if pushed is not None:
            deployed = spec_from_inputs(resource_name, pushed)
            if deployed.sign_in_with != spec.sign_in_with:
                raise InputError([Problem("sign_in_with", (
                    f"Users of this user pool sign in with {deployed.sign_in_with}; Cognito cannot change that on an "
                    "existing pool. Remove auth, push, then add it again to sign in another way."))])
        shared_id = (existing or {}).get("cognitoConfig", {}).get("sharedId") or secrets.token_hex(4)
        atomic_write_json(folder / CLI_INPUTS, inputs_from_spec(spec, shared_id))
        return backend_entry(spec)

    # --- push -------------------------------------------------------------------------------------------------
    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        inputs = read_inputs(Path(ctx.project_root) / "amplify" / "backend" / "auth" / resource_name)
        spec = spec_from_inputs(resource_name, inputs)
        names = Names(resource_name, inputs["cognitoConfig"]["sharedId"])
        common_tags = tags(ctx.stack_name, ctx.project_name, ctx.env)
        policy = {"MinimumLength": spec.password_min_length, "TemporaryPasswordValidityDays": 7,
                  **{flag: kind in spec.password_requirements for kind, flag in POLICY_FLAGS.items()}}
        pool = UserPool(names.deployed_user_pool(ctx.env), username_attributes=tuple(spec.username_attributes),
                        password_policy=policy, mfa=spec.mfa.upper(), email_subject=spec.email_verification_subject,
                        email_message=spec.email_verification_message, tags=common_tags)
        clients = [UserPoolClient(client_name, user_pool=pool.name, refresh_token_days=spec.refresh_token_days)
                   for client_name in (names.native_client, names.web_client)]
        identity_pool = IdentityPool(
            names.deployed_identity_pool(ctx.env), allow_unauthenticated=spec.allow_guests, tags=common_tags,
            providers=tuple({"ProviderName": pool.ref("ProviderName"), "ClientId": client.ref("ClientId"),
                             "ServerSideTokenCheck": False} for client in clients))
        # The env's roles (made by init with a Deny placeholder) now trust this identity pool, as in Amplify.
        roots = {model.name: model for model in root_resources(ctx.stack_name, ctx.project_name, ctx.env)}
        auth_role = dataclasses.replace(roots[f"{ctx.stack_name}-authRole"],
                                        assume_role_policy=identity_pool_trust(identity_pool.ref("Id"), "authenticated"))
        unauth_role = dataclasses.replace(roots[f"{ctx.stack_name}-unauthRole"],
                                          assume_role_policy=identity_pool_trust(identity_pool.ref("Id"), "unauthenticated"))
        attachment = IdentityPoolRoles(identity_pool.name, authenticated_role_arn=auth_role.ref("Arn"),
                                       unauthenticated_role_arn=unauth_role.ref("Arn"))
        return [pool, *clients, identity_pool, auth_role, unauth_role, attachment]

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict:
        inputs = read_inputs(Path(ctx.project_root) / "amplify" / "backend" / "auth" / resource_name)
        names = Names(resource_name, inputs["cognitoConfig"]["sharedId"])
        pool_key = f"{UserPool.type_name}:{names.deployed_user_pool(ctx.env)}"
        identity_key = f"{IdentityPool.type_name}:{names.deployed_identity_pool(ctx.env)}"
        output = {
            "UserPoolId": variables[f"{pool_key}.Id"],
            "UserPoolArn": variables[f"{pool_key}.Arn"],
            "UserPoolName": names.deployed_user_pool(ctx.env),
            "AppClientIDWeb": variables[f"{UserPoolClient.type_name}:{names.web_client}.ClientId"],
            "AppClientID": variables[f"{UserPoolClient.type_name}:{names.native_client}.ClientId"],
            "IdentityPoolId": variables[f"{identity_key}.Id"],
            "IdentityPoolName": names.deployed_identity_pool(ctx.env),
        }
        if ctx.target.kind != "aws":
            # Where apps send Cognito's API calls (amplify_nb addition): the local cloud or the custom endpoint.
            output["CognitoEndpoint"] = ctx.target.endpoint()
        return output

    def describe(self, project, resource_name: str, meta_entry: dict) -> list:
        """The user pool, its web client and identity pool as the Cognito console shows them (read from the cloud)."""
        output = meta_entry["output"]
        target = project.target()
        idp = target.client("cognito-idp")
        pool = idp.describe_user_pool(UserPoolId=output["UserPoolId"])["UserPool"]
        policy = pool.get("Policies", {}).get("PasswordPolicy", {})
        client = idp.describe_user_pool_client(UserPoolId=output["UserPoolId"], ClientId=output["AppClientIDWeb"])["UserPoolClient"]
        identity = target.client("cognito-identity").describe_identity_pool(IdentityPoolId=output["IdentityPoolId"])
        mfa = idp.get_user_pool_mfa_config(UserPoolId=output["UserPoolId"]).get("MfaConfiguration", pool.get("MfaConfiguration"))
        needs = [name[len("Require"):].lower() for name in ("RequireLowercase", "RequireUppercase", "RequireNumbers",
                                                             "RequireSymbols") if policy.get(name)]
        return [
            ("Pool name", pool["Name"]), ("Pool Id", pool["Id"]), ("ARN", pool["Arn"]),
            ("Sign in with", ", ".join(pool.get("UsernameAttributes") or ["username"])),
            ("Verified automatically", ", ".join(pool.get("AutoVerifiedAttributes") or [])),
            ("Password minimum length", policy.get("MinimumLength")),
            ("Password must contain", ", ".join(needs) or "(any characters)"),
            ("MFA", mfa), ("Verification email subject", pool.get("EmailVerificationSubject")),
            ("Estimated number of users", pool.get("EstimatedNumberOfUsers")),
            ("Web app client", f"{client['ClientName']} ({client['ClientId']})"),
            ("Client secret", "yes" if client.get("ClientSecret") else "none (a web app cannot keep one)"),
            ("Sign-in flows", ", ".join(sorted(client.get("ExplicitAuthFlows", [])))),
            ("Refresh token lifetime", f"{client.get('RefreshTokenValidity')} {client.get('TokenValidityUnits', {}).get('RefreshToken', 'days')}"),
            ("Identity pool", f"{identity['IdentityPoolName']} ({identity['IdentityPoolId']})"),
            ("Guest (unauthenticated) access", "allowed" if identity.get("AllowUnauthenticatedIdentities") else "not allowed"),
        ]

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict:
        output = meta_entry.get("output", {})
        frontend = meta_entry.get("frontendAuthConfig") or {}
        config = {
            "aws_cognito_identity_pool_id": output.get("IdentityPoolId"),
            "aws_cognito_region": region,
            "aws_user_pools_id": output.get("UserPoolId"),
            "aws_user_pools_web_client_id": output.get("AppClientIDWeb"),
            "oauth": {},
            "aws_cognito_username_attributes": frontend.get("usernameAttributes", []),
            "aws_cognito_social_providers": frontend.get("socialProviders", []),
            "aws_cognito_signup_attributes": frontend.get("signupAttributes", []),
            "aws_cognito_mfa_configuration": frontend.get("mfaConfiguration", "OFF"),
            "aws_cognito_mfa_types": frontend.get("mfaTypes", []),
            "aws_cognito_password_protection_settings": frontend.get(
                "passwordProtectionSettings", {"passwordPolicyMinLength": 8, "passwordPolicyCharacters": []}),
            "aws_cognito_verification_mechanisms": frontend.get("verificationMechanisms", ["EMAIL"]),
        }
        if output.get("CognitoEndpoint"):
            config["aws_cognito_endpoint"] = output["CognitoEndpoint"]
        return config


# --- the files ---------------------------------------------------------------------------------------------------
def read_inputs(folder: Path) -> dict:
    inputs = read_json(Path(folder) / CLI_INPUTS)
    if not inputs or "cognitoConfig" not in inputs:
        raise AmplifyNbError(f"{Path(folder) / CLI_INPUTS} is missing or damaged: run `amplify-nb update auth` "
                             "to write it again (or `amplify-nb remove auth`).")
    return inputs


def inputs_from_spec(spec: AuthSpec, shared_id: str) -> dict:
    """cli-inputs.json in Amplify's shape (cognitoConfig keys of the default configuration)."""
    names = Names(spec.resource_name, shared_id)
    mfa = spec.mfa.upper()
    return {
        "version": "1",
        "cognitoConfig": {
            "identityPoolName": names.identity_pool,
            "allowUnauthenticatedIdentities": spec.allow_guests,
            "resourceNameTruncated": names.truncated,
            "userPoolName": names.user_pool,
            "autoVerifiedAttributes": ["email"],
            "mfaConfiguration": mfa,
            "mfaTypes": ["TOTP"] if mfa != "OFF" else [],  # what the form chose: no MFA, no MFA type
            "smsAuthenticationMessage": "Your authentication code is {####}",
            "smsVerificationMessage": "Your verification code is {####}",
            "emailVerificationSubject": spec.email_verification_subject,
            "emailVerificationMessage": spec.email_verification_message,
            "defaultPasswordPolicy": False,
            "passwordPolicyMinLength": spec.password_min_length,
            "passwordPolicyCharacters": [CHARACTER_LABELS[kind] for kind in spec.password_requirements],
            "requiredAttributes": ["email"],
            "aliasAttributes": [],
            "userpoolClientGenerateSecret": False,
            "userpoolClientRefreshTokenValidity": spec.refresh_token_days,
            "userpoolClientWriteAttributes": ["email"],
            "userpoolClientReadAttributes": ["email"],
            "userpoolClientLambdaRole": f"{names.truncated}_userpoolclient_lambda_role",
            "userpoolClientSetAttributes": False,
            "sharedId": shared_id,
            "resourceName": spec.resource_name,
            "authSelections": "identityPoolAndUserPool",
            "useDefault": spec.configuration,
            "usernameAttributes": list(spec.username_attributes),
            "userPoolGroupList": [],
            "serviceName": "Cognito",
            "usernameCaseSensitive": False,
            "useEnabledMfas": True,
            "authRoleArn": {"Fn::GetAtt": ["AuthRole", "Arn"]},
            "unauthRoleArn": {"Fn::GetAtt": ["UnauthRole", "Arn"]},
            "breakCircularDependency": True,
            "dependsOn": [],
        },
    }


def spec_from_inputs(resource_name: str, inputs: dict) -> AuthSpec:
    config = inputs["cognitoConfig"]
    by_attributes = {tuple(v): k for k, v in USERNAME_ATTRIBUTES.items()}
    labels = {label: kind for kind, label in PASSWORD_CHARACTERS}
    return AuthSpec(
        configuration="manual" if config.get("useDefault") == "manual" else "default",
        resource_name=config.get("resourceName", resource_name),
        sign_in_with=by_attributes.get(tuple(config.get("usernameAttributes") or []), "username"),
        allow_guests=bool(config.get("allowUnauthenticatedIdentities", False)),
        password_min_length=int(config.get("passwordPolicyMinLength", 8)),
        password_requirements=[labels[label] for label in config.get("passwordPolicyCharacters", []) if label in labels],
        mfa=str(config.get("mfaConfiguration", "OFF")).lower(),
        email_verification_subject=config.get("emailVerificationSubject", "Your verification code"),
        email_verification_message=config.get("emailVerificationMessage", "Your verification code is {####}"),
        refresh_token_days=int(config.get("userpoolClientRefreshTokenValidity", 30)),
    )


def backend_entry(spec: AuthSpec) -> dict:
    mfa = spec.mfa.upper()
    return {
        "service": "Cognito",
        "providerPlugin": "awscloudformation",
        "dependsOn": [],
        "customAuth": False,
        "frontendAuthConfig": {
            "socialProviders": [],
            "usernameAttributes": [EXPORT_ATTRIBUTE[a] for a in spec.username_attributes],
            "signupAttributes": ["EMAIL"],
            "passwordProtectionSettings": {
                "passwordPolicyMinLength": spec.password_min_length,
                "passwordPolicyCharacters": [CHARACTER_EXPORTS[kind] for kind in spec.password_requirements],
            },
            "mfaConfiguration": mfa,
            "mfaTypes": ["TOTP"] if mfa != "OFF" else [],  # what the form chose: no MFA, no MFA type
            "verificationMechanisms": ["EMAIL"],
        },
    }


def auth_resource_name(project) -> str | None:
    """The project's auth resource, if it has one."""
    names = list(project.backend_config().get("auth", {}))
    return names[0] if names else None


AUTH = register(AuthCategory())
__all__ = ["AUTH", "AuthCategory", "Names", "auth_resource_name"]
