"""The init and configure flows accept what Amplify accepts and refuse the rest with Amplify's messages."""
import pytest

from amplify_nb.errors import InputError
from amplify_nb.specs import ConfigureSpec, InitSpec
from amplify_nb.specs.init import ENV_NAME_MESSAGE, PROJECT_NAME_MESSAGE


def messages(spec, field):
    return [p.message for p in spec.problems() if p.field == field]


def test_project_name_defaults_to_folder_name_without_punctuation(tmp_path):
    assert InitSpec.for_project(tmp_path / "my-beer_app").name == "mybeerapp"


@pytest.mark.parametrize("name", ["ab", "a" * 21, "beer-app", "beer app", "bière", ""])
def test_bad_project_names_get_amplifys_message(tmp_path, name):
    assert messages(InitSpec.for_project(tmp_path, {"name": name}), "name") == [PROJECT_NAME_MESSAGE]


@pytest.mark.parametrize("name", ["abc", "Beer42", "a" * 20])
def test_good_project_names_pass(tmp_path, name):
    assert InitSpec.for_project(tmp_path, {"name": name}).problems() == []


@pytest.mark.parametrize("env", ["d", "DEV", "dev1", "abcdefghijk", "de-v"])
def test_bad_env_names_get_amplifys_message(tmp_path, env):
    assert messages(InitSpec.for_project(tmp_path / "beer", {"env": env}), "env") == [ENV_NAME_MESSAGE]


def test_unknown_editor_lists_the_choices(tmp_path):
    (message,) = messages(InitSpec.for_project(tmp_path / "beer", {"editor": "notepad"}), "editor")
    assert "vscode" in message and "notepad" in message


@pytest.mark.parametrize("folder", ["../outside", "/abs/path", "", "a:b"])
def test_directories_must_stay_inside_the_project(tmp_path, folder):
    spec = InitSpec.for_project(tmp_path / "beer", {"source_dir": folder, "distribution_dir": folder})
    assert messages(spec, "source_dir") and messages(spec, "distribution_dir")


def test_framework_sets_amplifys_folders_and_commands(tmp_path):
    react = InitSpec.for_project(tmp_path / "beer", {"framework": "react"})
    assert (react.source_dir, react.distribution_dir, react.build_command) == ("src", "build", "npm run-script build")
    vue = InitSpec.for_project(tmp_path / "beer", {"framework": "vue", "distribution_dir": "public"})
    assert (vue.distribution_dir, vue.start_command) == ("public", "npm run-script serve")


def test_unknown_answer_names_are_refused_not_ignored(tmp_path):
    with pytest.raises(InputError, match="projct_name"):
        InitSpec.for_project(tmp_path / "beer", {"projct_name": "beer"})


def test_configure_needs_a_profile_for_aws_and_a_url_for_endpoints():
    assert [p.field for p in ConfigureSpec(target="aws").problems()] == ["profile"]
    assert [p.field for p in ConfigureSpec(target="endpoint", endpoint_url="localhost:4566").problems()] == ["endpoint_url"]
    assert [p.field for p in ConfigureSpec(target="moon").problems()] == ["target"]
    assert ConfigureSpec().problems() == []


def test_configure_knows_the_aws_regions_and_suggests_the_close_ones():
    assert messages(ConfigureSpec(target="aws", profile="p", region="mars-north-9"), "region") == [
        "'mars-north-9' is not an AWS region. For example us-east-1 or eu-west-1."]
    assert "Did you mean eu-west-1" in messages(ConfigureSpec(target="aws", profile="p", region="eu-wset-1"), "region")[0]
    assert ConfigureSpec(target="aws", profile="p", region="ap-southeast-2").problems() == []


def test_an_endpoint_may_serve_other_regions_with_a_warning():
    spec = ConfigureSpec(target="endpoint", endpoint_url="http://localhost:4566", region="mars-north-9")
    assert spec.problems() == []
    assert spec.to_target().warnings() == [
        "Region 'mars-north-9' is not an AWS region; the endpoint http://localhost:4566 must accept it."]
    assert ConfigureSpec(target="endpoint", endpoint_url="http://localhost:4566").to_target().warnings() == []


def test_missing_credentials_are_named_as_such_not_as_an_unreachable_endpoint():
    import botocore.exceptions

    from amplify_nb.aws import Target

    target = Target(kind="endpoint", region="us-east-1", endpoint_url="http://localhost:4566")
    message = target.explain_failure(botocore.exceptions.NoCredentialsError())
    assert message.startswith("No AWS credentials found") and "Cannot reach" not in message
    aws = Target(kind="aws", region="us-east-1", profile="work")
    assert "aws configure --profile work" in aws.explain_failure(botocore.exceptions.ProfileNotFound(profile="work"))
    assert aws.explain_failure(botocore.exceptions.EndpointConnectionError(endpoint_url="https://sts")).startswith(
        "Cannot reach")
