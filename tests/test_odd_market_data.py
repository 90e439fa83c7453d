"""Odd but valid Market data: no order blocks another, and today's orders are seen.

Each case is allowed by the official spec. In process, over the strict fake Market (which
reads the spec's default window literally) or, for values the fake cannot list, over an
httpx MockTransport standing in for the Market.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.chat.render import render_post
from bot.domain.deadlines import from_notification
from bot.domain.market_time import parse_market_datetime
from bot.domain.model import MOSCOW, Basis, Decision, Person
from bot.formatting import MESSAGE_LIMIT, shown_len
from bot.intake.notification_body import CANCELLATION_REQUEST, Notification, parse_notification
from bot.intake.notification_plan import IntakeOutcome
from bot.intake.notifications import handle
from bot.intake.sync import sync_once
from bot.market.client import MarketClient
from tests.builders import intervals_later, style
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT

INTERVAL = timedelta(seconds=60)


def now() -> datetime:
    return datetime.now(UTC)


async def sync(client, store, sweep_old: bool = False):
    return await sync_once(
        client,
        store,
        {BUSINESS: [CAMPAIGN]},
        now=now,
        poll_interval=INTERVAL,
        sweep_old=sweep_old,
    )


@pytest.fixture
async def client(market):
    market_client = MarketClient(market.url, market.api_key)
    yield market_client
    await market_client.close()


# 1. orders created today


async def test_a_request_on_an_order_created_today_is_found_and_followed(market, client, store):
    market.add_order(1, CAMPAIGN, cancel_requested=True, created_at=datetime.now(MOSCOW))

    [found] = (await sync(client, store)).new
    assert found.order_id == 1

    market.set_order(1, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)
    [resolved] = (await sync(client, store)).resolved
    # looked up by id within a window that includes today: its fate is known
    assert store.requests.get(resolved.id).closed_status == "CANCELLED/USER_CHANGED_MIND"


async def test_every_listing_and_lookup_sends_a_window_of_at_most_30_days(market, client, store):
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    await sync(client, store, sweep_old=True)
    market.set_order(2, cancel_requested=False)
    await sync(client, store)

    calls = market.calls("getBusinessOrders")
    assert len(calls) == 4  # recent and old listings, a recent listing, a lookup by id
    for call in calls:
        dates = call.json["dates"]
        start = datetime.fromisoformat(dates["creationDateFrom"])
        end = datetime.fromisoformat(dates["creationDateTo"])
        assert timedelta(days=1) <= end - start <= timedelta(days=30)
    assert calls[-1].json["orderIds"] == [2]


# 2. one odd order never holds up the others


def raw_order(order_id: int, **fields) -> dict:
    return {
        "orderId": order_id,
        "campaignId": CAMPAIGN,
        "status": "DELIVERY",
        "substatus": "DELIVERY_SERVICE_RECEIVED",
        "cancelRequested": True,
        "creationDate": "2026-11-29T10:00:00+03:00",
        "items": [
            {
                "offerId": f"SKU-{order_id}",
                "offerName": "Чайник",
                "count": 1,
                "prices": {"payment": {"value": 1990, "currencyId": "RUR"}},
            }
        ],
        **fields,
    }


ODD_ORDERS = [
    raw_order(11, creationDate="9999-12-31T23:59:59-03:00"),
    raw_order(12, creationDate="0001-01-01T00:00:00+03:00", updateDate="0001-01-01T00:00:00Z"),
    raw_order(
        13,
        items=[
            {"offerId": "X", "offerName": "Слиток", "count": 1, "prices": {"payment": {"value": v}}}
            for v in (1e26, 1e300, 1e308)
        ],
        prices={"payment": {"value": 1e308}, "delivery": {"payment": {"value": 1e308}}},
    ),
    raw_order(
        14,
        items=[{"offerId": f"L{n}", "offerName": "Н" * 120, "count": n + 1} for n in range(28)],
    ),
    raw_order(2**64),  # beyond int64: unreadable, told to staff
    {"campaignId": CAMPAIGN},  # no id at all
    raw_order(15),  # an ordinary request right behind them
]


def odd_page(request: httpx.Request) -> httpx.Response:
    """The odd orders, one with a price of 5,000 digits (valid JSON, past Python's int)."""
    body = json.dumps({"orders": [*ODD_ORDERS, raw_order(16, prices="HUGE")], "paging": {}})
    huge = '{"payment": {"value": ' + "9" * 5000 + "}}"
    return httpx.Response(200, content=body.replace('"HUGE"', huge).encode())


async def test_odd_orders_in_one_page_are_all_stored_and_shown(store):
    market = MarketClient("https://market.test", "key", transport=httpx.MockTransport(odd_page))
    outcome = await sync(market, store)
    await market.close()

    assert sorted(r.order_id for r in outcome.new) == [11, 12, 13, 14, 15, 16]
    assert {r.order_id: r.order.created_at for r in outcome.new}[11] is None  # not believable
    for request in outcome.new:
        for language in ("ru", "en"):
            text = render_post(request, None, "Shop", now(), style(language)).text
            assert shown_len(text) <= MESSAGE_LIMIT
    problems = {(p.problem.order_ref, p.problem.stage) for p in store.problems.unreported(10)}
    assert problems == {(str(2**64), "read"), ("?", "read")}


# 3. cancelRequested left out means unknown, not false


async def test_a_lookup_without_cancel_requested_does_not_close_a_pending_request(market, inbox):
    store = inbox.store
    market.add_order(21, CAMPAIGN, cancel_requested=True)
    await handle(inbox, Notification(CANCELLATION_REQUEST, CAMPAIGN, 21, now()))
    market.set_order(21, cancelRequested=None)  # the field is optional in BusinessOrderDTO

    updated = Notification("ORDER_STATUS_UPDATED", CAMPAIGN, 21)
    plan = await handle(intervals_later(inbox), updated)

    assert plan.outcome is IntakeOutcome.NOTHING_TO_SHOW
    [request] = store.requests.pending()
    assert request.order_id == 21
    # only leaving the pending listing closes it (the fake no longer lists it)
    await sync(inbox.lookup.market, store)
    assert store.requests.pending() == []


async def test_a_refused_decision_without_cancel_requested_keeps_the_buttons(
    market, inbox, decider
):
    store = inbox.store
    market.add_order(22, CAMPAIGN, cancel_requested=True)
    await handle(inbox, Notification(CANCELLATION_REQUEST, CAMPAIGN, 22, now()))
    [request] = store.requests.pending()
    store.save_post(request.id, STAFF_CHAT, 700, now(), [])
    market.set_order(22, cancelRequested=None)  # PUT refused: no pending request to answer
    record = store.begin_decision(request.id, Decision.ACCEPT, Person(1, "A", None), now())
    await decider.send(record)

    assert store.decisions.last(request.id).result == "failed"
    assert store.requests.get(request.id).state == "pending"


# 5. notification times


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-30t10:00:00.5z",
        "2026-11-30T10:00:00Z",
        "2026-11-30 13:00:00+03:00",
        "2026-11-30T13:00:00.500000000+03:00",
    ],
)
def test_requested_at_is_read_as_rfc_3339(text: str) -> None:
    body = (
        '{"notificationType": "ORDER_CANCELLATION_REQUEST", "campaignId": 1,'
        f' "orderId": 2, "requestedAt": "{text}"}}'
    ).encode()
    moment = parse_notification(body).requested_at
    assert moment.astimezone(UTC).replace(microsecond=0) == datetime(2026, 11, 30, 10, tzinfo=UTC)


