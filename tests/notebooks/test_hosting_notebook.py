"""notebooks/02-hosting.ipynb runs headless with papermill: alone (bootstrapping init), DEV and PROD, publishing
the sample app that its hosting URL then serves, and a second run changes nothing."""
from __future__ import annotations

import re
import urllib.request
import uuid

from test_notebooks import SECRET_PATTERNS, outputs_text, run_notebook, snapshot

from amplify_nb.project import Project, plan

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def hosting_output(project: Project) -> dict:
    return project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]


def page(url: str) -> str:
    with NO_PROXY.open(url, timeout=30) as response:
        return response.read().decode()


def test_hosting_notebook_alone_publishes_the_app_and_a_second_run_changes_nothing(tmp_path, local_cloud, boto3_client):
    project_dir = tmp_path / "beer"
    bucket = f"nb-{uuid.uuid4().hex[:10]}"
    executed = run_notebook("02-hosting.ipynb", tmp_path, project_dir=str(project_dir), bucket_name=bucket)
    project = Project.open(project_dir)
    output = hosting_output(project)
    assert output["HostingBucketName"] == f"{bucket}-dev" and "CloudFrontSecureURL" not in output
    assert "<title>Beer app</title>" in page(output["WebsiteURL"] + "/")
    assert project.frontend_config["BuildCommand"] == "python -m amplify_nb.sample_app build"
    text = outputs_text(executed)
    assert "✔" in text and output["WebsiteURL"] in text and "template.json" in text
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, text), pattern
    s3 = boto3_client("s3", local_cloud.endpoint)
    objects_before = {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=f"{bucket}-dev")["Contents"]}
    assert {"index.html", "app.js", "aws-exports.js", "build-info.js"} <= set(objects_before)

    before = snapshot(project_dir)
    run_notebook("02-hosting.ipynb", tmp_path, project_dir=str(project_dir), bucket_name=bucket)
    assert snapshot(project_dir) == before
    objects_after = {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=f"{bucket}-dev")["Contents"]}
    assert objects_after == objects_before  # nothing uploaded again
    assert not plan(project)


def test_hosting_notebook_prod_serves_through_cloudfront_and_invalidates(tmp_path, local_cloud, boto3_client):
    project_dir = tmp_path / "beerprod"
    bucket = f"nb-{uuid.uuid4().hex[:10]}"
    executed = run_notebook("02-hosting.ipynb", tmp_path, project_dir=str(project_dir), bucket_name=bucket,
                            environment="PROD", invalidate=True)
    project = Project.open(project_dir)
    output = hosting_output(project)
    assert "<title>Beer app</title>" in page(output["CloudFrontSecureURL"] + "/beers/42")  # SPA fallback
    cf = boto3_client("cloudfront", local_cloud.endpoint)
    invalidations = cf.list_invalidations(DistributionId=output["CloudFrontDistributionID"])["InvalidationList"]
    assert invalidations["Quantity"] == 1
    assert output["CloudFrontSecureURL"] in outputs_text(executed)
    assert not plan(project)
