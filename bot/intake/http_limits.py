"""How much of the desk strangers' connections may take: a deadline for each request and a
cap on connections well under the open-file limit.

uvicorn waits for a request without end until the first one is answered (its keep-alive
timeout starts only after a response, and stops at the next byte), and its
`limit_concurrency` answers 503 only once a request has arrived: idle sockets still hold
descriptors. Enough of them once left the desk unable to reach Telegram or the Market. So
uvicorn's h11 protocol is extended here: a client has `REQUEST_TIMEOUT` from the moment
the server waits for its request to send all of it (head and body), and past the cap the
connection that has waited longest for its request makes room, or, when every one is busy
with a request, the newcomer is turned away.
"""

from __future__ import annotations

import asyncio
import logging
import math
import resource
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 30.0  # seconds for a client to send a whole request, head and body
MAX_CONNECTIONS = 200  # well under systemd's default soft limit of 1,024 open files
FILES_SHARE = 4  # at most a quarter of the open-file limit goes to HTTP connections
WARN_EVERY = 60.0  # seconds between two warnings that the connections are at their cap


def connection_cap(open_files: int | None = None) -> int:
    """MAX_CONNECTIONS, or a quarter of a lower open-file limit (this process's by default):
    the rest stays for Telegram, the Market, SQLite, backups and logs."""
    if open_files is None:
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if open_files == resource.RLIM_INFINITY or open_files < 0:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, open_files // FILES_SHARE))


@dataclass
class Limits:
    """The limits of one server; the cap follows the open-file limit unless given."""

    request_timeout: float = REQUEST_TIMEOUT
    max_connections: int = field(default_factory=connection_cap)
    _warned_at: float = field(default=-math.inf, init=False, repr=False)

    @property
    def backlog(self) -> int:
        """asyncio accepts up to the listen backlog at once, before any of those connections
        is counted: a small backlog keeps a burst from overshooting the cap by much."""
        return max(1, self.max_connections // FILES_SHARE)

    def at_cap(self) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            log.warning(
                "HTTP connections at their cap of %d: the longest waiting for a request are "
                "closed to make room (said at most once a minute)",
                self.max_connections,
            )


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for each request and a cap on connections."""

    limits: ClassVar[Limits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting_since: float | None = None  # None while a whole request is handled
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_request()
        if len(self.connections) > self.limits.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.waiting_since is not None and self.conn.their_state in (h11.DONE, h11.MUST_CLOSE):
            self._stop_waiting()  # the whole request is in: the app's turn

    def on_response_complete(self) -> None:
        self._await_request()  # before uvicorn reads a request that is already in
        super().on_response_complete()

    def cut(self) -> None:
        """Close at once, whatever is left to write: a client that does not read holds
        a closing socket as long as it likes."""
        self._stop_waiting()
        if not self.transport.is_closing():
            self.transport.abort()

    def _make_room(self) -> None:
        self.limits.at_cap()
        waiting = [
            other
            for other in self.connections
            if isinstance(other, GuardedH11Protocol)
            and other is not self
            and other.waiting_since is not None
        ]
        if not waiting:
            self.cut()  # every other connection is busy with a request
            return
        min(waiting, key=lambda other: other.waiting_since or 0.0).cut()

    def _await_request(self) -> None:
        self._stop_waiting()
        self.waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(self.limits.request_timeout, self._expire)

    def _stop_waiting(self) -> None:
        self.waiting_since = None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        log.debug(
            "Closed a connection from %s: no whole request within %.0fs",
            self.client[0] if self.client else "an unknown peer",
            self.limits.request_timeout,
        )
        self.cut()


def guarded_protocol(limits: Limits) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn builds each connection from, carrying one server's limits."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})
