"""The pure parts of the local API Gateway: path matching, the proxy event and reply contract, IAM policy
evaluation and the SigV4 check (against botocore's own signer)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from amplify_nb.local.services.apigateway.events import (MalformedReply, RequestFacts, authorizer_claims, build_event,
                                                         parse_reply)
from amplify_nb.local.services.apigateway.policy import evaluate
from amplify_nb.local.services.apigateway.routing import match_method, match_resource
from amplify_nb.local.services.apigateway.sigv4 import (SignatureError, check_scope, parse_authorization,
                                                        verify_signature)

RESOURCES = ["/", "/beer", "/beer/{proxy+}", "/beer/special", "/beer/{id}", "/a/{x}/c"]


@pytest.mark.parametrize("path, resource, params", [
    ("/", "/", None),
    ("/beer", "/beer", None),
    ("/beer/", "/beer", None),
    ("/beer/special", "/beer/special", None),
    ("/beer/42", "/beer/{id}", {"id": "42"}),
    ("/beer/42/reviews/", "/beer/{proxy+}", {"proxy": "42/reviews"}),
    ("/beer/test%2Balias@x.com", "/beer/{id}", {"id": "test%2Balias@x.com"}),
    ("/a/b/c", "/a/{x}/c", {"x": "b"}),
])
def test_literal_before_param_before_greedy(path, resource, params):
    found = match_resource(RESOURCES, path)
    assert (found.resource_path, found.path_parameters) == (resource, params)


def test_unmatched_paths_and_methods():
    assert match_resource(RESOURCES, "/wine") is None
    assert match_resource(["/beer/{proxy+}"], "/beer") is None  # greedy needs a part
    assert match_method(["GET", "ANY"], "get") == "GET"
    assert match_method(["ANY", "OPTIONS"], "DELETE") == "ANY"
    assert match_method(["GET"], "POST") is None


def facts(**changes) -> RequestFacts:
    base = dict(method="POST", path="/beer/42", query_string="a=1&a=2&e=test%2Bx&p=x+y", body=b'{"n": 1}',
                headers=[("Host", "127.0.0.1:4710"), ("x-amz-date", "d"), ("X-Multi", "1"), ("X-Multi", "2")],
                api_id="abc123", stage="dev", account_id="123456789012", resource_id="r1",
                resource_path="/beer/{proxy+}", path_parameters={"proxy": "42"})
    return RequestFacts(**{**base, **changes})


def test_the_event_has_every_key_null_when_empty_and_request_context_with_the_stage():
    event = build_event(facts(query_string="", body=b"", path_parameters=None), {"sourceIp": "127.0.0.1"}, None)
    assert set(event) == {"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                          "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext",
                          "body", "isBase64Encoded"}
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["body"] is None and event["pathParameters"] is None and event["stageVariables"] is None
    context = event["requestContext"]
    assert context["path"] == "/dev/beer/42" and context["stage"] == "dev" and "authorizer" not in context
    assert context["domainName"] == "127.0.0.1:4710" and isinstance(context["requestTimeEpoch"], int)


def test_the_event_keeps_header_casing_and_repeats_and_decodes_the_query():
    event = build_event(facts(), {}, None)
    assert event["headers"]["x-amz-date"] == "d" and event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["queryStringParameters"] == {"a": "2", "e": "test+x", "p": "x y"}
    assert event["multiValueQueryStringParameters"]["a"] == ["1", "2"]
    assert event["body"] == '{"n": 1}' and event["isBase64Encoded"] is False


def test_binary_media_types_and_non_utf8_bodies_are_base64():
    png = facts(headers=[("Content-Type", "image/png")], body=b"\x89PNG\xff", binary_media_types=["image/*"])
    assert build_event(png, {}, None)["isBase64Encoded"] is True
    raw = build_event(facts(headers=[], body=b"\xff\xfe"), {}, None)
    assert raw["isBase64Encoded"] is True and raw["body"] == "//4="


def test_cognito_claims_are_all_strings_with_java_dates():
    claims = authorizer_claims({"exp": 1718722804, "email_verified": True, "auth_time": 1718636404,
                                "cognito:groups": ["a", "b"], "sub": "s"})["claims"]
    assert claims == {"exp": "Tue Jun 18 15:00:04 UTC 2024", "email_verified": "true", "auth_time": "1718636404",
                      "cognito:groups": "a,b", "sub": "s"}


@pytest.mark.parametrize("reply", [
    '"justAString"', '{"statusCode": 200, "wrongValue": 1}', '{"statusCode": "test"}',
    '{"body": {"a": 1}}', '{"multiValueHeaders": {"a": "b"}}', "not json",
])
def test_malformed_replies(reply):
    with pytest.raises(MalformedReply):
        parse_reply(reply.encode(), [], None)


def test_reply_contract():
    assert parse_reply(b"{}", [], None).status == 200
    reply = parse_reply(json.dumps({"statusCode": "201", "headers": {"test-multi": "solo", "flag": True},
                                    "multiValueHeaders": {"tesT-Multi": ["m1", "m2"]}, "body": "x"}).encode(), [], None)
    assert reply.status == 201 and reply.body == b"x"
    assert ("tesT-Multi", "m1, m2, solo") in reply.headers and ("flag", "true") in reply.headers
    assert ("Content-Type", "application/json") in reply.headers
    encoded = {"statusCode": 200, "body": "aGk=", "isBase64Encoded": True, "headers": {"Content-Type": "image/png"}}
    assert parse_reply(json.dumps(encoded).encode(), [], None).body == b"aGk="  # no binary types: as is
    assert parse_reply(json.dumps(encoded).encode(), ["image/png"], None).body == b"hi"


ARN = "arn:aws:execute-api:us-east-1:123456789012:abc/dev"


def doc(*statements) -> tuple[str, dict]:
    return "p", {"Version": "2012-10-17", "Statement": list(statements)}


def test_policy_allow_wildcards_and_explicit_deny_wins():
    allow = {"Effect": "Allow", "Action": "execute-api:*", "Resource": f"{ARN}/GET/beer*"}
    assert evaluate([doc(allow)], "execute-api:Invoke", f"{ARN}/GET/beer/1").allowed
    assert not evaluate([doc(allow)], "execute-api:Invoke", f"{ARN}/POST/beer").allowed
    deny = {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": f"{ARN}/*/beer/secret"}
    decision = evaluate([doc(allow), doc(deny)], "execute-api:Invoke", f"{ARN}/GET/beer/secret")
    assert decision.effect == "deny"
    assert evaluate([doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})], "EXECUTE-API:invoke",
                    f"{ARN}/GET/x").allowed
    conditioned = {**allow, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    assert not evaluate([doc(conditioned)], "execute-api:Invoke", f"{ARN}/GET/beer").allowed
    assert evaluate([("p", json.dumps(doc(allow)[1]))], "execute-api:Invoke", f"{ARN}/GET/beer?").allowed


def signed(method="GET", url="http://127.0.0.1:4710/restapis/a/dev/_user_request_/beer?b=2&a=1", body=b"",
           secret="secret", when=None) -> tuple[dict, bytes]:
    request = AWSRequest(method=method, url=url, data=body, headers={"X-Custom": "v"})
    signer = SigV4Auth(Credentials("ASIAKEY", secret, "tok"), "execute-api", "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:
        from unittest import mock
        with mock.patch("botocore.auth.get_current_datetime", return_value=when):
            signer.add_auth(request)
    return dict(request.headers), body


def verify(headers: dict, body: bytes, method="GET",
           url="http://127.0.0.1:4710/restapis/a/dev/_user_request_/beer?b=2&a=1") -> None:
    parts = parse_authorization(headers["Authorization"], headers["X-Amz-Date"])
    check_scope(parts, "us-east-1")
    verify_signature(parts, "secret", method, url, [("Host", "127.0.0.1:4710"), *headers.items()], body)


def test_a_botocore_signature_verifies_and_any_change_breaks_it():
    headers, body = signed("POST", body=b'{"a": 1}')
    verify(headers, body, "POST")
    with pytest.raises(SignatureError, match="does not match"):
        verify(headers, b'{"a": 2}', "POST")
    with pytest.raises(SignatureError, match="Canonical String"):
        verify({**headers, "X-Custom": "changed"}, body, "POST")
    with pytest.raises(SignatureError):
        verify(*signed(secret="other"))


def test_stale_and_malformed_authorization():
    old = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=16)
    with pytest.raises(SignatureError, match="Signature expired"):
        verify(*signed(when=old))
    with pytest.raises(SignatureError, match="Authorization header requires 'Credential' parameter"):
        parse_authorization("sometoken", None)
    with pytest.raises(SignatureError, match="not a valid key=value pair"):
        parse_authorization("Bearer abc.def", "20260101T000000Z")
    with pytest.raises(SignatureError) as missing:
        parse_authorization(None, None)
    assert missing.value.message == "Missing Authentication Token"


def test_a_query_sent_with_plus_verifies_against_the_value_signed_as_percent_20():
    """Amplify JS v6 sends `q=pale+ale` and signs `q=pale%20ale`; botocore signs the query as it is written."""
    base = "http://127.0.0.1:4710/restapis/a/dev/_user_request_/beer"
    headers, body = signed(url=f"{base}?q=pale%20ale")
    verify(headers, body, url=f"{base}?q=pale+ale")
    verify(*signed(url=f"{base}?q=pale+ale"), url=f"{base}?q=pale+ale")
    with pytest.raises(SignatureError):
        verify(headers, body, url=f"{base}?q=pale+lager")
