"""Notifications are trusted by source address only (issue 18): whoever sends one, it may
only bring a deadline closer, and it costs the Market at most one lookup per order per
poll interval, never holding up a decision's PUT.

The end-to-end tests talk real HTTP to `python -m bot`; the others drive the notification
side in process over the fake Market with a real store.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.domain.journal import Kind
from bot.domain.model import Basis, NewRequest, RequestTime
from bot.intake.notification_body import CANCELLATION_REQUEST, STATUS_UPDATED, Notification
from bot.intake.notification_plan import IntakeOutcome
from bot.intake.notifications import handle
from bot.intake.sync import sync_once
from bot.market.client import MarketClient
from bot.market.errors import MarketHTTPError
from bot.market.lookup_budget import LookupBudget
from bot.market.orders import parse_business_order
from bot.ops import metrics
from storage.store import Store
from tests.builders import intervals_later
from tests.chat import ANNA, post_of, tap
from tests.conftest import BUSINESS, CAMPAIGN
from tests.harness import wait_until
from tests.test_notifications import (
    LOOPBACK,
    Endpoint,
    first_poll,
    free_port,
    request_body,
    said,
    shown,
)

H = timedelta(hours=1)
WINDOW = 48 * H


@pytest.fixture
def start_http_desk(start_desk):
    """A desk serving notifications on a free loopback port: (process, endpoint)."""
    endpoints: list[Endpoint] = []

    def start(**overrides: str) -> tuple:
        port = free_port()
        desk = start_desk(HTTP_PORT=str(port), HTTP_HOST="127.0.0.1", **overrides)
        endpoints.append(Endpoint(port))
        wait_until(endpoints[-1].reachable, 15, message="the desk's HTTP server")
        return desk, endpoints[-1]

    yield start
    for endpoint in endpoints:
        endpoint.client.close()


def requested(order_id: int, at: datetime) -> Notification:
    return Notification(CANCELLATION_REQUEST, CAMPAIGN, order_id, at)


def lookups(market) -> int:
    return len(market.calls("getBusinessOrders"))


async def poll(inbox) -> list:
    """One poll of the desk over the fake Market: the requests it stored."""
    synced = await sync_once(
        inbox.lookup.market,
        inbox.store,
        {BUSINESS: [CAMPAIGN]},
        now=lambda: datetime.now(UTC),
        poll_interval=inbox.poll_interval,
        sweep_old=False,
    )
    return synced.new


def seen_a_day_ago(store: Store, market, order_id: int, basis: Basis) -> NewRequest:
    """A request the desk first saw 24 hours ago, dated as `basis` would date it."""
    now = datetime.now(UTC).replace(microsecond=0)
    dto = market.add_order(order_id, CAMPAIGN, cancel_requested=True, created_at=now - 72 * H)
    first_seen = now - 24 * H
    at = {
        Basis.POLL: first_seen - timedelta(minutes=1),
        Basis.ESTIMATED: first_seen - 30 * H,
        Basis.NOTIFICATION: first_seen - 2 * H,
    }[basis]
    new = NewRequest(BUSINESS, parse_business_order(dto), first_seen, RequestTime(at, basis))
    store.add_request(new)
    return new


# --- a notification may only bring a deadline closer --------------------------------------


def test_a_notification_cannot_move_a_deadline_past_first_seen_plus_48h(
    market, telegram, start_http_desk, desk_env
):
    database = Path(desk_env["DATABASE_PATH"])
    store = Store(database)
    new = seen_a_day_ago(store, market, 80, Basis.POLL)
    store.close()
    deadline = new.request_time.deadline
    desk, http = start_http_desk(
        NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300", TIMEZONE="UTC"
    )
    post = post_of(telegram, 80)
    assert f"Answer by: {shown(deadline)}" in post.text

    forged = http.post(request_body(80, datetime.now(UTC)))

    assert forged.status_code == 200
    assert said(IntakeOutcome.LATER_TIME_IGNORED) in desk.log()
    assert desk.terminate() == 0
    store = Store(database)
    try:
        request = store.requests.open_for(CAMPAIGN, 80)
        assert request.request_time == new.request_time
        assert request.deadline <= new.first_seen + WINDOW
        assert Kind.DEADLINE not in [event.kind for event in store.events.of(request.id)]
    finally:
        store.close()


@pytest.mark.parametrize("basis", [Basis.POLL, Basis.ESTIMATED, Basis.NOTIFICATION])
async def test_a_later_time_never_moves_a_stored_deadline_and_an_earlier_one_does(
    market, inbox, basis
):
    new = seen_a_day_ago(inbox.store, market, 81, basis)
    now = datetime.now(UTC)

    for later in (now, new.first_seen, new.request_time.at + timedelta(seconds=1)):
        plan = await handle(inbox, requested(81, later))
        assert plan.outcome is IntakeOutcome.LATER_TIME_IGNORED
        [request] = inbox.store.requests.pending()
        assert request.request_time == new.request_time

    earlier = new.request_time.at - H
    corrected = await handle(inbox, requested(81, earlier))
    assert corrected.outcome is IntakeOutcome.DEADLINE_CORRECTED
    [request] = inbox.store.requests.pending()
    assert request.request_time == RequestTime(earlier, Basis.NOTIFICATION)
    events = [event for event in inbox.store.events.of(request.id) if event.kind is Kind.DEADLINE]
    assert len(events) == 1  # the journal tells the one correction that was made


async def test_a_notified_time_after_first_seen_is_not_the_request_time(market, inbox):
    market.add_order(82, CAMPAIGN, cancel_requested=True)
    ahead = datetime.now(UTC) + timedelta(minutes=3)  # within the clock tolerance

    assert (await handle(inbox, requested(82, ahead))).outcome is IntakeOutcome.NEW_REQUEST

    [request] = inbox.store.requests.pending()
    assert request.request_time.at <= request.first_seen
    assert request.deadline <= request.first_seen + WINDOW


async def test_a_poll_storing_the_request_during_the_lookup_keeps_its_time(market, inbox):
    now = datetime.now(UTC)
    market.add_order(
        83, CAMPAIGN, cancel_requested=True, created_at=now - 72 * H, updated_at=now - 20 * H
    )
    market.hold_next("getBusinessOrders", 1.0)
    began = time.monotonic()
    notified = asyncio.create_task(handle(inbox, requested(83, now - timedelta(minutes=1))))
    while not market.arrivals("getBusinessOrders", since=began):  # the lookup is held
        assert time.monotonic() - began < 5
        await asyncio.sleep(0.01)

    [polled] = await poll(inbox)  # the poll stores the request meanwhile
    plan = await notified

    assert plan.outcome is IntakeOutcome.LATER_TIME_IGNORED
    [request] = inbox.store.requests.pending()
    assert request.request_time == polled.request_time
    assert request.deadline <= request.first_seen + WINDOW


# --- before the Market lists the request --------------------------------------------------


@pytest.mark.parametrize("earlier_first", [True, False])
async def test_of_two_notifications_before_the_listing_the_earlier_wins(
    market, inbox, earlier_first
):
    now = datetime.now(UTC)
    market.add_order(84, CAMPAIGN)  # the Market does not list the request yet
    earlier, later = now - timedelta(minutes=9), now - timedelta(minutes=2)
    for at in (earlier, later) if earlier_first else (later, earlier):
        kept = await handle(inbox, requested(84, at))
        assert kept.outcome is IntakeOutcome.KEPT_FOR_POLL
    assert inbox.store.requests.pending() == []

    market.request_cancellation(84)
    [request] = await poll(inbox)

    assert request.request_time == RequestTime(earlier, Basis.NOTIFICATION)


async def test_a_time_for_an_order_the_market_does_not_return_is_not_kept(market, inbox):
    at = datetime.now(UTC) - 30 * H  # a forged time, for an order the Market does not show

    plan = await handle(inbox, requested(85, at))

    assert plan.outcome is IntakeOutcome.NOT_FOUND
    market.add_order(85, CAMPAIGN, cancel_requested=True)
    [request] = await poll(inbox)
    assert request.request_time.basis is not Basis.NOTIFICATION
    assert request.request_time.at > at


# --- what a flood costs the Market ------------------------------------------------------


def test_a_flood_for_one_order_costs_one_lookup_per_poll_interval(
    market, telegram, start_http_desk
):
    market.add_order(86, CAMPAIGN, cancel_requested=True)  # tracked: posted at start
    market.add_order(87, CAMPAIGN)  # not listed as awaiting a decision (yet)
    desk, http = start_http_desk(NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300")
    post_of(telegram, 86)
    first_poll(market, desk)
    before, now = lookups(market), datetime.now(UTC)
    flood = 30

    for n in range(flood):
        assert http.post(request_body(87, now - timedelta(seconds=n))).status_code == 200
        updated = {"notificationType": STATUS_UPDATED, "campaignId": CAMPAIGN, "orderId": 86}
        assert http.post(updated).status_code == 200

    assert lookups(market) - before == 2  # one for each order
    log = desk.log()  # every repeat is answered from the first look-up
    assert log.count(said(IntakeOutcome.KEPT_FOR_POLL, lately=True)) == flood - 1
    assert log.count(said(IntakeOutcome.LOOKED_UP_LATELY)) == flood - 1


async def test_notifications_over_many_orders_spend_at_most_the_hours_lookups(market, inbox):
    inbox = dataclasses.replace(inbox, budget=LookupBudget(per_hour=5))
    now = datetime.now(UTC)
    for order_id in range(100, 120):  # a flood spread over orders the Market does have
        market.add_order(order_id, CAMPAIGN)
    before = lookups(market)

    plans = [await handle(inbox, requested(order_id, now)) for order_id in range(100, 120)]

    assert lookups(market) - before == 5
    spent = [plan for plan in plans if plan.outcome is IntakeOutcome.BUDGET_SPENT]
    assert len(spent) == 15
    later = [await handle(intervals_later(inbox, 61), requested(120 + n, now)) for n in range(3)]
    # an hour on, they may look again
    assert IntakeOutcome.BUDGET_SPENT not in {plan.outcome for plan in later}


def test_lookups_never_delay_a_decisions_put(market, telegram, start_http_desk):
    market.add_order(88, CAMPAIGN, cancel_requested=True)
    desk, http = start_http_desk(
        NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK, POLL_INTERVAL="300", CONFIRM_DECISIONS="false"
    )
    post = post_of(telegram, 88)
    first_poll(market, desk)
    slow, new_orders = 2.0, (89, 90)
    for order_id in new_orders:
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
        market.hold_next("getBusinessOrders", slow)
    began = time.monotonic()
    senders = [
        threading.Thread(target=http.post, args=(request_body(order_id, datetime.now(UTC)),))
        for order_id in new_orders
    ]
    for sender in senders:
        sender.start()
    market.wait_until(lambda: market.arrivals("getBusinessOrders", since=began), 5)

    tap(telegram, post, ANNA, "Accept")
    [put] = market.wait_until(lambda: market.arrivals("acceptOrderCancellation"), 2 * slow)

    [first_lookup, *_] = market.arrivals("getBusinessOrders", since=began)
    assert put.arrived_at < first_lookup.arrived_at + slow  # it went while lookups were slow
    for sender in senders:
        sender.join(3 * slow)
    for order_id in new_orders:
        post_of(telegram, order_id)  # and the notifications were handled all the same


# --- metric labels ----------------------------------------------------------------------


async def test_a_market_status_outside_the_known_set_is_counted_as_other():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(999, text="a proxy's odd answer")

    market = MarketClient("https://market.test", "key", transport=httpx.MockTransport(answer))
    try:
        with pytest.raises(MarketHTTPError):
            await market.get_campaign(5)
    finally:
        await market.close()

    text = metrics.exposition().decode()
    assert 'desk_market_calls_total{operation="getCampaign",status="other"}' in text
    assert 'status="999"' not in text
