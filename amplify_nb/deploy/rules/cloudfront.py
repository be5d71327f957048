"""Planner rules for CloudFront in front of a private S3 bucket (PROD hosting), in the order real AWS needs
: bucket -> origin access control -> distribution -> the bucket policy naming the
distribution's ARN. Delete = disable, wait until deployed, delete with the new ETag, then the OAC.

Neither resource takes a name: the OAC is found by its Name, the distribution by its Comment (both derived from
the model's name), so a push killed right after a create finds what it made instead of making a second one.
The distribution's CallerReference is the name plus the creation time: AWS refuses a reference it has seen,
even one of a deleted distribution, and hosting may go DEV -> PROD -> DEV -> PROD.

moto keeps no OriginAccessControlId (nor S3OriginConfig) in a distribution's config; a field the cloud does not
return is not compared, so the plan after a push is empty there too, while on AWS a lost OAC is repaired.
"""
from __future__ import annotations

import json
import time

from ..models import Distribution, OriginAccessControl, freeze
from ..plan import APICall, Explain, JsonText, Retry, StoreValue, Var, Wait
from ..planner import rule
from ..remote import RemoteState
from .s3 import bucket_call

ORIGIN_ID = "hostingS3Bucket"  # Amplify's origin id
# On AWS a distribution deploys in minutes: poll every 30 s, for up to 35 minutes.
DEPLOY_WAIT = {"delay": 30, "max_attempts": 70}
NO_DISTRIBUTION = ("NoSuchDistribution",)
NO_OAC = ("NoSuchOriginAccessControl",)
NO_BUCKET = ("404", "NoSuchBucket", "NotFound")
# A new AWS account: "Your account must be verified before you can add new CloudFront resources."
UNVERIFIED_ACCOUNT = (
    "CloudFront refused: this AWS account must be verified by AWS before it can add CloudFront resources (new "
    "accounts are). Open a support case (https://console.aws.amazon.com/support/home#/case/create, Account and "
    "billing) quoting this message and ask for the account to be verified; it usually takes a day or two. "
    "Meanwhile DEV hosting works without CloudFront: `amplify-nb update hosting --environment DEV`, then push "
    "(it keeps the bucket this push made).")


def unverified_account(cleanup: tuple = ()) -> tuple[Explain, ...]:
    return (Explain(("AccessDenied", "AccessDeniedException"), UNVERIFIED_ACCOUNT, message=r"must be verified",
                    cleanup=cleanup),)


def distribution_comment(name: str) -> str:
    return f"amplify-nb {name}"


def find_distribution(remote: RemoteState, name: str) -> dict | None:
    """The summary of the distribution whose Comment is derived from name."""
    comment = distribution_comment(name)
    summaries = remote.paginate("cloudfront", "list_distributions", "DistributionList.Items")
    return next((summary for summary in summaries if summary.get("Comment") == comment), None)


def find_origin_access_control(remote: RemoteState, name: str) -> dict | None:
    controls = remote.paginate("cloudfront", "list_origin_access_controls", "OriginAccessControlList.Items")
    return next((summary for summary in controls if summary.get("Name") == name), None)


def oac_config(oac: OriginAccessControl) -> dict:
    return {"Name": oac.name, "Description": oac.description, "SigningProtocol": "sigv4",
            "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"}


