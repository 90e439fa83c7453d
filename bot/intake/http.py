"""The desk's HTTP side: Market API notifications, `/healthz` and `/metrics`.

Served by uvicorn inside the bot's own event loop, so a notification reaches the same
store, Market client and publisher as the poller, with no locking between processes. The
bot keeps SIGINT/SIGTERM: the server never installs signal handlers and is stopped by
`HttpServer.stop()` when the bot stops.

Only the Market may notify (MARKET_API.md §6.1): the client address must be in
`NOTIFICATION_ALLOWED_NETWORKS`, and only `METRICS_ALLOWED_NETWORKS` may read `/metrics`.
Both judge the caller by one rule (bot/intake/callers.py): behind a reverse proxy the address
comes from `X-Forwarded-For`, believed only when the direct peer is in `TRUSTED_PROXIES`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import uvicorn
from prometheus_client import Counter
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Network, Settings
from bot.domain.model import RequestState
from bot.intake.callers import Address, identify
from bot.intake.http_limits import Limits, guarded_protocol
from bot.intake.notification_body import (
    ORDER_TYPES,
    PING,
    MalformedNotification,
    Notification,
    error_body,
    ok_body,
    parse_notification,
)
from bot.intake.notifications import HANDLING_BUDGET, Inbox, Inboxes
from bot.market.errors import MarketError
from bot.ops import metrics
from bot.ops.cabinet_watch import Cabinets, age
from bot.ops.health import judge
from bot.signals import Activity
from storage.store import Store

log = logging.getLogger(__name__)

UNREAD = "unknown"  # the type of a notification refused or not read
# its types from the body's own vocabulary, so a type handled later is never `other`
NOTIFICATIONS = metrics.Labelled(
    Counter(
        "desk_notifications",
        "Market notifications received, by type (other: one the desk does not know) and the"
        " HTTP status answered",
        ["type", "answer"],
        registry=metrics.REGISTRY,
    ),
    frozenset({PING, *ORDER_TYPES, UNREAD}),
    metrics.STATUSES,
)

MAX_BODY = 64 * 1024
START_TIMEOUT = 10.0  # seconds for uvicorn to start listening on the bound socket
STOP_TIMEOUT = 10.0
GRACEFUL_SHUTDOWN = 3  # seconds for notifications in progress to finish at stop


class HttpServerError(Exception):
    """The HTTP server could not start (port taken, address unknown, ...)."""


# the application


class _TooLarge(Exception):
    pass


def peer_of(request: Request) -> str | None:
    """The address at the other end of the socket, whatever the request's headers say."""
    return request.client.host if request.client else None


async def _read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)


