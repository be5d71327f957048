"""Cognito push plans, pinned with botocore's Stubber: the exact calls, in the order real AWS needs, and updates that
describe, merge and send every setting (real AWS resets what update_user_pool omits; moto forgives both)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from stubs import stubbed_target

from amplify_nb.categories import DeployContext
from amplify_nb.categories.auth import AUTH
from amplify_nb.categories.root import PLACEHOLDER_TRUST, tags
from amplify_nb.deploy import Executor, RemoteState, Role, Var, plan_push
from amplify_nb.deploy.planner import with_known_values
from amplify_nb.deploy.rules.cognito import UserPool, UserPoolClient, identity_pool_trust
from amplify_nb.errors import CloudError
from amplify_nb.project import Project
from amplify_nb.specs.auth import AuthSpec

STACK, PROJECT, ENV = "amplify-beerapp-dev-abcde", "beerapp", "dev"
ACCOUNT = "123456789012"
POOL_ID, POOL_ARN = "us-east-1_Abc123", f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_Abc123"
IDENTITY_POOL_ID = "us-east-1:0e2b7f1c-2a57-4b2f-9a53-6f1f3c1c2d3e"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)



def auth_models(tmp_path, target, **answers):
    project = Project(tmp_path / "beer")
    AUTH.write(project, "beerauth", AuthSpec(resource_name="beerauth", **answers))
    ctx = DeployContext(project_name=PROJECT, env=ENV, stack_name=STACK, target=target, project_root=project.root,
                        root_outputs={})
    return AUTH.resources(ctx, "beerauth", {}), ctx


def role(name, trust):
    return {"Role": {"Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLEID12345678", "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                     "CreateDate": NOW, "AssumeRolePolicyDocument": json.dumps(trust),
                     "Tags": [{"Key": k, "Value": v} for k, v in tags(STACK, PROJECT, ENV).items()]}}


def test_first_push_makes_pool_clients_identity_pool_then_trust_then_role_attachment(tmp_path):
    target, stubs = stubbed_target("cognito-idp", "cognito-identity", "iam")
    idp, identity, iam = stubs["cognito-idp"], stubs["cognito-identity"], stubs["iam"]
    models, _ = auth_models(tmp_path, target)
    for _ in range(3):  # the pool's rule, then each client's rule, look the pool up by name
        idp.add_response("list_user_pools", {"UserPools": []}, {"MaxResults": 60})
    for _ in range(2):  # the identity pool's rule and the role attachment's
        identity.add_response("list_identity_pools", {"IdentityPools": []}, {"MaxResults": 60})
    for kind in ("authRole", "unauthRole"):  # the roles init made, with Amplify's Deny placeholder trust
        iam.add_response("get_role", role(f"{STACK}-{kind}", PLACEHOLDER_TRUST), {"RoleName": f"{STACK}-{kind}"})

    plan = plan_push(models, [], RemoteState(target))
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    assert [call.operation for call in plan.calls] == [
        "cognito-idp.create_user_pool", "cognito-idp.create_user_pool_client", "cognito-idp.create_user_pool_client",
        "cognito-identity.create_identity_pool", "iam.update_assume_role_policy", "iam.update_assume_role_policy",
        "cognito-identity.set_identity_pool_roles"]
    pool = plan.calls[0].params
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"] == {"MinimumLength": 8, "TemporaryPasswordValidityDays": 7, "RequireLowercase": False,
                                                  "RequireUppercase": False, "RequireNumbers": False, "RequireSymbols": False}
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    web = plan.calls[2].params
    assert web["ClientName"].endswith("_app_clientWeb") and web["GenerateSecret"] is False
    assert sorted(web["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]

    # Running it: every id the next call needs comes from the response of an earlier one.
    native_name, web_name = plan.calls[1].params["ClientName"], web["ClientName"]
    idp.add_response("create_user_pool", {"UserPool": {"Id": POOL_ID, "Arn": POOL_ARN, "Name": pool["PoolName"]}})
    idp.add_response("create_user_pool_client", {"UserPoolClient": {"ClientId": "native1234", "UserPoolId": POOL_ID, "ClientName": native_name}})
    idp.add_response("create_user_pool_client", {"UserPoolClient": {"ClientId": "web5678", "UserPoolId": POOL_ID, "ClientName": web_name}})
    provider = f"cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
    identity.add_response("create_identity_pool", {
        "IdentityPoolId": IDENTITY_POOL_ID, "IdentityPoolName": plan.calls[3].params["IdentityPoolName"],
        "AllowUnauthenticatedIdentities": False}, {
        "IdentityPoolName": plan.calls[3].params["IdentityPoolName"],
        "AllowUnauthenticatedIdentities": False, "AllowClassicFlow": False,
        "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": "native1234", "ServerSideTokenCheck": False},
                                     {"ProviderName": provider, "ClientId": "web5678", "ServerSideTokenCheck": False}],
        "IdentityPoolTags": tags(STACK, PROJECT, ENV)})
    for kind, amr in (("authRole", "authenticated"), ("unauthRole", "unauthenticated")):
        iam.add_response("update_assume_role_policy", {}, {
            "RoleName": f"{STACK}-{kind}", "PolicyDocument": json.dumps(identity_pool_trust(IDENTITY_POOL_ID, amr))})
    identity.add_response("set_identity_pool_roles", {}, {"IdentityPoolId": IDENTITY_POOL_ID, "Roles": {
        "authenticated": f"arn:aws:iam::{ACCOUNT}:role/{STACK}-authRole",
        "unauthenticated": f"arn:aws:iam::{ACCOUNT}:role/{STACK}-unauthRole"}})
    variables = Executor(target, progress=False).run(plan)
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    assert variables[f"{models[0].key}.ProviderName"] == provider


def described_pool(**changes):
    pool = {
        "Id": POOL_ID, "Name": "beerauth_userpool_1a2b3c4d-dev", "Arn": POOL_ARN,
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": False, "RequireLowercase": False,
                                        "RequireNumbers": False, "RequireSymbols": False, "TemporaryPasswordValidityDays": 7}},
        "LambdaConfig": {"PreSignUp": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:check-signups"},
        "AutoVerifiedAttributes": ["email"], "UsernameAttributes": ["email"],
        "EmailVerificationSubject": "Your verification code", "EmailVerificationMessage": "Your verification code is {####}",
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailSubject": "Your verification code",
                                        "EmailMessage": "Your verification code is {####}",
                                        "SmsMessage": "Your verification code is {####}"},
        "MfaConfiguration": "OFF", "DeletionProtection": "ACTIVE",
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserPoolTags": {**tags(STACK, PROJECT, ENV), "team": "beer"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        "EstimatedNumberOfUsers": 3, "CreationDate": NOW, "LastModifiedDate": NOW,
    }
    pool.update(changes)
    return {"UserPool": pool}


def pool_model(**changes):
    return UserPool("beerauth_userpool_1a2b3c4d-dev", tags=tags(STACK, PROJECT, ENV), **changes)


def expect_existing_pool(idp, described, mfa="OFF"):
    idp.add_response("list_user_pools", {"UserPools": [{"Id": POOL_ID, "Name": described["UserPool"]["Name"]}]}, {"MaxResults": 60})
    idp.add_response("describe_user_pool", described, {"UserPoolId": POOL_ID})
    idp.add_response("get_user_pool_mfa_config", {"MfaConfiguration": mfa}, {"UserPoolId": POOL_ID})


def test_a_pool_that_matches_needs_no_call():
    target, stubs = stubbed_target("cognito-idp")
    expect_existing_pool(stubs["cognito-idp"], described_pool())
    assert plan_push([pool_model()], [], RemoteState(target)).calls == []


def test_a_changed_password_policy_is_sent_with_every_other_setting_so_nothing_resets():
    target, stubs = stubbed_target("cognito-idp")
    expect_existing_pool(stubs["cognito-idp"], described_pool())
    policy = {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": False, "RequireNumbers": True,
              "RequireSymbols": False, "TemporaryPasswordValidityDays": 7}
    plan = plan_push([pool_model(password_policy=policy)], [], RemoteState(target))
    assert [call.method for call in plan.calls] == ["update_user_pool"]
    params = plan.calls[0].params
    assert params["Policies"]["PasswordPolicy"] == policy
    assert params["LambdaConfig"] == {"PreSignUp": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:check-signups"}  # kept
    assert params["DeletionProtection"] == "ACTIVE" and params["MfaConfiguration"] == "OFF"
    assert params["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert params["UserPoolTags"]["team"] == "beer"  # tags added by someone else stay
    assert params["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False}  # AWS refuses the deprecated twin
    for output_only in ("Id", "Arn", "Name", "EstimatedNumberOfUsers", "CreationDate", "UsernameAttributes"):
        assert output_only not in params
    # botocore accepts every parameter (the real API's shape)
    stubs["cognito-idp"].add_response("update_user_pool", {}, params)
    Executor(target, progress=False).run(plan)


def test_turning_mfa_on_uses_the_mfa_api_after_the_update():
    target, stubs = stubbed_target("cognito-idp")
    expect_existing_pool(stubs["cognito-idp"], described_pool())
    plan = plan_push([pool_model(mfa="OPTIONAL")], [], RemoteState(target))
    assert [call.method for call in plan.calls] == ["set_user_pool_mfa_config"]
    assert plan.calls[0].params == {"UserPoolId": POOL_ID, "SoftwareTokenMfaConfiguration": {"Enabled": True},
                                    "MfaConfiguration": "OPTIONAL"}


def test_a_new_sign_in_method_on_an_existing_pool_is_refused_with_the_way_out():
    target, stubs = stubbed_target("cognito-idp")
    stubs["cognito-idp"].add_response("list_user_pools", {"UserPools": [{"Id": POOL_ID, "Name": "beerauth_userpool_1a2b3c4d-dev"}]})
    stubs["cognito-idp"].add_response("describe_user_pool", described_pool())
    with pytest.raises(CloudError, match=r"signs people in with email; the project asks for a username.*remove auth"):
        plan_push([pool_model(username_attributes=())], [], RemoteState(target))


def test_a_client_update_keeps_the_settings_it_does_not_manage():
    target, stubs = stubbed_target("cognito-idp")
    idp = stubs["cognito-idp"]
    idp.add_response("list_user_pools", {"UserPools": [{"Id": POOL_ID, "Name": "pool-dev"}]})
    idp.add_response("list_user_pool_clients", {"UserPoolClients": [{"ClientId": "web5678", "UserPoolId": POOL_ID, "ClientName": "web"}]},
                     {"UserPoolId": POOL_ID, "MaxResults": 60})
    idp.add_response("describe_user_pool_client", {"UserPoolClient": {
        "UserPoolId": POOL_ID, "ClientName": "web", "ClientId": "web5678", "RefreshTokenValidity": 30,
        "TokenValidityUnits": {"RefreshToken": "days"}, "ReadAttributes": ["email"], "WriteAttributes": ["email"],
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "CallbackURLs": ["https://beer.example/callback"], "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": True,
        "AuthSessionValidity": 3, "CreationDate": NOW, "LastModifiedDate": NOW}}, {"UserPoolId": POOL_ID, "ClientId": "web5678"})
    plan = plan_push([UserPoolClient("web", user_pool="pool-dev", refresh_token_days=7)], [], RemoteState(target))
    assert [call.method for call in plan.calls] == ["update_user_pool_client"]
    params = plan.calls[0].params
    assert params["RefreshTokenValidity"] == 7 and params["CallbackURLs"] == ["https://beer.example/callback"]
    assert params["AuthSessionValidity"] == 3 and "CreationDate" not in params


def test_values_known_at_plan_time_are_filled_into_models_that_refer_to_them():
    trust = identity_pool_trust(Var("cognito-identity.IdentityPool:ip__dev.Id"), "authenticated")
    model = Role("r", assume_role_policy=trust)
    filled = with_known_values(model, {"cognito-identity.IdentityPool:ip__dev.Id": IDENTITY_POOL_ID})
    assert filled.assume_role_policy == identity_pool_trust(IDENTITY_POOL_ID, "authenticated")
    assert with_known_values(model, {}) is model  # unknown (created by this plan): left for the executor


def test_a_client_update_merges_token_validity_units_instead_of_replacing_them():
    target, stubs = stubbed_target("cognito-idp")
    idp = stubs["cognito-idp"]
    idp.add_response("list_user_pools", {"UserPools": [{"Id": POOL_ID, "Name": "pool-dev"}]})
    idp.add_response("list_user_pool_clients", {"UserPoolClients": [{"ClientId": "web5678", "UserPoolId": POOL_ID, "ClientName": "web"}]},
                     {"UserPoolId": POOL_ID, "MaxResults": 60})
    idp.add_response("describe_user_pool_client", {"UserPoolClient": {
        "UserPoolId": POOL_ID, "ClientName": "web", "ClientId": "web5678", "RefreshTokenValidity": 48,
        "AccessTokenValidity": 30, "IdTokenValidity": 30,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"},
        "ReadAttributes": ["email"], "WriteAttributes": ["email"],
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": True}}, {"UserPoolId": POOL_ID, "ClientId": "web5678"})
    plan = plan_push([UserPoolClient("web", user_pool="pool-dev")], [], RemoteState(target))
    params = plan.calls[0].params
    assert params["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert params["AccessTokenValidity"] == 30 and params["RefreshTokenValidity"] == 30