@rule(OriginAccessControl)
class OriginAccessControlRule:
    def plan(self, oac: OriginAccessControl, remote: RemoteState) -> list:
        key = oac.key
        found = find_origin_access_control(remote, oac.name)
        config = oac_config(oac)
        if found is None:
            return [APICall(key, "create", "cloudfront", "create_origin_access_control",
                            {"OriginAccessControlConfig": config},
                            store={f"{key}.Id": "OriginAccessControl.Id", f"{key}.ETag": "ETag"},
                            explain=unverified_account())]
        steps: list = [StoreValue(f"{key}.Id", found["Id"])]
        current = {name: found.get(name) for name in config}
        if current != config:
            etag = remote.read("cloudfront", "get_origin_access_control", Id=found["Id"])["ETag"]
            steps.append(APICall(key, "update", "cloudfront", "update_origin_access_control",
                                 {"Id": found["Id"], "IfMatch": etag, "OriginAccessControlConfig": config}))
        return steps

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return find_origin_access_control(remote, identity["name"]) is not None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        found = find_origin_access_control(remote, identity["name"])
        if found is None:
            return []
        etag = remote.read("cloudfront", "get_origin_access_control", Id=found["Id"])["ETag"]
        # A distribution deleted a moment ago may still hold the OAC for a little while on AWS.
        return [APICall(f"{OriginAccessControl.type_name}:{identity['name']}", "delete", "cloudfront",
                        "delete_origin_access_control", {"Id": found["Id"], "IfMatch": etag}, ok_codes=NO_OAC,
                        retry=Retry(codes=("OriginAccessControlInUse",), attempts=20, delay=15.0))]


def desired_config(dist: Distribution, oac_id, caller_reference: str) -> dict:
    """The DistributionConfig of a new distribution (Amplify's TTLs and SPA error responses, OAC to S3)."""
    methods = ["GET", "HEAD"]
    errors = [{"ErrorCode": code, "ResponsePagePath": page, "ResponseCode": str(response),
               "ErrorCachingMinTTL": dist.error_caching_min_ttl} for code, page, response in dist.error_responses]
    return {
        "CallerReference": caller_reference,
        "Comment": dist.comment,
        "Enabled": True,
        "DefaultRootObject": dist.default_root_object,
        "HttpVersion": "http2",
        "Origins": {"Quantity": 1, "Items": [{
            "Id": ORIGIN_ID,
            "DomainName": dist.origin_domain,
            "S3OriginConfig": {"OriginAccessIdentity": ""},
            "OriginAccessControlId": oac_id,
        }]},
        "DefaultCacheBehavior": {
            "TargetOriginId": ORIGIN_ID,
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": len(methods), "Items": methods,
                               "CachedMethods": {"Quantity": len(methods), "Items": methods}},
            "Compress": True,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "MinTTL": dist.min_ttl,
            "DefaultTTL": dist.default_ttl,
            "MaxTTL": dist.max_ttl,
        },
        "CustomErrorResponses": {"Quantity": len(errors), "Items": errors},
    }


def config_drift(current: dict, desired: dict) -> list[str]:
    """Which managed parts of a distribution's config differ from what the project wants (empty: none)."""
    drift = [name for name in ("Comment", "Enabled", "DefaultRootObject", "HttpVersion")
             if current.get(name) != desired[name]]
    keeps_oac = _cloud_keeps_oac(current)
    if _origins(current, keeps_oac) != _origins(desired, keeps_oac):
        drift.append("Origins")
    if _behavior(current.get("DefaultCacheBehavior", {})) != _behavior(desired["DefaultCacheBehavior"]):
        drift.append("DefaultCacheBehavior")
    if _errors(current) != _errors(desired):
        drift.append("CustomErrorResponses")
    return drift


def _cloud_keeps_oac(config: dict) -> bool:
    return any("OriginAccessControlId" in origin for origin in config.get("Origins", {}).get("Items", []) or [])


def _origins(config: dict, compare_oac: bool) -> list:
    return sorted((o.get("Id"), o.get("DomainName"), str(o.get("OriginAccessControlId", "")) if compare_oac else None)
                  for o in config.get("Origins", {}).get("Items", []) or [])


def _behavior(behavior: dict) -> tuple:
    methods = behavior.get("AllowedMethods", {})
    return (behavior.get("TargetOriginId"), behavior.get("ViewerProtocolPolicy"), behavior.get("Compress"),
            behavior.get("MinTTL"), behavior.get("DefaultTTL"), behavior.get("MaxTTL"),
            tuple(sorted(methods.get("Items", []))), tuple(sorted(methods.get("CachedMethods", {}).get("Items", []))),
            behavior.get("ForwardedValues", {}).get("QueryString"))