class NotificationEndpoint:
    """`POST /notification` (and `/`): admit the Market only, read, act, answer in time."""

    def __init__(self, inboxes: Inbox | Inboxes, settings: Settings) -> None:
        self.inboxes = inboxes if isinstance(inboxes, Inboxes) else Inboxes([inboxes])
        self.allowed = settings.notification_allowed_networks
        self.proxies = settings.trusted_proxies

    async def answer(self, request: Request) -> Response:
        kind, response = await self._answer(request)
        NOTIFICATIONS.labels(kind, str(response.status_code)).inc()
        return response

    async def _answer(self, request: Request) -> tuple[str, Response]:
        """The notification's type (UNREAD if unread) and the answer to it."""
        received = datetime.now(UTC)
        began = time.monotonic()
        admitted = await self._admit(request)
        if isinstance(admitted, Response):
            return UNREAD, admitted
        client, body = admitted
        try:
            note = parse_notification(body)
        except MalformedNotification as error:
            log.warning("Malformed notification from %s: %s", client, error)
            log.debug("The malformed notification began: %r", body[:300])
            refused = JSONResponse(error_body("WRONG_EVENT_FORMAT", str(error)), status_code=400)
            return UNREAD, refused
        if note.type == PING:
            log.info("Notification PING from %s: answered", client)
            return note.type, JSONResponse(ok_body(received))
        failure = await self._handle(note, began)
        return note.type, failure or JSONResponse(ok_body(received))

    async def _admit(self, request: Request) -> tuple[Address, bytes] | Response:
        """The caller's address and the body, or the refusal to answer with."""
        caller = identify(peer_of(request), request.headers, self.proxies)
        refused = caller.refused(self.allowed, "NOTIFICATION_ALLOWED_NETWORKS")
        if refused is not None:
            log.warning("Refused a notification from %s: %s", caller, refused)
            return JSONResponse(error_body("UNKNOWN", "forbidden"), status_code=403)
        client = caller.client
        assert client is not None  # a caller without an address is refused above
        try:
            return client, await _read_body(request)
        except _TooLarge:
            log.warning("Refused a notification from %s: body over %d bytes", client, MAX_BODY)
            return JSONResponse(error_body("UNKNOWN", "body too large"), status_code=413)
        except ClientDisconnect:
            log.warning("A notification from %s broke off before its body ended", client)
            return Response(status_code=400)

    async def _handle(self, note: Notification, began: float) -> Response | None:
        """Act on it within the Market's patience; a 500 (retried by the Market) on failure."""
        where = f"campaign {note.campaign_id or '?'}, order {note.order_id or '?'}"
        try:
            plan = await asyncio.wait_for(self.inboxes.handle(note), HANDLING_BUDGET)
        except TimeoutError:
            log.warning(
                "Notification %s (%s): the Market did not answer within %.0fs; answered 500",
                note.type,
                where,
                HANDLING_BUDGET,
            )
            return JSONResponse(error_body("UNKNOWN", "timed out, retry"), status_code=500)
        except MarketError as error:
            log.warning("Notification %s (%s): %s; answered 500", note.type, where, error)
            return JSONResponse(error_body("UNKNOWN", "Market unavailable, retry"), status_code=500)
        except Exception:
            log.exception("Notification %s (%s) failed; answered 500", note.type, where)
            return JSONResponse(error_body("UNKNOWN", "internal error"), status_code=500)
        elapsed = (time.monotonic() - began) * 1000
        log.info("Notification %s (%s): %s, %.0f ms", note.type, where, plan.describe(), elapsed)
        return None


@dataclass(frozen=True)
class Health:
    """`GET /healthz`: stale (503) once no cabinet has polled for three intervals.

    Anyone who reaches the port learns whether the desk is alive and its ages; only
    METRICS_ALLOWED_NETWORKS (judged as for `/metrics`) see counts and the cabinets by
    name, since an agency's client shops are its own business.
    """

    store: Store
    activity: Activity
    poll_interval: timedelta
    clock: Callable[[], datetime]
    started_at: datetime
    cabinets: Cabinets = tuple
    allowed: Sequence[Network] = ()
    proxies: Sequence[Network] = ()

    async def answer(self, request: Request) -> Response:
        now = self.clock()
        latest = self.store.polls.latest()
        healthy = judge(now, latest.attempted, self.started_at, self.poll_interval)
        body: dict[str, object] = {
            "status": "ok" if healthy else "stale",
            "last_poll_age_seconds": age(now, latest.good),
            "last_attempt_age_seconds": age(now, latest.attempted),
            "poll_interval_seconds": self.poll_interval.total_seconds(),
            "telegram_ok": self.activity.telegram_ok,
            "uptime_seconds": round((now - self.started_at).total_seconds(), 1),
        }
        caller = identify(peer_of(request), request.headers, self.proxies)
        if caller.refused(self.allowed, "METRICS_ALLOWED_NETWORKS") is None:
            body["pending_requests"] = self.store.requests.count(RequestState.PENDING)
            body["cabinets"] = [cabinet.describe(now) for cabinet in self.cabinets()]
        return JSONResponse(body, status_code=200 if healthy else 503)


