"""publish's upload: content hashes decide what is sent, each object gets its Content-Type and Cache-Control,
index documents go last, removed files are deleted. Runs against moto in process (no network)."""
import hashlib

import boto3
import pytest
from moto import mock_aws

from amplify_nb.hosting.upload import (
    IMMUTABLE,
    REVALIDATE,
    cache_control,
    content_etag,
    content_type,
    delete_objects,
    local_files,
    plan_sync,
    remote_objects,
    upload_files,
)


@pytest.mark.parametrize("key, expected", [
    ("index.html", "text/html"), ("app.js", "text/javascript"), ("mod.mjs", "text/javascript"),
    ("style.css", "text/css"), ("logo.svg", "image/svg+xml"), ("data.json", "application/json"),
    ("font.woff2", "font/woff2"), ("favicon.ico", "image/x-icon"), ("blob.unknownext", "application/octet-stream"),
])
def test_every_file_gets_a_content_type_from_its_extension(key, expected):
    assert content_type(key) == expected


@pytest.mark.parametrize("key, expected", [
    ("index.html", REVALIDATE), ("app.js", REVALIDATE), ("aws-exports.js", REVALIDATE),
    ("static/js/main.3f2a9c1b.js", IMMUTABLE), ("assets/index-B4xq9ZzK.css", IMMUTABLE),
    ("assets/page.0123456789abcdef.html", REVALIDATE),
])
def test_hashed_assets_are_cached_for_a_year_everything_else_revalidated(key, expected):
    assert cache_control(key) == expected


def test_content_etag_matches_what_s3_computes_single_and_multipart(tmp_path):
    small, big = tmp_path / "small.txt", tmp_path / "big.bin"
    small.write_bytes(b"hello")
    big.write_bytes(b"x" * (9 * 1024 * 1024))
    assert content_etag(small) == hashlib.md5(b"hello").hexdigest()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        upload_files(s3, "site", tmp_path, plan_sync(local_files(tmp_path), {}).uploads)
        remote = remote_objects(s3, "site")
    assert remote["big.bin"]["etag"] == content_etag(big) and content_etag(big).endswith("-2")
    assert remote["small.txt"]["etag"] == content_etag(small)


def write(folder, files):
    for key, body in files.items():
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def test_plan_sends_new_and_changed_files_deletes_removed_ones_and_orders_index_documents_last(tmp_path):
    write(tmp_path, {"index.html": b"<p>new</p>", "docs/index.html": b"docs", "app.js": b"same", "new.css": b"x"})
    remote = {"index.html": {"etag": "old", "size": 1}, "app.js": {"etag": hashlib.md5(b"same").hexdigest(), "size": 4},
              "gone.js": {"etag": "e", "size": 7}}
    plan = plan_sync(local_files(tmp_path), remote)
    assert [(c.key, c.reason) for c in plan.uploads] == [("new.css", "new"), ("docs/index.html", "new"),
                                                        ("index.html", "changed")]
    assert [c.key for c in plan.unchanged] == ["app.js"]
    assert [(c.key, c.size) for c in plan.deletes] == [("gone.js", 7)]


def test_upload_sets_headers_and_puts_the_root_index_last(tmp_path):
    write(tmp_path, {"index.html": b"<h1>hi</h1>", "docs/index.html": b"docs", **{f"a{i}.js": b"x" for i in range(12)}})
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        order = []
        s3.meta.events.register("provide-client-params.s3.PutObject", lambda params, **kw: order.append(params["Key"]))
        upload_files(s3, "site", tmp_path, plan_sync(local_files(tmp_path), {}).uploads)
        head = s3.head_object(Bucket="site", Key="index.html")
        script = s3.head_object(Bucket="site", Key="a0.js")
        delete_objects(s3, "site", ["a1.js", "a2.js"])
        left = sorted(remote_objects(s3, "site"))
    assert order[-1] == "index.html" and order[-2] == "docs/index.html" and len(order) == 14
    assert (head["ContentType"], head["CacheControl"]) == ("text/html", REVALIDATE)
    assert script["ContentType"] == "text/javascript"
    assert "a1.js" not in left and "a2.js" not in left and len(left) == 12


def test_an_unchanged_folder_plans_no_upload(tmp_path):
    write(tmp_path, {"index.html": b"<h1>hi</h1>", "app.js": b"code"})
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        upload_files(s3, "site", tmp_path, plan_sync(local_files(tmp_path), {}).uploads)
        again = plan_sync(local_files(tmp_path), remote_objects(s3, "site"))
    assert again.uploads == [] and again.deletes == [] and len(again.unchanged) == 2


def test_a_publish_s_text_names_fifty_files_and_counts_the_rest():
    from amplify_nb.hosting.publish import PublishResult
    from amplify_nb.hosting.upload import FileChange, SyncPlan

    sync = SyncPlan(uploads=[FileChange(f"assets/file{i:03d}.js", "upload", "new", size=10) for i in range(120)],
                    deletes=[FileChange("old.html", "delete", "removed", size=5)])
    text = PublishResult(url="http://127.0.0.1:1", bucket="b", distribution_id=None, pushed_calls=[], build=None,
                         sync=sync, seconds=1.0).text()

    assert "  upload   assets/file049.js" in text and "assets/file050.js" not in text
    assert "  ... and 71 more files" in text
    assert "  uploaded     120       1,200" in text and "  deleted        1           5" in text
