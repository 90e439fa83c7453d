"""`GET /metrics` of the real desk, read with Prometheus' own parser and held against what
the fakes saw happen."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.routing import Route

from bot.intake.http import Metrics
from tests.builders import asgi_client
from tests.chat import ANNA, edited, post_of, posts, tap
from tests.conftest import CAMPAIGN
from tests.harness import wait_until
from tests.test_notifications import free_port


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def started(start_desk, **overrides: str) -> tuple:
    port = free_port()
    desk = start_desk(HTTP_PORT=str(port), HTTP_HOST="127.0.0.1", **overrides)
    wait_until(lambda: "Serving on" in desk.log(), 15, message="the HTTP server")
    return desk, port


def test_metrics_tell_what_happened(market, telegram, start_desk):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    # one poll only (at start): the Market's call counts stay still while we compare
    desk, port = started(
        start_desk,
        POLL_INTERVAL="600",
        CONFIRM_DECISIONS="false",
        NOTIFICATION_ALLOWED_NETWORKS="127.0.0.0/8",
    )
    post = post_of(telegram, 1)
    post_of(telegram, 2)
    tap(telegram, post, ANNA, "Accept")
    edited(telegram, post)
    ping = httpx.post(f"http://127.0.0.1:{port}/notification", json={"notificationType": "PING"})
    assert ping.status_code == 200

    seen = scrape(port)

    assert seen[("desk_polls_total", (("result", "ok"),))] == desk.log().count("Poll:") == 1
    for operation in {call.operation_id for call in market.calls()}:
        statuses = [call.status for call in market.calls() if call.operation_id == operation]
        for status in set(statuses):
            key = ("desk_market_calls_total", (("operation", operation), ("status", str(status))))
            assert seen[key] == statuses.count(status), (operation, status)
    assert seen[("desk_telegram_posts_total", ())] == len(posts(telegram)) == 2
    assert seen[("desk_telegram_edits_total", ())] == 1
    assert seen[("desk_decisions_total", (("result", "ok"),))] == 1
    assert seen[("desk_notifications_total", (("answer", "200"), ("type", "PING")))] == 1
    assert seen[("desk_pending_requests", ())] == 1
    assert 0 < seen[("desk_nearest_deadline_seconds", ())] <= 48 * 3600
    assert 0 <= seen[("desk_last_poll_age_seconds", ())] < 60
    assert seen[("desk_telegram_429_total", ())] == 0


@pytest.mark.parametrize(
    ("peer", "forwarded", "status"),
    [
        ("127.0.0.1", None, 403),  # the trusted proxy names nobody: fails closed
        ("10.1.2.3", None, 200),
        ("10.1.2.3", "192.168.1.5", 403),  # an untrusted peer that forwards: fails closed
        ("203.0.113.7", None, 403),
        # behind a trusted proxy on the same host, the client it names is judged
        ("127.0.0.1", "203.0.113.7", 403),
        ("127.0.0.1", "192.168.1.5", 200),
    ],
)
async def test_only_the_allowed_networks_may_read_the_metrics(peer, forwarded, status):
    allowed = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.0.0.0/8"))
    allowed += (ipaddress.ip_network("192.168.0.0/16"),)
    scrape = Metrics(allowed, (ipaddress.ip_network("127.0.0.1/32"),))
    app = Starlette(routes=[Route("/metrics", scrape.answer)])
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    async with asgi_client(app, peer) as http:
        answer = await http.get("/metrics", headers=headers)
    assert answer.status_code == status
    assert ("desk_polls" in answer.text) == (status == 200)


def test_unknown_notification_types_are_counted_as_other(market, telegram, start_desk):
    desk, port = started(
        start_desk, POLL_INTERVAL="600", NOTIFICATION_ALLOWED_NETWORKS="127.0.0.0/8"
    )
    distinct = 40
    untracked = {"campaignId": CAMPAIGN, "orderId": 5}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for n in range(distinct):
            kind = f"{n}\n" + "X" * 16_000  # made up, large, and more than one line
            assert http.post("/notification", json={"notificationType": kind}).status_code == 200
        assert http.post("/", json={"notificationType": "PING"}).status_code == 200
        cancelled = {"notificationType": "ORDER_CANCELLED", **untracked}
        assert http.post("/", json=cancelled).status_code == 200
        exposition = http.get("/metrics")

    assert len(exposition.content) < 16_000
    seen = scrape(port)
    for kind, count in (("other", distinct), ("PING", 1), ("ORDER_CANCELLED", 1)):
        assert seen[("desk_notifications_total", (("answer", "200"), ("type", kind)))] == count
    assert len(desk.log()) < 40_000  # each type is logged by its first 64 characters


def test_a_proxy_on_the_host_does_not_publish_the_metrics(market, telegram, start_desk):
    """TRUSTED_PROXIES unset, a proxy on loopback: its forwarded requests are refused."""
    desk, port = started(start_desk, POLL_INTERVAL="600")
    url = f"http://127.0.0.1:{port}/metrics"
    assert httpx.get(url, timeout=10).status_code == 200  # a scraper on the host
    for header in ("X-Forwarded-For", "X-Real-IP"):
        assert httpx.get(url, headers={header: "203.0.113.7"}, timeout=10).status_code == 403
    assert "Refused /metrics" in desk.log()
    assert desk.terminate() == 0
