"""Bucket policies on the S3 API as AWS evaluates them: with their conditions.

moto applies a bucket policy's statements but ignores their conditions, so Amplify's TLS-only policy on the
deployment bucket ("Deny s3:* when aws:SecureTransport is false") denies every object call, even the owner's.
The local cloud's API port stands in for AWS's HTTPS endpoints (the boto3 calls a project makes go over TLS on
AWS), so API requests count as secure transport; a statement whose conditions do not hold is left out before
moto's own evaluation, the rest is moto's.
"""
from __future__ import annotations

import json
from typing import Any

from moto.s3.models import FakeBucket

from .hosting import BucketAccess, Requester

_API_REQUESTER = Requester(secure=True)


def get_permission_with_conditions(bucket: FakeBucket, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if bucket.policy is None:
        return PermissionResult.NEUTRAL
    access = BucketAccess(bucket, _API_REQUESTER)
    applying = [statement for statement in access.statements
                if isinstance(statement, dict) and access._conditions_hold(statement.get("Condition") or {})]
    if not applying:
        return PermissionResult.NEUTRAL
    document = {**json.loads(bucket.policy), "Statement": [
        {name: value for name, value in statement.items() if name != "Condition"} for statement in applying]}
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


FakeBucket.get_permission = get_permission_with_conditions
