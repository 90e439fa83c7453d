"""storage: Requests: stored, one open per order, closed, and where the staff chat moved."""

from __future__ import annotations

import sqlite3

import pytest

from bot.domain.model import Basis, DecisionResult, RequestState, RequestTime
from storage.store import Store
from tests.builders import CHAT, NOW, H, begin, close, new, order

LEADS = [24 * 3600, 6 * 3600, 3600]


# requests


def test_add_request_and_read_it_back(store: Store) -> None:
    request_id = store.add_request(new(at=NOW - 10 * H, basis=Basis.ESTIMATED))
    stored = store.requests.open_for(1001, 5001)
    assert stored is not None
    assert stored.id == request_id
    assert stored.key == (1001, 5001)
    assert stored.business_id == 77
    assert stored.state == "pending"
    assert stored.order == order()
    assert stored.first_seen == NOW - 9 * H
    assert stored.request_time == RequestTime(NOW - 10 * H, Basis.ESTIMATED)
    assert stored.deadline == NOW + 38 * H
    assert stored.post is None
    assert stored.closed_at is None
    assert store.requests.get(request_id) == stored


def test_open_request_for_unknown_order(store: Store) -> None:
    store.add_request(new())
    assert store.requests.open_for(1001, 9999) is None
    assert store.requests.open_for(2002, 5001) is None
    assert store.requests.get(12345) is None


def test_one_open_request_per_order(store: Store) -> None:
    store.add_request(new())
    with pytest.raises(sqlite3.IntegrityError):
        store.add_request(new())
    assert store.requests.count() == 1


def test_decided_request_is_still_open_for_uniqueness(store: Store) -> None:
    request_id = store.add_request(new())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(started.id, DecisionResult.OK, NOW)
    with pytest.raises(sqlite3.IntegrityError):
        store.add_request(new())
    assert store.requests.open_for(1001, 5001).state == "decided"  # type: ignore[union-attr]


def test_same_order_in_another_campaign_is_another_request(store: Store) -> None:
    store.add_request(new(campaign_id=1001))
    store.add_request(new(campaign_id=1002))
    assert store.requests.count(RequestState.PENDING) == 2


def test_closed_request_frees_the_order_for_a_new_one(store: Store) -> None:
    first = store.add_request(new())
    close(store, first, order(status="PICKUP", cancel_requested=False), NOW)
    assert store.requests.open_for(1001, 5001) is None
    second = store.add_request(new())
    assert second != first
    assert store.requests.open_for(1001, 5001).id == second  # type: ignore[union-attr]


def test_close_request_records_the_status(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    close(store, request_id, order(status="DELIVERED", substatus="DELIVERED_X"), NOW)
    stored = store.requests.get(request_id)
    assert stored is not None
    assert stored.state == "closed"
    assert stored.closed_status == "DELIVERED/DELIVERED_X"
    assert stored.closed_at == NOW
    assert stored.order.status == "DELIVERED"
    assert stored.post is not None
    assert stored.post.dirty == 1


def test_pending_requests_nearest_deadline_first(store: Store) -> None:
    late = store.add_request(new(1, at=NOW - 1 * H))
    early = store.add_request(new(2, at=NOW - 20 * H))
    middle = store.add_request(new(3, at=NOW - 10 * H))
    assert [r.id for r in store.requests.pending()] == [early, middle, late]
    assert [r.id for r in store.requests.open()] == [early, middle, late]


# chat migration


def test_move_chat_returns_pending_and_current_chat_follows(store: Store) -> None:
    pending = store.add_request(new(1))
    decided = store.add_request(new(2))
    elsewhere = store.add_request(new(3))
    store.save_post(pending, -100, 1, NOW, ())
    store.save_post(decided, -100, 2, NOW, ())
    store.save_post(elsewhere, -200, 3, NOW, ())
    started = begin(store, decided)
    assert started is not None
    store.finish_decision(started.id, DecisionResult.OK, NOW)

    assert store.move_chat(-100, -1001) == [pending]
    assert [r.id for r in store.posts.unposted(NOW, limit=10)] == [pending]
    assert store.requests.get(elsewhere).post is not None  # type: ignore[union-attr]
    assert store.chats.current(-100) == -1001
    assert store.chats.current(-1001) == -1001
    assert store.chats.current(-200) == -200

    store.move_chat(-1001, -1002)
    assert store.chats.current(-100) == -1002


def test_current_chat_survives_a_cycle(store: Store) -> None:
    store.move_chat(-1, -2)
    store.move_chat(-2, -1)
    assert store.chats.current(-1) in {-1, -2}
