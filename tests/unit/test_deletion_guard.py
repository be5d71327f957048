"""The sweeper's second lock: a deletion of a resource tagged as another env's (or project's) is refused at plan
time, before any call, whatever the record says."""
import pytest
from stubs import stubbed_target

from amplify_nb.categories.root import tags
from amplify_nb.deploy import RemoteState, plan_push
from amplify_nb.errors import UnsafeDeletionError

DEV_TAGS = tags("amplify-beer-dev-abcde", "beer", "dev")
TEST_TAGS = tags("amplify-beer-test-fghij", "beer", "test")


def tag_set(found: dict) -> dict:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in found.items()]}


def test_deleting_a_bucket_tagged_for_another_env_is_refused_before_any_call():
    target, stubs = stubbed_target("s3")
    stubs["s3"].add_response("get_bucket_tagging", tag_set(DEV_TAGS), {"Bucket": "beer-site-dev"})
    with pytest.raises(UnsafeDeletionError, match="user:Stack=dev"):
        plan_push([], [{"type": "s3.Bucket", "name": "beer-site-dev"}], RemoteState(target), owner_tags=TEST_TAGS)
    stubs["s3"].assert_no_pending_responses()  # nothing but the tag read happened


def test_deleting_a_role_of_another_project_is_refused():
    target, stubs = stubbed_target("iam")
    other = tags("amplify-wine-test-zzzzz", "wine", "test")
    stubs["iam"].add_response("get_role", {"Role": {
        "Path": "/", "RoleName": "r", "RoleId": "AROAEXAMPLEEXAMPLE01", "Arn": "arn:aws:iam::123456789012:role/r",
        "CreateDate": "2026-01-01T00:00:00Z", "Tags": [{"Key": k, "Value": v} for k, v in other.items()]}}, {"RoleName": "r"})
    with pytest.raises(UnsafeDeletionError, match="user:Application=wine"):
        plan_push([], [{"type": "iam.Role", "name": "r"}], RemoteState(target), owner_tags=TEST_TAGS)


def test_a_resource_of_the_env_being_pushed_is_deleted_as_planned():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_response("get_bucket_tagging", tag_set(TEST_TAGS), {"Bucket": "beer-site-test"})
    s3.add_response("head_bucket", {}, {"Bucket": "beer-site-test"})
    s3.add_response("list_object_versions", {}, {"Bucket": "beer-site-test"})
    plan = plan_push([], [{"type": "s3.Bucket", "name": "beer-site-test"}], RemoteState(target), owner_tags=TEST_TAGS)
    assert [call.method for call in plan.calls] == ["delete_bucket"]


def test_an_untagged_resource_is_judged_by_the_record_alone():
    target, stubs = stubbed_target("s3")
    s3 = stubs["s3"]
    s3.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)
    s3.add_response("head_bucket", {}, {"Bucket": "old"})
    s3.add_response("list_object_versions", {}, {"Bucket": "old"})
    plan = plan_push([], [{"type": "s3.Bucket", "name": "old"}], RemoteState(target), owner_tags=TEST_TAGS)
    assert [call.method for call in plan.calls] == ["delete_bucket"]
