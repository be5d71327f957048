"""hosting (S3AndCloudFront): Amplify's files, the resources push makes, and the outputs it records.

DEV: a website bucket `<bucket_name>-<env>`, public read through a bucket policy after lifting the bucket's
Block Public Access (no ACLs). PROD: the same bucket kept private, behind a CloudFront
distribution with an origin access control; the distribution grants itself read access in the bucket policy
once it exists. Both keep the website configuration, as Amplify's template does.

The answers are stored the way Amplify stores them: parameters.json holds the bucket name, template.json the
rest (a CloudFormation template describing what push makes); update reads them back from there.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..deploy.models import Bucket, Distribution, OriginAccessControl
from ..errors import InputError
from ..fileio import read_json
from ..specs.hosting import HostingSpec
from . import DeployContext, register
from .root import tags as root_tags

SERVICE = "S3AndCloudFront"
# Regions whose S3 website endpoint is written s3-website-REGION (a dash); newer ones use s3-website.REGION.
DASH_WEBSITE_REGIONS = frozenset({
    "us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1",
    "sa-east-1", "us-gov-west-1",
})
BLOCK_ALL = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
# DEV: a public bucket policy needs BlockPublicPolicy and RestrictPublicBuckets off; ACLs stay blocked.
PUBLIC_POLICY_ALLOWED = {**BLOCK_ALL, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
SPA_ERROR_CODES = (400, 403, 404)  # Amplify's CloudFront error responses, all answered with the error doc


def website_url(bucket: str, region: str) -> str:
    """The S3 website endpoint (HTTP only), in the region's format."""
    separator = "-" if region in DASH_WEBSITE_REGIONS else "."
    return f"http://{bucket}.s3-website{separator}{region}.amazonaws.com"


def origin_domain(bucket: str, region: str) -> str:
    """The bucket's regional REST endpoint: the origin CloudFront reads with OAC (a website endpoint cannot)."""
    return f"{bucket}.s3.{region}.amazonaws.com"


def oac_name(bucket: str) -> str:
    """OAC names are at most 64 characters: long bucket names are shortened with a hash to stay unique."""
    name = f"{bucket}-oac"
    if len(name) <= 64:
        return name
    return f"{bucket[:50]}-{hashlib.sha256(bucket.encode()).hexdigest()[:9]}-oac"


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PublicReadForGetBucketObjects",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }],
    }


def website_configuration(spec: HostingSpec) -> dict:
    return {"IndexDocument": {"Suffix": spec.index_doc}, "ErrorDocument": {"Key": spec.error_doc}}


def hosting_models(spec: HostingSpec, env: str, region: str, tags: dict) -> list:
    """The models push makes for these answers, dependencies first."""
    bucket = spec.deployed_bucket_name(env)
    if spec.environment == "DEV":
        return [Bucket(bucket, policy=public_read_policy(bucket), block_public_access=PUBLIC_POLICY_ALLOWED,
                       website=website_configuration(spec), tags=tags)]
    oac = OriginAccessControl(oac_name(bucket), description=f"amplify-nb hosting {bucket}")
    error_page = "/" + spec.error_doc
    return [
        Bucket(bucket, block_public_access=BLOCK_ALL, website=website_configuration(spec), tags=tags,
               manage_policy=False),
        oac,
        Distribution(bucket, origin_bucket=bucket, origin_domain=origin_domain(bucket, region),
                     origin_access_control=oac.name, default_root_object=spec.index_doc,
                     error_responses=tuple((code, error_page, 200) for code in SPA_ERROR_CODES), tags=tags),
    ]


