"""add/update auth answers: Amplify's defaults, clear messages for bad answers, exit code 2 and nothing written."""
from __future__ import annotations

import json

import pytest

from amplify_nb.categories.auth import AUTH, backend_entry, inputs_from_spec, spec_from_inputs
from amplify_nb.cli import main
from amplify_nb.project import Project
from amplify_nb.project.init import write_project_files
from amplify_nb.specs import InitSpec
from amplify_nb.specs.auth import AuthSpec


def project_without_cloud(tmp_path) -> Project:
    """An initialized project's files (no cloud call): enough for add/update, which only write files."""
    project = Project(tmp_path / "beer")
    project.root.mkdir()
    write_project_files(project, InitSpec.for_project(project.root, {"name": "beerapp"}), project.target("dev"))
    return project


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_default_answers_are_amplifys_default_configuration_with_email_sign_in(tmp_path):
    spec = AUTH.default_spec(project_without_cloud(tmp_path))
    assert spec.problems() == []
    assert spec.resource_name.startswith("beerapp") and len(spec.resource_name) == len("beerapp") + 8
    assert (spec.sign_in_with, spec.password_min_length, spec.password_requirements, spec.mfa, spec.allow_guests) == \
        ("email", 8, [], "off", False)
    assert spec.username_attributes == ["email"]


@pytest.mark.parametrize("answers, field, text", [
    ({"resource_name": "beer-auth"}, "resource_name", "letters or digits"),
    ({"resource_name": ""}, "resource_name", "letters or digits"),
    ({"password_min_length": 5}, "password_min_length", "between 6 and 99"),
    ({"password_min_length": 100}, "password_min_length", "between 6 and 99"),
    ({"password_requirements": ["numbers", "emoji"]}, "password_requirements", "lowercase, uppercase, numbers, symbols"),
    ({"mfa": "always"}, "mfa", "MFA must be one of: off, optional"),
    ({"sign_in_with": "fax"}, "sign_in_with", "Sign-in method must be one of"),
    ({"email_verification_message": "Welcome!"}, "email_verification_message", "must contain {####}"),
    ({"refresh_token_days": 0}, "refresh_token_days", "between 1 and 3650 days"),
])
def test_each_bad_answer_gets_a_message_on_its_own_field(answers, field, text):
    spec = AuthSpec.from_answers({"resource_name": "beerauth", **answers})
    problems = spec.problems()
    assert [p.field for p in problems] == [field]
    assert text in problems[0].message


def test_answers_survive_the_round_trip_through_amplifys_cli_inputs_file():
    spec = AuthSpec(resource_name="beerauth", sign_in_with="email_or_phone", allow_guests=True, password_min_length=12,
                    password_requirements=["numbers", "symbols"], mfa="optional", refresh_token_days=7)
    inputs = inputs_from_spec(spec, "1a2b3c4d")
    assert inputs["cognitoConfig"]["passwordPolicyCharacters"] == ["Requires Numbers", "Requires Symbols"]
    assert inputs["cognitoConfig"]["userPoolName"] == "beerauth_userpool_1a2b3c4d"
    assert spec_from_inputs("beerauth", inputs) == spec
    frontend = backend_entry(spec)["frontendAuthConfig"]
    assert frontend["usernameAttributes"] == ["EMAIL", "PHONE_NUMBER"]
    assert frontend["passwordProtectionSettings"] == {"passwordPolicyMinLength": 12,
                                                      "passwordPolicyCharacters": ["REQUIRES_NUMBERS", "REQUIRES_SYMBOLS"]}
    assert frontend["mfaConfiguration"] == "OPTIONAL" and frontend["mfaTypes"] == ["TOTP"]


def test_the_files_say_no_mfa_type_when_mfa_is_off():
    spec = AuthSpec(resource_name="beerauth", mfa="off")
    assert inputs_from_spec(spec, "1a2b3c4d")["cognitoConfig"]["mfaTypes"] == []
    assert backend_entry(spec)["frontendAuthConfig"]["mfaTypes"] == []


