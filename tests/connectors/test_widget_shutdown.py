"""A process serving the widget channel on Sanic, as Rasa does, given SIGTERM while an owner's
socket is open: the socket is closed at once (the widget reconnects, to another replica behind
the proxy) instead of being held until Sanic's 15 s shutdown timeout, and the process exits."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from launcher.config import free_port
from launcher.process import http_ok
from tests.connectors.test_widget_channel import Socket

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import sys
from rasa.core.channels.channel import register
from sanic import Sanic
from connectors.widget import WidgetInput

app = Sanic("widget_shutdown_test", configure_logging=False)
register([WidgetInput()], app, route="/webhooks/")
app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, workers=1)
"""
CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING,
          aiohttp.WSMsgType.ERROR)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not http_ok(f"http://127.0.0.1:{port}/webhooks/socketio/"):
            assert process.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_sigterm_closes_open_widget_sockets_and_exits_quickly(
        server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as http, http.ws_connect(
            f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket") as ws:
        assert (await ws.receive_str(timeout=5)).startswith("0{")
        await ws.send_str("40")
        assert (await ws.receive_str(timeout=5)).startswith("40")
        assert await Socket(ws).session()
        process.send_signal(signal.SIGTERM)
        sent = loop.time()
        while not ws.closed:
            message = await ws.receive(timeout=10)
            if message.type in CLOSED:
                break
            if message.type == aiohttp.WSMsgType.TEXT and message.data == "2":
                await ws.send_str("3")
        closed_after = loop.time() - sent
    await asyncio.to_thread(process.wait, 20)
    exited_after = loop.time() - sent
    print(f"\nsocket closed {closed_after:.1f} s, process exited {exited_after:.1f} s after "
          "SIGTERM")
    assert closed_after < 3
    assert exited_after < 5
    assert process.returncode == 0
