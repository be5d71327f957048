"""add / update / remove hosting and push against the local cloud: DEV and PROD, switching between them and
removing leave nothing behind, a killed push finishes without duplicates, bad bucket names exit 2."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from cli_runner import run_cli

from amplify_nb.categories.hosting import BLOCK_ALL, PUBLIC_POLICY_ALLOWED
from amplify_nb.cli import main
from amplify_nb.project import Project, add_resource, plan, push, remove_resource, resource_status, update_resource
from amplify_nb.project.status import endpoints
from amplify_nb.specs.hosting import BUCKET_CHARACTERS_MESSAGE, HostingSpec

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with NO_PROXY.open(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def new_project(tmp_path, name="beer") -> Project:
    run_cli("init", "--yes", "--project-dir", str(tmp_path / name))
    return Project.open(tmp_path / name)


def unique_bucket() -> str:
    return f"beer-{uuid.uuid4().hex[:10]}"


def distributions(cf, bucket: str) -> list[dict]:
    items = cf.list_distributions()["DistributionList"].get("Items", [])
    return [d for d in items if d["Comment"] == f"amplify-nb {bucket}"]


def oacs(cf, bucket: str) -> list[dict]:
    items = cf.list_origin_access_controls()["OriginAccessControlList"].get("Items", [])
    return [o for o in items if o["Name"] == f"{bucket}-oac"]


def bucket_exists(s3, bucket: str) -> bool:
    return bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def output(project: Project) -> dict:
    return project.amplify_meta()["hosting"]["S3AndCloudFront"]["output"]


@pytest.fixture
def clients(local_cloud, boto3_client):
    return boto3_client("s3", local_cloud.endpoint), boto3_client("cloudfront", local_cloud.endpoint)


def test_dev_push_makes_a_public_website_bucket_through_a_policy(tmp_path, clients):
    s3, _ = clients
    project = new_project(tmp_path)
    name = unique_bucket()
    add_resource(project, "hosting", HostingSpec(bucket_name=name))
    backend = project.paths.resource_dir("hosting", "S3AndCloudFront")
    assert json.loads((backend / "parameters.json").read_text()) == {"bucketName": name}
    assert "BucketPolicy" in json.loads((backend / "template.json").read_text())["Resources"]
    assert project.backend_config()["hosting"] == {"S3AndCloudFront": {"service": "S3AndCloudFront",
                                                                        "providerPlugin": "awscloudformation"}}
    assert [r.operation for r in resource_status(project)] == ["Create"]

    push(project, progress=False)
    bucket = f"{name}-dev"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == PUBLIC_POLICY_ALLOWED
    statement = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]
    assert (statement["Principal"], statement["Action"]) == ("*", "s3:GetObject")
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}
    out = output(project)
    assert out["HostingBucketName"] == bucket and out["Region"] == "us-east-1"
    assert out["WebsiteURL"].startswith("http://127.0.0.1:") and "CloudFrontSecureURL" not in out
    assert endpoints(project) == {"Hosting endpoint": out["WebsiteURL"]}
    assert [r.operation for r in resource_status(project)] == ["No Change"]
    exports = (project.source_dir / "aws-exports.js").read_text()
    assert f'"aws_content_delivery_bucket": "{bucket}"' in exports and out["WebsiteURL"] in exports
    assert not plan(project)

    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>beer</h1>", ContentType="text/html")
    status, headers, body = fetch(out["WebsiteURL"] + "/")
    assert (status, headers["Content-Type"], body) == (200, "text/html", b"<h1>beer</h1>")


def test_prod_push_puts_a_private_bucket_behind_one_distribution_with_oac(tmp_path, clients):
    s3, cf = clients
    project = new_project(tmp_path)
    name = unique_bucket()
    bucket = f"{name}-dev"
    add_resource(project, "hosting", HostingSpec(bucket_name=name, environment="PROD"))
    push(project, progress=False)

    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == BLOCK_ALL
    (summary,) = distributions(cf, bucket)
    assert len(oacs(cf, bucket)) == 1
    config = cf.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html" and config["Enabled"] is True
    assert config["Origins"]["Items"][0]["DomainName"] == f"{bucket}.s3.us-east-1.amazonaws.com"
    behavior = config["DefaultCacheBehavior"]
    assert (behavior["MinTTL"], behavior["DefaultTTL"], behavior["MaxTTL"]) == (60, 86400, 31536000)
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert sorted((e["ErrorCode"], e["ResponsePagePath"], e["ResponseCode"]) for e in config["CustomErrorResponses"]["Items"]) \
        == [(400, "/index.html", "200"), (403, "/index.html", "200"), (404, "/index.html", "200")]
    statement = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": summary["ARN"]}}

    out = output(project)
    assert set(out) == {"Region", "HostingBucketName", "WebsiteURL", "CloudFrontDistributionID",
                        "CloudFrontDomainName", "CloudFrontSecureURL"}
    assert out["CloudFrontDistributionID"] == summary["Id"] and out["CloudFrontDomainName"] == summary["DomainName"]
    assert out["CloudFrontSecureURL"].startswith("http://127.0.0.1:") and out["CloudFrontSecureURL"] != out["WebsiteURL"]
    assert endpoints(project)["Hosting endpoint"] == out["CloudFrontSecureURL"]
    # moto keeps no OriginAccessControlId and reports the distribution deployed at once: still nothing to do.
    assert not plan(project)
    assert push(project, progress=False).calls_made == []

    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>app</h1>", ContentType="text/html")
    assert fetch(out["CloudFrontSecureURL"] + "/")[2] == b"<h1>app</h1>"
    status, _, body = fetch(out["CloudFrontSecureURL"] + "/beers/42")
    assert (status, body) == (200, b"<h1>app</h1>")  # CloudFront's 403 -> /index.html, 200
    assert fetch(out["WebsiteURL"] + "/")[0] == 403  # the bucket itself is private


def test_switching_dev_to_prod_and_back_then_removing_leaves_no_orphan(tmp_path, clients):
    s3, cf = clients
    project = new_project(tmp_path)
    name = unique_bucket()
    bucket = f"{name}-dev"
    add_resource(project, "hosting", HostingSpec(bucket_name=name))
    push(project, progress=False)

    update_resource(project, "hosting", HostingSpec(bucket_name=name, environment="PROD"))
    assert [r.operation for r in resource_status(project)] == ["Update"]
    push(project, progress=False)
    assert len(distributions(cf, bucket)) == 1 and len(oacs(cf, bucket)) == 1
    assert "cloudfront" in json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"]["Service"]
    assert not plan(project)

    update_resource(project, "hosting", HostingSpec(bucket_name=name, environment="DEV"))
    push(project, progress=False)
    assert distributions(cf, bucket) == [] and oacs(cf, bucket) == []
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"] == "*"
    assert "CloudFrontDistributionID" not in output(project)
    assert not plan(project)

    update_resource(project, "hosting", HostingSpec(bucket_name=name, environment="PROD"))
    push(project, progress=False)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"x")  # a published site: the bucket is not empty
    remove_resource(project, "hosting")
    push(project, progress=False)
    assert not bucket_exists(s3, bucket)
    assert distributions(cf, bucket) == [] and oacs(cf, bucket) == []
    assert "hosting" not in project.amplify_meta() and resource_status(project) == []
    assert not plan(project)


def test_renaming_the_bucket_deletes_the_old_one(tmp_path, clients):
    s3, _ = clients
    project = new_project(tmp_path)
    old, new = unique_bucket(), unique_bucket()
    add_resource(project, "hosting", HostingSpec(bucket_name=old))
    push(project, progress=False)
    update_resource(project, "hosting", HostingSpec(bucket_name=new))
    push(project, progress=False)
    assert bucket_exists(s3, f"{new}-dev") and not bucket_exists(s3, f"{old}-dev")


def test_a_push_killed_after_creating_the_distribution_finishes_without_a_second_one(tmp_path, clients):
    _, cf = clients
    project = new_project(tmp_path)
    name = unique_bucket()
    add_resource(project, "hosting", HostingSpec(bucket_name=name, environment="PROD"))
    calls = [row["call"] for row in plan(project).rows()]
    kill_after = calls.index("cloudfront.create_distribution_with_tags") + 1
    killed = run_cli("push", "--yes", "--project-dir", str(project.root), check=False,
                     env={"AMPLIFY_NB_FAULT_AFTER_STEPS": str(kill_after)})
    assert killed.returncode == -9, killed.stderr  # killed by the fault hook, right after the distribution
    assert len(distributions(cf, f"{name}-dev")) == 1
    resumed = run_cli("push", "--yes", "--project-dir", str(project.root))
    assert "Resumed an interrupted push" in resumed.stdout
    assert len(distributions(cf, f"{name}-dev")) == 1 and len(oacs(cf, f"{name}-dev")) == 1
    assert output(project)["CloudFrontDistributionID"] == distributions(cf, f"{name}-dev")[0]["Id"]
    assert not plan(project)


@pytest.mark.parametrize("bucket_name, message", [
    ("Beer_Hosting", BUCKET_CHARACTERS_MESSAGE),
    ("beer..hosting", "two adjacent periods"),
    ("beer-", "must end with a lowercase letter or a number"),
    ("192.168.5.4", "IP address"),
    ("b" * 60, "at most 59 characters"),  # fits alone, not with -dev appended
])
def test_bad_bucket_names_are_refused_with_exit_2_and_nothing_written(tmp_path, local_cloud, capsys, bucket_name, message):
    project = new_project(tmp_path)
    before = {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()}
    assert main(["add", "hosting", "--yes", "--project-dir", str(project.root), "--bucket-name", bucket_name]) == 2
    assert message in capsys.readouterr().err
    assert {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()} == before


def test_add_hosting_on_the_command_line_then_status_and_a_second_add_refused(tmp_path, local_cloud):
    project = new_project(tmp_path)
    name = unique_bucket()
    done = run_cli("add", "hosting", "--yes", "--environment", "PROD", "--bucket-name", name, cwd=project.root)
    assert "S3AndCloudFront" in done.stdout and "Create" in done.stdout
    again = run_cli("add", "hosting", "--yes", "--bucket-name", unique_bucket(), cwd=project.root, check=False)
    assert again.returncode == 2 and "update hosting" in again.stderr
    run_cli("push", "--yes", cwd=project.root)  # check=True: a failure raises with its output
    status = json.loads(run_cli("status", "--json", cwd=project.root).stdout)
    assert status["resources"][0]["operation"] == "No Change"
    assert status["endpoints"]["Hosting endpoint"].startswith("http://127.0.0.1:")
    assert "No changes" in run_cli("push", "--plan", cwd=project.root).stdout


def test_the_sites_api_serves_only_buckets_and_distributions_that_exist(local_cloud):
    from amplify_nb.errors import CloudError
    from amplify_nb.hosting import local_site, local_sites

    with pytest.raises(CloudError, match="There is no bucket 'no-such-bucket-here'"):
        local_site(local_cloud.endpoint, "website", "no-such-bucket-here")
    with pytest.raises(CloudError, match="There is no distribution"):
        local_site(local_cloud.endpoint, "distribution", "ENOSUCHDIST")
    assert all(site["url"] == f"http://127.0.0.1:{site['port']}" for site in local_sites(local_cloud.endpoint))
