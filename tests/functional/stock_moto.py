"""A private local cloud beside a stock moto server, for tests that compare the local cloud's answers with moto's."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from amplify_nb.local import LocalCloud, LocalSettings


@contextlib.contextmanager
def ours_and_stock_moto(state_dir: Path, free_port: Callable[[], int]) -> Iterator[dict[str, int]]:
    """{"ours": port, "stock": port}. The stock server is moto's ThreadedMotoServer in this test process, which
    never installs the local cloud's fast paths."""
    from moto.server import ThreadedMotoServer

    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=state_dir))
    stock_port = free_port()
    stock = ThreadedMotoServer(ip_address="127.0.0.1", port=stock_port, verbose=False)
    stock.start()
    try:
        cloud.start()
        yield {"ours": cloud.settings.port, "stock": stock_port}
    finally:
        cloud.stop()
        stock.stop()