@dataclass(frozen=True)
class Metrics:
    """`GET /metrics` in Prometheus' text format, for METRICS_ALLOWED_NETWORKS only.

    The port may be public behind the README's proxy: the caller is judged like a
    notification's sender (X-Forwarded-For only from TRUSTED_PROXIES).
    """

    allowed: Sequence[Network]
    proxies: Sequence[Network]

    async def answer(self, request: Request) -> Response:
        caller = identify(peer_of(request), request.headers, self.proxies)
        refused = caller.refused(self.allowed, "METRICS_ALLOWED_NETWORKS")
        if refused is not None:
            log.warning("Refused /metrics to %s: %s", caller, refused)
            return Response("forbidden\n", status_code=403, media_type="text/plain")
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


def create_app(
    endpoint: NotificationEndpoint, health: Health, scrape: Metrics | None = None
) -> Starlette:
    routes = [
        Route("/", endpoint.answer, methods=["POST"]),
        Route("/notification", endpoint.answer, methods=["POST"]),
        Route("/healthz", health.answer, methods=["GET"]),
    ]
    if scrape is not None:
        routes.append(Route("/metrics", scrape.answer, methods=["GET"]))
    return Starlette(routes=routes)


# the server


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # SIGINT/SIGTERM belong to the desk, whose stop stops us in turn


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except OSError as error:
        raise HttpServerError(
            f"HTTP_HOST {host!r} is not an address to listen on: {error}"
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        raise HttpServerError(
            f"cannot listen on {host}:{port} (HTTP_HOST, HTTP_PORT): {reason}"
        ) from None
    return sock


def _ended(task: asyncio.Task[None], server: _Server) -> None:
    if not task.cancelled() and not server.should_exit:
        log.error("The HTTP server stopped unexpectedly: %r", task.exception())


class HttpServer:
    """uvicorn serving `create_app` on HTTP_HOST:HTTP_PORT as a task of the running loop."""

    def __init__(self, settings: Settings, app: Starlette, limits: Limits | None = None) -> None:
        assert settings.http_port is not None
        self.host, self.port = settings.http_host, settings.http_port
        self.app = app
        self.limits = limits or Limits()
        self._socket: socket.socket | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    def bind(self) -> None:
        """Take the port now, or raise HttpServerError saying why not."""
        if self._socket is None:
            self._socket = _bind(self.host, self.port)

    async def start(self) -> None:
        """Serve on the bound port (binding it first if need be) until `stop()`."""
        self.bind()
        sock, self._socket = self._socket, None
        assert sock is not None
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,  # our handlers (and secret redaction) apply to uvicorn's lines too
            log_level="warning",
            access_log=False,  # one line per notification comes from the handler
            proxy_headers=False,  # X-Forwarded-For is judged against TRUSTED_PROXIES here
            server_header=False,
            http=guarded_protocol(self.limits),  # h11, with a deadline and a cap
            backlog=self.limits.backlog,
            ws="none",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        )
        server = self._server = _Server(config)
        self._task = asyncio.create_task(server.serve(sockets=[sock]), name="http")
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if self._task.done() or time.monotonic() > deadline:
                await self.stop()
                sock.close()
                raise HttpServerError(f"the HTTP server on {self.host}:{self.port} did not start")
            await asyncio.sleep(0.01)
        self._task.add_done_callback(lambda task: _ended(task, server))
        log.info(
            "Serving on http://%s:%s (POST / and /notification, GET /healthz and /metrics)",
            self.host,
            self.port,
        )

    async def stop(self) -> None:
        """Stop listening, let notifications in progress finish (briefly), and return."""
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(task, STOP_TIMEOUT)
        except TimeoutError:
            log.warning("The HTTP server did not stop within %.0fs; cancelled", STOP_TIMEOUT)
        except Exception:
            log.exception("The HTTP server failed while stopping")
        log.info("HTTP server stopped")
