"""Market API notifications (MARKET_API.md §6): what each one changes for staff.

A notification is a trigger, not a source of truth: the order is fetched from the Market
before anything staff see changes. The one fact only a notification carries is
`requestedAt`, the exact time of a cancellation request, which makes the deadline exact.
Notifications are trusted by source address only, so whoever sent one, its time may only
bring a deadline closer (`Request.brought_closer_by`), and what its look-ups cost the
Market is bounded (`LookupBudget`).

Each notification is read (the store, then the Market when needed), planned by
`bot.intake.notification_plan` (pure; its outcome an `IntakeOutcome`) and applied to the store.
Everything here finishes before the HTTP answer: storage is written, then the publisher
is woken and posts from its outbox, so a slow Telegram never delays the answer. A Market
failure raises (`MarketError`) and writes nothing, so the endpoint answers 500 and the
Market sends the notification again.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.deadlines import from_notification
from bot.domain.model import DECISION_WINDOW, Order, RequestTime
from bot.intake.notification_body import CANCELLATION_REQUEST, ORDER_TYPES, Notification
from bot.intake.notification_plan import (
    IntakeOutcome,
    Known,
    NotificationPlan,
    plan_change,
    plan_correction,
    plan_found,
    plan_known,
    plan_lately,
    plan_tracked,
)
from bot.intake.plan import Key, Memory
from bot.market.lookup import OrderLookup
from bot.market.lookup_budget import Admission, LookupBudget
from bot.market.shops import Shops
from bot.signals import Wakeup
from storage.store import Store

log = logging.getLogger(__name__)

HANDLING_BUDGET = 8.0  # seconds for the Market lookups; the Market waits 10 for an answer


@dataclass(frozen=True)
class Inbox:
    """What handling a notification uses: the store, Market lookups, and the publisher's bell."""

    store: Store
    lookup: OrderLookup
    shops: Shops
    campaign_ids: Collection[int]  # live: a cabinet's discovered campaigns come later
    poll_interval: timedelta
    clock: Callable[[], datetime]
    wakeup: Wakeup
    decision_window: timedelta = DECISION_WINDOW
    budget: LookupBudget = dataclasses.field(default_factory=LookupBudget)


class Inboxes:
    """Every cabinet's inbox: notifications of all businesses come to one endpoint and
    go to the cabinet that names their campaign."""

    def __init__(self, inboxes: Iterable[Inbox] = ()) -> None:
        self.all = list(inboxes)

    def of(self, campaign_id: int | None) -> Inbox | None:
        return next((inbox for inbox in self.all if campaign_id in inbox.campaign_ids), None)

    async def handle(self, notification: Notification) -> NotificationPlan:
        """As `handle`, in the inbox of the notification's cabinet; none: not configured."""
        inbox = self.of(notification.campaign_id)
        if inbox is None and notification.type in ORDER_TYPES:
            return NotificationPlan(IntakeOutcome.CAMPAIGN_NOT_CONFIGURED)
        return await handle(inbox or self.all[0], notification)


async def handle(inbox: Inbox, notification: Notification) -> NotificationPlan:
    """Act on an order notification; returns what it came to, for the log line.

    Raises `MarketError` when the Market could not be asked (nothing is written then).
    """
    if notification.type not in ORDER_TYPES:
        return NotificationPlan(IntakeOutcome.TYPE_NOT_HANDLED)
    assert notification.campaign_id is not None and notification.order_id is not None
    if notification.campaign_id not in inbox.campaign_ids:
        return NotificationPlan(IntakeOutcome.CAMPAIGN_NOT_CONFIGURED)
    key = (notification.campaign_id, notification.order_id)
    if notification.type == CANCELLATION_REQUEST:
        assert notification.requested_at is not None
        exact = from_notification(notification.requested_at, inbox.decision_window)
        plan = await _cancellation_requested(inbox, key, exact)
    else:
        plan = await _order_changed(inbox, key)
    if plan.doubt is not None:
        log.warning(
            "Order %s: requestedAt %s %s; the request is dated by polling",
            key[1],
            plan.doubt.at.isoformat(),
            plan.doubt.why,
        )
    return plan


