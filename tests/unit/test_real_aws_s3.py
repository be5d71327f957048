"""What real S3 does that moto forgives, pinned with botocore's Stubber: the account-level Block Public Access,
bucket names owned by other accounts, a new bucket not yet visible everywhere, a name removed and made again,
and tags added by someone else."""
import pytest
from botocore.stub import ANY
from stubs import stubbed_target

from amplify_nb.categories.hosting import PUBLIC_POLICY_ALLOWED, hosting_models
from amplify_nb.deploy import Executor, RemoteState, plan_push
from amplify_nb.deploy.models import Bucket
from amplify_nb.errors import CloudError, InputError
from amplify_nb.specs.hosting import HostingSpec

ACCOUNT = "123456789012"
BUCKET = "beer-site-dev"
TAGS = {"user:Stack": "dev", "amplify-nb:stack": "amplify-beer-dev-1"}
DEV = HostingSpec(bucket_name="beer-site", environment="DEV")


def identity(stubs):
    stubs["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/u",
                                                      "UserId": "U"})


def account_block(stubs, **flags):
    identity(stubs)
    if flags:
        config = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), False)
        stubs["s3control"].add_response("get_public_access_block", {"PublicAccessBlockConfiguration": {**config, **flags}},
                                        {"AccountId": ACCOUNT})
    else:
        stubs["s3control"].add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration",
                                            http_status_code=404, expected_params={"AccountId": ACCOUNT})


