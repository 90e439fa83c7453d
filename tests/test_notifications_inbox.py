"""Market notifications in process: what each one changes for staff, branch by branch.

The Market fake answers the lookups; storage is real. End-to-end runs over a real socket
are in test_notifications.py, the HTTP answers in test_http_app.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.deadlines import from_notification
from bot.domain.model import Basis, Decision, DecisionResult, Person, RequestTime
from bot.intake.notification_body import CANCELLATION_REQUEST, Notification
from bot.intake.notification_plan import IntakeOutcome
from bot.intake.notifications import handle
from tests.builders import intervals_later
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT


def market_lookups(market) -> int:
    return len(market.calls("getBusinessOrders"))


def requested(order_id: int, at: datetime) -> Notification:
    return Notification(CANCELLATION_REQUEST, CAMPAIGN, order_id, at)


async def test_an_order_30_to_60_days_old_is_found_and_one_not_awaiting_is_not_stored(
    market, inbox
):
    now = datetime.now(UTC)
    market.add_order(60, CAMPAIGN, cancel_requested=True, created_at=now - timedelta(days=45))
    market.add_order(61, CAMPAIGN, status="DELIVERED", substatus="DELIVERY_SERVICE_DELIVERED")

    assert (await handle(inbox, requested(60, now))).outcome is IntakeOutcome.NEW_REQUEST
    assert (await handle(inbox, requested(61, now))).outcome is IntakeOutcome.NOT_AWAITING

    [request] = inbox.store.requests.pending()
    assert request.order_id == 60 and request.business_id == BUSINESS
    assert request.request_time == from_notification(now)


async def test_an_exact_time_is_only_ever_made_earlier(market, inbox):
    now = datetime.now(UTC)
    market.add_order(62, CAMPAIGN, cancel_requested=True)
    await handle(inbox, requested(62, now - timedelta(hours=1)))

    later = await handle(inbox, requested(62, now))
    assert later.outcome is IntakeOutcome.LATER_TIME_IGNORED
    earlier = await handle(inbox, requested(62, now - timedelta(hours=2)))
    assert earlier.outcome is IntakeOutcome.DEADLINE_CORRECTED
    [request] = inbox.store.requests.pending()
    assert request.request_time == RequestTime(now - timedelta(hours=2), Basis.NOTIFICATION)


async def test_a_new_request_after_a_decision_here_is_posted_again(market, inbox):
    store, now = inbox.store, datetime.now(UTC)
    market.add_order(63, CAMPAIGN, cancel_requested=True)
    await handle(inbox, requested(63, now - timedelta(hours=3)))
    [first] = store.requests.pending()
    store.save_post(first.id, STAFF_CHAT, 500, now, [])
    record = store.begin_decision(first.id, Decision.REJECT_IN_DELIVERY, Person(1, "A", None), now)
    store.finish_decision(record.id, DecisionResult.OK, now - timedelta(hours=1))
    store.posts.mark_clean(first.id, store.requests.get(first.id).post)

    # the Market repeats the old request: it was decided here, nothing changes
    repeated = await handle(inbox, requested(63, now - timedelta(hours=3)))
    assert repeated.outcome is IntakeOutcome.ALREADY_DECIDED
    # the buyer asks again after the rejection: a new request, the old one closes unseen
    again = await handle(intervals_later(inbox), requested(63, now))
    assert again.outcome is IntakeOutcome.NEW_REQUEST

    old = store.requests.get(first.id)
    assert old.state == "closed" and old.post.dirty == 0
    [second] = store.requests.pending()
    assert second.id != first.id and second.request_time == from_notification(now)


async def test_status_updates_refresh_a_pending_post_and_close_a_decided_one(market, inbox):
    store, now = inbox.store, datetime.now(UTC)
    market.add_order(64, CAMPAIGN, cancel_requested=True)
    market.add_order(65, CAMPAIGN, cancel_requested=True)
    for order_id in (64, 65):
        await handle(inbox, requested(order_id, now))
    pending, decided = store.requests.pending()
    for request in (pending, decided):
        store.save_post(request.id, STAFF_CHAT, 600 + request.order_id, now, [])
    record = store.begin_decision(decided.id, Decision.ACCEPT, Person(1, "A", None), now)
    store.finish_decision(record.id, DecisionResult.OK, now)
    store.posts.mark_clean(decided.id, store.requests.get(decided.id).post)
    updated = Notification("ORDER_STATUS_UPDATED", CAMPAIGN, 64)

    # one look-up per order per poll interval: each check comes an interval after the last
    assert (await handle(inbox, updated)).outcome is IntakeOutcome.LOOKED_UP_LATELY
    unchanged = await handle(intervals_later(inbox, 1), updated)
    assert unchanged.outcome is IntakeOutcome.NOTHING_TO_SHOW
    market.set_order(64, status="PICKUP", substatus="PICKUP_SERVICE_RECEIVED")
    moved = await handle(intervals_later(inbox, 2), updated)
    assert moved.outcome is IntakeOutcome.POST_UPDATED
    refreshed = store.requests.get(pending.id)
    assert refreshed.order.status == "PICKUP" and refreshed.post.dirty == 1
    assert refreshed.state == "pending"

    market.set_order(65, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)
    plan = await handle(intervals_later(inbox, 2), Notification("ORDER_CANCELLED", CAMPAIGN, 65))
    assert plan.outcome is IntakeOutcome.CLOSED_AFTER_DECISION
    closed = store.requests.get(decided.id)
    assert closed.state == "closed" and closed.post.dirty == 0
    assert closed.closed_status == "CANCELLED/USER_CHANGED_MIND"


async def test_a_decision_in_flight_is_left_alone(market, inbox):
    store, now = inbox.store, datetime.now(UTC)
    market.add_order(66, CAMPAIGN, cancel_requested=True)
    await handle(inbox, requested(66, now))
    [request] = store.requests.pending()
    store.begin_decision(request.id, Decision.ACCEPT, Person(1, "A", None), now)
    market.set_order(66, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)
    lookups = market_lookups(market)

    plan = await handle(inbox, Notification("ORDER_CANCELLED", CAMPAIGN, 66))

    assert plan.outcome is IntakeOutcome.DECISION_IN_FLIGHT
    assert store.requests.get(request.id).state == "pending"
    assert market_lookups(market) == lookups


async def test_a_notification_ahead_of_the_listing_gives_the_poll_its_exact_time(market, inbox):
    from bot.intake.sync import sync_once

    at = datetime.now(UTC) - timedelta(minutes=3)
    market.add_order(70, CAMPAIGN)  # the Market has not flagged the request yet

    plan = await handle(inbox, requested(70, at))
    assert plan.outcome is IntakeOutcome.KEPT_FOR_POLL
    assert inbox.store.requests.pending() == []

    market.request_cancellation(70)
    synced = await sync_once(
        inbox.lookup.market,
        inbox.store,
        {BUSINESS: [CAMPAIGN]},
        now=lambda: datetime.now(UTC),
        poll_interval=timedelta(seconds=60),
        sweep_old=False,
    )
    [request] = synced.new
    assert request.request_time == from_notification(at)
    assert inbox.store.notified.time_for(CAMPAIGN, 70) is None  # used once


async def test_a_notification_for_an_order_whose_row_is_damaged_changes_nothing(market, inbox):
    """It answered 500 (the Market retries for an hour); the poll tells staff about it."""
    now = datetime.now(UTC)
    market.add_order(7, CAMPAIGN, cancel_requested=True)
    notified = Notification(CANCELLATION_REQUEST, CAMPAIGN, 7, now - timedelta(minutes=5))
    assert (await handle(inbox, notified)).outcome is IntakeOutcome.NEW_REQUEST
    inbox.store.db.execute("UPDATE requests SET order_json = '{not json' WHERE order_id = 7")

    again = Notification(CANCELLATION_REQUEST, CAMPAIGN, 7, now - timedelta(minutes=9))
    plan = await handle(intervals_later(inbox), again)  # a new poll interval: looked up again
    assert plan.outcome is IntakeOutcome.DAMAGED_ROW
    assert inbox.store.requests.count() == 1 and not inbox.store.requests.pending()