@pytest.mark.parametrize("flags, expected", [
    (["--resource-name", "beer_auth"], "Resource name must be 1-128 letters or digits"),
    (["--sign-in-with", "fax"], "Sign-in method must be one of: username, email, phone, email_or_phone"),
    (["--password-min-length", "4"], "Minimum password length must be a whole number between 6 and 99"),
    (["--password-min-length", "eight"], "Minimum password length must be a whole number between 6 and 99"),
    (["--password-requirements", "numbers,pictures"], "Password requirements must be a list of"),
    (["--email-verification-message", "Hello"], "must contain {####}"),
    (["--allow-guests", "perhaps"], "Allow unauthenticated logins must be yes or no"),
])
def test_add_auth_refuses_bad_answers_with_exit_2_and_writes_nothing(tmp_path, capsys, flags, expected):
    project = project_without_cloud(tmp_path)
    before = snapshot(project.root)
    assert main(["add", "auth", "--yes", "--project-dir", str(project.root), *flags]) == 2
    assert expected in capsys.readouterr().err
    assert snapshot(project.root) == before


def test_add_auth_writes_amplifys_files_and_a_second_auth_is_refused(tmp_path, capsys):
    project = project_without_cloud(tmp_path)
    assert main(["add", "auth", "--yes", "--project-dir", str(project.root), "--resource-name", "beerauth"]) == 0
    entry = project.backend_config()["auth"]["beerauth"]
    assert entry["service"] == "Cognito" and entry["frontendAuthConfig"]["usernameAttributes"] == ["EMAIL"]
    assert (project.paths.resource_dir("auth", "beerauth") / "cli-inputs.json").is_file()
    before = snapshot(project.root)
    assert main(["add", "auth", "--yes", "--project-dir", str(project.root), "--resource-name", "otherauth"]) == 2
    assert "already has auth (beerauth)" in capsys.readouterr().err
    assert snapshot(project.root) == before


def test_update_auth_keeps_the_pool_names_and_refuses_a_new_resource_name(tmp_path, capsys):
    project = project_without_cloud(tmp_path)
    main(["add", "auth", "--yes", "--project-dir", str(project.root), "--resource-name", "beerauth"])
    inputs = (project.paths.resource_dir("auth", "beerauth") / "cli-inputs.json").read_text()
    shared_id = json.loads(inputs)["cognitoConfig"]["sharedId"]
    assert main(["update", "auth", "--yes", "--project-dir", str(project.root), "--password-min-length", "12"]) == 0
    config = json.loads((project.paths.resource_dir("auth", "beerauth") / "cli-inputs.json").read_text())
    assert config["cognitoConfig"]["sharedId"] == shared_id and config["cognitoConfig"]["passwordPolicyMinLength"] == 12
    before = snapshot(project.root)
    assert main(["update", "auth", "--yes", "--project-dir", str(project.root), "--resource-name", "renamed"]) == 2
    assert "cannot change" in capsys.readouterr().err
    assert snapshot(project.root) == before


def test_settings_beyond_the_default_configuration_open_the_advanced_settings_and_the_file_keeps_the_mode(tmp_path):
    assert AuthSpec(resource_name="beerauth").advanced == "no"
    tuned = AuthSpec.from_answers({"resource_name": "beerauth", "password_min_length": 12})
    assert tuned.advanced == "yes" and tuned.applies("password_min_length") and not tuned.applies("resource_name")
    manual = AuthSpec(resource_name="beerauth", configuration="manual")
    assert manual.applies("resource_name") and not manual.applies("advanced")
    inputs = inputs_from_spec(manual, "abcd1234")
    assert inputs["cognitoConfig"]["useDefault"] == "manual"
    assert spec_from_inputs("beerauth", inputs) == manual
    assert "Configuration must be one of: default, manual" in str(
        AuthSpec(resource_name="beerauth", configuration="learn").problems())
