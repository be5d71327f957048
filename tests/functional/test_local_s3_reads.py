"""The local cloud's fast S3 listings answer exactly what stock moto answers, over a corpus of requests.

The same buckets and objects are written to a private local cloud and to a stock moto server (moto's
ThreadedMotoServer in this test process, which never installs the fast path); every ListObjectsV2 request of
the corpus is sent raw to both, following continuation tokens, and the XML answers must be equal byte for
byte once the two things that differ between any two servers are masked: upload times and token values.
A connection is kept alive across requests, as botocore keeps it.
"""
from __future__ import annotations

import http.client
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from stock_moto import ours_and_stock_moto

AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host, Signature=0")
KEYS = ["index.html", "a&b<c>.txt", "quote\"s'.txt", "space name.html", "unicodé/ü.js", "plus+sign.css",
        *(f"assets/part{n % 4}/file{n:03d}.js" for n in range(60)), "assets/deep/er/still.json", "zz/last"]


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int],
              boto3_client: Callable[[str, str], Any]) -> Iterator[dict[str, int]]:
    with ours_and_stock_moto(tmp_path_factory.mktemp("s3-reads-cloud"), free_port) as ports:
        for port in ports.values():
            fill(boto3_client("s3", f"http://127.0.0.1:{port}"))
        yield ports


def fill(s3: Any) -> None:
    s3.create_bucket(Bucket="site")
    for number, key in enumerate(KEYS):
        extra = {"ChecksumAlgorithm": "SHA256"} if number % 9 == 0 else {}
        s3.put_object(Bucket="site", Key=key, Body=f"body of {key}".encode() * (number + 1), **extra)
    s3.put_object(Bucket="site", Key="archived.bin", Body=b"cold", StorageClass="STANDARD_IA")
    s3.create_bucket(Bucket="empty")


class Connection:
    """One kept-alive connection: the second request goes where the first one ended."""

    def __init__(self, port: int) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def list(self, bucket: str, params: dict[str, str]) -> tuple[int, str]:
        query = urlencode({"list-type": "2", **params}, quote_via=quote)
        self.http.request("GET", f"/{bucket}?{query}", headers={"Authorization": AUTHORIZATION})
        response = self.http.getresponse()
        return response.status, response.read().decode("utf-8")


def masked(body: str) -> str:
    body = re.sub(r"<LastModified>[^<]+</LastModified>", "<LastModified>T</LastModified>", body)
    body = re.sub(r"<RequestId>[^<]+</RequestId>", "<RequestId>R</RequestId>", body)
    return re.sub(r"ContinuationToken>[^<]+<", "ContinuationToken>TOKEN<", body)


def pages(port: int, bucket: str, params: dict[str, str]) -> list[tuple[int, str]]:
    connection = Connection(port)
    answers: list[tuple[int, str]] = []
    request = dict(params)
    while len(answers) < 100:
        status, body = connection.list(bucket, request)
        answers.append((status, masked(body)))
        token = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
        if status != 200 or token is None:
            break
        request = {**params, "continuation-token": token.group(1)}
    connection.http.close()
    return answers


CORPUS: list[tuple[str, dict[str, str]]] = [
    ("site", {}),
    ("site", {"max-keys": "7"}),
    ("site", {"max-keys": "1"}),
    ("site", {"max-keys": "0"}),
    ("site", {"prefix": "assets/"}),
    ("site", {"prefix": "assets/part2/", "max-keys": "5"}),
    ("site", {"delimiter": "/"}),
    ("site", {"prefix": "assets/", "delimiter": "/"}),
    ("site", {"prefix": "assets/", "delimiter": "/", "max-keys": "2"}),
    ("site", {"encoding-type": "url"}),
    ("site", {"encoding-type": "url", "delimiter": "/", "prefix": "unicodé/"}),
    ("site", {"fetch-owner": "true", "max-keys": "10"}),
    ("site", {"start-after": "assets/part1/file050.js"}),
    ("site", {"start-after": "q", "max-keys": "3"}),
    ("site", {"prefix": "nothing-here/"}),
    ("empty", {}),
    ("no-such-bucket", {}),  # an error stays moto's own
]


@pytest.mark.parametrize(("bucket", "params"), CORPUS, ids=[f"{n}-{bucket}" for n, (bucket, _) in enumerate(CORPUS)])
def test_the_listing_is_stock_moto_s(endpoints, bucket, params):
    ours = pages(endpoints["ours"], bucket, params)
    stock = pages(endpoints["stock"], bucket, params)

    assert ours == stock


def test_a_whole_bucket_in_pages_lists_every_object_once(endpoints):
    answers = pages(endpoints["ours"], "site", {"max-keys": "9"})

    keys = [key for _, body in answers for key in re.findall(r"<Key>([^<]*)</Key>", body)]
    assert len(answers) > 5
    assert len(keys) == len(set(keys)) == len(KEYS) + 1
    assert "a&amp;b&lt;c&gt;.txt" in keys  # XML-escaped like the serializer escapes it


def test_a_kept_alive_connection_serves_writes_and_reads_in_turn(endpoints):
    connection = Connection(endpoints["ours"])
    for number in range(5):
        connection.http.request("PUT", f"/site/kept/{number}.txt", body=b"x" * (number * 1000),
                                headers={"Authorization": AUTHORIZATION})
        response = connection.http.getresponse()
        response.read()
        assert response.status == 200 and response.getheader("Connection") != "close"
    socket_before = connection.http.sock
    status, body = connection.list("site", {"prefix": "kept/"})

    assert status == 200 and body.count("<Key>") == 5
    assert connection.http.sock is socket_before  # the same TCP connection all along
