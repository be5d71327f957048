"""Planner rule for S3 buckets, in the order real AWS needs:
create -> public access block -> policy -> website -> CORS -> tags; delete = every object version, then the bucket.

Real S3 is slower to agree with itself than moto: a bucket made a moment ago may answer NoSuchBucket to the next
call, a name removed and made again answers OperationAborted ("A conflicting conditional operation") for a
while, and a public policy right after lifting Block Public Access may be refused (AccessDenied) until that
change has spread. Every call on a bucket goes through `bucket_call`, which retries those for a short while.
Bucket names are global: head_bucket's 403 means another account owns the name, said before anything is made.
"""
from __future__ import annotations

import json
import secrets

from ...aws import error_code
from ...errors import CloudError, InputError, Problem
from ..models import Bucket, freeze
from ..plan import APICall, Explain, JsonText, Retry, StoreValue
from ..planner import rule
from ..remote import RemoteState

NO_BUCKET = ("404", "NoSuchBucket", "NotFound")
TAKEN = ("403", "Forbidden", "AccessDenied")  # head_bucket on a name another account owns
SETTLING = ("NoSuchBucket", "OperationAborted")  # a new or just-deleted bucket, not yet everywhere
# A public policy right after lifting Block Public Access: refused until the change has spread.
POLICY_SETTLING = SETTLING + ("AccessDenied",)
SETTLE_ATTEMPTS, SETTLE_DELAY = 8, 4.0  # about half a minute


def bucket_call(key: str, action: str, method: str, params: dict, settling: tuple[str, ...] = SETTLING,
                **options) -> APICall:
    """An S3 call on a bucket that may have been made (or removed) a moment ago: its settling errors are retried."""
    return APICall(key, action, "s3", method, params,
                   retry=Retry(codes=settling, attempts=SETTLE_ATTEMPTS, delay=SETTLE_DELAY), **options)


def name_taken(name: str) -> str:
    """What to do when another AWS account owns a bucket name (names are global, across every account)."""
    return (f"The S3 bucket name {name!r} is taken by another AWS account (bucket names are shared by every "
            f"account in the world). Choose another bucket name for the resource that uses it, e.g. "
            f"{name}-{secrets.token_hex(3)} (`amplify-nb update hosting` or `amplify-nb update storage`), then push "
            "again.")


def bucket_exists(name: str, remote: RemoteState) -> bool:
    """Whether the bucket exists and is this account's; another account's bucket of that name is an InputError."""
    try:
        return remote.read("s3", "head_bucket", missing=NO_BUCKET, Bucket=name) is not None
    except CloudError as exc:
        if error_code(exc.__cause__) in TAKEN:
            raise InputError([Problem("bucket_name", name_taken(name) + " Nothing was changed.")]) from None
        raise


def is_public(bucket: Bucket) -> bool:
    """A bucket whose policy is meant to be public (a DEV website): Block Public Access lifted for a policy."""
    return bucket.policy is not None and not bucket.block_public_access.get("BlockPublicPolicy", True)


def account_blocks_public_policies(remote: RemoteState) -> bool:
    """The account-level Block Public Access, which wins over every bucket's own: on by default for many
    organisations. Unknown (no permission to read it, or an endpoint without S3 Control) counts as off; the
    policy call then says what happened."""
    if remote.target.is_local:
        return False
    try:
        found = remote.read("s3control", "get_public_access_block",
                            missing=("NoSuchPublicAccessBlockConfiguration", "AccessDenied"),
                            AccountId=remote.account_id)
    except CloudError:
        return False
    config = (found or {}).get("PublicAccessBlockConfiguration") or {}
    return bool(config.get("BlockPublicPolicy") or config.get("RestrictPublicBuckets"))


PUBLIC_SITE_REFUSED = (
    "This AWS account blocks public bucket policies for every bucket (account-level S3 Block Public Access: "
    "BlockPublicPolicy or RestrictPublicBuckets is on), so a DEV site, a public S3 website, cannot be served. "
    "Choose PROD hosting (a private bucket behind CloudFront): `amplify-nb update hosting --environment PROD`, "
    "then push; or have an administrator turn that account setting off (S3 console, Block Public Access settings "
    "for this account).")


