"""Uploads through the target's transfer manager (amplify_nb/s3_transfer.py): the CRT S3 client for the local cloud,
with the same objects, headers and ETags as s3transfer's thread pool, so publish's "unchanged" check does not
depend on which one uploaded a file."""
from __future__ import annotations

import os

import pytest
from s3transfer.crt import CRTTransferManager
from s3transfer.manager import TransferManager

from amplify_nb import s3_transfer
from amplify_nb.aws import Target
from amplify_nb.errors import CloudError
from amplify_nb.hosting.upload import MULTIPART_THRESHOLD, local_files, plan_sync, remote_objects, transfer_config, upload_files

# Each side of the one-PUT/multipart boundary, an empty file, a key that needs encoding; index.html goes last.
FILES = {"at-threshold.bin": MULTIPART_THRESHOLD, "below.bin": MULTIPART_THRESHOLD - 1,
         "above.bin": MULTIPART_THRESHOLD + 1, "empty.txt": 0, "sub dir/bière à 2€.js": 700, "index.html": 40}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    for key, size in FILES.items():
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    return folder


@pytest.mark.parametrize("manager", ["crt", "thread pool"])
def test_both_managers_store_the_same_objects_with_the_etags_publish_predicts(manager, site, local_cloud):
    target = Target()
    s3 = target.client("s3")
    bucket = f"transfer-{manager.replace(' ', '-')}-{os.urandom(3).hex()}"
    s3.create_bucket(Bucket=bucket)
    if manager == "crt":
        with target.transfer_manager(transfer_config()) as opened:
            assert isinstance(opened, CRTTransferManager)
    done: list[str] = []
    changes = plan_sync(local_files(site), {}).uploads
    upload_files(s3, bucket, site, changes, on_done=done.append,
                 open_manager=target.transfer_manager if manager == "crt" else None)

    assert sorted(done) == sorted(FILES) and done[-1] == "index.html"
    remote = remote_objects(s3, bucket)
    for key, file in local_files(site).items():
        assert remote[key] == {"etag": file.etag, "size": FILES[key]}, key
    assert remote["above.bin"]["etag"].endswith("-2") and remote["at-threshold.bin"]["etag"].endswith("-1")
    assert "-" not in remote["below.bin"]["etag"]
    page = s3.get_object(Bucket=bucket, Key="sub dir/bière à 2€.js")
    assert page["Body"].read() == (site / "sub dir/bière à 2€.js").read_bytes()
    assert (page["ContentType"], page["CacheControl"]) == ("text/javascript", "no-cache")
    assert plan_sync(local_files(site), remote).uploads == []


def test_a_failed_crt_upload_names_the_file_and_the_cloud_error(site, local_cloud):
    target = Target()
    changes = [c for c in plan_sync(local_files(site), {}).uploads if c.key == "empty.txt"]
    with pytest.raises(CloudError, match=r"Uploading empty.txt to no-such-bucket-here failed: .*NoSuchBucket"):
        upload_files(target.client("s3"), "no-such-bucket-here", site, changes, open_manager=target.transfer_manager)


def test_the_thread_pool_is_kept_without_awscrt_or_behind_a_proxy(monkeypatch, local_cloud):
    config = transfer_config()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert s3_transfer.uses_crt(is_local=True)  # the local cloud is on this machine: no proxy between
    assert not s3_transfer.uses_crt(is_local=False)
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setattr(s3_transfer, "crt_available", lambda: False)
    with Target().transfer_manager(config) as manager:
        assert isinstance(manager, TransferManager)
