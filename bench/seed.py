"""Filling a desk's database through `storage.store.Store`, faster than the desk could.

The desk's own path to 10,000 closed requests would be 10,000 posts at Telegram's pace;
going through the same `Store` methods the desk uses keeps the rows exactly as the desk
writes them (schema, JSON, indexes) without waiting days.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.model import (
    Basis,
    Decision,
    DecisionResult,
    NewRequest,
    Order,
    Person,
    Request,
    RequestTime,
)
from bot.domain.reconcile import Listing, reconcile
from bot.market.orders import parse_business_order
from bot.simulator.dto import build_order, msk_today
from storage.polls import PollRecord
from storage.store import Store

CLOSE_BATCH = 500


def sample_order(order_id: int, campaign_id: int, **fields: Any) -> Order:
    """A realistic parsed order, built like the fake Market builds its DTOs."""
    dto = build_order(
        order_id,
        campaign_id,
        status=fields.pop("status", "DELIVERY"),
        substatus=fields.pop("substatus", "DELIVERY_SERVICE_RECEIVED"),
        cancel_requested=fields.pop("cancel_requested", True),
        created_at=None,
        updated_at=None,
        items=None,
        fake=False,
        today=msk_today(),
        overrides=fields,
    )
    return parse_business_order(dto)


def seed_history(
    path: Path,
    count: int,
    *,
    chat_id: int,
    business_id: int,
    campaign_id: int,
    polls: int = 0,
    first_order_id: int = 9_000_000,
) -> None:
    """`count` requests that went the whole way: posted, decided, accepted, closed.

    Plus `polls` successful polls (a week at POLL_INTERVAL=60 is 10,080), the other table
    that grows with time.
    """
    store = Store(path)
    try:
        now = datetime.now(UTC)
        template = sample_order(first_order_id, campaign_id)
        decisions = list(Decision)
        closing: list[tuple[Request, Order | None]] = []
        for i in range(count):
            order_id = first_order_id + i
            seen = now - timedelta(days=90) + timedelta(minutes=12 * i)
            order = dataclasses.replace(template, order_id=order_id)
            request_id = store.add_request(
                NewRequest(business_id, order, seen, RequestTime(seen, Basis.POLL))
            )
            store.save_post(request_id, chat_id, 100_000 + i, seen, [])
            decision = decisions[i % len(decisions)]
            record = store.begin_decision(request_id, decision, Person(111, "Анна", "anna"), seen)
            assert record is not None
            store.finish_decision(record.id, DecisionResult.OK, seen, http_status=200)
            request = store.requests.get(request_id)
            assert request is not None and request.post is not None
            store.mark_post_clean(request_id, request.post)
            closed = dataclasses.replace(
                order, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False
            )
            closing.append((request, closed))
            if len(closing) >= CLOSE_BATCH or i == count - 1:
                changes = [(r, reconcile(r, o, Listing.LEFT)) for r, o in closing]
                store.apply_sync(new=[], changes=changes, poll=_poll(seen, found=0))
                closing = []
        _seed_polls(store, polls, now)
    finally:
        store.close()


def _seed_polls(store: Store, polls: int, now: datetime) -> None:
    """`polls` successful polls, a minute apart, the last a minute before `now`."""
    for i in range(polls):
        started = now - timedelta(minutes=polls - i)
        store.apply_sync(new=[], changes=[], poll=_poll(started, found=0))


def seed_pending(path: Path, orders: list[Order], *, chat_id: int, business_id: int) -> None:
    """Requests pending and already posted, as after the desk has caught up with them.

    Deadlines are spread over the coming two days, so none is overdue and every one is
    listed by /pending with time left.
    """
    store = Store(path)
    try:
        now = datetime.now(UTC)
        for i, order in enumerate(orders):
            requested = now - timedelta(minutes=(i * 7) % 2800)
            request_id = store.add_request(
                NewRequest(business_id, order, now, RequestTime(requested, Basis.POLL))
            )
            store.save_post(request_id, chat_id, 200_000 + i, now, [])
    finally:
        store.close()


def _poll(started: datetime, *, found: int) -> PollRecord:
    today = started.date()
    return PollRecord(
        started_at=started,
        finished_at=started + timedelta(milliseconds=40),
        ok=True,
        covered_from=today - timedelta(days=30),
        covered_to=today + timedelta(days=1),
        found=found,
    )