def test_a_leap_second_is_the_next_second() -> None:
    assert parse_market_datetime("2016-12-31T23:59:60Z") == datetime(2017, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "shift",
    [
        timedelta(days=-3650),  # before the order was created (the docs' example is 2017)
        timedelta(hours=1),  # ahead of now
        timedelta(days=60000),  # far ahead
    ],
)
async def test_an_impossible_requested_at_is_ignored_and_polling_dates_it(market, inbox, shift):
    store = inbox.store
    market.add_order(30, CAMPAIGN, cancel_requested=True)
    plan = await handle(inbox, Notification(CANCELLATION_REQUEST, CAMPAIGN, 30, now() + shift))

    assert plan.outcome is IntakeOutcome.NEW_REQUEST
    [request] = store.requests.pending()
    assert request.request_time.basis is not Basis.NOTIFICATION
    assert now() - timedelta(hours=48) <= request.request_time.at <= now()


async def test_an_impossible_requested_at_leaves_a_known_deadline_alone(market, inbox):
    store = inbox.store
    market.add_order(31, CAMPAIGN, cancel_requested=True)
    exact = now() - timedelta(hours=2)
    await handle(inbox, Notification(CANCELLATION_REQUEST, CAMPAIGN, 31, exact))

    plan = await handle(
        inbox, Notification(CANCELLATION_REQUEST, CAMPAIGN, 31, exact - timedelta(days=3650))
    )

    assert plan.outcome is IntakeOutcome.IMPLAUSIBLE_TIME
    [request] = store.requests.pending()
    assert request.request_time == from_notification(exact)
