"""Planner rule for S3 buckets, in the order real AWS needs:
create -> public access block -> policy -> website -> CORS -> tags; delete = every object version, then the bucket."""
from __future__ import annotations

import json

from ..models import Bucket, freeze
from ..plan import APICall, JsonText, StoreValue
from ..planner import rule
from ..remote import RemoteState

NO_BUCKET = ("404", "NoSuchBucket", "NotFound")


@rule(Bucket)
class BucketRule:
    def plan(self, bucket: Bucket, remote: RemoteState) -> list:
        key, name = bucket.key, bucket.name
        steps: list = [StoreValue(f"{key}.Name", name), StoreValue(f"{key}.Arn", f"arn:aws:s3:::{name}")]
        exists = self.exists(bucket.identity(), remote)
        if not exists:
            params: dict = {"Bucket": name}
            if remote.region != "us-east-1":
                params["CreateBucketConfiguration"] = {"LocationConstraint": remote.region}
            steps.append(APICall(key, "create", "s3", "create_bucket", params, ok_codes=("BucketAlreadyOwnedByYou",)))

        block = None if not exists else remote.read(
            "s3", "get_public_access_block", missing=("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
        if not exists or (block or {}).get("PublicAccessBlockConfiguration") != bucket.block_public_access:
            steps.append(APICall(key, "update", "s3", "put_public_access_block",
                                 {"Bucket": name, "PublicAccessBlockConfiguration": bucket.block_public_access}))

        if bucket.manage_policy:
            steps += self._plan_policy(bucket, exists, remote)

        website = None if not exists else remote.read("s3", "get_bucket_website", missing=("NoSuchWebsiteConfiguration",), Bucket=name)
        current_website = {k: v for k, v in (website or {}).items() if k != "ResponseMetadata"} or None
        if bucket.website is not None and current_website != bucket.website:
            steps.append(APICall(key, "update", "s3", "put_bucket_website", {"Bucket": name, "WebsiteConfiguration": bucket.website}))
        elif bucket.website is None and current_website is not None:
            steps.append(APICall(key, "update", "s3", "delete_bucket_website", {"Bucket": name}))

        steps += self._plan_cors(bucket, exists, remote)

        tagging = None if not exists else remote.read("s3", "get_bucket_tagging", missing=("NoSuchTagSet",), Bucket=name)
        current_tags = {t["Key"]: t["Value"] for t in (tagging or {}).get("TagSet", [])}
        if bucket.tags and current_tags != bucket.tags:
            tag_set = [{"Key": k, "Value": v} for k, v in bucket.tags.items()]
            steps.append(APICall(key, "update", "s3", "put_bucket_tagging", {"Bucket": name, "Tagging": {"TagSet": tag_set}}))
        return steps

    def _plan_policy(self, bucket: Bucket, exists: bool, remote: RemoteState) -> list:
        key, name = bucket.key, bucket.name
        policy = None if not exists else remote.read("s3", "get_bucket_policy", missing=("NoSuchBucketPolicy",), Bucket=name)
        current_policy = json.loads(policy["Policy"]) if policy else None
        if bucket.policy is not None and (current_policy is None or freeze(current_policy) != freeze(bucket.policy)):
            return [APICall(key, "update", "s3", "put_bucket_policy", {"Bucket": name, "Policy": JsonText(bucket.policy)})]
        if bucket.policy is None and current_policy is not None:
            return [APICall(key, "update", "s3", "delete_bucket_policy", {"Bucket": name})]
        return []

    def _plan_cors(self, bucket: Bucket, exists: bool, remote: RemoteState) -> list:
        """Put the CORS rules when they differ; delete them when the model has none (a new bucket has none)."""
        key, name = bucket.key, bucket.name
        found = None if not exists else remote.read("s3", "get_bucket_cors", missing=("NoSuchCORSConfiguration",), Bucket=name)
        current = {"CORSRules": found["CORSRules"]} if found else None
        if bucket.cors is not None and (current is None or freeze(current) != freeze(bucket.cors)):
            return [APICall(key, "update", "s3", "put_bucket_cors", {"Bucket": name, "CORSConfiguration": bucket.cors})]
        if bucket.cors is None and current is not None:
            return [APICall(key, "update", "s3", "delete_bucket_cors", {"Bucket": name})]
        return []

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return remote.read("s3", "head_bucket", missing=NO_BUCKET, Bucket=identity["name"]) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = remote.read("s3", "get_bucket_tagging", missing=NO_BUCKET + ("NoSuchTagSet",), Bucket=identity["name"])
        return {t["Key"]: t["Value"] for t in found["TagSet"]} if found else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        name = identity["name"]
        key = f"{Bucket.type_name}:{name}"
        if not self.exists(identity, remote):
            return []
        objects = _all_versions(name, remote)
        steps = [APICall(key, "delete", "s3", "delete_objects", {"Bucket": name, "Delete": {"Objects": objects[i:i + 1000], "Quiet": True}})
                 for i in range(0, len(objects), 1000)]
        steps.append(APICall(key, "delete", "s3", "delete_bucket", {"Bucket": name}, ok_codes=NO_BUCKET))
        return steps


def _all_versions(bucket: str, remote: RemoteState) -> list[dict]:
    """Every object version and delete marker (pages of 1000: a published site can hold more)."""
    found, markers = [], {}
    while True:
        page = remote.read("s3", "list_object_versions", missing=NO_BUCKET, Bucket=bucket, **markers) or {}
        found += [{"Key": v["Key"], "VersionId": v["VersionId"]}
                  for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if not page.get("IsTruncated"):
            return found
        markers = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
