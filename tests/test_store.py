"""storage/store.py: the desk's state in SQLite."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.deadlines import Basis, RequestTime
from bot.decisions import Decision
from bot.orders import Money, Order, OrderItem
from storage.store import NewRequest, PollRecord, Post, Store

NOW = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
CHAT = -1001234567890
LEADS = [24 * 3600, 6 * 3600, 3600]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    the_store = Store(tmp_path / "d.db")
    yield the_store
    the_store.close()


def order(order_id: int = 5001, campaign_id: int = 1001, **changes: object) -> Order:
    fields: dict[str, object] = {
        "order_id": order_id,
        "campaign_id": campaign_id,
        "status": "DELIVERY",
        "substatus": "USER_RECEIVED",
        "created_at": NOW - 30 * H,
        "updated_at": NOW - 12 * H,
        "items": (OrderItem("Чайник", "SKU-1", 1, Money(Decimal("1990.00"), "RUR")),),
        "total": Money(Decimal("1990.00"), "RUR"),
        "delivery_type": "DELIVERY",
        "cancel_requested": True,
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]


def new(
    order_id: int = 5001,
    *,
    at: datetime = NOW - 10 * H,
    basis: Basis = Basis.NOTIFICATION,
    campaign_id: int = 1001,
) -> NewRequest:
    return NewRequest(77, order(order_id, campaign_id), NOW - 9 * H, RequestTime(at, basis))


def poll(**changes: object) -> PollRecord:
    fields: dict[str, object] = {
        "started_at": NOW - timedelta(seconds=5),
        "finished_at": NOW,
        "ok": True,
        "covered_from": date(2026, 6, 20),
        "covered_to": date(2026, 7, 21),
    }
    fields.update(changes)
    return PollRecord(**fields)  # type: ignore[arg-type]


def begin(store: Store, request_id: int, decision: Decision = Decision.ACCEPT):
    return store.begin_decision(
        request_id, decision, user_id=42, user_name="Анна", username="anna_k", now=NOW
    )


# the file


def test_folder_is_created_and_wal_is_on(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "data" / "d.db"
    store = Store(path)
    try:
        assert path.is_file()
        mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode.lower() == "wal"
    finally:
        store.close()


def test_schema_version_is_2(store: Store) -> None:
    assert store.version == 2
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert {"requests", "posts", "decisions", "reminders", "polls", "kv"} <= set(
        store.db.table_names()
    )


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    first = Store(path)
    request_id = first.add_request(new())
    first.save_post(request_id, CHAT, 321, NOW, ())
    first.save_shop_name(1001, "Shop A")
    first.close()

    second = Store(path)
    try:
        assert second.version == 2
        stored = second.request(request_id)
        assert stored is not None
        assert stored.order == order()
        assert stored.post is not None
        assert stored.post.message_id == 321
        assert second.shop_names() == {1001: "Shop A"}
    finally:
        second.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match="99"):
        Store(path)


# requests


def test_add_request_and_read_it_back(store: Store) -> None:
    request_id = store.add_request(new(at=NOW - 10 * H, basis=Basis.ESTIMATED))
    stored = store.open_request_for(1001, 5001)
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
    assert store.request(request_id) == stored


def test_open_request_for_unknown_order(store: Store) -> None:
    store.add_request(new())
    assert store.open_request_for(1001, 9999) is None
    assert store.open_request_for(2002, 5001) is None
    assert store.request(12345) is None


def test_one_open_request_per_order(store: Store) -> None:
    store.add_request(new())
    with pytest.raises(sqlite3.IntegrityError):
        store.add_request(new())
    assert store.count_requests() == 1


def test_decided_request_is_still_open_for_uniqueness(store: Store) -> None:
    request_id = store.add_request(new())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(started.id, "ok", NOW)
    with pytest.raises(sqlite3.IntegrityError):
        store.add_request(new())
    assert store.open_request_for(1001, 5001).state == "decided"  # type: ignore[union-attr]


def test_same_order_in_another_campaign_is_another_request(store: Store) -> None:
    store.add_request(new(campaign_id=1001))
    store.add_request(new(campaign_id=1002))
    assert store.count_requests("pending") == 2


def test_closed_request_frees_the_order_for_a_new_one(store: Store) -> None:
    first = store.add_request(new())
    store.close_request(first, order(status="PICKUP"), NOW)
    assert store.open_request_for(1001, 5001) is None
    second = store.add_request(new())
    assert second != first
    assert store.open_request_for(1001, 5001).id == second  # type: ignore[union-attr]


def test_close_request_records_the_status(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.close_request(request_id, order(status="DELIVERED", substatus="DELIVERED_X"), NOW)
    stored = store.request(request_id)
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
    assert [r.id for r in store.pending_requests()] == [early, middle, late]
    assert [r.id for r in store.open_requests()] == [early, middle, late]


# decisions


def test_one_decision_in_flight(store: Store) -> None:
    request_id = store.add_request(new())
    first = begin(store, request_id)
    assert first is not None
    assert first.result is None
    assert first.decision is Decision.ACCEPT
    assert first.user_name == "Анна"
    assert first.username == "anna_k"
    assert begin(store, request_id, Decision.REJECT_DELIVERED) is None
    assert store.unfinished_decisions() == [first]


def test_finished_ok_decides_and_blocks_further_decisions(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(started.id, "ok", NOW + timedelta(seconds=1), http_status=200)
    stored = store.request(request_id)
    assert stored is not None
    assert stored.state == "decided"
    assert stored.post is not None
    assert stored.post.dirty > 0
    last = store.last_decision(request_id)
    assert last is not None
    assert last.result == "ok"
    assert last.finished_at == NOW + timedelta(seconds=1)
    assert begin(store, request_id, Decision.REJECT_IN_DELIVERY) is None
    assert store.unfinished_decisions() == []
    assert store.pending_requests() == []
    assert [r.id for r in store.open_requests()] == [request_id]


def test_failed_decision_allows_another_try(store: Store) -> None:
    request_id = store.add_request(new())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(
        started.id, "failed", NOW, http_status=503, error_code="X", retry_at=NOW + H
    )
    failed = store.last_decision(request_id)
    assert failed is not None
    assert failed.retry_at == NOW + H
    assert failed.http_status == 503
    assert store.request(request_id).state == "pending"  # type: ignore[union-attr]
    again = begin(store, request_id, Decision.REJECT_DELIVERED)
    assert again is not None
    assert again.id != started.id


def test_finished_not_pending_closes(store: Store) -> None:
    request_id = store.add_request(new())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(
        started.id,
        "not_pending",
        NOW,
        http_status=400,
        error_code="ORDER_IN_TERMINAL_STATE",
        closed_order=order(status="CANCELLED", substatus="USER_CHANGED_MIND"),
    )
    stored = store.request(request_id)
    assert stored is not None
    assert stored.state == "closed"
    assert stored.closed_status == "CANCELLED/USER_CHANGED_MIND"
    assert begin(store, request_id) is None


def test_begin_decision_clears_confirming(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.set_confirming(request_id, Decision.ACCEPT)
    assert store.request(request_id).post.confirming is Decision.ACCEPT  # type: ignore[union-attr]
    assert begin(store, request_id) is not None
    assert store.request(request_id).post.confirming is None  # type: ignore[union-attr]


def test_begin_decision_on_unknown_request(store: Store) -> None:
    assert begin(store, 999) is None


# posts


def test_unposted_by_deadline(store: Store) -> None:
    late = store.add_request(new(1, at=NOW - 1 * H))
    early = store.add_request(new(2, at=NOW - 30 * H))
    middle = store.add_request(new(3, at=NOW - 10 * H))
    assert [r.id for r in store.unposted(NOW, limit=10)] == [early, middle, late]
    assert [r.id for r in store.unposted(NOW)] == [early]
    store.save_post(early, CHAT, 1, NOW, ())
    assert [r.id for r in store.unposted(NOW, limit=10)] == [middle, late]


def test_unposted_skips_closed_requests(store: Store) -> None:
    request_id = store.add_request(new())
    store.close_request(request_id, None, NOW)
    assert store.unposted(NOW, limit=10) == []


def test_save_post_then_dirty_counter(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    fresh = store.request(request_id)
    assert fresh is not None
    assert fresh.post == Post(CHAT, 321, NOW, None, 0)
    assert store.dirty_posts(limit=10) == []

    store.set_confirming(request_id, None)
    store.set_confirming(request_id, None)
    seen = store.request(request_id).post  # type: ignore[union-attr]
    assert seen is not None
    assert seen.dirty == 2
    assert [r.id for r in store.dirty_posts(limit=10)] == [request_id]

    assert store.mark_clean(request_id, seen) is True
    assert store.request(request_id).post.dirty == 0  # type: ignore[union-attr]
    assert store.dirty_posts(limit=10) == []


def test_mark_clean_with_stale_snapshot_keeps_it_dirty(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.set_confirming(request_id, None)
    stale = store.request(request_id).post  # type: ignore[union-attr]
    assert stale is not None
    store.set_confirming(request_id, Decision.REJECT_DELIVERED)  # changes again meanwhile
    assert store.mark_clean(request_id, stale) is False
    current = store.request(request_id).post  # type: ignore[union-attr]
    assert current is not None
    assert current.dirty == 2
    assert current.confirming is Decision.REJECT_DELIVERED
    assert store.mark_clean(request_id, current) is True


def test_mark_clean_with_snapshot_of_another_message(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.set_confirming(request_id, None)
    old = store.request(request_id).post  # type: ignore[union-attr]
    store.save_post(request_id, CHAT, 999, NOW, ())
    store.set_confirming(request_id, None)
    assert old is not None
    assert store.mark_clean(request_id, old) is False


def test_mark_dirty_without_post_is_harmless(store: Store) -> None:
    request_id = store.add_request(new())
    store.set_confirming(request_id, None)
    assert store.request(request_id).post is None  # type: ignore[union-attr]


def test_forget_post_reposts(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.forget_post(request_id)
    assert [r.id for r in store.unposted(NOW)] == [request_id]


# reminders


def test_due_reminders_claim_and_release(store: Store) -> None:
    # deadline NOW + 5h: the 24h and 6h lead times are crossed, 1h is not
    request_id = store.add_request(new(at=NOW - 43 * H))
    assert store.due_reminders(LEADS, NOW) == {}  # not posted yet
    store.save_post(request_id, CHAT, 321, NOW - 43 * H, ())
    assert store.due_reminders(LEADS, NOW) == {request_id: [24 * 3600, 6 * 3600]}

    assert store.claim_reminder(request_id, 6 * 3600, [24 * 3600], NOW) is True
    assert store.claim_reminder(request_id, 6 * 3600, [], NOW) is False
    assert store.due_reminders(LEADS, NOW) == {}
    assert store.unconfirmed_reminders() == [(request_id, 6 * 3600)]

    store.release_reminder(request_id, 6 * 3600)
    assert store.due_reminders(LEADS, NOW) == {request_id: [6 * 3600]}
    assert store.unconfirmed_reminders() == []

    assert store.claim_reminder(request_id, 6 * 3600, [], NOW) is True
    store.reminder_sent(request_id, 6 * 3600, 555, NOW)
    store.release_reminder(request_id, 6 * 3600)  # a sent reminder stays
    assert store.due_reminders(LEADS, NOW) == {}
    assert store.unconfirmed_reminders() == []
    assert store.due_reminders(LEADS, NOW + 4 * H + timedelta(minutes=1)) == {request_id: [3600]}


def test_lead_times_shown_in_the_post_are_not_due(store: Store) -> None:
    request_id = store.add_request(new(at=NOW - 43 * H))
    store.save_post(request_id, CHAT, 321, NOW, [24 * H, 6 * H])
    assert store.due_reminders(LEADS, NOW) == {}
    assert store.next_reminder_due(LEADS) == NOW + 4 * H


def test_no_reminders_for_decided_requests(store: Store) -> None:
    request_id = store.add_request(new(at=NOW - 43 * H))
    store.save_post(request_id, CHAT, 321, NOW, ())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(started.id, "ok", NOW)
    assert store.due_reminders(LEADS, NOW) == {}
    assert store.next_reminder_due(LEADS) is None


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
    store.finish_decision(started.id, "ok", NOW)

    assert store.move_chat(-100, -1001) == [pending]
    assert [r.id for r in store.unposted(NOW, limit=10)] == [pending]
    assert store.request(elsewhere).post is not None  # type: ignore[union-attr]
    assert store.current_chat(-100) == -1001
    assert store.current_chat(-1001) == -1001
    assert store.current_chat(-200) == -200

    store.move_chat(-1001, -1002)
    assert store.current_chat(-100) == -1002


def test_current_chat_survives_a_cycle(store: Store) -> None:
    store.move_chat(-1, -2)
    store.move_chat(-2, -1)
    assert store.current_chat(-1) in {-1, -2}


# sync


def test_apply_sync_inserts_refreshes_and_closes(store: Store) -> None:
    refreshed_id = store.add_request(new(1))
    closed_id = store.add_request(new(2))
    store.save_post(refreshed_id, CHAT, 1, NOW, ())
    store.save_post(closed_id, CHAT, 2, NOW, ())
    refreshed = store.request(refreshed_id)
    closed = store.request(closed_id)
    assert refreshed is not None
    assert closed is not None

    ids = store.apply_sync(
        new=[new(3), new(4)],
        refreshed=[(refreshed, order(1, status="PICKUP"))],
        closed=[(closed, order(2, status="DELIVERED", substatus="DELIVERY_SERVICE_DELIVERED"))],
        poll=poll(found=3, new=2, resolved=1),
    )
    assert len(ids) == 2
    assert {store.request(i).order.order_id for i in ids} == {3, 4}  # type: ignore[union-attr]
    after_refresh = store.request(refreshed_id)
    assert after_refresh is not None
    assert after_refresh.order.status == "PICKUP"
    assert after_refresh.post is not None
    assert after_refresh.post.dirty == 1
    after_close = store.request(closed_id)
    assert after_close is not None
    assert after_close.state == "closed"
    assert after_close.closed_at == NOW
    assert after_close.closed_status == "DELIVERED/DELIVERY_SERVICE_DELIVERED"
    assert store.last_successful_poll() == NOW


def test_apply_sync_is_atomic(store: Store) -> None:
    existing = store.add_request(new(1))
    before = store.request(existing)
    assert before is not None
    with pytest.raises(OverflowError):
        store.apply_sync(
            new=[new(2)],
            refreshed=[(before, order(1, status="PICKUP"))],
            closed=[],
            poll=dataclasses.replace(poll(), found=2**64),  # the cycle's own record fails
        )
    assert store.count_requests() == 1
    assert store.open_request_for(1001, 2) is None
    assert store.request(existing) == before
    assert store.last_successful_poll() is None
    # the connection is usable afterwards
    assert store.add_request(new(2)) > existing


def test_a_request_that_cannot_be_stored_is_noted_and_the_rest_stored(store: Store) -> None:
    unstorable = new(2**64)  # beyond SQLite's integers
    ids = store.apply_sync(new=[new(1), unstorable, new(3)], refreshed=[], closed=[], poll=poll())
    assert [store.request(i).order_id for i in ids] == [1, 3]
    [noted] = store.problems.unreported()
    assert (noted.problem.order_ref, noted.problem.stage) == (str(2**64), "store")
    assert store.last_successful_poll() is not None
    # noted once per order, however many cycles meet it
    store.apply_sync(new=[unstorable], refreshed=[], closed=[], poll=poll())
    assert len(store.problems.all()) == 1


def test_invisible_refresh_does_not_dirty_the_post(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 1, NOW, ())
    stored = store.request(request_id)
    assert stored is not None
    store.apply_sync(
        new=[],
        refreshed=[(stored, order(updated_at=NOW))],
        closed=[],
        poll=poll(),
    )
    after = store.request(request_id)
    assert after is not None
    assert after.order.updated_at == NOW
    assert after.post is not None
    assert after.post.dirty == 0


def test_last_covering_poll(store: Store) -> None:
    store.record_failed_poll(poll(started_at=NOW - H, ok=False, error="boom"))
    store.apply_sync(new=[], refreshed=[], closed=[], poll=poll(started_at=NOW - 2 * H))
    assert store.last_covering_poll(date(2026, 7, 1), NOW) == NOW - 2 * H
    assert store.last_covering_poll(date(2026, 5, 1), NOW) is None
    assert store.last_covering_poll(None, NOW) == NOW - 2 * H
    assert store.last_covering_poll(None, NOW - 3 * H) is None


def test_a_post_sent_while_its_request_changed_is_edited_next(store: Store) -> None:
    closed_meanwhile = store.add_request(new(5001))
    corrected_meanwhile = store.add_request(new(5002))
    unchanged = store.add_request(new(5003))
    snapshots = {
        rid: store.request(rid) for rid in (closed_meanwhile, corrected_meanwhile, unchanged)
    }
    # while the three sendMessage calls were on their way:
    store.close_request(closed_meanwhile, order(status="CANCELLED"), NOW)
    store.correct_request_time(corrected_meanwhile, RequestTime(NOW - 20 * H, Basis.NOTIFICATION))

    for message_id, (request_id, snapshot) in enumerate(snapshots.items(), start=1):
        store.save_post(request_id, CHAT, message_id, NOW, (), rendered_from=snapshot)

    assert [r.id for r in store.dirty_posts(limit=10)] == sorted(
        [closed_meanwhile, corrected_meanwhile],
        key=lambda rid: store.request(rid).deadline,  # type: ignore[union-attr]
    )


def test_a_refused_post_waits_its_turn_and_never_holds_up_the_next(store: Store) -> None:
    first = store.add_request(new(1, at=NOW - 30 * H))
    second = store.add_request(new(2, at=NOW - 1 * H))
    store.post_refused(store.request(first), "Bad Request: message is too long", NOW)
    assert [r.id for r in store.unposted(NOW, limit=10)] == [second]
    assert store.next_post_retry() == NOW + timedelta(minutes=1)
    later = NOW + timedelta(minutes=1)
    assert [r.id for r in store.unposted(later, limit=10)] == [first, second]
    store.post_refused(store.request(first), "Bad Request: message is too long", later)
    assert store.next_post_retry() == later + timedelta(minutes=2)  # backing off
    [noted] = store.problems.all()  # told once
    assert (noted.problem.order_ref, noted.problem.stage) == ("1", "post")
    store.save_post(first, CHAT, 9, later + timedelta(minutes=2), ())
    assert store.next_post_retry() is None
