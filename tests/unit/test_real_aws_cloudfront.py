"""A new AWS account cannot add CloudFront resources until AWS verifies it: the push says so (a support case, DEV
meanwhile) and removes the origin access control it made for the refused distribution, which no later push
would find (pinned with botocore's Stubber; response shapes from moto)."""
import boto3
import pytest
from moto import mock_aws
from stubs import stubbed_target

from amplify_nb.categories.hosting import hosting_models
from amplify_nb.deploy import Executor, RemoteState, plan_push
from amplify_nb.errors import CloudError
from amplify_nb.specs.hosting import HostingSpec

BUCKET = "beer-site-dev"
PROD = HostingSpec(bucket_name="beer-site", environment="PROD")
UNVERIFIED = ("Your account must be verified before you can add new CloudFront resources. To verify your account, "
              "please contact AWS Support (https://console.aws.amazon.com/support/home#/) and include this error message.")


@pytest.fixture(scope="module")
def oac_created():
    with mock_aws():
        created = boto3.client("cloudfront", region_name="us-east-1").create_origin_access_control(
            OriginAccessControlConfig={"Name": f"{BUCKET}-oac", "SigningProtocol": "sigv4",
                                       "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"})
    return {k: v for k, v in created.items() if k != "ResponseMetadata"}


def empty(cloudfront, method, key):
    cloudfront.add_response(method, {key: {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 0}})


def test_an_unverified_account_is_told_to_open_a_support_case_and_the_new_oac_is_removed(oac_created):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    s3.add_client_error("head_bucket", "404", http_status_code=404)
    empty(cloudfront, "list_origin_access_controls", "OriginAccessControlList")
    empty(cloudfront, "list_origin_access_controls", "OriginAccessControlList")
    empty(cloudfront, "list_distributions", "DistributionList")
    plan = plan_push(hosting_models(PROD, "dev", "us-east-1", {"user:Stack": "dev"}), [], RemoteState(target))

    for method in ("create_bucket", "put_public_access_block", "put_bucket_website", "put_bucket_tagging"):
        s3.add_response(method, {})
    cloudfront.add_response("create_origin_access_control", oac_created)
    cloudfront.add_client_error("create_distribution_with_tags", "AccessDenied", UNVERIFIED, http_status_code=403)
    cloudfront.add_response("delete_origin_access_control", {}, {
        "Id": oac_created["OriginAccessControl"]["Id"], "IfMatch": oac_created["ETag"]})
    executor = Executor(target, progress=False, sleep=lambda seconds: None)
    with pytest.raises(CloudError) as refused:
        executor.run(plan)
    message = str(refused.value)
    assert "must be verified by AWS" in message and "support case" in message
    assert "amplify-nb update hosting --environment DEV" in message
    cloudfront.assert_no_pending_responses()
    assert executor.calls_made[-1] == "cloudfront.delete_origin_access_control"


def test_an_oac_left_by_an_earlier_refused_push_is_removed_too(oac_created):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    oac = oac_created["OriginAccessControl"]
    listed = {"OriginAccessControlList": {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 1, "Items": [{
        "Id": oac["Id"], "Description": f"amplify-nb hosting {BUCKET}", "Name": f"{BUCKET}-oac", "SigningProtocol": "sigv4",
        "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"}]}}
    s3.add_client_error("head_bucket", "404", http_status_code=404)
    cloudfront.add_response("list_origin_access_controls", listed)
    cloudfront.add_response("list_origin_access_controls", listed)
    empty(cloudfront, "list_distributions", "DistributionList")
    cloudfront.add_response("get_origin_access_control", oac_created, {"Id": oac["Id"]})
    plan = plan_push(hosting_models(PROD, "dev", "us-east-1", {"user:Stack": "dev"}), [], RemoteState(target))
    cloudfront.assert_no_pending_responses()
    create = next(call for call in plan.calls if call.method == "create_distribution_with_tags")
    cloudfront.add_client_error("create_distribution_with_tags", "AccessDenied", UNVERIFIED, http_status_code=403)
    cloudfront.add_response("delete_origin_access_control", {}, {"Id": oac["Id"], "IfMatch": oac_created["ETag"]})
    with pytest.raises(CloudError, match="support case"):
        Executor(target, progress=False)._call(create)
    cloudfront.assert_no_pending_responses()


def test_other_cloudfront_refusals_keep_the_generic_message(oac_created):
    target, stubs = stubbed_target("s3", "cloudfront")
    s3, cloudfront = stubs["s3"], stubs["cloudfront"]
    s3.add_client_error("head_bucket", "404", http_status_code=404)
    empty(cloudfront, "list_origin_access_controls", "OriginAccessControlList")
    empty(cloudfront, "list_origin_access_controls", "OriginAccessControlList")
    empty(cloudfront, "list_distributions", "DistributionList")
    plan = plan_push(hosting_models(PROD, "dev", "us-east-1", {"user:Stack": "dev"}), [], RemoteState(target))
    create = next(call for call in plan.calls if call.method == "create_distribution_with_tags")
    cloudfront.add_client_error("create_distribution_with_tags", "AccessDenied", "User is not authorized",
                                http_status_code=403)
    executor = Executor(target, progress=False)
    executor.variables[f"cloudfront.OriginAccessControl:{BUCKET}-oac.Id"] = oac_created["OriginAccessControl"]["Id"]
    with pytest.raises(CloudError) as failed:
        executor._call(create)
    cloudfront.assert_no_pending_responses()  # nothing undone
    assert "support case" not in str(failed.value) and "push again" in str(failed.value)
