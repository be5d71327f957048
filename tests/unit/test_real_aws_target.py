"""The Target seam on real AWS: one boto3 Session per identity (so credentials, an MFA code included, are
resolved once for every client and every Target of the process) and regions of other partitions refused at
configure time, since ARNs and service hosts are written for the standard `aws` partition."""
import pytest

from amplify_nb.aws import Target
from amplify_nb.specs.configure import ConfigureSpec


@pytest.fixture
def profile(tmp_path, monkeypatch):
    (tmp_path / "config").write_text("[profile work]\nregion = eu-west-1\n")
    (tmp_path / "credentials").write_text("[work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setattr("amplify_nb.aws._SESSIONS", {}, raising=False)
    return "work"


def test_every_client_of_every_target_of_one_profile_shares_one_set_of_credentials(profile):
    first, second = Target(kind="aws", profile=profile), Target(kind="aws", profile=profile, region="eu-west-1")
    credentials = {id(client._request_signer._credentials)
                   for client in (first.client("s3"), first.client("dynamodb"), second.client("lambda"))}
    assert len(credentials) == 1  # an MFA or SSO profile is asked once, not once per service
    assert second.client("lambda").meta.region_name == "eu-west-1"


def test_another_profile_gets_its_own_session(profile):
    assert Target(kind="aws", profile=profile).session() is not Target(kind="endpoint", endpoint_url="http://x:1").session()


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1"])
def test_govcloud_and_china_regions_are_refused_for_the_aws_target_with_the_reason(region):
    problems = ConfigureSpec(target="aws", profile="work", region=region).problems()
    assert [p.field for p in problems] == ["region"]
    assert "partition" in problems[0].message and "us-east-1" in problems[0].message


def test_standard_regions_and_endpoints_are_accepted():
    assert ConfigureSpec(target="aws", profile="work", region="eu-central-1").problems() == []
    assert Target(kind="endpoint", endpoint_url="http://localhost:4566", region="us-gov-west-1").problems() == []
