"""What a Market notification comes to (pure): its outcome, and the writes that make it so.

`bot.intake.notifications` reads what the Market and the desk know of the order, asks here for a
plan, and has the store apply it. A notification is trusted by its source address only, so
its time may only bring a deadline closer (`Request.brought_closer_by`), never lies after
the moment the Market was seen listing the request (`RequestTime.no_later_than`), and
never opens a request the Market does not list.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.domain.model import (
    DECIDABLE_STATUSES,
    DECISION_WINDOW,
    Change,
    DecisionRecord,
    Effect,
    NewRequest,
    Order,
    Request,
    RequestState,
    RequestTime,
)
from bot.domain.reconcile import Listing, reconcile
from bot.intake.plan import Memory, request_time

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks differ; beyond this a time is not believed


class IntakeOutcome(Enum):
    """What a notification came to: one log line each, and what tests assert on."""

    # any order notification
    TYPE_NOT_HANDLED = "type_not_handled"
    CAMPAIGN_NOT_CONFIGURED = "campaign_not_configured"
    LOOKED_UP_LATELY = "looked_up_lately"  # a repeat within the poll interval: left to the poll
    BUDGET_SPENT = "budget_spent"  # this hour's look-ups are spent: left to the poll
    NOT_FOUND = "not_found"  # the Market does not return the order
    # ORDER_CANCELLATION_REQUEST
    NEW_REQUEST = "new_request"
    DEADLINE_CORRECTED = "deadline_corrected"
    DUPLICATE = "duplicate"
    LATER_TIME_IGNORED = "later_time_ignored"  # not earlier than the desk's time or first seen
    IMPLAUSIBLE_TIME = "implausible_time"  # a stored request's time kept
    ALREADY_DECIDED = "already_decided"
    KEPT_FOR_POLL = "kept_for_poll"  # not listed yet: its earliest time kept for the poll
    LEFT_TO_POLL = "left_to_poll"  # not listed yet, and no time to keep
    NOT_AWAITING = "not_awaiting"
    DAMAGED_ROW = "damaged_row"  # the order's open row cannot be read: staff were told
    # ORDER_CANCELLED, ORDER_STATUS_UPDATED
    NOT_TRACKED = "not_tracked"
    DECISION_IN_FLIGHT = "decision_in_flight"
    ALREADY_CLOSED = "already_closed"  # closed while the Market was asked
    CLOSED = "closed"  # without a decision here
    CLOSED_AFTER_DECISION = "closed_after_decision"
    POST_UPDATED = "post_updated"
    NOTHING_TO_SHOW = "nothing_to_show"


LATELY = "looked up within the poll interval"

_SAID = {
    IntakeOutcome.TYPE_NOT_HANDLED: "ignored (type not handled)",
    IntakeOutcome.CAMPAIGN_NOT_CONFIGURED: "ignored (campaign not configured)",
    IntakeOutcome.LOOKED_UP_LATELY: f"{LATELY}; left to the next poll",
    IntakeOutcome.BUDGET_SPENT: (
        "not looked up: this hour's look-ups for notifications are spent; left to the poll"
    ),
    IntakeOutcome.NOT_FOUND: (
        "the Market does not return the order: nothing kept, left to the next poll"
    ),
    IntakeOutcome.NEW_REQUEST: "new request, deadline {deadline} ({basis})",
    IntakeOutcome.DEADLINE_CORRECTED: (
        "deadline corrected from {old_deadline} ({old_basis}) to {deadline}"
    ),
    IntakeOutcome.DUPLICATE: "duplicate, nothing changed",
    IntakeOutcome.DAMAGED_ROW: (
        "ignored: the order's stored request cannot be read (staff are told to answer it in "
        "the seller cabinet)"
    ),
    IntakeOutcome.LATER_TIME_IGNORED: (
        "ignored (not earlier than the desk's time or first seen), deadline kept"
    ),
    IntakeOutcome.IMPLAUSIBLE_TIME: "ignored (implausible requestedAt), deadline kept",
    IntakeOutcome.ALREADY_DECIDED: "ignored (already decided here)",
    IntakeOutcome.KEPT_FOR_POLL: (
        "not listed as awaiting a decision yet; earliest time kept for the poll that finds it"
    ),
    IntakeOutcome.LEFT_TO_POLL: (
        "not listed as awaiting a decision yet; left to the poll that finds it"
    ),
    IntakeOutcome.NOT_AWAITING: "ignored (the order no longer awaits a decision: {status})",
    IntakeOutcome.NOT_TRACKED: "ignored (no open request for the order)",
    IntakeOutcome.DECISION_IN_FLIGHT: "left to the decision being sent",
    IntakeOutcome.ALREADY_CLOSED: "already closed",
    IntakeOutcome.CLOSED: "closed without a decision here ({status})",
    IntakeOutcome.CLOSED_AFTER_DECISION: "closed after the decision here ({status})",
    IntakeOutcome.POST_UPDATED: "still awaits a decision, post updated ({status})",
    IntakeOutcome.NOTHING_TO_SHOW: "still awaits a decision, nothing to show",
}


@dataclass(frozen=True)
class Doubt:
    """A notified time not believed: the request is dated as polling would date it."""

    at: datetime
    why: str  # for the log


@dataclass(frozen=True)
class Known:
    """What the desk holds for the order a notification names."""

    request: Request | None = None  # its open request
    decision: DecisionRecord | None = None  # the last decision on that request
    memory: Memory = dataclasses.field(default_factory=Memory)  # once the Market showed it


@dataclass(frozen=True)
class NotificationPlan:
    """What a notification comes to; the writes follow from it.

    DEADLINE_CORRECTED moves `request` to `exact`, KEPT_FOR_POLL remembers `exact` for
    `order`, `change` is applied to `request` and `new` stored after it (a request decided
    here is closed quietly before the new one is made).
    """

    outcome: IntakeOutcome
    request: Request | None = None  # the stored request it concerns
    order: Order | None = None  # as the Market showed it
    exact: RequestTime | None = None  # the notified time believed, the earliest known
    change: Change | None = None
    new: NewRequest | None = None
    lately: bool = False  # judged by the look-up of this poll interval, not a new one
    doubt: Doubt | None = None

    def describe(self) -> str:
        """The log line's account of what was done."""
        text = _SAID[self.outcome].format(**self._facts())
        if self.lately and self.outcome is not IntakeOutcome.LOOKED_UP_LATELY:
            return f"{LATELY}: {text}"
        return text

    def _facts(self) -> dict[str, str]:
        facts: dict[str, str] = {}
        shown = self.new.request_time if self.new is not None else self.exact
        if shown is not None:
            facts.update(deadline=_moment(shown.deadline), basis=shown.basis.value)
        if self.request is not None:
            old = self.request.request_time
            facts.update(old_deadline=_moment(old.deadline), old_basis=old.basis.value)
        if self.order is not None:
            facts.update(status=self.order.status_code)
        return facts


