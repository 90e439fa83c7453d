"""What the Market's current view of an order means for a stored request: one rule, pure.

Polling, notifications, a refused decision and crash recovery all see an order and ask
the same question; they differ only in what they know about the pending listing.
"""

from __future__ import annotations

from enum import Enum

from bot.domain.model import (
    KEEP,
    Change,
    DecisionRecord,
    DecisionResult,
    Effect,
    Order,
    OrderStatus,
    Request,
    visible_change,
)

INTERRUPTED = "INTERRUPTED"  # error code of a decision whose answer a stop cut off


class Listing(Enum):
    """What is known of the Market's pending listing for the order."""

    LISTED = "listed"  # it is in the listing
    LEFT = "left"  # a poll no longer lists it
    UNKNOWN = "unknown"  # looked up by id alone (a notification, a refused decision, recovery)


def reconcile(request: Request, order: Order | None, listing: Listing) -> Change:
    """The change `order` (None: the Market does not show it) makes to `request`.

    An order without `cancelRequested` may still await a decision: only leaving the
    listing closes its request. A request decided here already shows its outcome, so
    closing it changes nothing staff see.
    """
    if listing is Listing.LISTED:
        assert order is not None, "a listed order is at hand"
        return _refresh(request, order)
    if order is None:
        return KEEP if listing is Listing.UNKNOWN else Change(Effect.CLOSE, None, request.pending)
    awaits = order.awaits_decision
    if awaits or (awaits is None and listing is Listing.UNKNOWN):
        return _refresh(request, order)
    return Change(Effect.CLOSE, order, request.pending)


def _refresh(request: Request, order: Order) -> Change:
    if order == request.order:
        return KEEP
    return Change(Effect.REFRESH, order, visible_change(request.order, order))


def recovered_result(record: DecisionRecord, change: Change) -> DecisionResult:
    """What a decision cut off by a stop came to, judged from the order now.

    Still awaiting (or unknown): it may not have reached the Market. Settled as the
    decision would have settled it: taken. Settled otherwise (or not found): the Market
    no longer awaits one, which is not the same as having taken ours.
    """
    if not change.closes:
        return DecisionResult.UNKNOWN
    if change.order is not None and settles_as(record, change.order):
        return DecisionResult.OK
    return DecisionResult.NOT_PENDING


def settles_as(record: DecisionRecord, order: Order) -> bool:
    """Whether the order is in the state this decision leaves it in."""
    cancelled = order.status == OrderStatus.CANCELLED
    return cancelled if record.decision.accepts else not cancelled
