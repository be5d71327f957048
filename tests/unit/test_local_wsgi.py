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
