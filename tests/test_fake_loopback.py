"""The loopback server both fakes run on: quick start and stop, any caller, dropped requests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer, free_port
from tests.fakes.ptb import staff_telegram

QUICK = 0.5  # generous: a start or stop takes a few ms on an idle machine


def make_server(grace: float = 0.0) -> tuple[LoopbackServer, threading.Event]:
    """A server with /ok, /slow (2 s) and /drop (connection dropped); the event is set
    when /slow starts waiting."""
    slow_started = threading.Event()
    holder: list[LoopbackServer] = []

    async def ok(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def slow(request: Request) -> Response:
        slow_started.set()
        await asyncio.sleep(2)
        return PlainTextResponse("slow")

    async def drop(request: Request) -> Response:
        holder[0].abort(request.scope)
        for _ in range(3):
            await asyncio.sleep(0)
        return PlainTextResponse("never seen", status_code=500)

    routes = [Route("/ok", ok), Route("/slow", slow), Route("/drop", drop)]
    server = LoopbackServer(Starlette(routes=routes), name="test-loopback", grace=grace)
    holder.append(server)
    return server, slow_started


def test_start_serve_stop_restart() -> None:
    server, _ = make_server()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.url
    started = time.monotonic()
    server.start()
    assert time.monotonic() - started < QUICK
    assert server.url.startswith("http://127.0.0.1:") and server.running
    with pytest.raises(RuntimeError, match="already started"):
        server.start()
    assert httpx.get(server.url + "/ok").text == "ok"
    with httpx.Client() as keep_alive:  # an idle kept-alive connection must not delay stop
        assert keep_alive.get(server.url + "/ok").text == "ok"
        stopping = time.monotonic()
        server.stop()
        assert time.monotonic() - stopping < QUICK
    assert not server.running
    server.stop()  # again: nothing to do
    server.start()
    try:
        assert httpx.get(server.url + "/ok").text == "ok"
    finally:
        server.stop()


async def test_usable_from_an_async_test_in_another_loop() -> None:
    server, _ = make_server()
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            answers = await asyncio.gather(*(client.get("/ok") for _ in range(5)))
        assert [a.text for a in answers] == ["ok"] * 5
    finally:
        server.stop()


def test_abort_drops_the_connection_without_an_answer() -> None:
    server, _ = make_server()
    server.start()
    try:
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url + "/drop")
        assert httpx.get(server.url + "/ok").text == "ok"
    finally:
        server.stop()


@pytest.mark.parametrize(("grace", "answered"), [(0.0, False), (3.0, True)])
def test_stop_drops_or_lets_finish_a_request_in_flight(grace: float, answered: bool) -> None:
    server, slow_started = make_server(grace)
    server.start()
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(server.url + "/slow", timeout=10).text)
        except httpx.TransportError as error:
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    assert slow_started.wait(5)
    stopping = time.monotonic()
    server.stop()
    took = time.monotonic() - stopping
    caller.join(10)
    if answered:
        assert outcome == ["slow"] and 1.0 < took < 3.0
    else:
        assert isinstance(outcome[0], httpx.TransportError) and took < QUICK


def test_fake_telegram_stops_quickly_with_a_long_poll_waiting() -> None:
    fakes = staff_telegram()
    fake = next(fakes)
    answer: list[httpx.Response] = []
    url = f"{fake.base_url}{fake.token}/getUpdates"
    poller = threading.Thread(
        target=lambda: answer.append(httpx.get(url, params={"timeout": 30}, timeout=10))
    )
    poller.start()
    fake.wait_until(lambda: fake.active_polls, 2, "the long poll")
    stopping = time.monotonic()
    fake.stop()
    took = time.monotonic() - stopping
    poller.join(5)
    assert took < QUICK
    assert answer[0].json() == {"ok": True, "result": []}
    with pytest.raises(StopIteration):
        next(fakes)  # the checks after the world's use; stopping again is harmless


def test_free_port_can_be_bound() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", free_port()))