@rule(Bucket)
class BucketRule:
    def plan(self, bucket: Bucket, remote: RemoteState) -> list:
        key, name = bucket.key, bucket.name
        steps: list = [StoreValue(f"{key}.Name", name), StoreValue(f"{key}.Arn", f"arn:aws:s3:::{name}")]
        exists = bucket_exists(name, remote)
        if is_public(bucket) and account_blocks_public_policies(remote):
            raise InputError([Problem("environment", PUBLIC_SITE_REFUSED + " Nothing was changed.")])
        if not exists:
            params: dict = {"Bucket": name}
            if remote.region != "us-east-1":
                params["CreateBucketConfiguration"] = {"LocationConstraint": remote.region}
            # BucketAlreadyOwnedByYou: made by this account in the meantime (a push killed after the create).
            steps.append(bucket_call(key, "create", "create_bucket", params, settling=("OperationAborted",),
                                     ok_codes=("BucketAlreadyOwnedByYou",),
                                     explain=(Explain(("BucketAlreadyExists",), name_taken(name), user_choice=True),)))

        block = None if not exists else remote.read(
            "s3", "get_public_access_block", missing=("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
        if not exists or (block or {}).get("PublicAccessBlockConfiguration") != bucket.block_public_access:
            steps.append(bucket_call(key, "update", "put_public_access_block",
                                     {"Bucket": name, "PublicAccessBlockConfiguration": bucket.block_public_access}))

        if bucket.manage_policy:
            steps += self._plan_policy(bucket, exists, remote)

        website = None if not exists else remote.read("s3", "get_bucket_website", missing=("NoSuchWebsiteConfiguration",), Bucket=name)
        current_website = {k: v for k, v in (website or {}).items() if k != "ResponseMetadata"} or None
        if bucket.website is not None and current_website != bucket.website:
            steps.append(bucket_call(key, "update", "put_bucket_website", {"Bucket": name, "WebsiteConfiguration": bucket.website}))
        elif bucket.website is None and current_website is not None:
            steps.append(bucket_call(key, "update", "delete_bucket_website", {"Bucket": name}))

        steps += self._plan_cors(bucket, exists, remote)
        steps += self._plan_tags(bucket, exists, remote)
        return steps

    def _plan_tags(self, bucket: Bucket, exists: bool, remote: RemoteState) -> list:
        """Ours added to the bucket's tags, never replacing them: put_bucket_tagging sets the whole set, and tags
        an organisation's automation adds (cost centres, owners) are often required by its policies."""
        tagging = None if not exists else remote.read("s3", "get_bucket_tagging", missing=("NoSuchTagSet",), Bucket=bucket.name)
        current = {t["Key"]: t["Value"] for t in (tagging or {}).get("TagSet", [])}
        if not bucket.tags or all(current.get(k) == v for k, v in bucket.tags.items()):
            return []
        tag_set = [{"Key": k, "Value": v} for k, v in {**current, **bucket.tags}.items()]
        return [bucket_call(bucket.key, "update", "put_bucket_tagging", {"Bucket": bucket.name, "Tagging": {"TagSet": tag_set}})]

    def _plan_policy(self, bucket: Bucket, exists: bool, remote: RemoteState) -> list:
        key, name = bucket.key, bucket.name
        policy = None if not exists else remote.read("s3", "get_bucket_policy", missing=("NoSuchBucketPolicy",), Bucket=name)
        current_policy = json.loads(policy["Policy"]) if policy else None
        if bucket.policy is not None and (current_policy is None or freeze(current_policy) != freeze(bucket.policy)):
            public = is_public(bucket)
            explain = (Explain(("AccessDenied",), "S3 refused the bucket's public-read policy after lifting its Block "
                               "Public Access: the account's or organisation's Block Public Access (or a policy of "
                               "your organisation) forbids public buckets, or these credentials lack "
                               "s3:PutBucketPolicy. " + PUBLIC_SITE_REFUSED),) if public else ()
            return [bucket_call(key, "update", "put_bucket_policy", {"Bucket": name, "Policy": JsonText(bucket.policy)},
                                settling=POLICY_SETTLING if public else SETTLING, explain=explain)]
        if bucket.policy is None and current_policy is not None:
            return [bucket_call(key, "update", "delete_bucket_policy", {"Bucket": name})]
        return []

    def _plan_cors(self, bucket: Bucket, exists: bool, remote: RemoteState) -> list:
        """Put the CORS rules when they differ; delete them when the model has none (a new bucket has none)."""
        key, name = bucket.key, bucket.name
        found = None if not exists else remote.read("s3", "get_bucket_cors", missing=("NoSuchCORSConfiguration",), Bucket=name)
        current = {"CORSRules": found["CORSRules"]} if found else None
        if bucket.cors is not None and (current is None or freeze(current) != freeze(bucket.cors)):
            return [bucket_call(key, "update", "put_bucket_cors", {"Bucket": name, "CORSConfiguration": bucket.cors})]
        if bucket.cors is None and current is not None:
            return [bucket_call(key, "update", "delete_bucket_cors", {"Bucket": name})]
        return []

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        """Whether this account has it: a name another account owns now is not ours (status, the sweeper)."""
        try:
            return bucket_exists(identity["name"], remote)
        except InputError:
            return False

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