class Sleeps(list):
    """Records the executor's pauses instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


def test_dev_on_an_account_that_blocks_public_policies_is_refused_at_plan_time_suggesting_prod():
    target, stubs = stubbed_target("s3", "sts", "s3control")
    stubs["s3"].add_client_error("head_bucket", "404", http_status_code=404)
    account_block(stubs, BlockPublicPolicy=True, RestrictPublicBuckets=True)
    with pytest.raises(InputError) as refused:
        plan_push(hosting_models(DEV, "dev", "us-east-1", TAGS), [], RemoteState(target))
    assert "account-level S3 Block Public Access" in str(refused.value)
    assert "--environment PROD" in str(refused.value) and "Nothing was changed" in str(refused.value)
    stubs["s3control"].assert_no_pending_responses()


def test_dev_is_planned_when_the_account_only_blocks_acls():
    target, stubs = stubbed_target("s3", "sts", "s3control")
    stubs["s3"].add_client_error("head_bucket", "404", http_status_code=404)
    account_block(stubs, BlockPublicAcls=True, IgnorePublicAcls=True)
    plan = plan_push(hosting_models(DEV, "dev", "us-east-1", TAGS), [], RemoteState(target))
    assert "put_bucket_policy" in [call.method for call in plan.calls]


def test_the_public_policy_is_retried_while_block_public_access_spreads_then_explained():
    target, stubs = stubbed_target("s3", "sts", "s3control")
    stubs["s3"].add_client_error("head_bucket", "404", http_status_code=404)
    account_block(stubs)
    plan = plan_push(hosting_models(DEV, "dev", "us-east-1", TAGS), [], RemoteState(target))
    policy_call = next(call for call in plan.calls if call.method == "put_bucket_policy")
    s3 = stubs["s3"]
    s3.add_client_error("put_bucket_policy", "AccessDenied", "Access Denied", http_status_code=403)
    s3.add_client_error("put_bucket_policy", "OperationAborted", "A conflicting conditional operation", http_status_code=409)
    s3.add_response("put_bucket_policy", {}, {"Bucket": BUCKET, "Policy": ANY})
    sleeps = Sleeps()
    executor = Executor(target, progress=False, sleep=sleeps)
    executor._call(policy_call)
    assert len(sleeps) == 2 and executor.calls_made == ["s3.put_bucket_policy"]

    for _ in range(policy_call.retry.attempts):
        s3.add_client_error("put_bucket_policy", "AccessDenied", "Access Denied", http_status_code=403)
    with pytest.raises(CloudError) as failed:
        Executor(target, progress=False, sleep=Sleeps())._call(policy_call)
    assert "Block Public Access" in str(failed.value) and "--environment PROD" in str(failed.value)
    s3.assert_no_pending_responses()


def test_a_bucket_name_another_account_owns_is_said_at_plan_time_with_a_suggestion():
    target, stubs = stubbed_target("s3", "sts", "s3control")
    stubs["s3"].add_client_error("head_bucket", "403", "Forbidden", http_status_code=403)
    with pytest.raises(InputError) as refused:
        plan_push(hosting_models(DEV, "dev", "us-east-1", TAGS), [], RemoteState(target))
    message = str(refused.value)
    assert f"'{BUCKET}' is taken by another AWS account" in message
    assert f"e.g. {BUCKET}-" in message and "update hosting" in message and "Nothing was changed" in message


def test_bucket_already_exists_at_create_time_is_the_same_input_error():
    target, stubs = stubbed_target("s3")
    stubs["s3"].add_client_error("head_bucket", "404", http_status_code=404)
    plan = plan_push([Bucket(BUCKET, tags=TAGS)], [], RemoteState(target))
    stubs["s3"].add_client_error("create_bucket", "BucketAlreadyExists", "The requested bucket name is not available",
                                 http_status_code=409)
    with pytest.raises(InputError) as refused:
        Executor(target, progress=False, sleep=Sleeps())._call(plan.calls[0])
    assert "is taken by another AWS account" in str(refused.value)


def test_a_bucket_removed_and_made_again_and_a_new_bucket_not_yet_visible_are_retried():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_client_error("head_bucket", "404", http_status_code=404)
    plan = plan_push([Bucket(BUCKET, tags=TAGS)], [], RemoteState(target))
    assert [call.method for call in plan.calls] == ["create_bucket", "put_public_access_block", "put_bucket_tagging"]
    s3.add_client_error("create_bucket", "OperationAborted", "A conflicting conditional operation is currently in "
                        "progress against this resource. Please try again.", http_status_code=409)
    s3.add_response("create_bucket", {}, {"Bucket": BUCKET})
    s3.add_client_error("put_public_access_block", "NoSuchBucket", "The specified bucket does not exist",
                        http_status_code=404)
    s3.add_response("put_public_access_block", {}, {"Bucket": BUCKET, "PublicAccessBlockConfiguration": ANY})
    s3.add_client_error("put_bucket_tagging", "NoSuchBucket", http_status_code=404)
    s3.add_response("put_bucket_tagging", {}, {"Bucket": BUCKET, "Tagging": ANY})
    sleeps = Sleeps()
    Executor(target, progress=False, sleep=sleeps).run(plan)
    s3.assert_no_pending_responses()
    assert len(sleeps) == 3


def existing_bucket_reads(s3, tag_set):
    s3.add_response("head_bucket", {}, {"Bucket": BUCKET})
    s3.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": PUBLIC_POLICY_ALLOWED})
    s3.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404)
    s3.add_client_error("get_bucket_website", "NoSuchWebsiteConfiguration", http_status_code=404)
    s3.add_client_error("get_bucket_cors", "NoSuchCORSConfiguration", http_status_code=404)
    s3.add_response("get_bucket_tagging", {"TagSet": tag_set})


def test_tags_added_by_others_are_kept_and_ours_merged_in():
    target, stubs = stubbed_target("s3")
    model = Bucket(BUCKET, block_public_access=PUBLIC_POLICY_ALLOWED, tags=TAGS)
    existing_bucket_reads(stubs["s3"], [{"Key": "cost-centre", "Value": "42"}, {"Key": "user:Stack", "Value": "old"}])
    plan = plan_push([model], [], RemoteState(target))
    assert [call.method for call in plan.calls] == ["put_bucket_tagging"]
    sent = {t["Key"]: t["Value"] for t in plan.calls[0].params["Tagging"]["TagSet"]}
    assert sent == {"cost-centre": "42", **TAGS}


def test_a_bucket_carrying_our_tags_among_others_plans_nothing():
    target, stubs = stubbed_target("s3")
    model = Bucket(BUCKET, block_public_access=PUBLIC_POLICY_ALLOWED, tags=TAGS)
    existing_bucket_reads(stubs["s3"], [{"Key": "cost-centre", "Value": "42"}]
                          + [{"Key": k, "Value": v} for k, v in TAGS.items()])
    assert plan_push([model], [], RemoteState(target)).calls == []


def test_the_sweeper_leaves_a_name_another_account_owns_now():
    target, stubs = stubbed_target("s3")
    stubs["s3"].add_client_error("head_bucket", "403", "Forbidden", http_status_code=403)
    assert plan_push([], [{"type": Bucket.type_name, "name": BUCKET}], RemoteState(target)).calls == []
    stubs["s3"].assert_no_pending_responses()
