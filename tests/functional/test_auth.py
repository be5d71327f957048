"""auth end to end against the local cloud: push, the Python Auth client, real codes in a local mailbox, tokens
verified against the pool's own key, CORS for web pages, and state kept across a restart."""
from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
import requests
from cli_runner import run_cli

from amplify_nb.client.auth import (
    Auth,
    AuthError,
    AuthConfig,
    CodeMismatchError,
    ExpiredCodeError,
    InvalidPasswordError,
    NotAuthorizedError,
    NotSignedInError,
    TokenVerificationError,
    UsernameExistsError,
    UserNotConfirmedError,
)
from amplify_nb.local import LocalCloud, LocalSettings
from amplify_nb.local.services.cognito import read_mailbox
from amplify_nb.project import Project, add_resource, init_project, plan
from amplify_nb.specs import InitSpec
from amplify_nb.specs.auth import AuthSpec

PASSWORD = "correct horse 42"


def unique_email(label: str) -> str:
    return f"{label}-{time.time_ns()}@example.com"


@pytest.fixture(scope="module")
def auth_project(tmp_path_factory, local_cloud) -> Project:
    project_dir = tmp_path_factory.mktemp("auth") / "beer"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    run_cli("add", "auth", "--yes", "--resource-name", "beerauth", "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    return Project.open(project_dir)


@pytest.fixture
def auth(auth_project) -> Auth:
    return Auth.from_project(auth_project)


def signed_up(auth: Auth, label: str, confirmed: bool = True) -> str:
    email = unique_email(label)
    auth.sign_up(email, PASSWORD)
    if confirmed:
        auth.confirm_sign_up(email, auth.latest_code(email, "sign-up"))
    return email


def codes_file(local_cloud) -> Path:
    return local_cloud.settings.state_dir / "cognito" / "codes.json"


def test_push_creates_pool_clients_identity_pool_and_roles_that_trust_it(auth_project, local_cloud, boto3_client):
    output = auth_project.amplify_meta()["auth"]["beerauth"]["output"]
    assert set(output) >= {"UserPoolId", "UserPoolArn", "UserPoolName", "AppClientIDWeb", "AppClientID",
                           "IdentityPoolId", "IdentityPoolName"}
    idp = boto3_client("cognito-idp", local_cloud.endpoint)
    pool = idp.describe_user_pool(UserPoolId=output["UserPoolId"])["UserPool"]
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    web = idp.describe_user_pool_client(UserPoolId=output["UserPoolId"], ClientId=output["AppClientIDWeb"])["UserPoolClient"]
    assert "ClientSecret" not in web
    assert set(web["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}

    identity = boto3_client("cognito-identity", local_cloud.endpoint)
    described = identity.describe_identity_pool(IdentityPoolId=output["IdentityPoolId"])
    assert described["AllowUnauthenticatedIdentities"] is False
    assert {p["ClientId"] for p in described["CognitoIdentityProviders"]} == {output["AppClientID"], output["AppClientIDWeb"]}
    roles = identity.get_identity_pool_roles(IdentityPoolId=output["IdentityPoolId"])["Roles"]
    team = auth_project.env_info()["awscloudformation"]
    assert roles == {"authenticated": team["AuthRoleArn"], "unauthenticated": team["UnauthRoleArn"]}
    iam = boto3_client("iam", local_cloud.endpoint)
    for role_name, amr in ((team["AuthRoleName"], "authenticated"), (team["UnauthRoleName"], "unauthenticated")):
        statement = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
        assert statement["Effect"] == "Allow"
        assert statement["Condition"]["StringEquals"] == {"cognito-identity.amazonaws.com:aud": output["IdentityPoolId"]}
        assert statement["Condition"]["ForAnyValue:StringLike"] == {"cognito-identity.amazonaws.com:amr": amr}

    exports = json.loads((auth_project.source_dir / "amplifyconfiguration.json").read_text())
    assert exports["aws_user_pools_id"] == output["UserPoolId"]
    assert exports["aws_user_pools_web_client_id"] == output["AppClientIDWeb"]
    assert exports["aws_cognito_identity_pool_id"] == output["IdentityPoolId"]
    assert exports["aws_cognito_username_attributes"] == ["EMAIL"]
    assert exports["aws_cognito_verification_mechanisms"] == ["EMAIL"]
    assert exports["aws_cognito_password_protection_settings"] == {"passwordPolicyMinLength": 8, "passwordPolicyCharacters": []}
    assert not plan(auth_project), "a second push would still change something"


def test_sign_up_confirm_sign_in_verify_refresh_and_global_sign_out(auth, local_cloud):
    email = unique_email("ana")
    result = auth.sign_up(email, PASSWORD)
    assert not result.confirmed
    assert (result.delivery.medium, result.delivery.attribute, result.delivery.destination) == ("EMAIL", "email", "a***@e***")
    mail = read_mailbox(local_cloud.settings.state_dir, email)
    assert len(mail) == 1 and mail[0]["purpose"] == "sign-up" and mail[0]["code"] in mail[0]["body"]

    with pytest.raises(UserNotConfirmedError, match="not confirmed yet"):
        auth.sign_in(email, PASSWORD)
    wrong = "000000" if mail[0]["code"] != "000000" else "111111"
    with pytest.raises(CodeMismatchError, match="That code is wrong"):
        auth.confirm_sign_up(email, wrong)
    auth.confirm_sign_up(email, mail[0]["code"])
    with pytest.raises(NotAuthorizedError, match="already confirmed"):
        auth.confirm_sign_up(email, mail[0]["code"])

    user = auth.sign_in(email, PASSWORD)
    assert user.email == email and user.attributes["email_verified"] == "true"  # the code proved the address
    claims = auth.id_token_claims()
    assert claims["email"] == email and claims["token_use"] == "id"
    assert claims["aud"] == auth.config.client_id and claims["iss"] == auth.config.issuer
    assert claims["exp"] > time.time()
    assert auth.verify(auth.tokens().access_token, "access")["client_id"] == auth.config.client_id
    with pytest.raises(TokenVerificationError, match="did not pass verification|not an id token"):
        auth.verify(auth.tokens().access_token, "id")

    before = auth.tokens()
    auth.clock = lambda: before.expires_at - 60  # one minute before expiry: within the refresh margin
    refreshed = auth.tokens()
    assert refreshed.access_token != before.access_token and refreshed.refresh_token == before.refresh_token
    auth.verify(refreshed.id_token, "id")
    auth.clock = time.time

    old_refresh_token = refreshed.refresh_token
    auth.sign_out()  # global: every refresh token of the user is revoked
    assert not auth.signed_in
    with pytest.raises(NotSignedInError, match="sign_in"):
        auth.tokens()
    other_device = Auth(auth.config, target=auth.target)
    other_device.sign_in(email, PASSWORD)
    other_device._tokens.refresh_token = old_refresh_token
    with pytest.raises(NotSignedInError, match="session has ended"):
        other_device.refresh()


def test_tokens_repr_never_shows_a_token(auth):
    email = signed_up(auth, "repr")
    auth.sign_in(email, PASSWORD)
    shown = repr(auth.tokens()) + repr(auth)
    assert "eyJ" not in shown and "<hidden>" in shown


def test_forgot_password_with_wrong_then_right_code(auth):
    email = signed_up(auth, "forgot")
    delivery = auth.forgot_password(email)
    assert delivery.medium == "EMAIL"
    code = auth.latest_code(email, "forgot-password")
    with pytest.raises(CodeMismatchError, match="reset code is wrong"):
        auth.confirm_forgot_password(email, "999999" if code != "999999" else "888888", "a new password 7")
    with pytest.raises(InvalidPasswordError, match="not long enough.*at least 8 characters"):
        auth.confirm_forgot_password(email, code, "short")
    auth.confirm_forgot_password(email, code, "a new password 7")
    with pytest.raises(NotAuthorizedError, match="Incorrect email or password"):
        auth.sign_in(email, PASSWORD)
    assert auth.sign_in(email, "a new password 7").email == email


def test_an_unconfirmed_user_cannot_reset_the_password(auth):
    email = signed_up(auth, "unconfirmed-reset", confirmed=False)
    with pytest.raises(AuthError, match="not confirmed"):
        auth.forgot_password(email)


def test_wrong_password_and_unknown_user_get_the_same_message(auth):
    email = signed_up(auth, "wrongpw")
    with pytest.raises(NotAuthorizedError, match="Incorrect email or password") as wrong:
        auth.sign_in(email, "not the password")
    with pytest.raises(NotAuthorizedError, match="Incorrect email or password") as unknown:
        auth.sign_in(unique_email("nobody"), PASSWORD)
    assert str(wrong.value) == str(unknown.value)  # PreventUserExistenceErrors: no hint who has an account


def test_weak_password_is_refused_by_the_pools_policy(auth, auth_project, boto3_client, local_cloud):
    with pytest.raises(InvalidPasswordError, match="Password not long enough.*Use at least 8 characters"):
        auth.sign_up(unique_email("weak"), "short")
    pool_id = auth.config.user_pool_id
    users = boto3_client("cognito-idp", local_cloud.endpoint).list_users(UserPoolId=pool_id)["Users"]
    assert not any("weak" in json.dumps(user, default=str) for user in users)


def test_an_existing_account_cannot_sign_up_again(auth):
    email = signed_up(auth, "twice")
    with pytest.raises(UsernameExistsError, match="already exists"):
        auth.sign_up(email, PASSWORD)


def test_resend_sends_a_new_code_and_the_old_one_stops_working(auth):
    email = signed_up(auth, "resend", confirmed=False)
    first = auth.latest_code(email)
    delivery = auth.resend_code(email)
    assert delivery.medium == "EMAIL"
    second = auth.latest_code(email)
    if first != second:
        with pytest.raises(CodeMismatchError):
            auth.confirm_sign_up(email, first)
    auth.confirm_sign_up(email, second)
    with pytest.raises(AuthError, match="already confirmed"):
        auth.resend_code(email)


def test_an_expired_code_is_refused_and_a_new_one_works(auth, local_cloud):
    email = signed_up(auth, "expired", confirmed=False)
    code = auth.latest_code(email)
    codes = json.loads(codes_file(local_cloud).read_text())
    for entries in codes.values():
        for entry in entries.values():
            if entry["code"] == code:
                entry["expires_at"] = time.time() - 1  # a day has passed
    codes_file(local_cloud).write_text(json.dumps(codes))
    with pytest.raises(ExpiredCodeError, match="expired"):
        auth.confirm_sign_up(email, code)
    auth.resend_code(email)
    auth.confirm_sign_up(email, auth.latest_code(email))
    assert auth.sign_in(email, PASSWORD).email == email


def test_delete_user_removes_the_account(auth):
    email = signed_up(auth, "delete")
    auth.sign_in(email, PASSWORD)
    auth.delete_user()
    assert not auth.signed_in
    with pytest.raises(NotAuthorizedError):
        auth.sign_in(email, PASSWORD)


def test_a_token_signed_with_motos_bundled_key_is_rejected(auth):
    """moto signs every token with one RSA key shipped inside moto: anyone could forge tokens with it."""
    from moto.utilities.utils import load_resource

    email = signed_up(auth, "forge")
    auth.sign_in(email, PASSWORD)
    genuine = auth.tokens().id_token
    claims = auth.verify(genuine, "id")
    moto_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))
    our_kid = jwt.get_unverified_header(genuine)["kid"]
    assert our_kid != "dummy"
    for kid in ("dummy", our_kid):  # moto's key id, and ours (so only the signature can tell)
        forged = jwt.encode({**claims, "email": "admin@example.com"}, moto_key, algorithm="RS256", headers={"kid": kid})
        with pytest.raises(TokenVerificationError, match="did not pass verification"):
            auth.verify(forged, "id")
    served = requests.get(auth.config.jwks_url, timeout=30).json()["keys"]
    bundled = load_resource("cognitoidp/resources/jwks-public.json")["keys"]
    assert [k["n"] for k in served] != [k["n"] for k in bundled]


def test_mailbox_cli_lists_newest_first(auth):
    first, second = signed_up(auth, "first", confirmed=False), signed_up(auth, "second", confirmed=False)
    messages = json.loads(run_cli("local", "mailbox", "--json").stdout)
    recipients = [m["to"] for m in messages]
    assert recipients.index(second) < recipients.index(first)
    text = run_cli("local", "mailbox").stdout
    assert second in text and "[sign-up]" in text


def test_browser_style_unsigned_requests_get_cors_and_real_code_checks(auth, local_cloud):
    origin = "http://127.0.0.1:5555"
    headers = {"Content-Type": "application/x-amz-json-1.1", "Origin": origin}

    def call(operation, body):
        return requests.post(local_cloud.endpoint + "/", data=json.dumps(body), timeout=30,
                             headers={**headers, "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"})

    preflight = requests.options(local_cloud.endpoint + "/", timeout=30, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "x-amz-target" in preflight.headers["Access-Control-Allow-Headers"].lower()

    email = unique_email("browser")
    signed = call("SignUp", {"ClientId": auth.config.client_id, "Username": email, "Password": PASSWORD})
    assert signed.status_code == 200 and signed.headers["Access-Control-Allow-Origin"] == origin
    assert signed.json()["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    wrong = call("ConfirmSignUp", {"ClientId": auth.config.client_id, "Username": email, "ConfirmationCode": "x"})
    assert wrong.status_code == 400 and wrong.json()["__type"] == "CodeMismatchException"
    assert wrong.headers["Access-Control-Allow-Origin"] == origin
    assert "x-amzn-ErrorType" in wrong.headers["Access-Control-Expose-Headers"]
    right = call("ConfirmSignUp", {"ClientId": auth.config.client_id, "Username": email,
                                   "ConfirmationCode": auth.latest_code(email)})
    assert right.status_code == 200
    tokens = call("InitiateAuth", {"ClientId": auth.config.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                   "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}})
    assert tokens.status_code == 200 and tokens.headers["Access-Control-Allow-Origin"] in (origin, "*")
    assert auth.verify(tokens.json()["AuthenticationResult"]["IdToken"], "id")["email"] == email


def test_update_changes_the_policy_in_place_and_email_sign_in_keeps_working(auth_project, local_cloud, boto3_client):
    project_dir = str(auth_project.root)
    auth = Auth.from_project(auth_project)
    email = signed_up(auth, "before-update")
    run_cli("update", "auth", "--yes", "--password-min-length", "10", "--password-requirements", "numbers",
            "--project-dir", project_dir)
    pool_id = auth_project.amplify_meta()["auth"]["beerauth"]["output"]["UserPoolId"]
    run_cli("push", "--yes", "--project-dir", project_dir)
    assert auth_project.amplify_meta()["auth"]["beerauth"]["output"]["UserPoolId"] == pool_id  # same pool
    pool = boto3_client("cognito-idp", local_cloud.endpoint).describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10 and pool["Policies"]["PasswordPolicy"]["RequireNumbers"]
    assert pool["UsernameAttributes"] == ["email"]
    updated = Auth.from_project(auth_project)
    assert updated.sign_in(email, PASSWORD).email == email
    with pytest.raises(InvalidPasswordError, match="numeric characters.*at least 10 characters, with a number"):
        updated.sign_up(unique_email("nodigits"), "no digits in here")
    assert not plan(auth_project)
    run_cli("update", "auth", "--yes", "--password-min-length", "8", "--password-requirements", "", "--project-dir", project_dir)
    run_cli("push", "--yes", "--project-dir", project_dir)


def test_changing_the_sign_in_method_after_push_is_refused_and_nothing_is_written(auth_project):
    before = {p: p.read_bytes() for p in auth_project.root.rglob("*") if p.is_file()}
    done = run_cli("update", "auth", "--yes", "--sign-in-with", "username", "--project-dir", str(auth_project.root), check=False)
    assert done.returncode == 2 and "Remove auth, push, then add it again" in done.stderr
    assert {p: p.read_bytes() for p in auth_project.root.rglob("*") if p.is_file()} == before


def test_remove_auth_deletes_the_pools_and_gives_the_roles_their_placeholder_trust(tmp_path, local_cloud, boto3_client):
    project_dir = tmp_path / "removed"
    run_cli("init", "--yes", "--project-dir", str(project_dir))
    run_cli("add", "auth", "--yes", "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    project = Project.open(project_dir)
    output = next(iter(project.amplify_meta()["auth"].values()))["output"]
    run_cli("remove", "auth", "--yes", "--project-dir", str(project_dir))
    run_cli("push", "--yes", "--project-dir", str(project_dir))
    idp = boto3_client("cognito-idp", local_cloud.endpoint)
    assert output["UserPoolId"] not in [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    identity = boto3_client("cognito-identity", local_cloud.endpoint)
    assert output["IdentityPoolId"] not in [p["IdentityPoolId"] for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]]
    trust = boto3_client("iam", local_cloud.endpoint).get_role(RoleName=project.env_info()["awscloudformation"]["AuthRoleName"])
    assert trust["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert "aws_user_pools_id" not in (project.source_dir / "aws-exports.js").read_text()
    assert not plan(project)


def auth_state(boto3_client, endpoint, project: Project) -> dict:
    """What exists for the project's auth, found by name: counts prove there are no duplicates."""
    entry = next(iter(project.backend_config()["auth"].values()))
    name = next(iter(project.backend_config()["auth"]))
    inputs = json.loads((project.paths.resource_dir("auth", name) / "cli-inputs.json").read_text())["cognitoConfig"]
    idp = boto3_client("cognito-idp", endpoint)
    pools = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == f"{inputs['userPoolName']}-dev"]
    clients = idp.list_user_pool_clients(UserPoolId=pools[0]["Id"], MaxResults=60)["UserPoolClients"] if pools else []
    identity = boto3_client("cognito-identity", endpoint)
    identity_pools = [p for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]
                      if p["IdentityPoolName"] == f"{inputs['identityPoolName']}__dev"]
    roles = identity.get_identity_pool_roles(IdentityPoolId=identity_pools[0]["IdentityPoolId"])["Roles"] if identity_pools else {}
    trust = boto3_client("iam", endpoint).get_role(RoleName=project.env_info()["awscloudformation"]["AuthRoleName"])
    aud = trust["Role"]["AssumeRolePolicyDocument"]["Statement"][0].get("Condition", {}).get("StringEquals", {})
    return {"pools": len(pools), "clients": sorted(c["ClientName"].split("_", 1)[1] for c in clients), "identity_pools": len(identity_pools),
            "roles": sorted(roles), "aud_is_the_pool": bool(identity_pools) and
            aud.get("cognito-identity.amazonaws.com:aud") == identity_pools[0]["IdentityPoolId"], "entry": entry["service"]}


def test_a_push_killed_at_any_step_finishes_on_the_next_push_without_duplicates(tmp_path, local_cloud, boto3_client):
    expected = {"pools": 1, "clients": ["app_client", "app_clientWeb"], "identity_pools": 1,
                "roles": ["authenticated", "unauthenticated"], "aud_is_the_pool": True, "entry": "Cognito"}
    step = 1
    while True:
        project_dir = tmp_path / f"killed{step}"
        project, _ = init_project(project_dir, InitSpec.for_project(project_dir, {"name": "beerapp"}), progress=False)
        add_resource(project, "auth", AuthSpec(resource_name=f"killed{step}"))
        total = len(plan(project).steps)
        killed = run_cli("push", "--yes", "--project-dir", str(project_dir), env={"AMPLIFY_NB_FAULT_AFTER_STEPS": str(step)},
                         check=False)
        assert killed.returncode == -9, killed.stderr
        run_cli("push", "--yes", "--project-dir", str(project_dir))
        assert auth_state(boto3_client, local_cloud.endpoint, project) == expected, f"killed after step {step}"
        assert not plan(project), f"killed after step {step}: a push after the rerun still has work"
        step += 1
        if step > total:  # the last step too: the record is written only after it
            break


def test_users_codes_and_the_signing_key_survive_a_restart(tmp_path, free_port, boto3_client):
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=tmp_path / "cloud"))
    try:
        endpoint = cloud.start()["endpoint"]
        idp = boto3_client("cognito-idp", endpoint)
        pool_id = idp.create_user_pool(
            PoolName="restart", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": False, "RequireLowercase": False,
                                         "RequireNumbers": False, "RequireSymbols": False}})["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        auth = Auth(AuthConfig(region="us-east-1", user_pool_id=pool_id, client_id=client_id, endpoint=endpoint))
        confirmed, pending = unique_email("kept"), unique_email("pending")
        auth.sign_up(confirmed, PASSWORD)
        auth.confirm_sign_up(confirmed, auth.latest_code(confirmed))
        auth.sign_in(confirmed, PASSWORD)
        token_before = auth.tokens().id_token
        auth.sign_up(pending, PASSWORD)
        pending_code = auth.latest_code(pending)
        jwks_before = requests.get(auth.config.jwks_url, timeout=30).json()

        cloud.stop()
        cloud.start()
        after = Auth(auth.config)
        assert requests.get(auth.config.jwks_url, timeout=30).json() == jwks_before
        assert after.verify(token_before, "id")["email"] == confirmed  # same key: earlier tokens still verify
        assert after.sign_in(confirmed, PASSWORD).email == confirmed  # the confirmation was replayed
        after.confirm_sign_up(pending, pending_code)  # the pending code was kept
        assert after.sign_in(pending, PASSWORD).email == pending
        key_file = cloud.settings.state_dir / "cognito" / "signing-key.json"
        assert key_file.stat().st_mode & 0o077 == 0  # the private key is readable by its owner only
    finally:
        cloud.stop()


def test_the_authenticator_walks_through_create_confirm_sign_in_and_sign_out(auth):
    from amplify_nb.widgets.authenticator import Authenticator

    changes = []
    widget = Authenticator(auth, on_change=lambda a: changes.append(a.signed_in))
    assert widget.view == "sign_in" and widget.show_local_codes
    widget.buttons["to_sign_up"].click()
    email = unique_email("widget")
    widget.inputs["sign_up.username"].value = email
    widget.inputs["sign_up.password"].value = PASSWORD
    widget.inputs["sign_up.confirm_password"].value = PASSWORD + "x"
    widget.buttons["sign_up"].click()
    assert widget.view == "sign_up" and "The two passwords differ" in widget.error.value
    widget.inputs["sign_up.confirm_password"].value = PASSWORD
    widget.buttons["sign_up"].click()
    assert widget.view == "confirm" and "w***@e***" in widget.notice.value
    assert widget.inputs["sign_up.password"].value == ""  # no password left in the widget's state

    widget.buttons["show_code"].click()
    code = auth.latest_code(email)
    assert code in widget.mail.value
    widget.inputs["confirm.code"].value = "wrong"
    widget.buttons["confirm"].click()
    assert widget.view == "confirm" and "That code is wrong" in widget.error.value
    assert widget.notice.value == ""  # "We sent a code" is gone: no green message above a red one
    assert "()" not in widget.error.value  # the form names its buttons, not Python calls
    widget.inputs["confirm.code"].value = code
    widget.buttons["confirm"].click()
    assert widget.view == "sign_in" and "confirmed" in widget.notice.value

    widget.inputs["sign_in.password"].value = "not it"
    widget.buttons["sign_in"].click()
    assert widget.view == "sign_in" and "Incorrect email or password" in widget.error.value
    widget.inputs["sign_in.password"].value = PASSWORD
    widget.buttons["sign_in"].click()
    assert widget.view == "signed_in" and email in widget.body.children[0].value and changes == [True]
    widget.buttons["sign_out"].click()
    assert widget.view == "sign_in" and not auth.signed_in and changes == [True, False]


def test_the_authenticator_resets_a_forgotten_password_and_sends_unconfirmed_users_to_confirm(auth):
    from amplify_nb.widgets.authenticator import Authenticator

    email = signed_up(auth, "widget-forgot")
    widget = Authenticator(auth)
    widget.buttons["to_forgot"].click()
    widget.inputs["forgot.username"].value = email
    widget.buttons["forgot"].click()
    assert widget.view == "reset"
    widget.inputs["reset.code"].value = auth.latest_code(email, "forgot-password")
    widget.inputs["reset.password"].value = widget.inputs["reset.confirm_password"].value = "short"
    widget.buttons["reset"].click()
    assert widget.view == "reset" and "at least 8 characters" in widget.error.value
    widget.inputs["reset.password"].value = widget.inputs["reset.confirm_password"].value = "a brand new one 9"
    widget.buttons["reset"].click()
    assert widget.view == "sign_in" and widget.inputs["sign_in.username"].value == email
    widget.inputs["sign_in.password"].value = "a brand new one 9"
    widget.buttons["sign_in"].click()
    assert widget.view == "signed_in"
    auth.sign_out()

    pending = signed_up(auth, "widget-pending", confirmed=False)
    widget = Authenticator(auth)
    widget.inputs["sign_in.username"].value = pending
    widget.inputs["sign_in.password"].value = PASSWORD
    widget.buttons["sign_in"].click()
    assert widget.view == "confirm" and "not confirmed" in widget.error.value
