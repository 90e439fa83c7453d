"""storage: Posts and reminders: what is shown, what is out of date, what is due."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import Decision, DecisionResult, Post
from storage.store import Store
from tests.builders import CHAT, NOW, H, begin, close, new

LEADS = [24 * 3600, 6 * 3600, 3600]


# posts


def test_unposted_by_deadline(store: Store) -> None:
    late = store.add_request(new(1, at=NOW - 1 * H))
    early = store.add_request(new(2, at=NOW - 30 * H))
    middle = store.add_request(new(3, at=NOW - 10 * H))
    assert [r.id for r in store.posts.unposted(NOW, limit=10)] == [early, middle, late]
    assert [r.id for r in store.posts.unposted(NOW)] == [early]
    store.save_post(early, CHAT, 1, NOW, ())
    assert [r.id for r in store.posts.unposted(NOW, limit=10)] == [middle, late]


def test_unposted_skips_closed_requests(store: Store) -> None:
    request_id = store.add_request(new())
    close(store, request_id, None, NOW)
    assert store.posts.unposted(NOW, limit=10) == []


def test_save_post_then_dirty_counter(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    fresh = store.requests.get(request_id)
    assert fresh is not None
    assert fresh.post == Post(CHAT, 321, NOW, None, 0)
    assert store.posts.dirty(limit=10) == []

    store.posts.set_confirming(request_id, None)
    store.posts.set_confirming(request_id, None)
    seen = store.requests.get(request_id).post  # type: ignore[union-attr]
    assert seen is not None
    assert seen.dirty == 2
    assert [r.id for r in store.posts.dirty(limit=10)] == [request_id]

    assert store.posts.mark_clean(request_id, seen) is True
    assert store.requests.get(request_id).post.dirty == 0  # type: ignore[union-attr]
    assert store.posts.dirty(limit=10) == []


def test_mark_clean_with_stale_snapshot_keeps_it_dirty(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.posts.set_confirming(request_id, None)
    stale = store.requests.get(request_id).post  # type: ignore[union-attr]
    assert stale is not None
    store.posts.set_confirming(request_id, Decision.REJECT_DELIVERED)  # changes again meanwhile
    assert store.posts.mark_clean(request_id, stale) is False
    current = store.requests.get(request_id).post  # type: ignore[union-attr]
    assert current is not None
    assert current.dirty == 2
    assert current.confirming is Decision.REJECT_DELIVERED
    assert store.posts.mark_clean(request_id, current) is True


def test_mark_clean_with_snapshot_of_another_message(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.posts.set_confirming(request_id, None)
    old = store.requests.get(request_id).post  # type: ignore[union-attr]
    store.save_post(request_id, CHAT, 999, NOW, ())
    store.posts.set_confirming(request_id, None)
    assert old is not None
    assert store.posts.mark_clean(request_id, old) is False


def test_mark_dirty_without_post_is_harmless(store: Store) -> None:
    request_id = store.add_request(new())
    store.posts.set_confirming(request_id, None)
    assert store.requests.get(request_id).post is None  # type: ignore[union-attr]


def test_forget_post_reposts(store: Store) -> None:
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.posts.forget(request_id)
    assert [r.id for r in store.posts.unposted(NOW)] == [request_id]


# reminders


def test_due_reminders_claim_and_release(store: Store) -> None:
    # deadline NOW + 5h: the 24h and 6h lead times are crossed, 1h is not
    request_id = store.add_request(new(at=NOW - 43 * H))
    assert store.reminders.due(LEADS, NOW) == {}  # not posted yet
    store.save_post(request_id, CHAT, 321, NOW - 43 * H, ())
    assert store.reminders.due(LEADS, NOW) == {request_id: [24 * 3600, 6 * 3600]}

    assert store.reminders.claim(request_id, 6 * 3600, [24 * 3600], NOW) is True
    assert store.reminders.claim(request_id, 6 * 3600, [], NOW) is False
    assert store.reminders.due(LEADS, NOW) == {}
    assert store.reminders.unconfirmed() == [(request_id, 6 * 3600)]

    store.reminders.release(request_id, 6 * 3600)
    assert store.reminders.due(LEADS, NOW) == {request_id: [6 * 3600]}
    assert store.reminders.unconfirmed() == []

    assert store.reminders.claim(request_id, 6 * 3600, [], NOW) is True
    store.reminders.sent(request_id, 6 * 3600, 555, NOW)
    store.reminders.release(request_id, 6 * 3600)  # a sent reminder stays
    assert store.reminders.due(LEADS, NOW) == {}
    assert store.reminders.unconfirmed() == []
    assert store.reminders.due(LEADS, NOW + 4 * H + timedelta(minutes=1)) == {request_id: [3600]}


def test_lead_times_shown_in_the_post_are_not_due(store: Store) -> None:
    request_id = store.add_request(new(at=NOW - 43 * H))
    store.save_post(request_id, CHAT, 321, NOW, [24 * H, 6 * H])
    assert store.reminders.due(LEADS, NOW) == {}
    assert store.reminders.next_due(LEADS) == NOW + 4 * H


def test_no_reminders_for_decided_requests(store: Store) -> None:
    request_id = store.add_request(new(at=NOW - 43 * H))
    store.save_post(request_id, CHAT, 321, NOW, ())
    started = begin(store, request_id)
    assert started is not None
    store.finish_decision(started.id, DecisionResult.OK, NOW)
    assert store.reminders.due(LEADS, NOW) == {}
    assert store.reminders.next_due(LEADS) is None
