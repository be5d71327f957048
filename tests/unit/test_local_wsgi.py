"""The local cloud's own-port servers (hosting sites, mock APIs): a taken port is an error a service can handle."""
import errno
import socket

import pytest

from amplify_nb.local.wsgi import loopback_server


def test_a_taken_port_raises_oserror_instead_of_ending_the_process():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as refused:
            loopback_server(taken.getsockname()[1], lambda environ, start_response: [])
    assert refused.value.errno == errno.EADDRINUSE and "in use" in str(refused.value)


# --- kept-alive connections -------------------------------------------------------------------------------------
@pytest.fixture
def echo_server():
    """An app that answers the path and (for /read) the body's length; other requests leave the body unread."""
    import threading

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/stream":  # no Content-Length: werkzeug sends it chunked
            start_response("200 OK", [("Content-Type", "text/plain")])
            return iter([b"one ", b"two"])
        said = path.encode()
        if path == "/read":
            said += b" %d" % len(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(said)))])
        return [said]

    server = loopback_server(0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_one_connection_serves_request_after_request_whatever_the_app_read_of_each_body(echo_server):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", echo_server, timeout=10)
    answers = []
    for method, path, body, headers in [
        ("POST", "/ignored", b"x" * 70_000, {}),  # the app never reads it
        ("POST", "/read", b"y" * 1234, {}),
        ("POST", "/ignored-chunked", iter([b"a" * 100, b"b" * 100]), {"Transfer-Encoding": "chunked"}),
        ("GET", "/stream", None, {}),
        ("GET", "/last", None, {}),
    ]:
        connection.request(method, path, body=body, headers=headers, encode_chunked="Transfer-Encoding" in headers)
        response = connection.getresponse()
        answers.append((response.read(), response.getheader("Connection")))
        if path == "/ignored":
            first_socket = connection.sock

    assert [said for said, _ in answers] == [b"/ignored", b"/read 1234", b"/ignored-chunked", b"one two", b"/last"]
    assert all(header != "close" for _, header in answers)
    assert connection.sock is first_socket  # never reconnected


def test_a_client_that_asks_to_close_gets_its_connection_closed(echo_server):
    with socket.create_connection(("127.0.0.1", echo_server), timeout=10) as raw:
        raw.sendall(b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := raw.recv(65536):  # ends only when the server closes
            received += chunk
    assert received.startswith(b"HTTP/1.1 200") and b"Connection: close" in received and received.endswith(b"/bye")


def test_an_http_1_0_client_gets_one_answer_per_connection(echo_server):
    with socket.create_connection(("127.0.0.1", echo_server), timeout=10) as raw:
        raw.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := raw.recv(65536):
            received += chunk
    assert received.endswith(b"/old")


def test_an_idle_kept_alive_connection_is_closed_quietly(monkeypatch, caplog):
    import threading

    import amplify_nb.local.wsgi as wsgi

    monkeypatch.setattr(wsgi, "IDLE_CONNECTION_SECONDS", 0.3)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = wsgi.loopback_server(0, app)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as raw:
            raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            received = b""
            while chunk := raw.recv(65536):  # the answer, then the end once the connection sat idle
                received += chunk
        assert received.startswith(b"HTTP/1.1 200") and received.endswith(b"ok")
        assert not [record for record in caplog.records if record.levelname == "ERROR"]
    finally:
        server.shutdown()
        server.server_close()


# --- the log line of each request -------------------------------------------------------------------------------
@pytest.fixture
def request_log_at():
    """Sets the level of werkzeug's logger (the request lines) for a test (setLevel: the logger caches levels)."""
    import logging

    logger = logging.getLogger("werkzeug")
    before = logger.level
    yield logger.setLevel
    logger.setLevel(before)


def test_each_request_is_one_log_line_with_its_request_line_and_status(echo_server, capsys, request_log_at):
    import logging
    import re

    request_log_at(logging.INFO)
    with socket.create_connection(("127.0.0.1", echo_server), timeout=10) as raw:
        raw.sendall(b"GET /first%20one?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    b"GET /second\x1b[31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := raw.recv(65536):
            received += chunk

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO werkzeug: "GET /first%20one\?x=1 HTTP/1.1" 200 -',
                        lines[0])
    assert lines[1].endswith('"GET /second\\x1b[31m HTTP/1.1" 200 -')  # no terminal escape reaches the log
    dates = re.findall(rb"Date: ([^\r]+)", received)
    assert len(dates) == 2 and all(re.fullmatch(rb"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", date) for date in dates)


def test_no_line_is_written_when_the_request_log_is_off(echo_server, capsys, request_log_at):
    import http.client
    import logging

    request_log_at(logging.WARNING)
    connection = http.client.HTTPConnection("127.0.0.1", echo_server, timeout=10)
    connection.request("GET", "/quiet")
    connection.getresponse().read()

    assert capsys.readouterr().err == ""
