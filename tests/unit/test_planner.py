"""The planner reads only and emits the exact calls, in the order real AWS needs; the executor runs them.

botocore's Stubber pins every call and its order, where moto would forgive a wrong one."""
import json

import pytest
from botocore.stub import ANY
from stubs import stubbed_target

from amplify_nb.deploy import Bucket, Executor, Journal, RemoteState, Retry, Role, RolePolicy, plan_push
from amplify_nb.deploy.plan import APICall, Plan
from amplify_nb.errors import CloudError

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                  "Resource": "arn:aws:s3:::b/*"}]}
BLOCK_ALL = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)



def not_found(stub, method, code, params):
    stub.add_client_error(method, service_error_code=code, http_status_code=404, expected_params=params)


def test_new_bucket_is_created_then_locked_down_then_given_its_policy(tmp_path):
    target, stubs = stubbed_target("s3", region="eu-west-1")
    not_found(stubs["s3"], "head_bucket", "404", {"Bucket": "b"})
    plan = plan_push([Bucket("b", policy=POLICY, tags={"k": "v"})], [], RemoteState(target))
    stubs["s3"].assert_no_pending_responses()
    assert [c.method for c in plan.calls] == ["create_bucket", "put_public_access_block", "put_bucket_policy", "put_bucket_tagging"]
    assert plan.calls[0].params["CreateBucketConfiguration"] == {"LocationConstraint": "eu-west-1"}

    s3 = stubs["s3"]
    s3.add_response("create_bucket", {}, {"Bucket": "b", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}})
    s3.add_response("put_public_access_block", {}, {"Bucket": "b", "PublicAccessBlockConfiguration": BLOCK_ALL})
    s3.add_response("put_bucket_policy", {}, {"Bucket": "b", "Policy": json.dumps(POLICY)})
    s3.add_response("put_bucket_tagging", {}, {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}})
    executor = Executor(target, Journal(tmp_path / "journal.json"), progress=False)
    executor.run(plan)
    s3.assert_no_pending_responses()
    assert executor.calls_made == ["s3.create_bucket", "s3.put_public_access_block", "s3.put_bucket_policy", "s3.put_bucket_tagging"]


def test_us_east_1_buckets_are_created_without_a_location_constraint():
    target, stubs = stubbed_target("s3")
    not_found(stubs["s3"], "head_bucket", "404", {"Bucket": "b"})
    plan = plan_push([Bucket("b")], [], RemoteState(target))
    assert plan.calls[0].params == {"Bucket": "b"}


def test_a_bucket_that_matches_needs_no_call():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_response("head_bucket", {}, {"Bucket": "b"})
    s3.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": BLOCK_ALL}, {"Bucket": "b"})
    s3.add_response("get_bucket_policy", {"Policy": json.dumps(POLICY)}, {"Bucket": "b"})
    s3.add_client_error("get_bucket_website", "NoSuchWebsiteConfiguration", http_status_code=404, expected_params={"Bucket": "b"})
    not_found(s3, "get_bucket_cors", "NoSuchCORSConfiguration", {"Bucket": "b"})
    s3.add_response("get_bucket_tagging", {"TagSet": [{"Key": "k", "Value": "v"}]}, {"Bucket": "b"})
    plan = plan_push([Bucket("b", policy=POLICY, tags={"k": "v"})], [], RemoteState(target))
    s3.assert_no_pending_responses()
    assert not plan and plan.calls == []


def test_a_changed_policy_is_put_again_and_nothing_else():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_response("head_bucket", {}, {"Bucket": "b"})
    s3.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": BLOCK_ALL}, {"Bucket": "b"})
    s3.add_response("get_bucket_policy", {"Policy": json.dumps({"Version": "2012-10-17", "Statement": []})}, {"Bucket": "b"})
    s3.add_client_error("get_bucket_website", "NoSuchWebsiteConfiguration", http_status_code=404)
    not_found(s3, "get_bucket_cors", "NoSuchCORSConfiguration", {"Bucket": "b"})
    s3.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)
    plan = plan_push([Bucket("b", policy=POLICY)], [], RemoteState(target))
    assert [c.method for c in plan.calls] == ["put_bucket_policy"]


