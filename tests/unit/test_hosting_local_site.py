"""The local cloud's hosted sites answer like S3 website endpoints and CloudFront, which moto does not serve:
index documents, folder redirects, error documents, Content-Type from the object, access from the bucket policy
and Block Public Access, a distribution's default root object and custom error responses.
Served in process over moto's backends, through werkzeug's test client."""
import json

import boto3
import pytest
from moto import mock_aws
from werkzeug.test import Client

from amplify_nb.categories.hosting import PUBLIC_POLICY_ALLOWED, public_read_policy
from amplify_nb.deploy.rules.cloudfront import origin_read_policy
from amplify_nb.local.services.hosting import SiteApp, parse_website

SPA = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "index.html"}}


@pytest.fixture
def s3():
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def site(s3, bucket, public=True, website=SPA, files=None):
    s3.create_bucket(Bucket=bucket)
    if public:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_POLICY_ALLOWED)
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read_policy(bucket)))
    if website:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=website)
    for key, (body, content_type) in (files or {"index.html": (b"<h1>app</h1>", "text/html"),
                                                "app.js": (b"console.log(1)", "text/javascript"),
                                                "docs/index.html": (b"<h1>docs</h1>", "text/html")}).items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, CacheControl="no-cache")
    return Client(SiteApp("website", bucket))


def test_root_and_folders_get_the_index_document_with_the_objects_headers(s3):
    client = site(s3, "beer-site")
    root = client.get("/")
    assert root.status_code == 200 and root.data == b"<h1>app</h1>"
    assert root.headers["Content-Type"] == "text/html" and root.headers["Cache-Control"] == "no-cache"
    assert client.get("/docs/").data == b"<h1>docs</h1>"
    assert client.get("/app.js").headers["Content-Type"] == "text/javascript"


def test_a_folder_without_its_slash_is_redirected_like_s3_does(s3):
    answer = site(s3, "beer-site").get("/docs")
    assert answer.status_code == 302 and answer.headers["Location"] == "/docs/"


def test_a_missing_path_gets_the_error_document_with_s3s_status(s3):
    answer = site(s3, "beer-site").get("/beers/42")
    # Without s3:ListBucket S3 hides missing keys behind 403; the error document (the app) is the body.
    assert answer.status_code == 403 and answer.data == b"<h1>app</h1>"


def test_without_an_error_document_a_missing_path_gets_s3s_error_page(s3):
    answer = site(s3, "beer-site", website={"IndexDocument": {"Suffix": "index.html"}}).get("/nope")
    assert answer.status_code == 403 and b"AccessDenied" in answer.data


def test_a_private_bucket_is_not_served(s3):
    answer = site(s3, "beer-private", public=False).get("/")
    assert answer.status_code == 403 and b"AccessDenied" in answer.data


def test_restrict_public_buckets_overrides_a_public_policy(s3):
    client = site(s3, "beer-site")
    s3.put_public_access_block(Bucket="beer-site", PublicAccessBlockConfiguration={**PUBLIC_POLICY_ALLOWED,
                                                                                   "RestrictPublicBuckets": True})
    assert client.get("/").status_code == 403


def test_a_bucket_without_website_configuration_or_at_all_answers_404(s3):
    assert b"NoSuchWebsiteConfiguration" in site(s3, "beer-plain", website=None).get("/").data
    missing = Client(SiteApp("website", "no-such-bucket")).get("/")
    assert missing.status_code == 404 and b"NoSuchBucket" in missing.data


def test_head_and_conditional_requests(s3):
    client = site(s3, "beer-site")
    head = client.head("/")
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == "12"
    assert client.get("/", headers={"If-None-Match": head.headers["ETag"]}).status_code == 304
    assert client.post("/").status_code == 405


def distribution(s3, bucket, policy=True, errors=((403, "/index.html", "200"), (404, "/index.html", "200")),
                 enabled=True):
    site(s3, bucket, public=False)
    cf = boto3.client("cloudfront", region_name="us-east-1")
    created = cf.create_distribution(DistributionConfig={
        "CallerReference": bucket, "Comment": bucket, "Enabled": enabled, "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https",
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
        "CustomErrorResponses": {"Quantity": len(errors), "Items": [
            {"ErrorCode": code, "ResponsePagePath": page, "ResponseCode": response} for code, page, response in errors]},
    })["Distribution"]
    if policy:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(origin_read_policy(bucket, created["ARN"])))
    return Client(SiteApp("distribution", created["Id"])), created


def test_distribution_serves_its_root_object_and_answers_missing_paths_with_the_app(s3):
    client, _ = distribution(s3, "beer-cdn")
    assert client.get("/").data == b"<h1>app</h1>"
    deep = client.get("/beers/42")
    assert deep.status_code == 200 and deep.data == b"<h1>app</h1>" and deep.headers["Content-Type"] == "text/html"
    # The default root object applies to / only: /docs/ is a missing key, answered by the error response.
    assert client.get("/docs/").data == b"<h1>app</h1>"
    assert client.get("/app.js").headers["Content-Type"] == "text/javascript"


def test_distribution_needs_the_bucket_policy_granting_its_arn(s3):
    client, _ = distribution(s3, "beer-cdn", policy=False)
    assert client.get("/").status_code == 403
    s3.put_bucket_policy(Bucket="beer-cdn", Policy=json.dumps(origin_read_policy("beer-cdn", "arn:aws:cloudfront::1:distribution/OTHER")))
    assert client.get("/").status_code == 403


def test_distribution_without_error_responses_shows_the_origins_403(s3):
    client, _ = distribution(s3, "beer-cdn", errors=())
    answer = client.get("/beers/42")
    assert answer.status_code == 403 and b"AccessDenied" in answer.data


def test_disabled_distribution_serves_nothing(s3):
    client, _ = distribution(s3, "beer-cdn", enabled=False)
    assert client.get("/").status_code == 403


def test_website_configuration_is_read_with_or_without_namespace():
    document = (b'<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IndexDocument><Suffix>i.html'
                b'</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>')
    parsed = parse_website(document)
    assert (parsed.index, parsed.error_key) == ("i.html", "e.html")
    assert parse_website(document.replace(b' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', b"")) == parsed
