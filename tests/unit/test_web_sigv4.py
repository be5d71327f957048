"""The sample app's SigV4 signer (web/api.js, WebCrypto) gives exactly botocore's SigV4Auth signature: Node runs it
on fixed requests (Node's globalThis.crypto.subtle is the browser's WebCrypto API) and each Authorization header
must equal the one botocore computes for the same request, credentials and time."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "amplify_nb" / "sample_app" / "web"
NODE = shutil.which("node")
WHEN = dt.datetime(2026, 12, 1, 12, 34, 56)
CREDENTIALS = {"accessKeyId": "ASIALOCAL0000000001", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
               "sessionToken": "FwoGZXIvYXdzEBYaDH+session/token=="}
ENDPOINT = "http://127.0.0.1:4710/restapis/abc123/dev/_user_request_"
CASES = [
    {"method": "GET", "url": f"{ENDPOINT}/beer", "headers": {}, "body": ""},
    {"method": "GET", "url": f"{ENDPOINT}/beer?type=pale%20ale&b=2&a=1&a=0&empty=", "headers": {}, "body": ""},
    {"method": "POST", "url": f"{ENDPOINT}/beer", "headers": {"Content-Type": "application/json; charset=UTF-8"},
     "body": json.dumps({"name": "Punk IPA", "brand": "BrewDog", "type": "IPA ✓"})},
    {"method": "PUT", "url": f"{ENDPOINT}/beer/a%20b%2Fc", "headers": {"Content-Type": "application/json"},
     "body": "{\"name\": \"x\"}"},
    {"method": "DELETE", "url": "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/beer/42/", "headers": {},
     "body": "", "region": "eu-west-1"},
    {"method": "GET", "url": f"{ENDPOINT}/beer/it's(1)*!", "headers": {"X-Custom": "  two   spaces "}, "body": "",
     "no_token": True},
]


def botocore_headers(case: dict) -> dict:
    credentials = Credentials(CREDENTIALS["accessKeyId"], CREDENTIALS["secretAccessKey"],
                              None if case.get("no_token") else CREDENTIALS["sessionToken"])
    request = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode(), headers=case["headers"])
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        SigV4Auth(credentials, "execute-api", case.get("region", "us-east-1")).add_auth(request)
    return {name.lower(): value for name, value in request.headers.items()}


def node_headers(tmp_path: Path, cases: list[dict]) -> list[dict]:
    shutil.copytree(WEB, tmp_path / "web")
    (tmp_path / "package.json").write_text('{"type": "module"}')
    shutil.copy(REPO / "tests" / "js" / "sign_cases.mjs", tmp_path / "sign_cases.mjs")
    given = [{"method": c["method"], "url": c["url"], "headers": c["headers"], "body": c["body"],
              "region": c.get("region", "us-east-1"), "date": WHEN.isoformat() + "Z",
              "credentials": {**CREDENTIALS, "sessionToken": None if c.get("no_token") else CREDENTIALS["sessionToken"]}}
             for c in cases]
    done = subprocess.run([NODE, "sign_cases.mjs"], cwd=tmp_path, input=json.dumps(given), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [{name.lower(): value for name, value in headers.items()} for headers in json.loads(done.stdout)]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_web_apps_signer_matches_botocore(tmp_path):
    from_node = node_headers(tmp_path, CASES)
    for case, signed in zip(CASES, from_node):
        expected = botocore_headers(case)
        assert signed["authorization"] == expected["authorization"], case["url"]
        assert signed["x-amz-date"] == expected["x-amz-date"] == "20261201T123456Z"
        assert signed.get("x-amz-security-token") == expected.get("x-amz-security-token")
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token," in from_node[2]["authorization"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_changed_body_changes_the_signature(tmp_path):
    base = CASES[2]
    changed_body = {**base, "body": base["body"].replace("Punk", "Dead Pony")}
    from_node = node_headers(tmp_path, [base, changed_body])
    assert from_node[0]["authorization"] != from_node[1]["authorization"]
    assert from_node[1]["authorization"] == botocore_headers(changed_body)["authorization"]