def test_removed_bucket_is_emptied_before_it_is_deleted():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_response("head_bucket", {}, {"Bucket": "old"})
    s3.add_response("list_object_versions", {"Versions": [{"Key": "index.html", "VersionId": "null"}],
                                             "DeleteMarkers": [{"Key": "gone.js", "VersionId": "v2"}]}, {"Bucket": "old"})
    plan = plan_push([], [{"type": "s3.Bucket", "name": "old"}], RemoteState(target))
    assert [c.method for c in plan.calls] == ["delete_objects", "delete_bucket"]
    assert plan.calls[0].params["Delete"]["Objects"] == [{"Key": "index.html", "VersionId": "null"}, {"Key": "gone.js", "VersionId": "v2"}]


def test_new_role_is_created_then_given_its_inline_policy():
    target, stubs = stubbed_target("iam")
    stubs["iam"].add_client_error("get_role", "NoSuchEntity", http_status_code=404, expected_params={"RoleName": "r"})
    stubs["iam"].add_client_error("get_role_policy", "NoSuchEntity", http_status_code=404,
                                  expected_params={"RoleName": "r", "PolicyName": "p"})
    role = Role("r", assume_role_policy={"Version": "2012-10-17", "Statement": []})
    plan = plan_push([role, RolePolicy.on("r", "p", POLICY)], [], RemoteState(target))
    assert [c.method for c in plan.calls] == ["create_role", "put_role_policy"]
    assert plan.calls[0].store == {"iam.Role:r.Arn": "Role.Arn"}
    assert plan.calls[1].params["PolicyName"] == "p" and plan.calls[1].resource == "iam.RolePolicy:r/p"


def test_two_owners_policies_on_one_role_are_separate_and_removing_one_keeps_the_other():
    """A function's storage grant and its API grant live on one role; the sweeper deletes only the removed one."""
    target, stubs = stubbed_target("iam")
    iam = stubs["iam"]
    kept = RolePolicy.on("r", "api-access", POLICY)
    iam.add_response("get_role_policy", {"RoleName": "r", "PolicyName": "api-access", "PolicyDocument": json.dumps(POLICY)},
                     {"RoleName": "r", "PolicyName": "api-access"})
    iam.add_response("get_role_policy", {"RoleName": "r", "PolicyName": "storage-access", "PolicyDocument": json.dumps(POLICY)},
                     {"RoleName": "r", "PolicyName": "storage-access"})
    recorded = [{"type": "iam.RolePolicy", "name": "r/storage-access"}, kept.identity()]
    plan = plan_push([kept], recorded, RemoteState(target))
    iam.assert_no_pending_responses()
    assert [(c.method, c.params["PolicyName"]) for c in plan.calls] == [("delete_role_policy", "storage-access")]


def test_a_role_whose_trust_changed_gets_update_assume_role_policy():
    target, stubs = stubbed_target("iam")
    iam = stubs["iam"]
    old_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}
    iam.add_response("get_role", {"Role": {"Path": "/", "RoleName": "r", "RoleId": "AROAEXAMPLEID12345678", "Arn": "arn:aws:iam::1:role/r",
                                           "CreateDate": "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument": json.dumps(old_trust)}}, {"RoleName": "r"})
    iam.add_response("list_role_policies", {"PolicyNames": []}, {"RoleName": "r"})
    new_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}
    plan = plan_push([Role("r", assume_role_policy=new_trust)], [], RemoteState(target))
    assert [c.method for c in plan.calls] == ["update_assume_role_policy"]


def test_planner_refuses_to_make_a_mutating_call():
    target, _ = stubbed_target("s3")
    with pytest.raises(AssertionError, match="may only read"):
        RemoteState(target).read("s3", "delete_bucket", Bucket="b")


