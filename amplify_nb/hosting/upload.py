"""Incremental upload of a built app to its hosting bucket: only new or changed files, removed files deleted.

A file is unchanged when its content hash equals the object's ETag (the MD5 of the body, or for a multipart
upload the MD5 of the parts' MD5s and the part count, computed here with the same part size as the upload).
Unlike `aws s3 sync`, which compares sizes and modification times, a rebuilt but identical file is not sent.

Every object gets its Content-Type (S3 would store binary/octet-stream, and browsers would download the page)
and a Cache-Control: files with a content hash in their name never change, so browsers and CloudFront may keep
them a year; everything else (index.html, aws-exports.js, app.js) must be revalidated on each load, so a
publish is seen at once. The index documents go last, so a visitor never gets a new page whose assets are not
uploaded yet; removed files are deleted after that, for the same reason.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CloudError

MB = 1024 * 1024
MULTIPART_THRESHOLD = 8 * MB
MULTIPART_CHUNKSIZE = 8 * MB
CONCURRENCY = 10  # botocore keeps 10 connections per client by default
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Types some systems' mime.types lack or spell differently; fixed here so every machine uploads the same.
CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".map": "application/json", ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".txt": "text/plain", ".xml": "application/xml",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".wasm": "application/wasm",
    ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
}
# main.3f2a9c1b.js, index-B4xq9ZzK.css, chunk.abcdef0123456789.js: names that change when the content does.
HASHED_NAME = re.compile(r"[.-][0-9a-f]{8,}\.|[.-][A-Za-z0-9_]{8}\.(?:js|css|mjs)$")


def content_type(key: str) -> str:
    suffix = os.path.splitext(key)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key, strict=False)[0] or DEFAULT_CONTENT_TYPE


def cache_control(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    if name.endswith(".html") or not HASHED_NAME.search(name):
        return REVALIDATE
    return IMMUTABLE


def content_etag(path: Path, threshold: int = MULTIPART_THRESHOLD, chunk_size: int = MULTIPART_CHUNKSIZE) -> str:
    """The ETag S3 gives this file once uploaded the way upload_files uploads it (no quotes)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size < threshold:
            return hashlib.md5(handle.read()).hexdigest()
        parts = []
        while chunk := handle.read(chunk_size):
            parts.append(hashlib.md5(chunk).digest())
    return f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}"


@dataclass(frozen=True)
class LocalFile:
    key: str
    path: Path
    size: int
    etag: str


@dataclass(frozen=True)
class FileChange:
    key: str
    action: str  # upload | delete | unchanged
    reason: str  # new | changed | removed | same content
    size: int = 0
    content_type: str = ""
    cache_control: str = ""


@dataclass
class SyncPlan:
    uploads: list[FileChange] = field(default_factory=list)
    deletes: list[FileChange] = field(default_factory=list)
    unchanged: list[FileChange] = field(default_factory=list)

    @property
    def changes(self) -> list[FileChange]:
        return self.uploads + self.deletes + self.unchanged


def local_files(folder: Path) -> dict[str, LocalFile]:
    """Every file under the folder, keyed as its object key (relative POSIX path)."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            found[key] = LocalFile(key, path, path.stat().st_size, content_etag(path))
    return found


def remote_objects(client: Any, bucket: str) -> dict[str, dict]:
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            objects[item["Key"]] = {"etag": item["ETag"].strip('"'), "size": item["Size"]}
    return objects


def plan_sync(local: dict[str, LocalFile], remote: dict[str, dict], index_doc: str = "index.html") -> SyncPlan:
    """What to upload (index documents last, the root one very last), delete and leave alone."""
    plan = SyncPlan()
    for key, file in local.items():
        change = dict(size=file.size, content_type=content_type(key), cache_control=cache_control(key))
        if key not in remote:
            plan.uploads.append(FileChange(key, "upload", "new", **change))
        elif remote[key]["etag"] != file.etag:
            plan.uploads.append(FileChange(key, "upload", "changed", **change))
        else:
            plan.unchanged.append(FileChange(key, "unchanged", "same content", **change))
    plan.deletes = [FileChange(key, "delete", "removed", size=item["size"]) for key, item in sorted(remote.items())
                    if key not in local]

    def index_last(change: FileChange) -> tuple:
        is_index = change.key.rsplit("/", 1)[-1] == index_doc
        return (is_index, is_index and change.key == index_doc, change.key)

    plan.uploads.sort(key=index_last)
    return plan


def transfer_config():
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_CHUNKSIZE,
                          max_concurrency=CONCURRENCY, use_threads=True)


def upload_files(client: Any, bucket: str, folder: Path, changes: list[FileChange], index_doc: str = "index.html",
                 on_done=None, open_manager=None) -> None:
    """Upload in parallel (multipart above 8 MB); the index documents after everything else.

    `open_manager(config)` makes the s3transfer manager (publish passes Target.transfer_manager, the CRT's where
    it can be used); by default the classic thread pool on `client`.
    """
    from s3transfer.manager import TransferManager
    from s3transfer.subscribers import BaseSubscriber

    class Done(BaseSubscriber):
        def on_done(self, future, **kwargs):
            if on_done is not None:
                on_done(future.meta.call_args.key)

    config = transfer_config()
    is_index = [c.key.rsplit("/", 1)[-1] == index_doc for c in changes]
    batches = ([c for c, index in zip(changes, is_index) if not index],
               [c for c, index in zip(changes, is_index) if index and c.key != index_doc],
               [c for c in changes if c.key == index_doc])  # each batch finishes before the next starts
    with (open_manager or (lambda config: TransferManager(client, config)))(config) as manager:
        for batch in batches:
            futures = [manager.upload(str(Path(folder) / change.key), bucket, change.key,
                                      extra_args={"ContentType": change.content_type,
                                                  "CacheControl": change.cache_control},
                                      subscribers=[Done()])
                       for change in batch]
            for future in futures:
                try:
                    future.result()
                except Exception as exc:  # s3transfer re-raises botocore's errors: say which file failed
                    raise CloudError(f"Uploading {future.meta.call_args.key} to {bucket} failed: {exc}. "
                                     "Publish again: files already uploaded are not sent twice.") from exc


def delete_objects(client: Any, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        batch = keys[start:start + 1000]
        response = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
        if response.get("Errors"):
            first = response["Errors"][0]
            raise CloudError(f"Deleting {first.get('Key')} from {bucket} failed: {first.get('Code')} {first.get('Message')}")
