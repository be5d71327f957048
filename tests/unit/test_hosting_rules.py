"""Hosting's planner rules make the calls real AWS needs, in its order, pinned with
botocore's Stubber: DEV lifts Block Public Access before its public policy; PROD creates bucket -> OAC ->
distribution -> waits -> the bucket policy naming the distribution; deleting disables, waits, deletes with the
new ETag, then the OAC. Response shapes come from moto, so the Stubber accepts them as valid."""
import json

import boto3
import pytest
from botocore.stub import ANY
from moto import mock_aws
from stubs import stubbed_target

from amplify_nb.categories.hosting import BLOCK_ALL, PUBLIC_POLICY_ALLOWED, hosting_models
from amplify_nb.deploy import Executor, RemoteState, plan_push
from amplify_nb.deploy.rules.cloudfront import config_drift, desired_config, origin_read_policy
from amplify_nb.specs.hosting import HostingSpec

BUCKET = "beer-site-dev"
TAGS = {"user:Stack": "dev"}
PROD = HostingSpec(bucket_name="beer-site", environment="PROD")
DEV = HostingSpec(bucket_name="beer-site", environment="DEV")



def strip(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.fixture(scope="module")
def shapes():
    """Real response shapes for the PROD models' distribution and OAC, made by moto in process."""
    dist_model = hosting_models(PROD, "dev", "us-east-1", TAGS)[2]
    with mock_aws():
        cf = boto3.client("cloudfront", region_name="us-east-1")
        oac = cf.create_origin_access_control(OriginAccessControlConfig={
            "Name": f"{BUCKET}-oac", "Description": f"amplify-nb hosting {BUCKET}", "SigningProtocol": "sigv4",
            "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"})
        config = desired_config(dist_model, oac["OriginAccessControl"]["Id"], dist_model.caller_reference)
        created = cf.create_distribution_with_tags(DistributionConfigWithTags={
            "DistributionConfig": config, "Tags": {"Items": [{"Key": "user:Stack", "Value": "dev"}]}})
        dist_id = created["Distribution"]["Id"]
        listed = strip(cf.list_distributions())
        for summary in listed["DistributionList"]["Items"]:
            summary.setdefault("Staging", False)  # required by botocore's model, not sent by moto
        return {
            "oac_id": oac["OriginAccessControl"]["Id"],
            "oac_list": strip(cf.list_origin_access_controls()),
            "oac_get": strip(cf.get_origin_access_control(Id=oac["OriginAccessControl"]["Id"])),
            "created": strip(created),
            "dist_id": dist_id,
            "arn": created["Distribution"]["ARN"],
            "list": listed,
            "config": strip(cf.get_distribution_config(Id=dist_id)),  # moto: no OriginAccessControlId in it
            "get": strip(cf.get_distribution(Id=dist_id)),
            "tags": strip(cf.list_tags_for_resource(Resource=created["Distribution"]["ARN"])),
            "desired": config,
        }


def empty_lists(cloudfront):
    cloudfront.add_response("list_origin_access_controls", {"OriginAccessControlList": {
        "Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 0}})
    cloudfront.add_response("list_distributions", {"DistributionList": {
        "Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 0}})


def test_dev_lifts_block_public_access_before_the_public_policy_and_uses_no_acl():
    target, stubs = stubbed_target("s3", "sts", "s3control")
    stubs["s3"].add_client_error("head_bucket", "404", http_status_code=404)
    stubs["sts"].add_response("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/u", "UserId": "U"})
    stubs["s3control"].add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration",
                                        http_status_code=404, expected_params={"AccountId": "123456789012"})
    plan = plan_push(hosting_models(DEV, "dev", "us-east-1", TAGS), [], RemoteState(target))
    assert [c.method for c in plan.calls] == ["create_bucket", "put_public_access_block", "put_bucket_policy",
                                              "put_bucket_website", "put_bucket_tagging"]
    assert plan.calls[1].params["PublicAccessBlockConfiguration"] == PUBLIC_POLICY_ALLOWED
    policy = plan.calls[2].params["Policy"].document["Statement"][0]
    assert policy["Principal"] == "*" and policy["Action"] == "s3:GetObject"
    assert not any("ACL" in json.dumps(c.params, default=str) or "acl" in c.method for c in plan.calls)


def test_new_prod_creates_bucket_then_oac_then_distribution_waits_then_grants_it_the_bucket(shapes):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    s3.add_client_error("head_bucket", "404", http_status_code=404)
    cloudfront.add_response("list_origin_access_controls", {"OriginAccessControlList": {
        "Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 0}})
    empty_lists(cloudfront)
    plan = plan_push(hosting_models(PROD, "dev", "us-east-1", TAGS), [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "s3.create_bucket", "s3.put_public_access_block", "s3.put_bucket_website", "s3.put_bucket_tagging",
        "cloudfront.create_origin_access_control", "cloudfront.create_distribution_with_tags",
        "cloudfront.wait(distribution_deployed)", "s3.put_bucket_policy"]
    assert plan.calls[1].params["PublicAccessBlockConfiguration"] == BLOCK_ALL

    s3.add_response("create_bucket", {}, {"Bucket": BUCKET})
    s3.add_response("put_public_access_block", {}, {"Bucket": BUCKET, "PublicAccessBlockConfiguration": BLOCK_ALL})
    s3.add_response("put_bucket_website", {}, {"Bucket": BUCKET, "WebsiteConfiguration": ANY})
    s3.add_response("put_bucket_tagging", {}, {"Bucket": BUCKET, "Tagging": ANY})
    cloudfront.add_response("create_origin_access_control",
                            {**shapes["oac_get"], "Location": "https://x"}, {"OriginAccessControlConfig": ANY})
    expected = json.loads(json.dumps(shapes["desired"]))
    expected["Origins"]["Items"][0]["OriginAccessControlId"] = shapes["oac_id"]
    assert plan.calls[5].params["DistributionConfigWithTags"]["DistributionConfig"]["CallerReference"].startswith(
        f"amplify-nb-{BUCKET}-")  # never reused: AWS refuses a reference it has seen
    expected["CallerReference"] = ANY
    cloudfront.add_response("create_distribution_with_tags", shapes["created"], {
        "DistributionConfigWithTags": {"DistributionConfig": expected, "Tags": {"Items": ANY}}})
    deployed = json.loads(json.dumps(shapes["get"], default=str))
    deployed["Distribution"]["Status"] = "Deployed"
    cloudfront.add_response("get_distribution", deployed, {"Id": shapes["dist_id"]})
    s3.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": json.dumps(origin_read_policy(BUCKET, shapes["arn"]))})
    executor = Executor(target, progress=False)
    executor.run(plan)
    s3.assert_no_pending_responses()
    cloudfront.assert_no_pending_responses()


def existing_prod_reads(shapes, s3, cloudfront, config):
    s3.add_response("head_bucket", {}, {"Bucket": BUCKET})
    s3.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": BLOCK_ALL}, {"Bucket": BUCKET})
    s3.add_response("get_bucket_website", {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "index.html"}})
    s3.add_client_error("get_bucket_cors", "NoSuchCORSConfiguration", http_status_code=404, expected_params={"Bucket": BUCKET})
    s3.add_response("get_bucket_tagging", {"TagSet": [{"Key": k, "Value": v} for k, v in TAGS.items()]})
    cloudfront.add_response("list_origin_access_controls", shapes["oac_list"])
    cloudfront.add_response("list_origin_access_controls", shapes["oac_list"])
    cloudfront.add_response("list_distributions", shapes["list"])
    cloudfront.add_response("get_distribution_config", config, {"Id": shapes["dist_id"]})


def test_a_pushed_prod_site_plans_nothing_although_moto_forgets_the_oac_id(shapes):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    assert "OriginAccessControlId" not in json.dumps(shapes["config"])
    existing_prod_reads(shapes, s3, cloudfront, shapes["config"])
    cloudfront.add_response("list_tags_for_resource", shapes["tags"], {"Resource": shapes["arn"]})
    s3.add_response("get_bucket_policy", {"Policy": json.dumps(origin_read_policy(BUCKET, shapes["arn"]))})
    plan = plan_push(hosting_models(PROD, "dev", "us-east-1", TAGS), [], RemoteState(target))
    s3.assert_no_pending_responses()
    cloudfront.assert_no_pending_responses()
    assert not plan and plan.calls == []


def test_on_aws_a_distribution_that_lost_its_oac_is_updated_with_the_etag_and_waited_for(shapes):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    config = json.loads(json.dumps(shapes["config"], default=str))
    config["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] = ""  # AWS returns the key
    existing_prod_reads(shapes, s3, cloudfront, config)
    cloudfront.add_response("list_tags_for_resource", shapes["tags"], {"Resource": shapes["arn"]})
    s3.add_response("get_bucket_policy", {"Policy": json.dumps(origin_read_policy(BUCKET, shapes["arn"]))})
    plan = plan_push(hosting_models(PROD, "dev", "us-east-1", TAGS), [], RemoteState(target))
    assert [row["call"] for row in plan.rows()] == ["cloudfront.update_distribution", "cloudfront.wait(distribution_deployed)"]
    update = plan.calls[0].params
    assert update["IfMatch"] == config["ETag"]
    assert update["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] == shapes["oac_id"]
    assert update["DistributionConfig"]["CallerReference"] == config["DistributionConfig"]["CallerReference"]


def test_drift_compares_amplifys_error_responses_and_ttls(shapes):
    current = json.loads(json.dumps(shapes["config"]["DistributionConfig"], default=str))
    assert config_drift(current, shapes["desired"]) == []
    current["CustomErrorResponses"]["Items"][0]["ResponsePagePath"] = "/other.html"
    current["DefaultCacheBehavior"]["MaxTTL"] = 5
    assert config_drift(current, shapes["desired"]) == ["DefaultCacheBehavior", "CustomErrorResponses"]


def test_removing_prod_disables_waits_deletes_with_the_new_etag_then_deletes_the_oac(shapes):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    recorded = [m.identity() for m in hosting_models(PROD, "dev", "us-east-1", TAGS)]
    cloudfront.add_response("list_distributions", shapes["list"])
    cloudfront.add_response("get_distribution_config", shapes["config"], {"Id": shapes["dist_id"]})
    cloudfront.add_response("list_origin_access_controls", shapes["oac_list"])
    cloudfront.add_response("get_origin_access_control", shapes["oac_get"], {"Id": shapes["oac_id"]})
    s3.add_response("head_bucket", {}, {"Bucket": BUCKET})
    s3.add_response("list_object_versions", {"Versions": [{"Key": "index.html", "VersionId": "null"}]}, {"Bucket": BUCKET})
    plan = plan_push([], recorded, RemoteState(target))
    assert [row["call"] for row in plan.rows()] == [
        "cloudfront.update_distribution", "cloudfront.wait(distribution_deployed)", "cloudfront.delete_distribution",
        "cloudfront.delete_origin_access_control", "s3.delete_objects", "s3.delete_bucket"]
    assert plan.calls[0].params["DistributionConfig"]["Enabled"] is False

    disabled = {"Distribution": shapes["get"]["Distribution"], "ETag": "ETAG-AFTER-DISABLE"}
    cloudfront.add_response("update_distribution", disabled,
                            {"Id": shapes["dist_id"], "IfMatch": shapes["config"]["ETag"], "DistributionConfig": ANY})
    deployed = json.loads(json.dumps(shapes["get"], default=str))
    deployed["Distribution"]["Status"] = "Deployed"
    cloudfront.add_response("get_distribution", deployed, {"Id": shapes["dist_id"]})
    cloudfront.add_response("delete_distribution", {}, {"Id": shapes["dist_id"], "IfMatch": "ETAG-AFTER-DISABLE"})
    cloudfront.add_response("delete_origin_access_control", {},
                            {"Id": shapes["oac_id"], "IfMatch": shapes["oac_get"]["ETag"]})
    s3.add_response("delete_objects", {}, {"Bucket": BUCKET, "Delete": ANY})
    s3.add_response("delete_bucket", {}, {"Bucket": BUCKET})
    Executor(target, progress=False).run(plan)
    cloudfront.assert_no_pending_responses()
    s3.assert_no_pending_responses()


def test_removing_a_bucket_of_more_than_1000_objects_deletes_every_page():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_response("head_bucket", {}, {"Bucket": BUCKET})
    first = [{"Key": f"f{i:04d}.js", "VersionId": "null"} for i in range(1000)]
    s3.add_response("list_object_versions", {"Versions": first, "IsTruncated": True, "NextKeyMarker": "f0999.js",
                                             "NextVersionIdMarker": "null"}, {"Bucket": BUCKET})
    s3.add_response("list_object_versions", {"Versions": [{"Key": "index.html", "VersionId": "null"}], "IsTruncated": False},
                    {"Bucket": BUCKET, "KeyMarker": "f0999.js", "VersionIdMarker": "null"})
    plan = plan_push([], [{"type": "s3.Bucket", "name": BUCKET}], RemoteState(target))
    assert [c.method for c in plan.calls] == ["delete_objects", "delete_objects", "delete_bucket"]
    assert plan.calls[1].params["Delete"]["Objects"] == [{"Key": "index.html", "VersionId": "null"}]
