"""One way to serve a fake: an ASGI app over real HTTP on 127.0.0.1, in a background thread.

`LoopbackServer` binds a free port of 127.0.0.1, then runs uvicorn's h11 protocol on a plain
asyncio server in a daemon thread with its own event loop. So synchronous tests, async tests
(whatever their loop) and child processes all reach the app over real HTTP, and the app's
handlers run on a loop nobody else blocks::

    server = LoopbackServer(app, name="fake-x")
    server.start()        # returns once the port accepts connections
    httpx.get(server.url + "/ping")
    server.stop()         # returns once the thread has ended

Not `uvicorn.Server`: its 0.1 s ticks and shutdown sleeps would make every stop() cost
~0.2 s. Here stop() closes idle connections at once, lets requests in flight finish for at
most `grace` seconds (checked every 5 ms), then drops what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

__all__ = ["LoopbackServer", "free_port"]

log = logging.getLogger(__name__)
START_TIMEOUT = 10.0


def free_port() -> int:
    """A port of 127.0.0.1 that was free a moment ago (for servers bound by someone else)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening_socket(port: int = 0) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it Nagle + delayed ACK add ~40 ms to every answer.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class LoopbackServer:
    """An ASGI app served on 127.0.0.1 at a free port by a thread with its own event loop.

    `grace`: how long stop() lets requests in flight finish before dropping them.
    `on_crash`: called with the traceback if the server thread dies after starting.
    """

    def __init__(
        self,
        app: Any,
        *,
        name: str,
        grace: float = 0.0,
        on_crash: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.grace = grace
        self._on_crash = on_crash
        # log_config=None: leave the test process's logging alone.
        self._config = uvicorn.Config(
            app, lifespan="off", log_config=None, log_level="warning", access_log=False
        )
        self._state = ServerState()  # a fresh one per start()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._start_error: BaseException | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if not self.port:
            raise RuntimeError(f"{self.name} is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, port: int = 0) -> LoopbackServer:
        """Serve (on `port`, e.g. the one of an earlier start, or a free one); return once the
        server accepts connections (RuntimeError if it cannot)."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        if not self._config.loaded:
            self._config.load()
        self._state = ServerState()
        sock = _listening_socket(port)
        ready = threading.Event()
        thread = threading.Thread(target=self._run, args=(sock, ready), name=self.name, daemon=True)
        self._thread = thread
        thread.start()
        if not ready.wait(START_TIMEOUT) or self._stop_event is None:
            thread.join(1)
            self._thread = None
            sock.close()
            raise RuntimeError(f"{self.name} did not start: {self._start_error!r}")
        self.port = sock.getsockname()[1]
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection; return when the thread is gone."""
        loop, event, thread = self._loop, self._stop_event, self._thread
        if loop is not None and event is not None and not loop.is_closed():
            # RuntimeError: the loop closed meanwhile, so the thread is ending anyway
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)
        if thread is not None:
            thread.join(START_TIMEOUT + self.grace)
        self._thread = self._loop = self._stop_event = None

    def call_soon(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` on the server loop (thread-safe); nothing if it is not running."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # closed between the check and the call
            loop.call_soon_threadsafe(callback)

    def abort(self, scope: dict[str, Any]) -> None:
        """Drop the connection of the request with this ASGI ``scope``: no response at all,
        the client sees the connection reset. Call it from the app, on the server loop."""
        client = tuple(scope.get("client") or ())
        for connection in list(self._state.connections):
            if getattr(connection, "client", None) and tuple(connection.client) == client:
                connection.transport.abort()

    # --- the server thread -------------------------------------------------------------

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        try:
            asyncio.run(self._serve(sock, ready))
        except BaseException:  # pragma: no cover - a bug here must not pass silently
            trace = traceback.format_exc()
            log.error("%s crashed:\n%s", self.name, trace)
            if self._on_crash is not None:
                self._on_crash(trace)
        finally:
            ready.set()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        config, state = self._config, self._state
        loop = asyncio.get_running_loop()
        try:
            server = await loop.create_server(
                lambda: H11Protocol(config=config, server_state=state, app_state={}), sock=sock
            )
            stop = asyncio.Event()
        except Exception as exc:
            self._start_error = exc
            return
        self._loop, self._stop_event = loop, stop
        ready.set()
        try:
            await stop.wait()
        finally:
            server.close()
            await self._drain(state)

    async def _drain(self, state: ServerState) -> None:
        """Close idle connections, let busy ones finish within `grace`, drop the rest."""
        for connection in list(state.connections):
            try:
                connection.shutdown()
            except Exception:  # mid-request in a state h11 cannot close from: dropped below
                connection.transport.abort()
        deadline = time.monotonic() + self.grace
        while (state.connections or state.tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        for connection in list(state.connections):
            connection.transport.abort()
        for task in list(state.tasks):
            task.cancel()
        for _ in range(3):  # let connection_lost and the cancellations run
            await asyncio.sleep(0)
