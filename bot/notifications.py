"""Market API notifications (MARKET_API.md §6): what each one changes for staff.

A notification is a trigger, not a source of truth: the order is fetched from the Market
before anything staff see changes. The one fact only a notification carries is
`requestedAt`, the exact time of a cancellation request, which makes the deadline exact.
Notifications are trusted by source address only, so whoever sent one, its time may only
bring a deadline closer (`Request.brought_closer_by`), and what its look-ups cost the
Market is bounded (`LookupBudget`).

Everything here finishes before the HTTP answer: storage is written, then the publisher
is woken and posts from its outbox, so a slow Telegram never delays the answer. A Market
failure raises (`MarketError`) and writes nothing, so the endpoint answers 500 and the
Market sends the notification again.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.deadlines import from_notification
from bot.lookup import OrderLookup
from bot.lookup_budget import Admission, LookupBudget
from bot.model import (
    DECIDABLE_STATUSES,
    DECISION_WINDOW,
    Change,
    Effect,
    NewRequest,
    Order,
    Request,
    RequestState,
    RequestTime,
    moscow_today,
)
from bot.notification_body import CANCELLATION_REQUEST, ORDER_TYPES, Notification
from bot.reconcile import Listing, reconcile
from bot.shops import Shops
from bot.signals import Wakeup
from bot.sync import polled_request_time
from bot.windows import Windows
from storage.store import Store

log = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks differ; beyond this a time is not believed
HANDLING_BUDGET = 8.0  # seconds for the Market lookups; the Market waits 10 for an answer

LATELY = "looked up within the poll interval"  # a repeat: answered without the Market
SPENT = "not looked up: this hour's look-ups for notifications are spent; left to the poll"


@dataclass(frozen=True)
class Inbox:
    """What handling a notification uses: the store, Market lookups, and the publisher's bell."""

    store: Store
    lookup: OrderLookup
    shops: Shops
    campaign_ids: tuple[int, ...]
    poll_interval: timedelta
    clock: Callable[[], datetime]
    wakeup: Wakeup
    decision_window: timedelta = DECISION_WINDOW
    budget: LookupBudget = dataclasses.field(default_factory=LookupBudget)


async def handle(inbox: Inbox, notification: Notification) -> str:
    """Act on an order notification; returns what happened, for the log line.

    Raises `MarketError` when the Market could not be asked (nothing is written then).
    """
    if notification.type not in ORDER_TYPES:
        return "ignored (type not handled)"
    assert notification.campaign_id is not None and notification.order_id is not None
    if notification.campaign_id not in inbox.campaign_ids:
        return "ignored (campaign not configured)"
    if notification.type == CANCELLATION_REQUEST:
        assert notification.requested_at is not None
        exact = from_notification(notification.requested_at, inbox.decision_window)
        return await _cancellation_requested(
            inbox, notification.campaign_id, notification.order_id, exact
        )
    return await _order_changed(inbox, notification.campaign_id, notification.order_id)


# ORDER_CANCELLATION_REQUEST


async def _cancellation_requested(
    inbox: Inbox, campaign_id: int, order_id: int, exact: RequestTime | None
) -> str:
    """A buyer asked to cancel; `exact` is None when the Market's time cannot be right."""
    known = inbox.store.requests.open_for(campaign_id, order_id)
    if known is not None:
        exact = _plausible(inbox, order_id, exact, known.order)
        if known.pending:
            return _correct(inbox, known, exact)
        if not _after_decision(inbox, known, exact):
            return "ignored (already decided here)"

    key = (campaign_id, order_id)
    admission = inbox.budget.admit(key, inbox.clock(), inbox.poll_interval)
    if admission is Admission.RECENT:
        return _looked_up_lately(inbox, inbox.budget.last_found(key), exact)
    if admission is Admission.SPENT:
        return SPENT
    with inbox.budget.looking_up(key):
        business_id = await inbox.shops.business_of(campaign_id)
        order = await inbox.lookup.find(business_id, campaign_id, order_id)
    inbox.budget.found(key, order)
    exact = _plausible(inbox, order_id, exact, order)
    if order is None:
        return "the Market does not return the order: nothing kept, left to the poll"
    if order.status in DECIDABLE_STATUSES and not order.awaits_decision:
        return _keep_for_the_poll(inbox, order, exact)
    if not order.awaits_decision:
        return f"ignored (the order no longer awaits a decision: {order.status_code})"
    return _open(inbox, business_id, order, exact)


def _looked_up_lately(inbox: Inbox, order: Order | None, exact: RequestTime | None) -> str:
    """A repeat within the poll interval costs no look-up: the last one's answer serves to
    keep the earliest time, never to open a request (the order may have moved since)."""
    if order is None or order.status not in DECIDABLE_STATUSES or order.awaits_decision:
        return f"{LATELY}; left to the poll"
    exact = _plausible(inbox, order.order_id, exact, order)
    return f"{LATELY}: {_keep_for_the_poll(inbox, order, exact)}"


def _keep_for_the_poll(inbox: Inbox, order: Order, exact: RequestTime | None) -> str:
    """The Market may not list the request yet: the poll that finds it uses the earliest
    time notified."""
    if exact is None:
        return "not listed as awaiting a decision yet; left to the poll that finds it"
    inbox.store.remember_notified(order.campaign_id, order.order_id, exact.at)
    return "not listed as awaiting a decision yet; earliest time kept for the poll that finds it"