def _moment(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def believe(
    exact: RequestTime | None, order: Order | None, now: datetime
) -> tuple[RequestTime | None, Doubt | None]:
    """The notified time, unless it cannot be right: more than FUTURE_TOLERANCE ahead of
    `now`, or before the order was created."""
    if exact is None:
        return None, None
    created = order.created_at if order is not None else None
    if exact.at > now + FUTURE_TOLERANCE:
        why = "is in the future"
    elif created is not None and exact.at < created:
        why = f"is before the order was created ({created.isoformat()})"
    else:
        return exact, None
    return None, Doubt(exact.at, why)


# ORDER_CANCELLATION_REQUEST


def plan_known(known: Known, exact: RequestTime | None, now: datetime) -> NotificationPlan | None:
    """A request for an order the desk may hold, judged without the Market.

    None when the Market must be asked: no open request, or the buyer asked again after
    a decision taken here (a new request).
    """
    request = known.request
    if request is None:
        return None
    exact, doubt = believe(exact, request.order, now)
    if request.pending:
        return plan_correction(request, exact, doubt)
    if not _after_decision(known.decision, exact):
        return NotificationPlan(IntakeOutcome.ALREADY_DECIDED, request, doubt=doubt)
    return None


def plan_correction(
    request: Request, exact: RequestTime | None, doubt: Doubt | None = None
) -> NotificationPlan:
    """A request already stored: a notification may only bring its deadline closer."""
    if exact is None:
        outcome = IntakeOutcome.IMPLAUSIBLE_TIME
    elif exact == request.request_time:
        outcome = IntakeOutcome.DUPLICATE
    elif not request.brought_closer_by(exact):
        outcome = IntakeOutcome.LATER_TIME_IGNORED
    else:
        outcome = IntakeOutcome.DEADLINE_CORRECTED
    return NotificationPlan(outcome, request, exact=exact, doubt=doubt)


def plan_lately(order: Order | None, exact: RequestTime | None, now: datetime) -> NotificationPlan:
    """A repeat within the poll interval costs no look-up: the last one's answer serves to
    keep the earliest time, never to open a request (the order may have moved since)."""
    if order is None or not _awaits_listing(order):
        return NotificationPlan(IntakeOutcome.LOOKED_UP_LATELY, lately=True)
    exact, doubt = believe(exact, order, now)
    return dataclasses.replace(_keep_for_the_poll(order, exact, doubt), lately=True)


def plan_found(
    business_id: int,
    order: Order | None,
    exact: RequestTime | None,
    known: Known,
    now: datetime,
    *,
    poll_interval: timedelta,
    window: timedelta = DECISION_WINDOW,
) -> NotificationPlan:
    """After the Market was asked: open the request it lists, unless a poll stored it
    meanwhile; `known` is read after the look-up."""
    exact, doubt = believe(exact, order, now)
    if order is None:
        return NotificationPlan(IntakeOutcome.NOT_FOUND, doubt=doubt)
    if _awaits_listing(order):
        return _keep_for_the_poll(order, exact, doubt)
    if not order.awaits_decision:
        return NotificationPlan(IntakeOutcome.NOT_AWAITING, order=order, doubt=doubt)
    request = known.request
    if request is not None and request.pending:
        return plan_correction(request, exact, doubt)
    if request is not None and not _after_decision(known.decision, exact):
        return NotificationPlan(IntakeOutcome.ALREADY_DECIDED, request, doubt=doubt)
    exact = _earliest(exact, known.memory.notified)
    memory = Memory(exact, known.memory.last_miss)
    at = request_time(order, now, memory, poll_interval=poll_interval, window=window)
    return NotificationPlan(
        IntakeOutcome.NEW_REQUEST,
        request,
        order,
        exact,
        # decided here before this new request was made: its post already shows the outcome
        change=Change(Effect.CLOSE, order) if request is not None else None,
        new=NewRequest(business_id, order, first_seen=now, request_time=at),
        doubt=doubt,
    )


def _keep_for_the_poll(
    order: Order, exact: RequestTime | None, doubt: Doubt | None
) -> NotificationPlan:
    """The Market may not list the request yet: the poll that finds it uses the earliest
    time notified."""
    if exact is None:
        return NotificationPlan(IntakeOutcome.LEFT_TO_POLL, order=order, doubt=doubt)
    return NotificationPlan(IntakeOutcome.KEPT_FOR_POLL, order=order, exact=exact, doubt=doubt)


def _awaits_listing(order: Order) -> bool:
    """Whether the Market may still list a request for the order: its notification may
    come before its listing."""
    return order.status in DECIDABLE_STATUSES and not order.awaits_decision


def _earliest(*times: RequestTime | None) -> RequestTime | None:
    """Of the times notified for one request, the earliest: each may only bring it closer."""
    return min((t for t in times if t is not None), key=lambda t: t.at, default=None)


def _after_decision(decision: DecisionRecord | None, exact: RequestTime | None) -> bool:
    """Whether a request for an order decided here came after that decision (a new one)."""
    if exact is None or decision is None or not decision.taken:
        return False
    return exact.at > (decision.finished_at or decision.started_at)


# ORDER_CANCELLED, ORDER_STATUS_UPDATED


def plan_tracked(request: Request | None, in_flight: bool) -> NotificationPlan | None:
    """Whether a status change concerns the desk; None when the Market must be asked."""
    if request is None:
        return NotificationPlan(IntakeOutcome.NOT_TRACKED)
    if in_flight:
        return NotificationPlan(IntakeOutcome.DECISION_IN_FLIGHT, request)
    return None


def plan_change(request: Request | None, in_flight: bool, order: Order | None) -> NotificationPlan:
    """Re-check a tracked order as the next poll would; `request` is read after the look-up."""
    if request is None or request.state is RequestState.CLOSED:
        return NotificationPlan(IntakeOutcome.ALREADY_CLOSED, request)
    if in_flight:
        return NotificationPlan(IntakeOutcome.DECISION_IN_FLIGHT, request)
    if order is None:
        return NotificationPlan(IntakeOutcome.NOT_FOUND, request)
    change = reconcile(request, order, Listing.UNKNOWN)
    if change.closes:
        outcome = IntakeOutcome.CLOSED if request.pending else IntakeOutcome.CLOSED_AFTER_DECISION
    elif change.show:
        outcome = IntakeOutcome.POST_UPDATED
    else:
        outcome = IntakeOutcome.NOTHING_TO_SHOW
    return NotificationPlan(outcome, request, order, change=change)
