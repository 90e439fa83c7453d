"""Taking cancellation requests in (pure): what a poll or a notification changes, and why.

The poller and the notification endpoint each read what the Market said and what the desk
knows, ask for a plan, and have the store apply it. Nothing here reads or writes anything,
so the rules are stated once and tested without a Market, a database or a clock. Here:
what a poll changes, and the time a request taken in gets, by a poll or a notification
alike; what a notification comes to is planned in `bot.intake.notification_plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.deadlines import estimate_request_time
from bot.domain.model import (
    DECISION_WINDOW,
    KEEP,
    Change,
    NewRequest,
    Order,
    Problem,
    Request,
    RequestTime,
    Stage,
    moscow_today,
)
from bot.domain.reconcile import Listing, reconcile
from bot.market.windows import Windows

Key = tuple[int, int]  # (campaign, order): one open request at most

OLD_SWEEP_EVERY = timedelta(minutes=10)  # how often a poll also lists orders 30-60 days old


@dataclass(frozen=True)
class Memory:
    """What the desk remembers of an order it holds no request for yet."""

    notified: RequestTime | None = None  # the earliest time notified before it was listed
    last_miss: datetime | None = None  # the last poll covering its creation day, not listing it


def fresh_within(poll_interval: timedelta, old: bool) -> timedelta:
    """How recent the last miss must be for the request time to count as known."""
    period = OLD_SWEEP_EVERY if old else poll_interval
    return 2 * max(period, poll_interval) + timedelta(seconds=10)


def request_time(
    order: Order,
    first_seen: datetime,
    memory: Memory,
    *,
    poll_interval: timedelta,
    window: timedelta = DECISION_WINDOW,
) -> RequestTime:
    """The time a request taken in gets: the earliest notified, but never after `first_seen`
    (the Market listed it by then); otherwise what polling can tell."""
    if memory.notified is not None:
        return memory.notified.no_later_than(first_seen)
    created_on = order.created_on
    old = created_on is not None and created_on in Windows.for_day(moscow_today(first_seen)).old
    return estimate_request_time(
        first_seen=first_seen,
        created_at=order.created_at,
        updated_at=order.updated_at,
        last_miss=memory.last_miss,
        fresh_within=fresh_within(poll_interval, old),
        window=window,
    )


# a poll


def left_listing(
    open_requests: Mapping[Key, Request],
    listed: Mapping[Key, tuple[int, Order]],
    in_flight: AbstractSet[int],
    windows: Windows,
    sweep_old: bool,
) -> list[Request]:
    """Open requests this cycle's listing should have shown and did not: to look up by id.

    One with a decision in flight is left to the decision; one created 30-60 days ago
    only counts in a cycle that swept that window.
    """
    return [
        request
        for key, request in open_requests.items()
        if key not in listed
        and request.id not in in_flight
        and (
            sweep_old
            or request.order.created_on is None
            or request.order.created_on in windows.recent
        )
    ]


@dataclass(frozen=True)
class PollView:
    """What one poll read from the Market and the store."""

    started_at: datetime  # first seen, for every request the cycle finds new
    listed: Mapping[Key, tuple[int, Order]]  # pending at the Market: business and order
    open_requests: Mapping[Key, Request]  # the open requests storage could read
    held: AbstractSet[Key]  # the key of every open row, a damaged one's too
    left: Sequence[Request]  # `left_listing`
    current: Mapping[Key, Order]  # those of them the Market still returns by id
    memory: Mapping[Key, Memory]  # of each newly listed order whose memory could be read
    unread: Sequence[tuple[Order, Exception]]  # the newly listed orders whose memory could not
    poll_interval: timedelta
    window: timedelta = DECISION_WINDOW


@dataclass(frozen=True)
class PollPlan:
    """What a poll changes, for `Store.apply_sync` to write in one transaction."""

    new: list[NewRequest]
    seen: list[tuple[Request, Change]]  # every open request the cycle judged
    problems: list[Problem]  # damaged rows, and orders that could not be taken in
    failed: list[tuple[Order, Exception]]  # those orders, with why, for the log

    @property
    def changes(self) -> list[tuple[Request, Change]]:
        return [(request, change) for request, change in self.seen if change is not KEEP]

    @property
    def resolved(self) -> list[Request]:
        return [request for request, change in self.seen if change.closes]

    @property
    def still_pending(self) -> list[Request]:
        return [request for request, change in self.seen if not change.closes]


def plan_poll(view: PollView) -> PollPlan:
    """Reconcile every open request the cycle saw and take in every order newly listed.

    An order that cannot be taken in is noted for staff and skipped, never costing the
    others of the cycle their place; a row damaged outside the desk still holds its
    order's key (no second request is made) and is reported.
    """
    seen = _judged(view)
    new: list[NewRequest] = []
    failed = list(view.unread)
    for key, (business_id, order) in view.listed.items():
        memory = view.memory.get(key)
        if key in view.held or memory is None:
            continue
        try:
            at = request_time(
                order,
                view.started_at,
                memory,
                poll_interval=view.poll_interval,
                window=view.window,
            )
        except Exception as error:  # one odd order must not cost the others their posts
            failed.append((order, error))
            continue
        new.append(NewRequest(business_id, order, view.started_at, at))
    damaged = [_damaged(key) for key in sorted(view.held - view.open_requests.keys())]
    return PollPlan(new, seen, damaged + [_not_taken_in(*item) for item in failed], failed)


def _judged(view: PollView) -> list[tuple[Request, Change]]:
    """What the Market shows makes of each open request: those listed and those gone."""
    listed = [
        (request, reconcile(request, view.listed[key][1], Listing.LISTED))
        for key, request in view.open_requests.items()
        if key in view.listed
    ]
    left = [
        (request, reconcile(request, view.current.get(request.key), Listing.LEFT))
        for request in view.left
    ]
    return listed + left


def _damaged(key: Key) -> Problem:
    """An open request whose row cannot be read: staff answer it in the cabinet, told once."""
    campaign_id, order_id = key
    return Problem(str(campaign_id), str(order_id), Stage.STORE, "its database row is damaged")


def _not_taken_in(order: Order, error: Exception) -> Problem:
    return Problem(str(order.campaign_id), str(order.order_id), Stage.STORE, repr(error))
