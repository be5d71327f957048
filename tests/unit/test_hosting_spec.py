"""add hosting accepts what Amplify accepts (S3's bucket naming rules, DEV or PROD) and refuses the rest."""
import json

import pytest

from amplify_nb.categories.hosting import cloudformation_template, oac_name, spec_from_files, website_url
from amplify_nb.errors import InputError
from amplify_nb.specs.hosting import (
    BUCKET_CHARACTERS_MESSAGE,
    BUCKET_DOTS_MESSAGE,
    BUCKET_END_MESSAGE,
    BUCKET_IP_MESSAGE,
    BUCKET_START_MESSAGE,
    HostingSpec,
    default_bucket_name,
)


def messages(spec, field):
    return [p.message for p in spec.problems() if p.field == field]


def test_default_bucket_name_is_amplifys_project_timestamp_hostingbucket():
    name = default_bucket_name("BeerApp", now=0)
    assert name == "beerapp-19700101000000-hostingbucket"
    assert HostingSpec.for_project("BeerApp").problems() == []


@pytest.mark.parametrize("name, message", [
    ("ab", BUCKET_CHARACTERS_MESSAGE),
    ("a" * 64, BUCKET_CHARACTERS_MESSAGE),
    ("Beer-hosting", BUCKET_CHARACTERS_MESSAGE),
    ("beer_hosting", BUCKET_CHARACTERS_MESSAGE),
    ("beer hosting", BUCKET_CHARACTERS_MESSAGE),
    ("-beer", BUCKET_START_MESSAGE),
    (".beer", BUCKET_START_MESSAGE),
    ("beer-", BUCKET_END_MESSAGE),
    ("beer..hosting", BUCKET_DOTS_MESSAGE),
    ("beer.-hosting", BUCKET_DOTS_MESSAGE),
    ("beer-.hosting", BUCKET_DOTS_MESSAGE),
    ("192.168.5.4", BUCKET_IP_MESSAGE),
])
def test_bad_bucket_names_get_the_rule_they_break(name, message):
    assert messages(HostingSpec(bucket_name=name), "bucket_name") == [message]


@pytest.mark.parametrize("name", ["abc", "beer-hosting", "beer.hosting.1", "1beer", "a" * 63, "192.168.5.4a"])
def test_good_bucket_names_pass(name):
    assert HostingSpec(bucket_name=name).problems() == []


def test_the_env_suffix_must_still_fit_in_63_characters():
    spec = HostingSpec(bucket_name="a" * 60)
    assert spec.problems() == []
    (problem,) = spec.env_problems("dev")
    assert problem.field == "bucket_name" and "at most 59 characters" in problem.message
    assert HostingSpec(bucket_name="a" * 59).env_problems("dev") == []


def test_environment_must_be_dev_or_prod():
    (message,) = messages(HostingSpec(bucket_name="beer-site", environment="STAGING"), "environment")
    assert "DEV" in message and "PROD" in message


@pytest.mark.parametrize("field, value", [("index_doc", "site/index.html"), ("index_doc", ""),
                                          ("error_doc", "/index.html"), ("error_doc", "")])
def test_documents_must_be_files_of_the_distribution_folder(field, value):
    assert messages(HostingSpec(bucket_name="beer-site", **{field: value}), field)


def test_cli_flags_are_the_answer_names():
    assert [q.flag for q in HostingSpec.questions()] == ["--environment", "--bucket-name", "--index-doc", "--error-doc"]


def test_answers_read_back_from_amplifys_files_are_the_answers_written(tmp_path):
    for spec in (HostingSpec(bucket_name="beer-site", environment="PROD", index_doc="main.html", error_doc="404.html"),
                 HostingSpec(bucket_name="beer-site", environment="DEV")):
        (tmp_path / "parameters.json").write_text(json.dumps({"bucketName": spec.bucket_name}))
        (tmp_path / "template.json").write_text(json.dumps(cloudformation_template(spec)))
        assert spec_from_files(tmp_path) == spec


def test_prod_template_describes_the_distribution_and_its_private_bucket_policy():
    template = cloudformation_template(HostingSpec(bucket_name="beer-site", environment="PROD"))
    resources = template["Resources"]
    assert {"S3Bucket", "OriginAccessControl", "CloudFrontDistribution", "PrivateBucketPolicy"} <= set(resources)
    assert "BucketPolicy" not in resources
    config = resources["CloudFrontDistribution"]["Properties"]["DistributionConfig"]
    assert [e["ErrorCode"] for e in config["CustomErrorResponses"]] == [400, 403, 404]
    assert {"CloudFrontSecureURL", "CloudFrontDistributionID", "CloudFrontDomainName", "HostingBucketName",
            "WebsiteURL", "Region"} == set(template["Outputs"])


@pytest.mark.parametrize("region, url", [
    ("us-east-1", "http://b.s3-website-us-east-1.amazonaws.com"),
    ("eu-west-1", "http://b.s3-website-eu-west-1.amazonaws.com"),
    ("ap-northeast-1", "http://b.s3-website-ap-northeast-1.amazonaws.com"),
    ("eu-central-1", "http://b.s3-website.eu-central-1.amazonaws.com"),
    ("us-east-2", "http://b.s3-website.us-east-2.amazonaws.com"),
    ("ap-south-1", "http://b.s3-website.ap-south-1.amazonaws.com"),
])
def test_website_urls_use_the_regions_format(region, url):
    assert website_url("b", region) == url


def test_oac_names_stay_within_64_characters_and_distinct():
    long_a, long_b = "a" * 55 + "-x1-dev", "a" * 55 + "-x2-dev"
    assert oac_name("beer-site-dev") == "beer-site-dev-oac"
    assert len(oac_name(long_a)) <= 64 and oac_name(long_a) != oac_name(long_b)


def test_add_hosting_with_a_bad_bucket_name_raises_input_error_before_writing(tmp_path):
    with pytest.raises(InputError, match="Bucket name"):
        HostingSpec(bucket_name="Bad_Name").check()