async def _cancellation_requested(inbox: Inbox, key: Key, exact: RequestTime) -> NotificationPlan:
    """A buyer asked to cancel: judged by what the desk holds, else by asking the Market."""
    plan = plan_known(_known(inbox, key), exact, inbox.clock())
    if plan is not None:
        return _apply(inbox, plan)
    admission = inbox.budget.admit(key, inbox.clock(), inbox.poll_interval)
    if admission is Admission.RECENT:
        return _apply(inbox, plan_lately(inbox.budget.last_found(key), exact, inbox.clock()))
    if admission is Admission.SPENT:
        return NotificationPlan(IntakeOutcome.BUDGET_SPENT)
    with inbox.budget.looking_up(key):
        business_id = await inbox.shops.business_of(key[0])
        order = await inbox.lookup.find(business_id, *key)
    inbox.budget.found(key, order)
    now = inbox.clock()
    known = _known(inbox, key, _remembered(inbox, order, now))
    plan = plan_found(
        business_id,
        order,
        exact,
        known,
        now,
        poll_interval=inbox.poll_interval,
        window=inbox.decision_window,
    )
    return _apply(inbox, plan)


async def _order_changed(inbox: Inbox, key: Key) -> NotificationPlan:
    """ORDER_CANCELLED, ORDER_STATUS_UPDATED: re-check a tracked order at once."""
    store = inbox.store
    request = store.requests.open_for(*key)
    in_flight = request is not None and store.decisions.in_flight(request.id)
    plan = plan_tracked(request, in_flight)
    if plan is not None:
        return plan
    assert request is not None
    admission = inbox.budget.admit(key, inbox.clock(), inbox.poll_interval)
    if admission is Admission.RECENT:
        return NotificationPlan(IntakeOutcome.LOOKED_UP_LATELY, request, lately=True)
    if admission is Admission.SPENT:
        return NotificationPlan(IntakeOutcome.BUDGET_SPENT, request)
    with inbox.budget.looking_up(key):
        order = await inbox.lookup.current(request)
    inbox.budget.found(key, order)
    current = store.requests.get(request.id)  # it may have moved during the lookup
    in_flight = current is not None and store.decisions.in_flight(current.id)
    return _apply(inbox, plan_change(current, in_flight, order))


def _known(inbox: Inbox, key: Key, memory: Memory | None = None) -> Known:
    """What the desk holds for the order: its open request and that request's last decision."""
    request = inbox.store.requests.open_for(*key)
    decision = inbox.store.decisions.last(request.id) if request is not None else None
    return Known(request, decision, memory or Memory())


def _remembered(inbox: Inbox, order: Order | None, now: datetime) -> Memory:
    """What the desk remembers of an order the Market has just shown, to date a new request."""
    if order is None:
        return Memory()
    return Memory(
        inbox.store.notified.time_for(order.campaign_id, order.order_id, inbox.decision_window),
        inbox.store.polls.last_covering(order.created_on, before=now),
    )


def _apply(inbox: Inbox, plan: NotificationPlan) -> NotificationPlan:
    """Write what the plan says; returns what it came to (a poll may have got there first)."""
    store, now = inbox.store, inbox.clock()
    if plan.outcome is IntakeOutcome.DEADLINE_CORRECTED:
        assert plan.request is not None and plan.exact is not None
        if not store.correct_request_time(plan.request.id, plan.exact, now):
            return dataclasses.replace(plan, outcome=IntakeOutcome.LATER_TIME_IGNORED)
        inbox.wakeup.ring()
    elif plan.outcome is IntakeOutcome.KEPT_FOR_POLL:
        assert plan.order is not None and plan.exact is not None
        store.remember_notified(plan.order.campaign_id, plan.order.order_id, plan.exact.at)
    if plan.change is not None:
        assert plan.request is not None
        store.apply(plan.request, plan.change, now)
        if plan.change.show:
            inbox.wakeup.ring()
    if plan.new is not None:
        return _take_in(inbox, plan)
    return plan


def _take_in(inbox: Inbox, plan: NotificationPlan) -> NotificationPlan:
    """Store the new request, unless a poll stored it between the check and the insert."""
    assert plan.new is not None
    key = (plan.new.order.campaign_id, plan.new.order.order_id)
    try:
        inbox.store.add_request(plan.new)
    except sqlite3.IntegrityError:
        stored = inbox.store.requests.open_for(*key)
        if stored is not None:
            return _apply(inbox, plan_correction(stored, plan.exact, plan.doubt))
        if key in inbox.store.requests.open_keys():  # a row damaged outside the desk holds it
            return dataclasses.replace(plan, outcome=IntakeOutcome.DAMAGED_ROW, new=None)
        raise
    inbox.wakeup.ring()
    return plan
