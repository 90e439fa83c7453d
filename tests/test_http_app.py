"""The HTTP side in process: Starlette app over httpx's ASGITransport, a clock the test moves.

The same app the desk serves; only the socket is left out, so each answer is checked in
milliseconds. End-to-end runs over a real socket are in test_notifications.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.intake.http import Health, NotificationEndpoint, create_app
from bot.intake.notifications import Inbox
from bot.signals import Activity
from storage.polls import PollRecord
from tests.builders import asgi_client
from tests.conftest import CAMPAIGN

MARKET_PEER = "5.45.207.10"  # inside the Market's published networks
STRANGER = "203.0.113.7"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings, inbox: Inbox, clock: Clock):
    health = Health(
        inbox.store,
        Activity(telegram_ok=True),
        settings.poll_interval,
        clock,
        START,
        allowed=settings.metrics_allowed_networks,
    )
    return create_app(NotificationEndpoint(inbox, settings), health)


def client(app, peer: str = MARKET_PEER) -> httpx.AsyncClient:
    return asgi_client(app, peer)


async def test_ping_from_the_market_is_answered(app) -> None:
    async with client(app) as http:
        for path in ("/notification", "/"):
            answer = await http.post(path, json={"notificationType": "PING"})
            assert answer.status_code == 200
            assert set(answer.json()) == {"version", "name", "time"}


async def test_only_the_market_may_notify(app) -> None:
    async with client(app, STRANGER) as http:
        answer = await http.post("/notification", json={"notificationType": "PING"})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"not json", 400, "WRONG_EVENT_FORMAT"),
        (b'{"notificationType": "ORDER_CANCELLED", "campaignId": 1}', 400, "WRONG_EVENT_FORMAT"),
        (b'{"notificationType": "PING", "pad": "' + b"x" * 70_000 + b'"}', 413, "UNKNOWN"),
    ],
)
async def test_bad_bodies_get_the_documented_answers(app, body, status, kind) -> None:
    async with client(app) as http:
        answer = await http.post("/notification", content=body)
    assert answer.status_code == status
    assert answer.json()["error"]["type"] == kind


def cancelled(campaign_id: str) -> bytes:
    return b'{"notificationType": "ORDER_CANCELLED", "campaignId": %s, "orderId": 5}' % (
        campaign_id.encode()
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 60_000, id="arrays-60000-deep"),
        pytest.param(b'{"a":' * 10_000 + b"1" + b"}" * 10_000, id="objects-10000-deep"),
        pytest.param(
            b'{"notificationType": "PING", "pad": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
            id="deep-in-a-ping",
        ),
        pytest.param(cancelled("1" * 5_000), id="int-of-5000-digits"),
        pytest.param(cancelled('"' + "1" * 5_000 + '"'), id="id-string-of-5000-digits"),
        pytest.param(cancelled('"\\u00b2"'), id="id-superscript-two"),
        pytest.param(cancelled("1e999999"), id="id-beyond-float"),
        pytest.param(b'{"notificationType": "PING", "pad": 1e999999}', id="number-beyond-float"),
        pytest.param(b'{"notificationType": "PING", "pad": NaN}', id="nan"),
        pytest.param(b'{"notificationType": "PING", "pad": -Infinity}', id="infinity"),
        pytest.param(
            b'{"notificationType": "ORDER_CANCELLED", "notificationType": "PING"}',
            id="duplicate-keys",
        ),
    ],
)
async def test_pathological_json_is_a_malformed_body(app, body) -> None:
    async with client(app) as http:
        answer = await http.post("/notification", content=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "WRONG_EVENT_FORMAT"


async def test_a_cancellation_request_is_stored_before_the_answer(app, market, inbox) -> None:
    market.add_order(5, CAMPAIGN, cancel_requested=True)
    requested_at = datetime.now(UTC) - timedelta(minutes=1)
    body = {
        "notificationType": "ORDER_CANCELLATION_REQUEST",
        "campaignId": CAMPAIGN,
        "orderId": 5,
        "requestedAt": requested_at.isoformat().replace("+00:00", "z"),
    }
    async with client(app) as http:
        answer = await http.post("/notification", content=json.dumps(body))
    assert answer.status_code == 200
    [request] = inbox.store.requests.pending()
    assert request.order_id == 5 and request.request_time.at == requested_at


async def test_market_down_is_a_500_so_the_market_sends_it_again(app, market, inbox) -> None:
    market.add_order(6, CAMPAIGN, cancel_requested=True)
    market.set_outage(503)
    body = {
        "notificationType": "ORDER_CANCELLATION_REQUEST",
        "campaignId": CAMPAIGN,
        "orderId": 6,
        "requestedAt": datetime.now(UTC).isoformat(),
    }
    async with client(app) as http:
        answer = await http.post("/notification", json=body)
    assert answer.status_code == 500
    assert inbox.store.requests.count() == 0  # nothing half-done: the retry starts afresh


async def test_healthz_follows_the_polls(app, inbox, clock: Clock) -> None:
    async with client(app, "127.0.0.1") as http:
        fresh = await http.get("/healthz")
        assert fresh.status_code == 200 and fresh.json()["last_poll_age_seconds"] is None

        clock.now = START + timedelta(minutes=3, seconds=1)  # three intervals, no poll
        stale = await http.get("/healthz")
        assert stale.status_code == 503 and stale.json()["status"] == "stale"

        # the Market refusing a poll is the cabinet's trouble, not the desk stuck
        inbox.store.poll_failed(PollRecord(clock.now, clock.now, ok=False, error="x"))
        refused = await http.get("/healthz")
        assert refused.status_code == 200 and refused.json()["last_poll_age_seconds"] is None
        assert refused.json()["last_attempt_age_seconds"] == 0.0
        clock.now += timedelta(minutes=3, seconds=1)
        assert (await http.get("/healthz")).status_code == 503  # and then no poll at all

        inbox.store.apply_sync(new=[], changes=[], poll=PollRecord(clock.now, clock.now, ok=True))
        clock.now += timedelta(seconds=30)
        healthy = (await http.get("/healthz")).json()
    assert healthy["status"] == "ok" and healthy["last_poll_age_seconds"] == 30.0
    assert healthy["telegram_ok"] is True and healthy["pending_requests"] == 0
    assert healthy["uptime_seconds"] == 392.0
