"""One reconciliation of the Market's pending set with storage.

Everything is read from the Market first; only when every call succeeded is the result
written, in one transaction. A failed cycle therefore leaves storage as it was and the
next cycle simply tries again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.deadlines import estimate_request_time
from bot.market import DateWindow, MarketClient
from bot.market_time import moscow_today
from bot.orders import Order
from storage.store import NewRequest, PollRecord, Request, Store

log = logging.getLogger(__name__)

RECENT_DAYS = 30  # what getBusinessOrders lists when no dates are given
OLD_DAYS = 60  # DBS deliveries can run this long; older orders are checked by id
OLD_SWEEP_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class SyncOutcome:
    """What changed, for the desk to act on."""

    new: list[Request]
    still_pending: list[Request]
    resolved: list[Request]
    found: int
    swept_old: bool
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True)
class Windows:
    recent: DateWindow  # coverage of the API's default listing
    old: DateWindow

    @classmethod
    def for_day(cls, today: date) -> Windows:
        return cls(
            recent=DateWindow(today - timedelta(days=RECENT_DAYS), today + timedelta(days=1)),
            old=DateWindow(today - timedelta(days=OLD_DAYS), today - timedelta(days=RECENT_DAYS)),
        )

    def lookup_window(self, created_on: date | None) -> DateWindow | None:
        """Where to look an order up by id: the default (None), the old window, or its day."""
        if created_on is None or created_on in self.recent:
            return None
        if created_on in self.old:
            return self.old
        return DateWindow(created_on, created_on + timedelta(days=1))


def creation_day(order: Order) -> date | None:
    return moscow_today(order.created_at) if order.created_at else None


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
) -> SyncOutcome:
    """Run one cycle; raises MarketError (and writes nothing) if any call fails."""
    started_at = now()
    windows = Windows.for_day(moscow_today(started_at))
    configured = {cid for cids in businesses.values() for cid in cids}

    listed: dict[tuple[int, int], tuple[int, Order]] = {}
    for business_id, campaign_ids in businesses.items():
        found = await market.list_pending(business_id, campaign_ids)
        if sweep_old:
            found += await market.list_pending(business_id, campaign_ids, windows.old)
        for order in found:
            if order.campaign_id in configured:
                listed[(order.campaign_id, order.order_id)] = (business_id, order)

    open_requests = {request.key: request for request in store.open_requests()}
    in_flight = {decision.request_id for decision in store.unfinished_decisions()}
    missing: list[Request] = []
    for key, request in open_requests.items():
        if key in listed or request.id in in_flight:
            continue
        created_on = creation_day(request.order)
        if created_on is None or created_on in windows.recent or sweep_old:
            missing.append(request)

    current = await _fetch_current(market, missing, windows)
    refreshed = [
        (open_requests[key], order) for key, (_, order) in listed.items() if key in open_requests
    ]
    closed: list[tuple[Request, Order | None]] = []
    for request in missing:
        order = current.get(request.key)
        if order is not None and order.awaits_decision:
            refreshed.append((request, order))  # listed late: still pending
        else:
            closed.append((request, order))

    new = []
    for key, (business_id, order) in listed.items():
        if key in open_requests:
            continue
        created_on = creation_day(order)
        is_old = created_on is not None and created_on in windows.old
        new.append(
            NewRequest(
                business_id=business_id,
                order=order,
                first_seen=started_at,
                request_time=store.notified_request_time(*key)
                or estimate_request_time(
                    first_seen=started_at,
                    created_at=order.created_at,
                    updated_at=order.updated_at,
                    last_miss=store.last_covering_poll(created_on, before=started_at),
                    fresh_within=fresh_within(poll_interval, old=is_old),
                ),
            )
        )

    finished_at = now()
    covered = windows.recent
    new_ids = store.apply_sync(
        new=new,
        refreshed=refreshed,
        closed=closed,
        poll=PollRecord(
            started_at=started_at,
            finished_at=finished_at,
            ok=True,
            covered_from=windows.old.start if sweep_old else covered.start,
            covered_to=covered.end,
            found=len(listed),
            new=len(new),
            resolved=len(closed),
        ),
    )
    return SyncOutcome(
        new=[request for request in map(store.request, new_ids) if request is not None],
        still_pending=[request for request, _ in refreshed],
        resolved=[request for request, _ in closed],
        found=len(listed),
        swept_old=sweep_old,
        started_at=started_at,
        finished_at=finished_at,
    )


async def _fetch_current(
    market: MarketClient, requests: list[Request], windows: Windows
) -> dict[tuple[int, int], Order]:
    """Current state of orders that left the list, fetched by id within their creation window."""
    groups: dict[tuple[int, DateWindow | None], list[int]] = defaultdict(list)
    for request in requests:
        window = windows.lookup_window(creation_day(request.order))
        groups[(request.business_id, window)].append(request.order_id)
    current: dict[tuple[int, int], Order] = {}
    for (business_id, window), order_ids in groups.items():
        for order in await market.get_orders(business_id, order_ids, window):
            current[(order.campaign_id, order.order_id)] = order
    return current
