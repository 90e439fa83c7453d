"""The sync over the fake Market: paging, deadlines, resolved-elsewhere, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.model import MOSCOW, Basis, RequestState
from bot.intake.sync import sync_once
from bot.market.client import MarketClient
from bot.market.errors import MarketHTTPError, MarketNetworkError, MarketRateLimited
from tests.conftest import BUSINESS, CAMPAIGN

INTERVAL = timedelta(seconds=60)
BUSINESSES = {BUSINESS: [CAMPAIGN]}


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def client(market):
    market_client = MarketClient(market.url, market.api_key)
    yield market_client
    await market_client.close()


async def sync(client, store, sweep_old: bool = False):
    return await sync_once(
        client, store, BUSINESSES, now=now, poll_interval=INTERVAL, sweep_old=sweep_old
    )


def snapshot(store) -> list[tuple]:
    return (
        store.db.execute("SELECT * FROM requests ORDER BY id").fetchall()
        + store.db.execute("SELECT * FROM posts ORDER BY request_id").fetchall()
    )


async def test_lists_120_pending_requests_over_three_pages(market, client, store):
    for order_id in range(1, 121):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    market.add_order(500, CAMPAIGN)  # not asked to cancel

    outcome = await sync(client, store)

    assert sorted(r.order_id for r in outcome.new) == list(range(1, 121))
    listings = market.calls("getBusinessOrders")
    assert len(listings) == 3
    assert [len(c.json.get("campaignIds", [])) for c in listings] == [1, 1, 1]
    assert all(c.json["waitingForCancellationApprove"] is True for c in listings)
    assert all(c.query.get("limit") == "50" for c in listings)
    assert "page_token" not in listings[0].query and listings[1].query.get("page_token")
    assert store.requests.count(RequestState.PENDING) == 120


async def test_quiet_cycle_is_one_listing_call(market, client, store):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    await sync(client, store)
    market.reset_calls()

    outcome = await sync(client, store)

    assert outcome.new == [] and outcome.resolved == []
    assert [c.operation_id for c in market.calls()] == ["getBusinessOrders"]


async def test_request_pending_at_first_sight_gets_a_clamped_estimated_deadline(
    market, client, store
):
    created = datetime.now(MOSCOW) - timedelta(days=3)
    updated = datetime.now(MOSCOW) - timedelta(hours=5)
    market.add_order(1, CAMPAIGN, cancel_requested=True, created_at=created, updated_at=updated)
    # an update older than 48 h before first sight is clamped to that bound
    market.add_order(
        2,
        CAMPAIGN,
        cancel_requested=True,
        created_at=created,
        updated_at=datetime.now(MOSCOW) - timedelta(days=2, hours=6),
    )

    outcome = await sync(client, store)

    by_id = {r.order_id: r for r in outcome.new}
    first = by_id[1].request_time
    assert first.basis is Basis.ESTIMATED
    assert abs(first.at - updated) < timedelta(seconds=1)
    assert first.deadline == first.at + timedelta(hours=48)
    clamped = by_id[2].request_time
    assert clamped.basis is Basis.ESTIMATED
    assert abs(clamped.at - (by_id[2].first_seen - timedelta(hours=48))) < timedelta(seconds=1)


async def test_request_that_appears_between_polls_is_dated_after_the_last_miss(
    market, client, store
):
    market.add_order(1, CAMPAIGN)
    first = await sync(client, store)
    assert first.new == []
    market.request_cancellation(1)

    second = await sync(client, store)

    [request] = second.new
    assert request.request_time.basis is Basis.POLL
    assert request.request_time.at == first.started_at
    assert request.deadline == first.started_at + timedelta(hours=48)


async def test_request_that_left_the_list_is_resolved_elsewhere_with_its_status(
    market, client, store
):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    await sync(client, store)
    market.set_order(1, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)

    outcome = await sync(client, store)

    assert [r.order_id for r in outcome.resolved] == [1]
    assert [r.order_id for r in outcome.still_pending] == [2]
    closed = store.requests.get(outcome.resolved[0].id)
    assert closed.state == "closed"
    assert closed.closed_status == "CANCELLED/USER_CHANGED_MIND"
    fetches = [c for c in market.calls("getBusinessOrders") if "orderIds" in (c.json or {})]
    assert [c.json["orderIds"] for c in fetches] == [[1]]


async def test_orders_30_to_60_days_old_are_found_by_the_sweep(market, client, store):
    market.add_order(
        7, CAMPAIGN, cancel_requested=True, created_at=datetime.now(MOSCOW) - timedelta(days=45)
    )

    assert (await sync(client, store)).new == []
    swept = await sync(client, store, sweep_old=True)

    assert [r.order_id for r in swept.new] == [7]
    today = datetime.now(MOSCOW).date()
    dates = [c.json.get("dates") for c in market.calls("getBusinessOrders")]
    recent = {
        "creationDateFrom": (today - timedelta(days=29)).isoformat(),
        "creationDateTo": (today + timedelta(days=1)).isoformat(),
    }
    old = {
        "creationDateFrom": (today - timedelta(days=59)).isoformat(),
        "creationDateTo": (today - timedelta(days=29)).isoformat(),
    }
    assert dates[-2:] == [recent, old]
    # later recent-only cycles do not take the old request for resolved
    assert (await sync(client, store)).resolved == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, MarketHTTPError),
        (403, MarketHTTPError),
        (420, MarketRateLimited),
        (500, MarketHTTPError),
    ],
)
async def test_market_errors_fail_the_cycle_and_change_nothing(
    market, client, store, status, error
):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    await sync(client, store)
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    before = snapshot(store)
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    market.fail_next(
        "getBusinessOrders",
        status,
        code="SOME_CODE",
        message="Nope",
        rate_limit_until=until if status == 420 else None,
    )

    with pytest.raises(error) as raised:
        await sync(client, store)

    assert raised.value.status == status
    assert raised.value.code == "SOME_CODE" and raised.value.message == "Nope"
    if status == 420:
        assert raised.value.retry_at == until
    assert snapshot(store) == before


async def test_failure_after_the_listing_records_nothing(market, client, store):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    await sync(client, store)
    for order_id in range(2, 122):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    market.set_order(
        1, status="DELIVERED", substatus="DELIVERY_SERVICE_DELIVERED", cancel_requested=False
    )
    before = snapshot(store)
    # three listing pages succeed, then the look-up of the order that left the list fails
    market.fail_next("getBusinessOrders", 500, times=1, after=3)

    with pytest.raises(MarketHTTPError):
        await sync(client, store)

    assert snapshot(store) == before
    outcome = await sync(client, store)
    assert len(outcome.new) == 120 and [r.order_id for r in outcome.resolved] == [1]


async def test_network_failure_is_a_typed_error(client, store, market):
    from tests.fakes.market import DROP

    market.fail_next(None, DROP)
    with pytest.raises(MarketNetworkError):
        await sync(client, store)
    assert store.requests.count() == 0


def shops_for(market, store, client, **extra):
    from pathlib import Path

    from bot.config import load_settings
    from bot.market.shops import Shops

    env = {
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token-abc",
        "STAFF_CHAT_ID": "-100123",
        "MARKET_API_KEY": market.api_key,
        "MARKET_CAMPAIGN_IDS": str(CAMPAIGN),
        **extra,
    }
    settings = load_settings(env, env_file=Path("/nonexistent/.env"))
    return Shops(settings, client, store)


async def test_business_id_is_discovered_from_the_campaign(market, client, store):
    shops = shops_for(market, store, client)

    assert await shops.businesses() == {BUSINESS: [CAMPAIGN]}
    assert shops.name(CAMPAIGN) == "Ромашка & Co"
    assert [c.path for c in market.calls("getCampaign")] == [f"/v2/campaigns/{CAMPAIGN}"]
    await shops.businesses()  # remembered: no second look-up
    assert len(market.calls("getCampaign")) == 1


async def test_business_id_from_the_setting_wins(market, client, store):
    shops = shops_for(market, store, client, MARKET_BUSINESS_ID="777")
    market.fail_next("getCampaign", 500)

    assert await shops.businesses() == {777: [CAMPAIGN]}
