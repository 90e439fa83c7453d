"""One poll: the Market's pending set read, planned against storage, written at once.

Everything is read first (the Market's listing and look-ups, the open requests, what the
desk remembers of orders new to it); `bot.intake.plan` plans the cycle, and only when every call
succeeded is the plan written, in one transaction. A failed cycle therefore leaves storage
as it was and the next cycle simply tries again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.model import (
    DECISION_WINDOW,
    Change,
    NewRequest,
    Order,
    Problem,
    Request,
    Stage,
    moscow_today,
)
from bot.intake.plan import Key, Memory, PollView, left_listing, plan_poll
from bot.market.client import MarketClient
from bot.market.records import DateWindow
from bot.market.shops import Shops
from bot.market.windows import Windows
from storage.polls import PollRecord
from storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOutcome:
    """What changed, for the poller to act on and log."""

    new: list[Request]
    still_pending: list[Request]
    resolved: list[Request]
    found: int
    swept_old: bool
    started_at: datetime
    touched: bool = False  # a stored request changed, or a problem was noted: ring the outboxes


class MarketSync:
    """A Market cabinet's poll step: its campaigns, then `sync_once` over them."""

    def __init__(
        self,
        market: MarketClient,
        shops: Shops,
        store: Store,
        *,
        clock: Callable[[], datetime],
        poll_interval: timedelta,
        window: timedelta = DECISION_WINDOW,
    ) -> None:
        self.market, self.shops, self.store, self.clock = market, shops, store, clock
        self.poll_interval, self.window = poll_interval, window

    async def ready(self) -> None:
        """The campaigns, discovered before anything is recovered or listed."""
        await self.shops.businesses()

    async def sync(self, sweep_old: bool) -> SyncOutcome:
        return await sync_once(
            self.market,
            self.store,
            await self.shops.businesses(),
            now=self.clock,
            poll_interval=self.poll_interval,
            sweep_old=sweep_old,
            window=self.window,
        )


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
    """Run one cycle: read, plan, write; raises MarketError (and writes nothing) if any
    call fails."""
    started_at = now()
    windows = Windows.for_day(moscow_today(started_at))
    listed, unreadable = await _list_pending(market, businesses, windows, sweep_old)
    view = await _read(market, store, listed, windows, started_at, sweep_old, poll_interval, window)
    plan = plan_poll(view)
    for order, error in plan.failed:
        log.error("Could not take in order %s", order.order_id, exc_info=error)
    covered = windows.covered(sweep_old)
    poll = PollRecord(
        started_at,
        now(),
        True,
        covered.start,
        covered.end,
        found=len(listed),
        new=len(plan.new),
        resolved=len(plan.resolved),
    )
    return record_cycle(store, plan, poll, [*unreadable, *plan.problems], swept_old=sweep_old)


class CyclePlan(Protocol):
    """What a marketplace's planner makes of one poll, for `record_cycle` to write."""

    new: list[NewRequest]
    changes: list[tuple[Request, Change]]
    still_pending: list[Request]
    resolved: list[Request]


def record_cycle(
    store: Store, plan: CyclePlan, poll: PollRecord, problems: list[Problem], *, swept_old: bool
) -> SyncOutcome:
    """Write a planned cycle in one transaction; what it changed, for the poller."""
    new_ids = store.apply_sync(new=plan.new, changes=plan.changes, poll=poll, problems=problems)
    return SyncOutcome(
        new=[request for request in map(store.requests.get, new_ids) if request is not None],
        still_pending=plan.still_pending,
        resolved=plan.resolved,
        found=poll.found,
        swept_old=swept_old,
        started_at=poll.started_at,
        touched=bool(plan.changes or problems),
    )


async def _read(
    market: MarketClient,
    store: Store,
    listed: dict[Key, tuple[int, Order]],
    windows: Windows,
    started_at: datetime,
    sweep_old: bool,
    poll_interval: timedelta,
    window: timedelta,
) -> PollView:
    """What the cycle plans from, besides the listing: the open requests, the current state
    of those the listing no longer shows, and what is remembered of orders new to the desk."""
    open_requests = {request.key: request for request in store.requests.open()}
    held = store.requests.open_keys()
    in_flight = {decision.request_id for decision in store.decisions.unfinished()}
    left = left_listing(open_requests, listed, in_flight, windows, sweep_old)
    current = await _fetch_current(market, left, windows)
    fresh = (order for key, (_, order) in listed.items() if key not in held)
    memory, unread = _remembered(store, fresh, started_at, window)
    return PollView(
        started_at=started_at,
        listed=listed,
        open_requests=open_requests,
        held=held,
        left=left,
        current=current,
        memory=memory,
        unread=unread,
        poll_interval=poll_interval,
        window=window,
    )


def _remembered(
    store: Store, orders: Iterable[Order], first_seen: datetime, window: timedelta
) -> tuple[dict[Key, Memory], list[tuple[Order, Exception]]]:
    """What the desk remembers of each order new to it; one whose memory cannot be read
    is left out of the cycle (and noted), never costing the others their place."""
    memory: dict[Key, Memory] = {}
    unread: list[tuple[Order, Exception]] = []
    for order in orders:
        key = (order.campaign_id, order.order_id)
        try:
            memory[key] = Memory(
                store.notified.time_for(*key, window),
                store.polls.last_covering(order.created_on, before=first_seen),
            )
        except Exception as error:  # one odd order must not cost the others their posts
            unread.append((order, error))
    return memory, unread


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
