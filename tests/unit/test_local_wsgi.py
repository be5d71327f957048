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
