"""Slow and idle clients against the real server (review finding 7): real TCP on loopback.

A client has a deadline to send its request, and connections are capped well under the
process's open-file limit, so strangers can neither hold the desk's HTTP side nor take
the descriptors it needs for Telegram, the Market and SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest

from bot.intake.http import Health, HttpServer, NotificationEndpoint, create_app
from bot.intake.http_limits import MAX_CONNECTIONS, Limits, connection_cap
from bot.signals import Activity
from tests.builders import desk_settings
from tests.chat import post_of
from tests.conftest import CAMPAIGN
from tests.harness import DeskProcess, wait_until
from tests.test_notifications import free_port, request_body

PING = {"notificationType": "PING"}
DEADLINE = 10.0  # seconds any awaited event may take before the test fails
HEAD = b"GET /healthz HTTP/1.1\r\nHost: desk\r\n\r\n"

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@pytest.fixture
async def serve(inbox, market, tmp_path) -> AsyncIterator[Callable[..., Awaitable[int]]]:
    """Start the desk's HTTP server in this loop with the limits given; returns its port."""
    servers: list[HttpServer] = []

    async def start(**limits: float) -> int:
        port = free_port()
        settings = desk_settings(
            market,
            tmp_path,
            HTTP_PORT=str(port),
            NOTIFICATION_ALLOWED_NETWORKS="127.0.0.0/8",
        )
        now = datetime.now(UTC)
        health = Health(inbox.store, Activity(), settings.poll_interval, lambda: now, now)
        app = create_app(NotificationEndpoint(inbox, settings), health)
        server = HttpServer(settings, app, Limits(**limits))  # type: ignore[arg-type]
        await server.start()
        servers.append(server)
        return port

    yield start
    for server in servers:
        await server.stop()


async def connect(port: int) -> Streams:
    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), DEADLINE)


async def answer(streams: Streams) -> tuple[int, bytes]:
    """The status and body of the next response on a connection."""
    reader = streams[0]
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), DEADLINE)
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), DEADLINE)
    return int(lines[0].split()[1]), body


async def closed_by_server(streams: Streams) -> bool:
    """Whether the server closes the connection within DEADLINE (whatever it sent first)."""
    try:
        await asyncio.wait_for(streams[0].read(), DEADLINE)
    except ConnectionResetError:  # closed with our request unread
        return True
    except TimeoutError:
        return False
    return streams[0].at_eof()


def close(*connections: Streams) -> None:
    for _, writer in connections:
        writer.close()


async def test_a_client_must_send_its_whole_request_in_time(serve) -> None:
    port = await serve(request_timeout=0.5)
    began = time.monotonic()
    silent = await connect(port)
    half_head = await connect(port)
    half_head[1].write(b"POST /notification HTTP/1.1\r\nHost: desk\r\n")
    half_body = await connect(port)
    body = json.dumps(PING).encode()
    half_body[1].write(
        b"POST /notification HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body[:5]
    )
    kept_alive = await connect(port)
    kept_alive[1].write(HEAD)
    assert (await answer(kept_alive))[0] == 200
    kept_alive[1].write(b"GET /healthz HTTP/1.1\r\n")  # the next request, half of it

    for connection in (silent, half_head, half_body, kept_alive):
        assert await closed_by_server(connection)
    assert time.monotonic() - began >= 0.5
    prompt = await connect(port)  # a client that sends its request at once is answered
    prompt[1].write(HEAD)
    assert (await answer(prompt))[0] == 200
    close(silent, half_head, half_body, kept_alive, prompt)


async def until_closed(watches: list[asyncio.Future], count: int) -> None:
    while sum(watch.done() for watch in watches) < count:
        pending = [watch for watch in watches if not watch.done()]
        await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)


async def test_idle_connections_over_the_cap_make_room_for_a_request(serve) -> None:
    port = await serve(max_connections=4)  # the 30 s deadline: only the cap closes them
    idle = [await connect(port) for _ in range(10)]
    fresh = await connect(port)
    fresh[1].write(HEAD)
    assert (await answer(fresh))[0] == 200  # at once, not after any deadline

    watches = [asyncio.ensure_future(reader.read()) for reader, _ in idle]
    await asyncio.wait_for(until_closed(watches, 7), DEADLINE)
    alive = [pair for pair, watch in zip(idle, watches, strict=True) if not watch.done()]
    for watch in watches:
        watch.cancel()
    assert len(alive) == 3  # with the fresh one, four: the cap
    for connection in alive:  # those kept are served as any other
        connection[1].write(HEAD)
        assert (await answer(connection))[0] == 200
    close(*idle, fresh)


async def test_with_every_connection_busy_a_newcomer_is_turned_away_at_once(serve, market) -> None:
    port = await serve(max_connections=1)
    market.add_order(61, CAMPAIGN, cancel_requested=True)
    market.hold_next("getBusinessOrders", 1.5)  # the notification's lookup takes its time
    busy = await connect(port)
    body = json.dumps(request_body(61, datetime.now(UTC))).encode()
    busy[1].write(
        b"POST /notification HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )
    await asyncio.to_thread(
        wait_until, lambda: market.arrivals("getBusinessOrders"), DEADLINE, message="the lookup"
    )
    busy_answer = asyncio.ensure_future(answer(busy))

    newcomer = await connect(port)
    newcomer[1].write(HEAD)
    assert await closed_by_server(newcomer)
    assert not busy_answer.done()  # turned away at once, not once the other was done
    assert (await busy_answer)[0] == 200
    later = await connect(port)
    later[1].write(HEAD)
    assert (await answer(later))[0] == 200
    close(busy, newcomer, later)


def test_the_cap_leaves_most_files_to_the_rest_of_the_desk() -> None:
    assert connection_cap(1024) == MAX_CONNECTIONS == 200  # systemd's default soft limit
    assert connection_cap(128) == 32
    assert connection_cap(2) == 1
    assert connection_cap(1_048_576) == MAX_CONNECTIONS
    assert Limits(max_connections=200).backlog == 50


def flood_connection(port: int) -> socket.socket:
    """A connection an attacker opens and never uses (not waiting for the handshake)."""
    sock = socket.socket()
    sock.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        sock.connect(("127.0.0.1", port))
    return sock


@pytest.mark.process
def test_idle_connections_leave_the_desk_its_files(market, telegram, desk_env, tmp_path):
    """Systemd's soft limit was 1,024 open files, here 128: 140 idle sockets once took them all."""
    port = free_port()
    env = {
        **desk_env,
        "HTTP_PORT": str(port),
        "HTTP_HOST": "127.0.0.1",
        "NOTIFICATION_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    desk = DeskProcess(env, tmp_path, open_files=128).start()
    idle: list[socket.socket] = []
    try:
        wait_until(lambda: "Serving on" in desk.log(), 15, message="the HTTP server")
        idle = [flood_connection(port) for _ in range(140)]
        answer = httpx.post(f"http://127.0.0.1:{port}/notification", json=PING, timeout=10)
        assert answer.status_code == 200  # a fresh request still gets through
        market.add_order(7, CAMPAIGN, cancel_requested=True)
        post_of(telegram, 7)  # and the desk still reaches the Market and Telegram
        assert "Too many open files" not in desk.log()
    finally:
        for sock in idle:
            sock.close()
        if desk.running:
            desk.terminate()
