"""Market API notifications and /healthz: real HTTP to the running desk (`python -m bot`).

Requests come from 127.0.0.1, so tests that expect them through allow 127.0.0.0/8, and
the refusals are tested with the Market's own networks.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.datastructures import Headers

from bot.intake.callers import identify, parse_address
from bot.intake.notification_body import (
    CANCELLATION_REQUEST,
    MalformedNotification,
    parse_notification,
)
from bot.intake.notification_plan import IntakeOutcome, NotificationPlan
from tests.chat import post_of
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until

LOOPBACK = "127.0.0.0/8"
MARKET_NET = "5.45.207.0/25"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Endpoint:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=15)

    def post(self, body, path: str = "/notification", headers: dict | None = None):
        if isinstance(body, bytes):
            return self.client.post(path, content=body, headers=headers)
        return self.client.post(path, json=body, headers=headers)

    def health(self) -> httpx.Response:
        return self.client.get("/healthz")

    def reachable(self) -> bool:
        try:
            httpx.get(self.url + "/healthz", timeout=5)
        except httpx.TransportError:
            return False
        return True


@pytest.fixture
def start_http_desk(start_desk):
    """Start a desk serving HTTP on a free loopback port; returns (process, endpoint)."""

    endpoints: list[Endpoint] = []

    def start(port_variable: str = "HTTP_PORT", **overrides: str):
        port = free_port()
        desk = start_desk(**{port_variable: str(port), "HTTP_HOST": "127.0.0.1", **overrides})
        endpoint = Endpoint(port)
        endpoints.append(endpoint)
        wait_until(endpoint.reachable, 15, message="the desk's HTTP server")
        return desk, endpoint

    yield start
    for endpoint in endpoints:
        endpoint.client.close()


def first_poll(market, desk) -> None:
    wait_until(lambda: "Poll:" in desk.log(), 15, message="the first poll")


def request_body(order_id: int, requested_at: datetime, campaign: int = CAMPAIGN) -> dict:
    return {
        "notificationType": CANCELLATION_REQUEST,
        "campaignId": campaign,
        "orderId": order_id,
        "requestedAt": requested_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def said(outcome: IntakeOutcome, **facts) -> str:
    """What the desk's log line says a notification came to."""
    return NotificationPlan(outcome, **facts).describe()


def order_posts(telegram, order_id: int) -> list:
    return [
        m
        for m in telegram.messages(STAFF_CHAT)
        if m.reply_to_message_id is None
        and m.text.splitlines()
        and m.text.splitlines()[0].endswith(f"#{order_id}")
    ]


def shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d.%m %H:%M")


def market_lookups(market) -> int:
    return len(market.calls("getBusinessOrders"))


# --- end to end --------------------------------------------------------------------------


