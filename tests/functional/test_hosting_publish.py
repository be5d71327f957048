"""publish against the local cloud: push first, build the sample app, upload only what changed, delete what
disappeared, serve it from the local hosting URL, invalidate CloudFront when asked; the site's URL survives a
restart of the local cloud."""
from __future__ import annotations

import json
import re
import urllib.error

import pytest
from cli_runner import run_cli
from test_hosting import fetch, new_project, unique_bucket

from amplify_nb import sample_app
from amplify_nb.errors import AmplifyNbError
from amplify_nb.hosting import publish
from amplify_nb.local import LocalCloud, LocalSettings
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV
from amplify_nb.project import Project, add_resource, plan
from amplify_nb.specs.hosting import HostingSpec


def hosted_project(tmp_path, environment="DEV") -> Project:
    project = new_project(tmp_path)
    sample_app.install(project)
    add_resource(project, "hosting", HostingSpec(bucket_name=unique_bucket(), environment=environment))
    return project


def test_publish_pushes_builds_and_serves_the_sample_app(tmp_path, local_cloud, boto3_client):
    project = hosted_project(tmp_path)
    result = publish(project, progress=False)
    assert "s3.create_bucket" in result.pushed_calls  # hosting was not pushed yet: publish pushed first
    assert not plan(project)
    assert {"index.html", "app.js", "aws-exports.js", "build-info.js", "pages/home.js"} <= set(result.uploaded)
    assert result.deleted == [] and result.unchanged == []
    assert result.summary().loc["uploaded", "count"] == len(result.uploaded)

    s3 = boto3_client("s3", local_cloud.endpoint)
    head = s3.head_object(Bucket=result.bucket, Key="app.js")
    assert (head["ContentType"], head["CacheControl"]) == ("text/javascript", "no-cache")
    status, headers, body = fetch(result.url + "/")
    assert status == 200 and headers["Content-Type"] == "text/html" and b"<title>Beer app</title>" in body
    status, headers, body = fetch(result.url + "/aws-exports.js")
    assert headers["Content-Type"] == "text/javascript" and result.url.encode() in body
    status, _, body = fetch(result.url + "/no/such/page")
    assert status == 403 and b"<title>Beer app</title>" in body  # S3's status, the error document's body


def test_republish_uploads_exactly_the_changed_file_and_deletes_removed_ones(tmp_path, local_cloud, boto3_client):
    project = hosted_project(tmp_path)
    first = publish(project, progress=False)
    (project.source_dir / "style.css").write_text((project.source_dir / "style.css").read_text() + "\n/* v2 */\n")
    (project.source_dir / "pages/not-found.js").unlink()
    second = publish(project, progress=False)
    assert second.pushed_calls == []
    assert second.uploaded == ["style.css"]
    assert second.deleted == ["pages/not-found.js"]
    assert len(second.unchanged) == len(first.uploaded) - 2
    s3 = boto3_client("s3", local_cloud.endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=second.bucket)["Contents"]]
    assert "pages/not-found.js" not in keys
    assert b"/* v2 */" in fetch(second.url + "/style.css")[2]
    third = publish(project, progress=False)
    assert third.uploaded == [] and third.deleted == []


def test_cli_publish_prints_the_summary_table_and_the_url(tmp_path, local_cloud):
    project = hosted_project(tmp_path)
    done = run_cli("publish", "--yes", cwd=project.root)
    assert re.search(r"uploaded\s+\d+", done.stdout) and re.search(r"unchanged\s+0", done.stdout)
    url = project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["WebsiteURL"]
    assert done.stdout.strip().endswith(url)
    again = run_cli("publish", "--yes", cwd=project.root)
    assert re.search(r"uploaded\s+0", again.stdout)


def test_prod_publish_serves_through_the_distribution_and_invalidates_only_when_asked(tmp_path, local_cloud, boto3_client):
    project = hosted_project(tmp_path, environment="PROD")
    result = publish(project, progress=False)
    cf = boto3_client("cloudfront", local_cloud.endpoint)
    assert result.invalidation is None
    assert cf.list_invalidations(DistributionId=result.distribution_id)["InvalidationList"]["Quantity"] == 0
    status, _, body = fetch(result.url + "/beers/42")
    assert status == 200 and b"<title>Beer app</title>" in body
    done = run_cli("publish", "--yes", "--invalidate", cwd=project.root)
    assert "CloudFront invalidation" in done.stdout
    invalidations = cf.list_invalidations(DistributionId=result.distribution_id)["InvalidationList"]
    assert invalidations["Quantity"] == 1
    assert not plan(project)  # invalidations are not resources: the plan stays empty


def test_publish_without_hosting_says_to_add_it(tmp_path, local_cloud):
    project = new_project(tmp_path)
    done = run_cli("publish", "--yes", cwd=project.root, check=False)
    assert done.returncode == 1 and "add hosting" in done.stderr


def test_a_failing_build_stops_publish_before_any_upload(tmp_path, local_cloud, boto3_client):
    project = hosted_project(tmp_path)
    config = project.project_config
    config["javascript"]["config"]["BuildCommand"] = "definitely-not-a-command-xyz"
    project.write_json(project.paths.project_config, config)
    with pytest.raises(AmplifyNbError, match=r"(?s)failed \(exit code 127\).*sample_app install"):
        publish(project, progress=False)
    bucket = project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["HostingBucketName"]
    assert boto3_client("s3", local_cloud.endpoint).list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_the_site_keeps_its_url_and_content_across_a_restart(tmp_path, free_port, monkeypatch):
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=tmp_path / "private-cloud"))
    monkeypatch.setenv(PORT_ENV, str(cloud.settings.port))
    monkeypatch.setenv(STATE_DIR_ENV, str(cloud.settings.state_dir))
    try:
        cloud.start()
        project = hosted_project(tmp_path, environment="PROD")
        result = publish(project, progress=False)
        website = project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]["WebsiteURL"]
        saved = json.loads((cloud.settings.state_dir / "hosting-sites.json").read_text())["sites"]
        assert sorted(saved.values()) == sorted(int(url.rsplit(":", 1)[1]) for url in (result.url, website))
        cloud.stop()
        with pytest.raises(urllib.error.URLError):  # nothing serves it while the cloud is stopped
            fetch(result.url + "/")
        cloud.start()
        status, _, body = fetch(result.url + "/")
        assert status == 200 and b"<title>Beer app</title>" in body
        assert not plan(project)
    finally:
        cloud.stop()
