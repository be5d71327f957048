"""What notebook 02 shows about a hosting bucket: its objects, with the headers publish gave them."""
from __future__ import annotations

import pandas as pd


def bucket_objects(project, headers: bool = True) -> pd.DataFrame:
    """The hosting bucket's objects (key, size, modified; Content-Type and Cache-Control when headers=True)."""
    output = next(iter(project.amplify_meta().get("hosting", {}).values()), {}).get("output", {})
    bucket = output.get("HostingBucketName")
    columns = ["key", "bytes", "modified", "content_type", "cache_control"]
    if not bucket:
        return pd.DataFrame(columns=columns)
    client = project.target().client("s3")
    rows = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            row = {"key": item["Key"], "bytes": item["Size"], "modified": pd.Timestamp(item["LastModified"])}
            if headers:
                head = client.head_object(Bucket=bucket, Key=item["Key"])
                row.update(content_type=head.get("ContentType"), cache_control=head.get("CacheControl"))
            rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    return frame if headers else frame.drop(columns=["content_type", "cache_control"])
