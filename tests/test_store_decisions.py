"""storage: Decisions: one in flight, what each answer makes of the request."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import Decision, DecisionResult, Person
from storage.store import Store
from tests.builders import CHAT, NOW, H, begin, new, order

LEADS = [24 * 3600, 6 * 3600, 3600]


# decisions


def test_one_decision_in_flight(store: Store) -> None:
    request_id = store.add_request(new())
    first = begin(store, request_id)
    assert first is not None
    assert first.result is None
    assert first.decision is Decision.ACCEPT
    assert first.person == Person(42, "Анна", "anna_k")
    assert begin(store, request_id, Decision.REJECT_DELIVERED) is None
    assert store.decisions.unfinished() == [first]


def test_finished_ok_decides_and_blocks_further_decisions(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(
        started.id, DecisionResult.OK, NOW + timedelta(seconds=1), http_status=200
    )
    stored = store.requests.get(request_id)
    assert stored is not None
    assert stored.state == "decided"
    assert stored.post is not None
    assert stored.post.dirty > 0
    last = store.decisions.last(request_id)
    assert last is not None
    assert last.result == "ok"
    assert last.finished_at == NOW + timedelta(seconds=1)
    assert begin(store, request_id, Decision.REJECT_IN_DELIVERY) is None
    assert store.decisions.unfinished() == []
    assert store.requests.pending() == []
    assert [r.id for r in store.requests.open()] == [request_id]


def test_failed_decision_allows_another_try(store: Store) -> None:
    request_id = store.add_request(new())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(
        started.id, DecisionResult.FAILED, NOW, http_status=503, error_code="X", retry_at=NOW + H
    )
    failed = store.decisions.last(request_id)
    assert failed is not None
    assert failed.retry_at == NOW + H
    assert failed.http_status == 503
    assert store.requests.get(request_id).state == "pending"  # type: ignore[union-attr]
    again = begin(store, request_id, Decision.REJECT_DELIVERED)
    assert again is not None
    assert again.id != started.id


def test_finished_not_pending_closes(store: Store) -> None:
    request_id = store.add_request(new())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(
        started.id,
        DecisionResult.NOT_PENDING,
        NOW,
        http_status=400,
        error_code="ORDER_IN_TERMINAL_STATE",
        closed_order=order(status="CANCELLED", substatus="USER_CHANGED_MIND"),
    )
    stored = store.requests.get(request_id)
    assert stored is not None
    assert stored.state == "closed"
    assert stored.closed_status == "CANCELLED/USER_CHANGED_MIND"
    assert begin(store, request_id) is None


def test_begin_decision_clears_confirming(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.posts.set_confirming(request_id, Decision.ACCEPT)
    assert store.requests.get(request_id).post.confirming is Decision.ACCEPT  # type: ignore[union-attr]
    assert begin(store, request_id) is not None
    assert store.requests.get(request_id).post.confirming is None  # type: ignore[union-attr]


def test_begin_decision_on_unknown_request(store: Store) -> None:
    assert begin(store, 999) is None
