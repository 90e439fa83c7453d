"""storage: the journal records each step in the same transaction as the change itself."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from bot.domain.model import Basis, Decision, DecisionResult, Person, RequestTime
from storage.retention import prune_settled
from storage.store import Store
from tests.builders import CHAT, NOW, H, begin, close, new, order

S = timedelta(seconds=1)


def kinds(store: Store, request_id: int) -> list[str]:
    return [event.kind.value for event in store.events.of(request_id)]


def decide(store: Store, request_id: int, at: datetime):
    return store.begin_decision(request_id, Decision.ACCEPT, Person(42, "Анна", None), at)


def test_a_request_s_whole_story_is_kept_in_order(store: Store) -> None:
    request_id = store.add_request(new(basis=Basis.ESTIMATED))
    store.correct_request_time(request_id, RequestTime(NOW - 11 * H, Basis.NOTIFICATION), NOW)
    store.save_post(request_id, CHAT, 321, NOW + S, ())
    store.reminder_sent(request_id, 3600, 400, NOW + 2 * S)
    anna = Person(42, "Анна")
    store.confirming(request_id, Decision.ACCEPT, anna, NOW + 3 * S)
    store.confirming(request_id, None, anna, NOW + 4 * S)
    failed = decide(store, request_id, NOW + 5 * S)
    store.finish_decision(
        failed.id, DecisionResult.FAILED, NOW + 5 * S, http_status=500, error_code="X"
    )
    retried = decide(store, request_id, NOW + 6 * S)
    store.finish_decision(retried.id, DecisionResult.OK, NOW + 7 * S, http_status=200)
    close(store, request_id, order(status="CANCELLED", substatus="USER_CHANGED_MIND"), NOW + H)

    events = store.events.of(request_id)
    assert kinds(store, request_id) == [
        "seen", "deadline", "posted", "reminder", "chose", "back",
        "sent", "answer", "sent", "answer", "closed",
    ]  # fmt: skip
    seen, corrected = events[0], events[1]
    assert seen.detail["basis"] == "estimated"
    assert corrected.detail["old_basis"] == "estimated"
    assert corrected.detail["basis"] == "notification"
    assert corrected.detail["deadline"].startswith((NOW + 37 * H).date().isoformat())
    assert events[7].detail["http_status"] == 500 and events[7].detail["result"] == "failed"
    assert events[9].detail["result"] == "ok" and events[9].actor == anna
    assert events[10].detail["status"] == "CANCELLED/USER_CHANGED_MIND"
    assert not any(event.before_journal for event in events)


def test_a_post_made_again_is_a_repost(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.posts.forget(request_id)
    store.save_post(request_id, CHAT, 322, NOW + S, ())
    assert kinds(store, request_id)[-2:] == ["posted", "reposted"]
    assert store.events.of(request_id)[-1].detail["message_id"] == 322


def test_nothing_is_journaled_when_the_change_fails(store: Store) -> None:
    request_id = store.add_request(new())
    store.db.execute("DROP INDEX one_decision_in_flight")  # so the failure comes later
    store.db.execute(
        "CREATE TRIGGER no_answers BEFORE UPDATE OF result ON decisions"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    started = begin(store, request_id)
    with pytest.raises(sqlite3.DatabaseError):
        store.finish_decision(started.id, DecisionResult.OK, NOW, http_status=200)
    assert kinds(store, request_id) == ["seen", "sent"]


def test_prune_deletes_old_settled_requests_with_all_theirs_only(store: Store) -> None:
    old = store.add_request(new(5001))
    store.save_post(old, CHAT, 321, NOW, ())
    store.reminder_sent(old, 3600, 400, NOW)
    store.finish_decision(decide(store, old, NOW).id, DecisionResult.OK, NOW, http_status=200)
    close(store, old, order(5001, status="CANCELLED", substatus="USER_CHANGED_MIND"), NOW)
    recent = store.add_request(new(5002))
    close(store, recent, order(5002, status="CANCELLED"), NOW + 10 * H)
    pending = store.add_request(new(5003, at=NOW - 100 * H))  # long past its deadline
    decided_open = store.add_request(new(5004))
    store.finish_decision(
        decide(store, decided_open, NOW).id, DecisionResult.OK, NOW, http_status=200
    )

    assert prune_settled(store.db, NOW + H) == 1

    assert store.requests.get(old) is None
    for table in ("events", "reminders", "decisions", "posts"):
        count = store.db.value(f"SELECT count(*) FROM {table} WHERE request_id = ?", [old])
        assert count == 0, table
    assert [store.requests.get(i) is not None for i in (recent, pending, decided_open)] == [
        True,
        True,
        True,
    ]
    assert kinds(store, recent)[-1] == "closed"
    assert prune_settled(store.db, NOW + H) == 0


def test_daily_runs_remember_the_last_day(store: Store) -> None:
    assert store.daily.last("digest") is None
    store.daily.done("digest", NOW.date())
    store.daily.done("digest", NOW.date() + timedelta(days=1))
    assert store.daily.last("digest") == NOW.date() + timedelta(days=1)