def _open(inbox: Inbox, business_id: int, order: Order, exact: RequestTime | None) -> str:
    """Store the request the Market lists, unless the poller stored it meanwhile."""
    store, key = inbox.store, (order.campaign_id, order.order_id)
    known = store.requests.open_for(*key)
    if known is not None and known.pending:
        return _correct(inbox, known, exact)
    if known is not None:
        if not _after_decision(inbox, known, exact):
            return "ignored (already decided here)"
        _close_quietly(inbox, known, order)  # decided here before this new request was made
    now = inbox.clock()
    windows = Windows.for_day(moscow_today(now))
    exact = _earliest(exact, store.notified.time_for(*key, inbox.decision_window))
    request_time = (
        exact.no_later_than(now)  # the Market listed it: it was made by now
        if exact is not None
        else polled_request_time(
            store, order, now, windows, inbox.poll_interval, inbox.decision_window
        )
    )
    try:
        store.add_request(NewRequest(business_id, order, first_seen=now, request_time=request_time))
    except sqlite3.IntegrityError:  # stored by a poll between the check and the insert
        known = store.requests.open_for(*key)
        if known is None:
            raise
        return _correct(inbox, known, exact)
    inbox.wakeup.ring()
    deadline = request_time.deadline.isoformat(timespec="seconds")
    return f"new request, deadline {deadline} ({request_time.basis.value})"


def _earliest(*times: RequestTime | None) -> RequestTime | None:
    """Of the times notified for one request, the earliest: each may only bring it closer."""
    return min((t for t in times if t is not None), key=lambda t: t.at, default=None)


def _plausible(
    inbox: Inbox, order_id: int, exact: RequestTime | None, order: Order | None
) -> RequestTime | None:
    """The notified time, unless it cannot be right: more than FUTURE_TOLERANCE ahead of
    our clock, or before the order was created. Then the request is dated by polling."""
    if exact is None:
        return None
    created = order.created_at if order else None
    if exact.at > inbox.clock() + FUTURE_TOLERANCE:
        why = "is in the future"
    elif created is not None and exact.at < created:
        why = f"is before the order was created ({created.isoformat()})"
    else:
        return exact
    log.warning(
        "Order %s: requestedAt %s %s; the request is dated by polling",
        order_id,
        exact.at.isoformat(),
        why,
    )
    return None


def _correct(inbox: Inbox, request: Request, exact: RequestTime | None) -> str:
    """A request already stored: a notification may only bring its deadline closer."""
    current = request.request_time
    if exact is None:
        return "ignored (implausible requestedAt), deadline kept"
    if current == exact:
        return "duplicate, nothing changed"
    if not inbox.store.correct_request_time(request.id, exact, inbox.clock()):
        return "ignored (not earlier than the desk's time or first seen), deadline kept"
    inbox.wakeup.ring()
    return (
        f"deadline corrected from {current.deadline.isoformat(timespec='seconds')}"
        f" ({current.basis.value}) to {exact.deadline.isoformat(timespec='seconds')}"
    )


def _after_decision(inbox: Inbox, request: Request, exact: RequestTime | None) -> bool:
    """Whether a request for an order decided here came after that decision (a new one)."""
    decision = inbox.store.decisions.last(request.id)
    if exact is None or decision is None or not decision.taken:
        return False
    return exact.at > (decision.finished_at or decision.started_at)


def _close_quietly(inbox: Inbox, request: Request, order: Order) -> None:
    """Close a decided request without editing its post: it already shows the outcome."""
    inbox.store.apply(request, Change(Effect.CLOSE, order), inbox.clock())


# ORDER_CANCELLED, ORDER_STATUS_UPDATED


async def _order_changed(inbox: Inbox, campaign_id: int, order_id: int) -> str:
    """Re-check a tracked order at once, as the next poll would."""
    store = inbox.store
    request = store.requests.open_for(campaign_id, order_id)
    if request is None:
        return "ignored (no open request for the order)"
    if store.decisions.in_flight(request.id):
        return "left to the decision being sent"
    admission = inbox.budget.admit(request.key, inbox.clock(), inbox.poll_interval)
    if admission is Admission.RECENT:
        return f"{LATELY}; left to the next poll"
    if admission is Admission.SPENT:
        return SPENT
    with inbox.budget.looking_up(request.key):
        order = await inbox.lookup.current(request)
    inbox.budget.found(request.key, order)

    request = store.requests.get(request.id)  # re-read: it may have moved during the lookup
    if request is None or request.state is RequestState.CLOSED:
        return "already closed"
    if store.decisions.in_flight(request.id):
        return "left to the decision being sent"
    if order is None:
        return "order not found at the Market; left to the next poll"
    change = reconcile(request, order, Listing.UNKNOWN)
    store.apply(request, change, inbox.clock())
    if change.show:
        inbox.wakeup.ring()
    if change.closes:
        here = "without a decision here" if request.pending else "after the decision here"
        return f"closed {here} ({order.status_code})"
    if change.show:
        return f"still awaits a decision, post updated ({order.status_code})"
    return "still awaits a decision, nothing to show"
