"""One poll: the Market's pending set read, reconciled with storage, written at once.

Everything is read from the Market first; only when every call succeeded is the result
written, in one transaction. A failed cycle therefore leaves storage as it was and the
next cycle simply tries again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.deadlines import estimate_request_time
from bot.market import DateWindow, MarketClient
from bot.model import (
    DECISION_WINDOW,
    KEEP,
    NewRequest,
    Order,
    Problem,
    Request,
    RequestTime,
    Stage,
    moscow_today,
)
from bot.reconcile import Listing, reconcile
from bot.windows import Windows
from storage.polls import PollRecord
from storage.store import Store

log = logging.getLogger(__name__)

OLD_SWEEP_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class SyncOutcome:
    """What changed, for the poller to act on and log."""

    new: list[Request]
    still_pending: list[Request]
    resolved: list[Request]
    found: int
    swept_old: bool
    started_at: datetime


def fresh_within(poll_interval: timedelta, old: bool) -> timedelta:
    """How recent the last miss must be for the request time to count as known."""
    period = OLD_SWEEP_EVERY if old else poll_interval
    return 2 * max(period, poll_interval) + timedelta(seconds=10)


async def sync_once(
    market: MarketClient,
    store: Store,
    businesses: Mapping[int, Sequence[int]],
    *,
    now: Callable[[], datetime],
    poll_interval: timedelta,
    sweep_old: bool,
    window: timedelta = DECISION_WINDOW,
) -> SyncOutcome:
    """Run one cycle; raises MarketError (and writes nothing) if any call fails.

    An order that cannot be read or stored is noted for staff and skipped, never
    costing the others of the cycle their place."""
    started_at = now()
    windows = Windows.for_day(moscow_today(started_at))
    listed, problems = await _list_pending(market, businesses, windows, sweep_old)
    open_requests, held = _stored_open(store, problems)
    left = _left_listing(store, open_requests, listed, windows, sweep_old)
    current = await _fetch_current(market, left, windows)
    changes = [
        (request, reconcile(request, listed[key][1], Listing.LISTED))
        for key, request in open_requests.items()
        if key in listed
    ] + [(request, reconcile(request, current.get(request.key), Listing.LEFT)) for request in left]
    new = [
        item
        for key, (business_id, order) in listed.items()
        if key not in held
        for item in _new_request(
            store, business_id, order, started_at, windows, poll_interval, problems, window=window
        )
    ]
    resolved = [request for request, change in changes if change.closes]
    covered = windows.covered(sweep_old)
    poll = PollRecord(started_at, now(), True, covered.start, covered.end)
    new_ids = store.apply_sync(
        new=new,
        changes=[(request, change) for request, change in changes if change is not KEEP],
        poll=dataclasses.replace(poll, found=len(listed), new=len(new), resolved=len(resolved)),
        problems=problems,
    )
    return SyncOutcome(
        new=[request for request in map(store.requests.get, new_ids) if request is not None],
        still_pending=[request for request, change in changes if not change.closes],
        resolved=resolved,
        found=len(listed),
        swept_old=sweep_old,
        started_at=started_at,
    )


def _stored_open(
    store: Store, problems: list[Problem]
) -> tuple[dict[tuple[int, int], Request], set[tuple[int, int]]]:
    """Open requests by key, and every key an open row holds: a row damaged outside the desk
    still holds its order's key (no second request is made) and is reported to staff."""
    open_requests = {request.key: request for request in store.requests.open()}
    held = store.requests.open_keys()
    problems += [_damaged(key) for key in sorted(held - open_requests.keys())]
    return open_requests, held


def _left_listing(
    store: Store,
    open_requests: dict[tuple[int, int], Request],
    listed: dict[tuple[int, int], tuple[int, Order]],
    windows: Windows,
    sweep_old: bool,
) -> list[Request]:
    """Open requests this cycle's listing should have shown and did not.

    One with a decision in flight is left to the decision; one created 30-60 days ago
    only counts in a cycle that swept that window.
    """
    in_flight = {decision.request_id for decision in store.decisions.unfinished()}
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


def _new_request(
    store: Store,
    business_id: int,
    order: Order,
    first_seen: datetime,
    windows: Windows,
    poll_interval: timedelta,
    problems: list[Problem],
    *,
    window: timedelta,
) -> list[NewRequest]:
    """The request to store for a newly listed order; none (and a note) if it cannot be made.

    A time notified before the listing is used, but never one after `first_seen`.
    """
    try:
        notified = store.notified.time_for(order.campaign_id, order.order_id, window)
        request_time = (
            notified.no_later_than(first_seen)
            if notified is not None
            else polled_request_time(store, order, first_seen, windows, poll_interval, window)
        )
    except Exception as error:  # one odd order must not cost the others their posts
        log.exception("Could not take in order %s", order.order_id)
        problems.append(
            Problem(str(order.campaign_id), str(order.order_id), Stage.STORE, repr(error))
        )
        return []
    return [NewRequest(business_id, order, first_seen, request_time)]


def _damaged(key: tuple[int, int]) -> Problem:
    """An open request whose row cannot be read: staff answer it in the cabinet, told once."""
    campaign_id, order_id = key
    return Problem(str(campaign_id), str(order_id), Stage.STORE, "its database row is damaged")


def polled_request_time(
    store: Store,
    order: Order,
    first_seen: datetime,
    windows: Windows,
    poll_interval: timedelta,
    window: timedelta = DECISION_WINDOW,
) -> RequestTime:
    """The request time as polling knows it: after the last poll that did not list it."""
    created_on = order.created_on
    return estimate_request_time(
        first_seen=first_seen,
        created_at=order.created_at,
        updated_at=order.updated_at,
        last_miss=store.polls.last_covering(created_on, before=first_seen),
        fresh_within=fresh_within(
            poll_interval, old=created_on is not None and created_on in windows.old
        ),
        window=window,
    )


async def _list_pending(
    market: MarketClient,
    businesses: Mapping[int, Sequence[int]],
    windows: Windows,
    sweep_old: bool,
) -> tuple[dict[tuple[int, int], tuple[int, Order]], list[Problem]]:
    """Pending orders of the configured campaigns by key, and those that cannot be read."""
    configured = {cid for cids in businesses.values() for cid in cids}
    listed: dict[tuple[int, int], tuple[int, Order]] = {}
    problems: list[Problem] = []
    for business_id, campaign_ids in businesses.items():
        listings = [await market.list_pending(business_id, campaign_ids, windows.recent)]
        if sweep_old:
            listings.append(await market.list_pending(business_id, campaign_ids, windows.old))
        for listing in listings:
            problems += [
                Problem(item.campaign_ref, item.order_ref, Stage.READ, item.reason)
                for item in listing.unreadable
            ]
            for order in listing.orders:
                if order.campaign_id in configured:
                    listed[(order.campaign_id, order.order_id)] = (business_id, order)
    return listed, problems


async def _fetch_current(
    market: MarketClient, requests: list[Request], windows: Windows
) -> dict[tuple[int, int], Order]:
    """Current state of orders that left the list, fetched by id within their creation window."""
    groups: dict[tuple[int, DateWindow], list[int]] = defaultdict(list)
    for request in requests:
        window = windows.lookup_window(request.order.created_on)
        groups[(request.business_id, window)].append(request.order_id)
    current: dict[tuple[int, int], Order] = {}
    for (business_id, window), order_ids in groups.items():
        for order in await market.get_orders(business_id, order_ids, window):
            current[(order.campaign_id, order.order_id)] = order
    return current