def cloudformation_template(spec: HostingSpec) -> dict:
    """template.json: what push makes, written as the CloudFormation template Amplify would keep there."""
    bucket_name = {"Fn::Join": ["-", [{"Ref": "bucketName"}, {"Ref": "env"}]]}
    bucket_ref = {"Ref": "S3Bucket"}
    resources: dict = {
        "S3Bucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Delete",
            "Properties": {
                "BucketName": bucket_name,
                "WebsiteConfiguration": {"IndexDocument": spec.index_doc, "ErrorDocument": spec.error_doc},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "PublicAccessBlockConfiguration": PUBLIC_POLICY_ALLOWED if spec.environment == "DEV" else BLOCK_ALL,
            },
        },
    }
    outputs: dict = {
        "Region": {"Value": {"Ref": "AWS::Region"}},
        "HostingBucketName": {"Description": "Hosting bucket name", "Value": bucket_ref},
        "WebsiteURL": {"Description": "URL for website hosted on S3", "Value": {"Fn::GetAtt": ["S3Bucket", "WebsiteURL"]}},
    }
    if spec.environment == "DEV":
        resources["BucketPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": bucket_ref, "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "PublicReadForGetBucketObjects", "Effect": "Allow", "Principal": "*",
                               "Action": "s3:GetObject",
                               "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", bucket_ref, "/*"]]}}]}},
        }
    else:
        resources["OriginAccessControl"] = {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {"OriginAccessControlConfig": {
                "Name": {"Fn::Join": ["-", [bucket_name, "oac"]]}, "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always", "SigningProtocol": "sigv4"}},
        }
        resources["CloudFrontDistribution"] = {
            "Type": "AWS::CloudFront::Distribution",
            "DependsOn": ["S3Bucket", "OriginAccessControl"],
            "Properties": {"DistributionConfig": {
                "HttpVersion": "http2",
                "Origins": [{"DomainName": {"Fn::GetAtt": ["S3Bucket", "RegionalDomainName"]}, "Id": "hostingS3Bucket",
                             "S3OriginConfig": {"OriginAccessIdentity": ""},
                             "OriginAccessControlId": {"Fn::GetAtt": ["OriginAccessControl", "Id"]}}],
                "Enabled": True,
                "DefaultCacheBehavior": {
                    "AllowedMethods": ["GET", "HEAD"], "CachedMethods": ["GET", "HEAD"], "Compress": True,
                    "DefaultTTL": 86400, "ForwardedValues": {"QueryString": False}, "MaxTTL": 31536000, "MinTTL": 60,
                    "TargetOriginId": "hostingS3Bucket", "ViewerProtocolPolicy": "redirect-to-https"},
                "DefaultRootObject": spec.index_doc,
                "CustomErrorResponses": [{"ErrorCachingMinTTL": 300, "ErrorCode": code, "ResponseCode": 200,
                                          "ResponsePagePath": "/" + spec.error_doc} for code in SPA_ERROR_CODES],
            }},
        }
        resources["PrivateBucketPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "DependsOn": "CloudFrontDistribution",
            "Properties": {"Bucket": bucket_ref, "PolicyDocument": {
                "Version": "2008-10-17",
                "Statement": [{"Sid": "AllowCloudFrontServicePrincipal", "Effect": "Allow",
                               "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                               "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", bucket_ref, "/*"]]},
                               "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Join": ["", [
                                   "arn:aws:cloudfront::", {"Ref": "AWS::AccountId"}, ":distribution/",
                                   {"Ref": "CloudFrontDistribution"}]]}}}}]}},
        }
        outputs.update({
            "CloudFrontDistributionID": {"Value": {"Ref": "CloudFrontDistribution"}},
            "CloudFrontDomainName": {"Value": {"Fn::GetAtt": ["CloudFrontDistribution", "DomainName"]}},
            "CloudFrontSecureURL": {"Value": {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [
                "CloudFrontDistribution", "DomainName"]}]]}},
        })
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Hosting resource stack ({spec.environment}) written by amplify-nb",
        "Parameters": {"env": {"Type": "String"}, "bucketName": {"Type": "String"}},
        "Resources": resources,
        "Outputs": outputs,
    }


class HostingCategory:
    name = "hosting"
    spec = HostingSpec
    single = True

    def default_spec(self, project) -> HostingSpec:
        return HostingSpec.for_project(project.name)

    def resource_name(self, spec: HostingSpec) -> str:
        return SERVICE

    def read_spec(self, project, resource_name: str) -> HostingSpec:
        folder = project.paths.resource_dir(self.name, resource_name)
        return spec_from_files(folder)

    def write(self, project, resource_name: str, spec: HostingSpec) -> dict:
        found = spec.env_problems(project.env_name)
        if found:
            raise InputError(found)
        folder = project.paths.resource_dir(self.name, resource_name)
        project.write_json(folder / "parameters.json", {"bucketName": spec.bucket_name})
        project.write_json(folder / "template.json", cloudformation_template(spec))
        return {"service": SERVICE, "providerPlugin": "awscloudformation"}

    def resources(self, ctx: DeployContext, resource_name: str, entry: dict) -> list:
        spec = spec_from_files(Path(ctx.project_root) / "amplify" / "backend" / self.name / resource_name)
        found = spec.env_problems(ctx.env)
        if found:
            raise InputError(found)
        return hosting_models(spec, ctx.env, ctx.target.region, root_tags(ctx.stack_name, ctx.project_name, ctx.env))

    def outputs(self, ctx: DeployContext, resource_name: str, entry: dict, variables: dict) -> dict:
        spec = spec_from_files(Path(ctx.project_root) / "amplify" / "backend" / self.name / resource_name)
        bucket = spec.deployed_bucket_name(ctx.env)
        region = ctx.target.region
        local = ctx.target.is_local
        if local:
            from ..local.sites import local_site_url

            endpoint = ctx.target.endpoint()
        output = {
            "Region": region,
            "HostingBucketName": bucket,
            "WebsiteURL": local_site_url(endpoint, "website", bucket) if local else website_url(bucket, region),
        }
        if spec.environment == "PROD":
            key = f"{Distribution.type_name}:{bucket}"
            distribution_id, domain = variables[f"{key}.Id"], variables[f"{key}.DomainName"]
            output.update(
                CloudFrontDistributionID=distribution_id,
                CloudFrontDomainName=domain,
                CloudFrontSecureURL=local_site_url(endpoint, "distribution", distribution_id) if local
                else f"https://{domain}",
            )
        return output

    def endpoints(self, resource_name: str, meta_entry: dict) -> dict:
        output = meta_entry.get("output", {})
        url = output.get("CloudFrontSecureURL") or output.get("WebsiteURL")
        return {"Hosting endpoint": url} if url else {}

    def exports(self, resource_name: str, meta_entry: dict, region: str) -> dict:
        """Amplify's aws-exports keys for hosting."""
        output = meta_entry.get("output", {})
        return {
            "aws_content_delivery_bucket": output.get("HostingBucketName"),
            "aws_content_delivery_bucket_region": output.get("Region", region),
            "aws_content_delivery_url": output.get("CloudFrontSecureURL") or output.get("WebsiteURL"),
        }


def spec_from_files(folder: Path) -> HostingSpec:
    """The answers, read back from parameters.json and template.json (what `update hosting` starts from)."""
    parameters = read_json(folder / "parameters.json", {}) or {}
    template = read_json(folder / "template.json", {}) or {}
    resources = template.get("Resources", {})
    website = resources.get("S3Bucket", {}).get("Properties", {}).get("WebsiteConfiguration", {})
    return HostingSpec(
        environment="PROD" if "CloudFrontDistribution" in resources else "DEV",
        bucket_name=parameters.get("bucketName", ""),
        index_doc=website.get("IndexDocument", "index.html"),
        error_doc=website.get("ErrorDocument", "index.html"),
    )


register(HostingCategory())
