"""storage: A poll cycle written at once, one request at a time; poll history; refused posts."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from bot.domain.model import Basis, RequestTime
from storage.store import Store
from tests.builders import CHAT, NOW, H, close, new, order, poll, sync

LEADS = [24 * 3600, 6 * 3600, 3600]


# sync


def test_apply_sync_inserts_refreshes_and_closes(store: Store) -> None:
    refreshed_id = store.add_request(new(1))
    closed_id = store.add_request(new(2))
    store.save_post(refreshed_id, CHAT, 1, NOW, ())
    store.save_post(closed_id, CHAT, 2, NOW, ())
    refreshed = store.requests.get(refreshed_id)
    closed = store.requests.get(closed_id)
    assert refreshed is not None
    assert closed is not None

    ids = sync(
        store,
        new=[new(3), new(4)],
        refreshed=[(refreshed, order(1, status="PICKUP"))],
        closed=[(closed, order(2, status="DELIVERED", substatus="DELIVERY_SERVICE_DELIVERED"))],
        poll=poll(found=3, new=2, resolved=1),
    )
    assert len(ids) == 2
    assert {store.requests.get(i).order.order_id for i in ids} == {3, 4}  # type: ignore[union-attr]
    after_refresh = store.requests.get(refreshed_id)
    assert after_refresh is not None
    assert after_refresh.order.status == "PICKUP"
    assert after_refresh.post is not None
    assert after_refresh.post.dirty == 1
    after_close = store.requests.get(closed_id)
    assert after_close is not None
    assert after_close.state == "closed"
    assert after_close.closed_at == NOW
    assert after_close.closed_status == "DELIVERED/DELIVERY_SERVICE_DELIVERED"
    assert store.polls.last_successful() == NOW


def test_apply_sync_is_atomic(store: Store) -> None:
    existing = store.add_request(new(1))
    before = store.requests.get(existing)
    assert before is not None
    with pytest.raises(OverflowError):
        sync(
            store,
            new=[new(2)],
            refreshed=[(before, order(1, status="PICKUP"))],
            closed=[],
            poll=dataclasses.replace(poll(), found=2**64),  # the cycle's own record fails
        )
    assert store.requests.count() == 1
    assert store.requests.open_for(1001, 2) is None
    assert store.requests.get(existing) == before
    assert store.polls.last_successful() is None
    # the connection is usable afterwards
    assert store.add_request(new(2)) > existing


def test_a_request_that_cannot_be_stored_is_noted_and_the_rest_stored(store: Store) -> None:
    unstorable = new(2**64)  # beyond SQLite's integers
    ids = sync(store, new=[new(1), unstorable, new(3)], refreshed=[], closed=[], poll=poll())
    assert [store.requests.get(i).order_id for i in ids] == [1, 3]
    [noted] = store.problems.unreported()
    assert (noted.problem.order_ref, noted.problem.stage) == (str(2**64), "store")
    assert store.polls.last_successful() is not None
    # noted once per order, however many cycles meet it
    sync(store, new=[unstorable], refreshed=[], closed=[], poll=poll())
    assert len(store.problems.all()) == 1


def test_invisible_refresh_does_not_dirty_the_post(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 1, NOW, ())
    stored = store.requests.get(request_id)
    assert stored is not None
    sync(
        store,
        new=[],
        refreshed=[(stored, order(updated_at=NOW))],
        closed=[],
        poll=poll(),
    )
    after = store.requests.get(request_id)
    assert after is not None
    assert after.order.updated_at == NOW
    assert after.post is not None
    assert after.post.dirty == 0


def test_last_covering_poll(store: Store) -> None:
    store.poll_failed(poll(started_at=NOW - H, ok=False, error="boom"))
    sync(store, new=[], refreshed=[], closed=[], poll=poll(started_at=NOW - 2 * H))
    assert store.polls.last_covering(date(2026, 7, 1), NOW) == NOW - 2 * H
    assert store.polls.last_covering(date(2026, 5, 1), NOW) is None
    assert store.polls.last_covering(None, NOW) == NOW - 2 * H
    assert store.polls.last_covering(None, NOW - 3 * H) is None


def test_a_post_sent_while_its_request_changed_is_edited_next(store: Store) -> None:
    closed_meanwhile = store.add_request(new(5001))
    corrected_meanwhile = store.add_request(new(5002))
    unchanged = store.add_request(new(5003))
    snapshots = {
        rid: store.requests.get(rid) for rid in (closed_meanwhile, corrected_meanwhile, unchanged)
    }
    # while the three sendMessage calls were on their way:
    close(store, closed_meanwhile, order(status="CANCELLED"), NOW)
    store.correct_request_time(
        corrected_meanwhile, RequestTime(NOW - 20 * H, Basis.NOTIFICATION), NOW
    )

    for message_id, (request_id, snapshot) in enumerate(snapshots.items(), start=1):
        store.save_post(request_id, CHAT, message_id, NOW, (), rendered_from=snapshot)

    assert [r.id for r in store.posts.dirty(limit=10)] == sorted(
        [closed_meanwhile, corrected_meanwhile],
        key=lambda rid: store.requests.get(rid).deadline,  # type: ignore[union-attr]
    )


def test_a_refused_post_waits_its_turn_and_never_holds_up_the_next(store: Store) -> None:
    first = store.add_request(new(1, at=NOW - 30 * H))
    second = store.add_request(new(2, at=NOW - 1 * H))
    store.post_refused(store.requests.get(first), "Bad Request: message is too long", NOW)
    assert [r.id for r in store.posts.unposted(NOW, limit=10)] == [second]
    assert store.posts.next_retry() == NOW + timedelta(minutes=1)
    later = NOW + timedelta(minutes=1)
    assert [r.id for r in store.posts.unposted(later, limit=10)] == [first, second]
    store.post_refused(store.requests.get(first), "Bad Request: message is too long", later)
    assert store.posts.next_retry() == later + timedelta(minutes=2)  # backing off
    [noted] = store.problems.all()  # told once
    assert (noted.problem.order_ref, noted.problem.stage) == ("1", "post")
    store.save_post(first, CHAT, 9, later + timedelta(minutes=2), ())
    assert store.posts.next_retry() is None
