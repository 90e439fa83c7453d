"""Who may read `/metrics` and notify, behind a reverse proxy or not (review finding 6).

One rule for both: a forwarded header from a peer that is no trusted proxy is refused, a
trusted proxy must say whom it forwards (`X-Forwarded-For`), and only then is the client
held against the allowed networks. The app is the desk's own, over httpx's ASGITransport,
so each peer address can be played.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.intake.http import Health, Metrics, NotificationEndpoint, create_app
from bot.signals import Activity
from tests.builders import asgi_client, desk_settings

PROXY = "127.0.0.1"  # a reverse proxy on the desk's host
NEIGHBOUR = "10.1.2.3"  # a scraper on the private network
STRANGER = "203.0.113.7"  # anyone on the internet
MARKET = "5.45.207.10"
PING = {"notificationType": "PING"}


def desk_app(inbox, market, tmp_path: Path, **overrides: str):
    settings = desk_settings(market, tmp_path, **overrides)
    now = datetime.now(UTC)
    health = Health(inbox.store, Activity(), settings.poll_interval, lambda: now, now)
    scrape = Metrics(settings.metrics_allowed_networks, settings.trusted_proxies)
    return create_app(NotificationEndpoint(inbox, settings), health, scrape)


async def status(app, peer: str, method: str, path: str, headers: dict[str, str]) -> int:
    async with asgi_client(app, peer) as http:
        if method == "GET":
            answer = await http.get(path, headers=headers)
        else:
            answer = await http.post(path, json=PING, headers=headers)
    return answer.status_code


FORWARDED = [
    {"X-Forwarded-For": STRANGER},  # what Caddy, or nginx as the README sets it, adds
    {"Forwarded": f"for={STRANGER}"},
    {"X-Real-IP": STRANGER},
    {"X-Forwarded-For": ""},
]


@pytest.mark.parametrize("peer", [PROXY, NEIGHBOUR])
@pytest.mark.parametrize("headers", FORWARDED)
async def test_metrics_are_refused_to_a_forwarded_request_from_an_untrusted_peer(
    inbox, market, tmp_path, peer, headers
) -> None:
    app = desk_app(inbox, market, tmp_path)  # TRUSTED_PROXIES unset, the default networks
    assert await status(app, peer, "GET", "/metrics", {}) == 200  # a scraper beside the desk
    assert await status(app, peer, "GET", "/metrics", headers) == 403


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 403),  # the proxy itself, or a proxy that names nobody
        ({"Forwarded": f"for={NEIGHBOUR}"}, 403),  # only X-Forwarded-For is read
        ({"X-Forwarded-For": NEIGHBOUR}, 200),
        ({"X-Forwarded-For": f"{NEIGHBOUR}, {PROXY}"}, 200),  # trusted hops are skipped
        ({"X-Forwarded-For": STRANGER}, 403),
        ({"X-Forwarded-For": f"{NEIGHBOUR}, {STRANGER}"}, 403),  # the right-most one decides
        ({"X-Forwarded-For": "unknown"}, 403),
    ],
)
async def test_metrics_through_a_trusted_proxy_judge_the_client_it_names(
    inbox, market, tmp_path, headers, expected
) -> None:
    app = desk_app(inbox, market, tmp_path, TRUSTED_PROXIES=f"{PROXY}/32")
    assert await status(app, PROXY, "GET", "/metrics", headers) == expected


@pytest.mark.parametrize("headers", FORWARDED)
async def test_a_notification_forwarded_by_an_untrusted_peer_is_refused(
    inbox, market, tmp_path, headers
) -> None:
    app = desk_app(inbox, market, tmp_path)
    assert await status(app, MARKET, "POST", "/notification", {}) == 200
    market_headers = {name: value.replace(STRANGER, MARKET) for name, value in headers.items()}
    assert await status(app, MARKET, "POST", "/notification", market_headers) == 403


async def test_a_trusted_proxy_must_name_the_market_to_notify(inbox, market, tmp_path) -> None:
    # a proxy inside the allowed networks (a Market range trusted by mistake) is no sender
    app = desk_app(inbox, market, tmp_path, TRUSTED_PROXIES=f"{MARKET}/32")
    assert await status(app, MARKET, "POST", "/notification", {}) == 403
    forwarded = {"X-Forwarded-For": "5.45.207.11"}
    assert await status(app, MARKET, "POST", "/notification", forwarded) == 200
    forwarded = {"X-Forwarded-For": STRANGER}
    assert await status(app, MARKET, "POST", "/notification", forwarded) == 403


async def test_healthz_stays_open_to_all(inbox, market, tmp_path) -> None:
    app = desk_app(inbox, market, tmp_path, TRUSTED_PROXIES=f"{PROXY}/32")
    for peer, headers in [(STRANGER, {}), (PROXY, {}), (STRANGER, {"X-Forwarded-For": "1.1.1.1"})]:
        assert await status(app, peer, "GET", "/healthz", headers) == 200