def test_executor_retries_while_a_new_role_cannot_be_assumed_yet():
    target, stubs = stubbed_target("iam")
    iam = stubs["iam"]
    for _ in range(2):
        iam.add_client_error("create_role", "InvalidParameterValue", "The role defined for the function cannot be assumed by Lambda.")
    iam.add_response("create_role", {"Role": {"Path": "/", "RoleName": "r", "RoleId": "AROAEXAMPLEID12345678", "Arn": "arn:aws:iam::1:role/r",
                                              "CreateDate": "2026-01-01T00:00:00Z"}}, {"RoleName": "r", "AssumeRolePolicyDocument": ANY})
    retry = Retry(codes=("InvalidParameterValue",), message="cannot be assumed", attempts=5, delay=0)
    plan = Plan([APICall("iam.Role:r", "create", "iam", "create_role", {"RoleName": "r", "AssumeRolePolicyDocument": "{}"},
                         store={"arn": "Role.Arn"}, retry=retry)])
    variables = Executor(target, progress=False).run(plan)
    assert variables["arn"] == "arn:aws:iam::1:role/r"


def test_a_failed_step_names_itself_and_keeps_the_journal(tmp_path):
    target, stubs = stubbed_target("s3")
    stubs["s3"].add_response("create_bucket", {})
    stubs["s3"].add_client_error("put_bucket_policy", "MalformedPolicy", "Policy has invalid resource")
    plan = Plan([APICall("s3.Bucket:b", "create", "s3", "create_bucket", {"Bucket": "b"}),
                 APICall("s3.Bucket:b", "update", "s3", "put_bucket_policy", {"Bucket": "b", "Policy": "{}"})])
    journal = Journal(tmp_path / "journal.json")
    with pytest.raises(CloudError, match=r"update s3.Bucket:b: s3.put_bucket_policy failed.*push again"):
        Executor(target, journal, progress=False).run(plan, env="dev")
    assert journal.interrupted()["done"] == ["create s3.Bucket:b: s3.create_bucket"]


CORS = {"CORSRules": [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["*"], "ExposeHeaders": ["ETag"]}]}


def existing_bucket_reads(s3, cors_response):
    s3.add_response("head_bucket", {}, {"Bucket": "b"})
    s3.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": BLOCK_ALL}, {"Bucket": "b"})
    s3.add_response("get_bucket_policy", {"Policy": json.dumps(POLICY)}, {"Bucket": "b"})
    not_found(s3, "get_bucket_website", "NoSuchWebsiteConfiguration", {"Bucket": "b"})
    if cors_response is None:
        not_found(s3, "get_bucket_cors", "NoSuchCORSConfiguration", {"Bucket": "b"})
    else:
        s3.add_response("get_bucket_cors", cors_response, {"Bucket": "b"})
    s3.add_response("get_bucket_tagging", {"TagSet": [{"Key": "k", "Value": "v"}]}, {"Bucket": "b"})


def test_a_new_bucket_gets_its_cors_after_its_policy_and_before_its_tags_without_reading_it():
    target, stubs = stubbed_target("s3")
    not_found(stubs["s3"], "head_bucket", "404", {"Bucket": "b"})
    plan = plan_push([Bucket("b", policy=POLICY, cors=CORS, tags={"k": "v"})], [], RemoteState(target))
    stubs["s3"].assert_no_pending_responses()
    assert [c.method for c in plan.calls] == ["create_bucket", "put_public_access_block", "put_bucket_policy",
                                              "put_bucket_cors", "put_bucket_tagging"]
    assert plan.calls[3].params == {"Bucket": "b", "CORSConfiguration": CORS}


@pytest.mark.parametrize("cloud, model, calls", [
    (CORS, CORS, []),
    (None, CORS, ["put_bucket_cors"]),
    ({"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}, CORS, ["put_bucket_cors"]),
    (CORS, None, ["delete_bucket_cors"]),
    (None, None, []),
])
def test_an_existing_buckets_cors_is_read_and_put_or_deleted_only_when_it_differs(cloud, model, calls):
    target, stubs = stubbed_target("s3")
    existing_bucket_reads(stubs["s3"], cloud)
    plan = plan_push([Bucket("b", policy=POLICY, cors=model, tags={"k": "v"})], [], RemoteState(target))
    stubs["s3"].assert_no_pending_responses()
    assert [c.method for c in plan.calls] == calls
    if calls == ["put_bucket_cors"]:
        assert plan.calls[0].params == {"Bucket": "b", "CORSConfiguration": CORS}
