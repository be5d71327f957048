"""moto's server app (the last link of the daemon's chain), without the work it repeats on every request.

Two costs of moto's own app are skipped, both without changing an answer:
- Finding the service. moto's DomainDispatcherApplication lists moto's package folder (os.listdir plus a
  stat per service, ~200 of them) and tries every service's URL patterns in turn, under one global lock: about
  a sixth of the server's time for a small S3 request. The answer depends only on the host name it is given,
  and the installed moto does not change while the daemon runs, so it is computed once per host name.
- Flask's request context. Each service is a Flask app whose views are moto's handlers; Flask itself adds
  nothing to their answers but flask_cors's headers, yet its request context, signals and hooks cost about a
  quarter of the server's time for a small PutObject. DirectCall routes the request with the app's own URL
  map, calls moto's handler the way moto's view (moto.core.utils.convert_to_flask_response) calls it, turns an
  HTTP error into its answer as Flask does, and adds the headers flask_cors computes for the request. It is
  used only for an app with nothing else registered (no before-request hooks, error handlers or other
  after-request hooks), and never for a CORS preflight (OPTIONS), a path the URL map does not route, or moto's
  own pages (/moto-api): those, and a Flask or flask_cors that does not offer what it needs, take Flask's way.

tests/functional/test_local_moto_app.py sends the same requests (S3, DynamoDB, IAM, Lambda; answers and errors)
to stock moto and to the local cloud and compares status, headers and bodies.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from werkzeug.exceptions import HTTPException

_HOSTS_REMEMBERED = 4096  # virtual-hosted S3 requests name one host per bucket
_FLASK_ONLY_SERVICES = frozenset({"moto_api", "instance_metadata"})  # moto's pages and templates


class DirectCall:
    """One moto service app, called without Flask's request context (see the module's docstring)."""

    def __init__(self, app: Any) -> None:
        from flask_cors.core import get_cors_headers, get_cors_options
        from moto.core.utils import convert_to_flask_response, normalize_request

        self.app = app
        self._view_type = convert_to_flask_response
        self._normalize = normalize_request
        self._cors_headers = get_cors_headers
        self._cors_options = get_cors_options(app)

    @classmethod
    def for_app(cls, app: Any) -> DirectCall | None:
        """A DirectCall when Flask would add nothing but flask_cors's headers to the app's answers, else None."""
        if app.service in _FLASK_ONLY_SERVICES:
            return None
        after = [getattr(function, "__name__", "") for name, functions in app.after_request_funcs.items()
                 for function in functions]
        error_handlers = [handler for by_code in app.error_handler_spec.values() for by_class in by_code.values()
                          for handler in by_class.values()]
        hooks_are_cors_only = (
            after == ["cors_after_request"] and not error_handlers
            and not any(app.before_request_funcs.values()) and not any(app.teardown_request_funcs.values())
            and not any(app.url_value_preprocessors.values())
        )
        if not hooks_are_cors_only:
            return None
        try:
            return cls(app)
        except (ImportError, TypeError, AttributeError):  # another flask_cors: Flask's way still works
            return None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        app = self.app
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return app(environ, start_response)
        request = app.request_class(environ)
        try:
            rule, _ = app.create_url_adapter(request).match(return_rule=True)
        except HTTPException:  # not found, wrong method, a redirect: Flask writes those answers
            return app(environ, start_response)
        view = app.view_functions.get(rule.endpoint)
        if not isinstance(view, self._view_type):
            return app(environ, start_response)
        try:
            response = self._view_answer(view, request)
        except HTTPException as error:  # moto's errors (RESTError) are HTTP exceptions: Flask sends their answer
            if app.trap_http_exception(error):
                raise
            response = app.response_class.force_type(error, environ)
        if not response.headers.get("Access-Control-Allow-Origin"):
            for name, value in self._cors_headers(self._cors_options, request.headers, request.method).items():
                response.headers.add(name, value)
        return response(environ, start_response)

    def _view_answer(self, view: Any, request: Any) -> Any:
        """What moto's view answers for this request: its handler's (status, headers, body) as a Flask response."""
        request = self._normalize(request)
        try:
            result = view.callback(request, request.raw_url, dict(request.headers))
        except ClientError as error:
            result = 400, {}, error.response["Error"]["Message"]
        status, headers, body = result if len(result) == 3 else (200, {}, result)
        response = self.app.response_class(response=body, status=status, headers=headers)
        if request.method == "HEAD" and "content-length" in headers:
            response.headers["Content-Length"] = headers["content-length"]
        return response


def make_moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class DirectDispatcher(DomainDispatcherApplication):
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_for_host: dict[str | None, Any] = {}
            self._direct: dict[Any, DirectCall | None] = {}  # per service app: its DirectCall, or None for Flask's way

        def get_backend_for_host(self, host: str | None) -> Any:
            try:
                return self._backend_for_host[host]
            except KeyError:
                backend = super().get_backend_for_host(host)
                if len(self._backend_for_host) < _HOSTS_REMEMBERED:
                    self._backend_for_host[host] = backend
                return backend

        def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            app = self.get_application(environ)
            try:
                direct = self._direct[app]
            except KeyError:
                direct = self._direct[app] = DirectCall.for_app(app)
            return (direct or app)(environ, start_response)

    return DirectDispatcher()
