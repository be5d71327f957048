"""botocore Stubber helpers: a Target whose clients answer from stubs, so tests pin the exact calls and order."""
import boto3
from botocore.stub import Stubber

from amplify_nb.aws import Target


def stubbed_target(*services: str, region: str = "us-east-1"):
    """A Target (as for real AWS) whose clients for `services` are stubbed; returns (target, {service: Stubber})."""
    target = Target(kind="aws", region=region, profile="unused")
    stubs = {}
    for service in services:
        client = boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
        target._clients[service] = client
        stubs[service] = Stubber(client)
        stubs[service].activate()
    return target, stubs
