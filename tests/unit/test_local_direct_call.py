"""DirectCall (local/moto_app.py) answers as Flask answers for moto's app, down to the branches moto rarely takes.

The functional test compares whole servers over a corpus of requests; here a moto service app gets extra routes
whose handlers raise what moto's handlers may raise, and each request goes once through Flask and once through
DirectCall.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.test import EnvironBuilder, run_wsgi_app

from amplify_nb.local.moto_app import DirectCall


def moto_s3_app() -> Any:
    from moto.core.exceptions import JsonRESTError
    from moto.core.utils import convert_to_flask_response
    from moto.moto_server.werkzeug_app import create_backend_app

    app = create_backend_app("s3")

    def raises_rest_error(request: Any, full_url: str, headers: dict[str, str]) -> Any:
        raise JsonRESTError("NoSuchThing", "There is no such thing")

    def raises_key_error(request: Any, full_url: str, headers: dict[str, str]) -> Any:
        raise BadRequestKeyError("name")

    def answers_head(request: Any, full_url: str, headers: dict[str, str]) -> Any:
        return 200, {"content-length": "1234", "ETag": '"e"'}, ""

    for path, handler in [("/_test/rest-error", raises_rest_error), ("/_test/key-error", raises_key_error),
                          ("/_test/head", answers_head)]:
        app.add_url_rule(path, endpoint=path, view_func=convert_to_flask_response(handler), methods=["GET", "HEAD"])
    return app


def answer(app: Any, path: str, method: str = "GET", **headers: str) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    body, status, response_headers = run_wsgi_app(app, environ)
    kept = sorted((name, value) for name, value in response_headers.items() if name.lower() != "x-amzn-requestid")
    return status, kept, re.sub(rb"<RequestId>[^<]+</RequestId>", b"<RequestId/>", b"".join(body))


@pytest.fixture(scope="module")
def apps() -> tuple[Any, DirectCall]:
    app = moto_s3_app()
    direct = DirectCall.for_app(app)
    assert direct is not None  # moto's apps have nothing but CORS on top of their views
    return app, direct


@pytest.mark.parametrize(("path", "method", "headers"), [
    ("/_test/rest-error", "GET", {}),
    ("/_test/rest-error", "GET", {"Origin": "http://localhost:8888"}),
    ("/_test/head", "HEAD", {}),
])
def test_an_answer_is_flask_s(apps, path, method, headers):
    app, direct = apps

    assert answer(direct, path, method, **headers) == answer(app, path, method, **headers)


@pytest.mark.parametrize(("path", "method"), [("/2015-03-31/no/such/route", "GET"), ("/2015-03-31/functions/", "PATCH")])
def test_a_request_the_url_map_does_not_route_is_answered_by_flask(path, method):
    from moto.moto_server.werkzeug_app import create_backend_app

    app = create_backend_app("lambda")
    direct = DirectCall.for_app(app)

    assert direct is not None
    assert answer(direct, path, method)[0] in ("404 NOT FOUND", "405 METHOD NOT ALLOWED")
    assert answer(direct, path, method) == answer(app, path, method)


def test_an_error_flask_lets_through_is_let_through(apps):
    app, direct = apps
    for wsgi_app in (app, direct):
        with pytest.raises(BadRequestKeyError):
            answer(wsgi_app, "/_test/key-error")


def test_an_app_with_other_hooks_keeps_flask_s_way():
    app = moto_s3_app()
    app.before_request(lambda: None)

    assert DirectCall.for_app(app) is None