def test_ping_is_answered_at_once_and_bad_requests_are_refused(market, telegram, start_http_desk):
    desk, http = start_http_desk(NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300")
    first_poll(market, desk)
    lookups = market_lookups(market)

    for path in ("/notification", "/"):
        began = time.monotonic()
        answer = http.post({"notificationType": "PING", "time": "2025-01-16T10:09:49.759Z"}, path)
        elapsed = time.monotonic() - began
        assert answer.status_code == 200 and elapsed < 0.5
        assert answer.headers["content-type"] == "application/json"
        body = answer.json()
        assert set(body) == {"version", "name", "time"}
        assert body["name"] == "cancellation-desk" and body["version"]
        assert abs(datetime.fromisoformat(body["time"]) - datetime.now(UTC)) < timedelta(seconds=5)

    malformed = [
        b"{not json",
        b"[1, 2]",
        b'{"time": "2025-01-16T10:09:49Z"}',
        {"notificationType": CANCELLATION_REQUEST, "campaignId": CAMPAIGN},
        {"notificationType": CANCELLATION_REQUEST, "campaignId": CAMPAIGN, "orderId": 5},
        {**request_body(5, datetime.now(UTC)), "requestedAt": "yesterday"},
        {**request_body(5, datetime.now(UTC)), "orderId": "five"},
        {"notificationType": "ORDER_CANCELLED", "orderId": 5},
    ]
    for body in malformed:
        answer = http.post(body)
        assert answer.status_code == 400, body
        assert answer.json()["error"]["type"] == "WRONG_EVENT_FORMAT"
        assert answer.json()["error"]["message"]

    ignored = [
        {"notificationType": "CHAT_CREATED", "chatId": 1, "businessId": 5001},
        {"notificationType": "ORDER_CREATED", "campaignId": CAMPAIGN, "orderId": 5},
        request_body(5, datetime.now(UTC), campaign=9999),  # not a configured campaign
        {"notificationType": "ORDER_CANCELLED", "campaignId": CAMPAIGN, "orderId": 5},  # untracked
    ]
    for body in ignored:
        answer = http.post(body)
        assert answer.status_code == 200, body
        assert set(answer.json()) == {"version", "name", "time"}

    assert http.post(b"{" + b" " * (64 * 1024) + b"}").status_code == 413
    assert http.client.get("/notification").status_code == 405
    health = http.health()
    assert health.status_code == 200
    assert health.json()["pending_requests"] == 0 and health.json()["status"] == "ok"
    assert health.json()["last_poll_age_seconds"] is not None

    assert market_lookups(market) == lookups  # nothing above needed the Market
    log = desk.log()
    assert "Notification CHAT_CREATED" in log
    assert said(IntakeOutcome.CAMPAIGN_NOT_CONFIGURED) in log
    assert log.count("Notification PING") == 2
    assert desk.terminate() == 0
    assert not http.reachable()


def test_request_is_posted_at_once_with_the_exact_deadline(market, telegram, start_http_desk):
    desk, http = start_http_desk(
        NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300", TIMEZONE="UTC"
    )
    first_poll(market, desk)
    market.add_order(50, CAMPAIGN, cancel_requested=True)
    requested_at = (datetime.now(UTC) - timedelta(hours=2, minutes=17)).replace(microsecond=0)

    began = time.monotonic()
    answer = http.post(request_body(50, requested_at))
    assert answer.status_code == 200 and time.monotonic() - began < 5
    post = post_of(telegram, 50)

    assert f"Requested: {shown(requested_at)}" in post.text
    assert f"Answer by: {shown(requested_at + timedelta(hours=48))}" in post.text
    assert "estimated" not in post.text and "between" not in post.text
    assert len(post.buttons) == 3
    assert desk.log().count("Poll:") == 1  # posted without waiting for a poll

    lookups = market_lookups(market)
    assert http.post(request_body(50, requested_at), path="/").status_code == 200
    assert http.post(request_body(50, requested_at)).status_code == 200
    wait_until(lambda: desk.log().count(said(IntakeOutcome.DUPLICATE)) == 2)
    time.sleep(0.3)  # time for a wrong edit or second post to show up
    assert len(order_posts(telegram, 50)) == 1
    assert telegram.message(STAFF_CHAT, post.message_id).edits == 0
    assert market_lookups(market) == lookups  # a duplicate is recognised without the Market
    assert http.health().json()["pending_requests"] == 1


def test_a_request_known_from_polling_gets_its_exact_deadline(market, telegram, start_http_desk):
    now = datetime.now(UTC)
    market.add_order(
        51,
        CAMPAIGN,
        cancel_requested=True,
        created_at=now - timedelta(days=3),
        updated_at=now - timedelta(hours=5),
    )
    desk, http = start_http_desk(
        NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300", TIMEZONE="UTC"
    )
    post = post_of(telegram, 51)
    assert "(estimated)" in post.text
    requested_at = (now - timedelta(hours=7, minutes=3)).replace(microsecond=0)

    assert http.post(request_body(51, requested_at)).status_code == 200
    exact = wait_until(
        lambda: (m := telegram.message(STAFF_CHAT, post.message_id)).edits == 1 and m
    )

    assert f"Requested: {shown(requested_at)}" in exact.text
    assert f"Answer by: {shown(requested_at + timedelta(hours=48))}" in exact.text
    assert "estimated" not in exact.text
    assert len(exact.buttons) == 3

    assert http.post(request_body(51, requested_at)).status_code == 200
    wait_until(lambda: said(IntakeOutcome.DUPLICATE) in desk.log())
    time.sleep(0.3)
    assert telegram.message(STAFF_CHAT, post.message_id).edits == 1
    assert len(order_posts(telegram, 51)) == 1


def test_order_cancelled_closes_a_tracked_post_at_once(market, telegram, start_http_desk):
    market.add_order(52, CAMPAIGN, cancel_requested=True)
    desk, http = start_http_desk(NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300")
    post = post_of(telegram, 52)
    market.set_order(52, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)

    answer = http.post(
        {
            "notificationType": "ORDER_CANCELLED",
            "campaignId": CAMPAIGN,
            "orderId": 52,
            "cancelledAt": datetime.now(UTC).isoformat(),
            "items": [{"offerId": "SKU-1", "count": 1}],
        }
    )
    assert answer.status_code == 200
    closed = wait_until(
        lambda: (m := telegram.message(STAFF_CHAT, post.message_id)).edits == 1 and m
    )

    assert "closed without a decision here" in closed.text
    assert "cancelled (the buyer changed their mind)" in closed.text
    assert closed.buttons == []
    assert desk.log().count("Poll:") == 1
    assert http.health().json()["pending_requests"] == 0


def test_market_down_answers_500_and_telegram_down_does_not_delay(
    market, telegram, start_http_desk
):
    desk, http = start_http_desk(NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300")
    first_poll(market, desk)
    market.add_order(53, CAMPAIGN, cancel_requested=True)
    body = request_body(53, datetime.now(UTC) - timedelta(minutes=3))

    market.set_outage(500)
    answer = http.post(body)
    assert answer.status_code == 500
    assert answer.json()["error"]["type"] == "UNKNOWN"
    assert http.health().json()["pending_requests"] == 0  # nothing stored: the Market retries

    market.set_outage(None)
    telegram.set_down(True)
    began = time.monotonic()
    assert http.post(body).status_code == 200  # stored; posting waits for Telegram
    assert time.monotonic() - began < 3
    assert http.health().json()["pending_requests"] == 1
    assert order_posts(telegram, 53) == []

    telegram.set_down(False)
    post_of(telegram, 53, timeout=15)


def test_only_the_market_may_notify(market, telegram, start_http_desk):
    desk, http = start_http_desk(POLL_INTERVAL="300")  # the Market's networks by default
    first_poll(market, desk)
    market.add_order(54, CAMPAIGN, cancel_requested=True)
    lookups = market_lookups(market)

    assert http.post({"notificationType": "PING"}).status_code == 403
    spoofed = http.post(
        request_body(54, datetime.now(UTC)), headers={"X-Forwarded-For": "5.45.207.9"}
    )
    assert spoofed.status_code == 403  # the peer is no trusted proxy: the header is not believed
    assert http.health().status_code == 200  # health checks are open to all

    assert "Refused a notification from 127.0.0.1" in desk.log()
    assert market_lookups(market) == lookups
    time.sleep(0.3)
    assert order_posts(telegram, 54) == []


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(market, telegram, start_http_desk):
    desk, http = start_http_desk(
        "PORT",  # as platforms set it
        TRUSTED_PROXIES="127.0.0.1/32",
        NOTIFICATION_ALLOWED_NETWORKS=MARKET_NET,
        POLL_INTERVAL="300",
    )
    ping = {"notificationType": "PING"}

    def status(forwarded: str | None) -> int:
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else None
        return http.post(ping, headers=headers).status_code

    assert status(None) == 403  # the proxy itself is not the Market
    assert status("5.45.207.9") == 200
    assert status("10.1.1.1, 5.45.207.9") == 200  # what the client wrote itself is ignored
    assert status("5.45.207.9, 127.0.0.1") == 200  # trusted hops are skipped
    assert status("5.45.207.9, 10.1.1.1") == 403  # the right-most untrusted hop decides
    assert status("garbage") == 403
    assert "Refused a notification from 10.1.1.1" in desk.log()


def test_healthz_stays_200_while_the_market_refuses(market, telegram, start_http_desk):
    desk, http = start_http_desk(POLL_INTERVAL="1")
    healthy = wait_until(
        lambda: (r := http.health()).json()["last_poll_age_seconds"] is not None and r
    )
    assert healthy.status_code == 200 and healthy.json()["status"] == "ok"

    market.set_outage(500)  # the desk polls on: the outage is the cabinet's, not the desk's
    refused = wait_until(
        lambda: (r := http.health()).json()["last_poll_age_seconds"] >= 4 and r, 15, interval=0.2
    )
    assert refused.status_code == 200 and refused.json()["status"] == "ok"
    assert refused.json()["last_attempt_age_seconds"] < 3
    [cabinet] = refused.json()["cabinets"]
    assert cabinet["name"] == "default" and cabinet["failed_polls"] >= 2

    market.set_outage(None)
    wait_until(lambda: http.health().json()["cabinets"][0]["failed_polls"] == 0, 10, interval=0.2)
    assert desk.terminate() == 0


# --- units ---------------------------------------------------------------------------------

TRUSTED = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("5.45.207.9", [], "5.45.207.9"),
        ("5.45.207.9", ["1.1.1.1"], None),  # an untrusted peer that forwards: refused
        ("127.0.0.1", [], None),  # a trusted proxy must name the client
        ("127.0.0.1", ["5.45.207.9"], "5.45.207.9"),
        ("127.0.0.1", ["1.1.1.1, 5.45.207.9, 10.2.3.4"], "5.45.207.9"),
        ("127.0.0.1", ["1.1.1.1", "5.45.207.9"], "5.45.207.9"),  # repeated headers join
        ("127.0.0.1", ["10.9.9.9, 10.2.3.4"], "10.9.9.9"),  # all trusted: the left-most
        ("127.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("127.0.0.1", ["5.45.207.9:5555"], "5.45.207.9"),
        ("127.0.0.1", ["5.45.207.9, unknown"], None),
        ("::ffff:5.45.207.9", [], "5.45.207.9"),
        (None, [], None),
    ],
)
def test_client_address(peer, forwarded, client):
    headers = Headers(raw=[(b"x-forwarded-for", value.encode()) for value in forwarded])
    found = identify(peer, headers, TRUSTED).client
    assert found == (parse_address(client) if client else None)


def test_parse_notification_reads_the_fields_it_needs():
    note = parse_notification(
        b'{"notificationType": "ORDER_CANCELLATION_REQUEST", "campaignId": 1001,'
        b' "orderId": "42", "requestedAt": "2017-11-21T00:00:00.213+03:00"}'
    )
    assert (note.campaign_id, note.order_id) == (1001, 42)
    assert note.requested_at == datetime(2017, 11, 20, 21, 0, 0, 213000, tzinfo=UTC)
    other = parse_notification(b'{"notificationType": "GOODS_FEEDBACK_CREATED", "orderId": true}')
    assert (other.type, other.campaign_id, other.order_id) == ("GOODS_FEEDBACK_CREATED", None, None)
    for bad in (b'{"notificationType": ""}', b'"PING"', b"\xff", b'{"notificationType": 1}'):
        with pytest.raises(MalformedNotification):
            parse_notification(bad)