def _errors(config: dict) -> list:
    return sorted((int(e["ErrorCode"]), e.get("ResponsePagePath", ""), str(e.get("ResponseCode", "")),
                   int(e.get("ErrorCachingMinTTL", 0) or 0))
                  for e in config.get("CustomErrorResponses", {}).get("Items", []) or [])


def merged_config(current: dict, desired: dict) -> dict:
    """The full config for update_distribution: the cloud's copy with every managed part replaced by ours."""
    merged = dict(current)
    for name in ("Comment", "Enabled", "DefaultRootObject", "HttpVersion", "Origins", "CustomErrorResponses"):
        merged[name] = desired[name]
    merged["DefaultCacheBehavior"] = {**current.get("DefaultCacheBehavior", {}), **desired["DefaultCacheBehavior"]}
    merged["CallerReference"] = current.get("CallerReference", desired["CallerReference"])
    return merged


def origin_read_policy(bucket: str, distribution_arn) -> dict:
    """Lets CloudFront read the bucket on behalf of this one distribution only (not a public policy)."""
    return {
        "Version": "2008-10-17",
        "Id": "PolicyForCloudFrontPrivateContent",
        "Statement": [{
            "Sid": "AllowCloudFrontServicePrincipal",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }],
    }


@rule(Distribution)
class DistributionRule:
    def plan(self, dist: Distribution, remote: RemoteState) -> list:
        key = dist.key
        oac_key = f"{OriginAccessControl.type_name}:{dist.origin_access_control}"
        oac = find_origin_access_control(remote, dist.origin_access_control) if dist.origin_access_control else None
        oac_id = oac["Id"] if oac else Var(f"{oac_key}.Id") if dist.origin_access_control else ""
        found = find_distribution(remote, dist.name)
        steps: list = []
        if found is None:
            # AWS refuses a CallerReference it has seen before, even from a deleted distribution: one per create.
            config = desired_config(dist, oac_id, f"{dist.caller_reference}-{time.time_ns() // 1_000_000}")
            tags = {"Items": [{"Key": k, "Value": v} for k, v in dist.tags.items()]}
            steps.append(APICall(key, "create", "cloudfront", "create_distribution_with_tags",
                                 {"DistributionConfigWithTags": {"DistributionConfig": config, "Tags": tags}},
                                 store={f"{key}.Id": "Distribution.Id", f"{key}.Arn": "Distribution.ARN",
                                        f"{key}.DomainName": "Distribution.DomainName"},
                                 explain=unverified_account(self._undo_oac(dist, oac, remote))))
            steps.append(Wait(key, "cloudfront", "distribution_deployed", {"Id": Var(f"{key}.Id")}, **DEPLOY_WAIT))
            arn = Var(f"{key}.Arn")
        else:
            arn = found["ARN"]
            steps += [StoreValue(f"{key}.Id", found["Id"]), StoreValue(f"{key}.Arn", arn),
                      StoreValue(f"{key}.DomainName", found["DomainName"])]
            current = remote.read("cloudfront", "get_distribution_config", Id=found["Id"])
            desired = desired_config(dist, oac_id, current["DistributionConfig"].get("CallerReference", dist.caller_reference))
            if config_drift(current["DistributionConfig"], desired):
                steps.append(APICall(key, "update", "cloudfront", "update_distribution",
                                     {"Id": found["Id"], "IfMatch": current["ETag"],
                                      "DistributionConfig": merged_config(current["DistributionConfig"], desired)}))
                steps.append(Wait(key, "cloudfront", "distribution_deployed", {"Id": found["Id"]}, **DEPLOY_WAIT))
            elif found.get("Status") != "Deployed":  # an earlier push was stopped while it deployed
                steps.append(Wait(key, "cloudfront", "distribution_deployed", {"Id": found["Id"]}, **DEPLOY_WAIT))
            steps += self._plan_tags(dist, arn, remote)
        if dist.grant_origin_read:
            steps += self._plan_origin_policy(dist, arn, remote)
        return steps

    @staticmethod
    def _undo_oac(dist: Distribution, oac: dict | None, remote: RemoteState) -> tuple:
        """Deleting the distribution's OAC should AWS refuse the distribution: nothing else uses it, and once
        hosting goes DEV no push would find it again (it is recorded only by a push that succeeds)."""
        if not dist.origin_access_control:
            return ()
        oac_key = f"{OriginAccessControl.type_name}:{dist.origin_access_control}"
        if oac is None:
            oac_id, etag = Var(f"{oac_key}.Id"), Var(f"{oac_key}.ETag")
        else:
            oac_id = oac["Id"]
            etag = remote.read("cloudfront", "get_origin_access_control", Id=oac_id)["ETag"]
        return (APICall(oac_key, "delete", "cloudfront", "delete_origin_access_control",
                        {"Id": oac_id, "IfMatch": etag}, ok_codes=NO_OAC),)

    def _plan_tags(self, dist: Distribution, arn: str, remote: RemoteState) -> list:
        if not dist.tags:
            return []
        found = remote.read("cloudfront", "list_tags_for_resource", Resource=arn)
        current = {t["Key"]: t["Value"] for t in found.get("Tags", {}).get("Items", []) or []}
        if all(current.get(k) == v for k, v in dist.tags.items()):
            return []
        return [APICall(dist.key, "update", "cloudfront", "tag_resource",
                        {"Resource": arn, "Tags": {"Items": [{"Key": k, "Value": v} for k, v in dist.tags.items()]}})]

    def _plan_origin_policy(self, dist: Distribution, arn, remote: RemoteState) -> list:
        desired = origin_read_policy(dist.origin_bucket, arn)
        if not isinstance(arn, Var):
            found = remote.read("s3", "get_bucket_policy", missing=("NoSuchBucketPolicy",) + NO_BUCKET,
                                Bucket=dist.origin_bucket)
            if found and freeze(json.loads(found["Policy"])) == freeze(desired):
                return []
        return [bucket_call(dist.key, "update", "put_bucket_policy",
                            {"Bucket": dist.origin_bucket, "Policy": JsonText(desired)})]

    def exists(self, identity: dict, remote: RemoteState) -> bool:
        return find_distribution(remote, identity["name"]) is not None

    def tags(self, identity: dict, remote: RemoteState) -> dict | None:
        found = find_distribution(remote, identity["name"])
        listed = found and remote.read("cloudfront", "list_tags_for_resource", Resource=found["ARN"])
        return {t["Key"]: t["Value"] for t in listed.get("Tags", {}).get("Items", []) or []} if listed else None

    def plan_delete(self, identity: dict, remote: RemoteState) -> list:
        """Disable, wait until the change is deployed, then delete with the ETag the disabling returned."""
        key = f"{Distribution.type_name}:{identity['name']}"
        found = find_distribution(remote, identity["name"])
        if found is None:
            return []
        dist_id = found["Id"]
        current = remote.read("cloudfront", "get_distribution_config", missing=NO_DISTRIBUTION, Id=dist_id)
        if current is None:
            return []
        steps: list = []
        etag = current["ETag"]
        if current["DistributionConfig"].get("Enabled"):
            disabled = {**current["DistributionConfig"], "Enabled": False}
            steps.append(APICall(key, "delete", "cloudfront", "update_distribution",
                                 {"Id": dist_id, "IfMatch": etag, "DistributionConfig": disabled},
                                 store={f"{key}.DisabledETag": "ETag"}))
            etag = Var(f"{key}.DisabledETag")
            steps.append(Wait(key, "cloudfront", "distribution_deployed", {"Id": dist_id}, **DEPLOY_WAIT))
        elif found.get("Status") != "Deployed":
            steps.append(Wait(key, "cloudfront", "distribution_deployed", {"Id": dist_id}, **DEPLOY_WAIT))
        steps.append(APICall(key, "delete", "cloudfront", "delete_distribution", {"Id": dist_id, "IfMatch": etag},
                             ok_codes=NO_DISTRIBUTION))
        return steps
