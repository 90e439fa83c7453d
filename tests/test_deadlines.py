"""bot/domain/deadlines.py: when a request was made (PRODUCT.md, "The deadline")."""

from datetime import UTC, datetime, timedelta

from bot.domain.deadlines import crossed_lead_times, estimate_request_time, from_notification
from bot.domain.model import Basis, RequestTime

FIRST_SEEN = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)
FRESH = timedelta(minutes=2)
H = timedelta(hours=1)


def estimate(
    *,
    created: datetime | None = FIRST_SEEN - 100 * H,
    updated: datetime | None = None,
    last_miss: datetime | None = None,
    first_seen: datetime = FIRST_SEEN,
) -> RequestTime:
    return estimate_request_time(
        first_seen=first_seen,
        created_at=created,
        updated_at=updated,
        last_miss=last_miss,
        fresh_within=FRESH,
    )


def test_notification_time_is_exact() -> None:
    at = datetime(2026, 7, 20, 9, 15, 42, tzinfo=UTC)
    rt = from_notification(at)
    assert rt.at == at
    assert rt.basis is Basis.NOTIFICATION
    assert not rt.estimated
    assert rt.deadline == at + timedelta(hours=48)


def test_recent_last_miss_gives_poll_basis() -> None:
    last_miss = FIRST_SEEN - timedelta(seconds=61)
    rt = estimate(last_miss=last_miss, updated=FIRST_SEEN - 30 * H)
    assert rt.basis is Basis.POLL
    assert rt.at == last_miss
    assert not rt.estimated
    assert rt.deadline == last_miss + 48 * H


def test_last_miss_exactly_fresh_within_is_still_poll() -> None:
    rt = estimate(last_miss=FIRST_SEEN - FRESH)
    assert rt.basis is Basis.POLL
    assert rt.at == FIRST_SEEN - FRESH


def test_last_miss_equal_to_first_seen_is_poll() -> None:
    rt = estimate(last_miss=FIRST_SEEN)
    assert rt == RequestTime(FIRST_SEEN, Basis.POLL)


def test_update_inside_window_is_the_estimate() -> None:
    updated = FIRST_SEEN - 5 * H
    rt = estimate(updated=updated)
    assert rt.basis is Basis.ESTIMATED
    assert rt.estimated
    assert rt.at == updated
    assert rt.deadline == updated + 48 * H


def test_update_before_creation_is_clamped_to_creation() -> None:
    created = FIRST_SEEN - 10 * H
    rt = estimate(created=created, updated=created - 3 * H)
    assert rt == RequestTime(created, Basis.ESTIMATED)


def test_update_older_than_48h_is_clamped_to_first_seen_minus_48h() -> None:
    rt = estimate(created=FIRST_SEEN - 100 * H, updated=FIRST_SEEN - 60 * H)
    assert rt == RequestTime(FIRST_SEEN - 48 * H, Basis.ESTIMATED)


def test_update_after_first_seen_is_clamped_to_first_seen() -> None:
    rt = estimate(updated=FIRST_SEEN + timedelta(minutes=5))
    assert rt == RequestTime(FIRST_SEEN, Basis.ESTIMATED)


def test_missing_update_takes_the_lower_bound() -> None:
    created = FIRST_SEEN - 20 * H
    rt = estimate(created=created, updated=None)
    assert rt == RequestTime(created, Basis.ESTIMATED)


def test_missing_update_and_creation_take_first_seen_minus_48h() -> None:
    rt = estimate(created=None, updated=None)
    assert rt == RequestTime(FIRST_SEEN - 48 * H, Basis.ESTIMATED)


def test_old_last_miss_raises_the_lower_bound() -> None:
    last_miss = FIRST_SEEN - 10 * H
    rt = estimate(created=FIRST_SEEN - 100 * H, updated=FIRST_SEEN - 20 * H, last_miss=last_miss)
    assert rt == RequestTime(last_miss, Basis.ESTIMATED)


def test_old_last_miss_does_not_move_an_update_inside_the_window() -> None:
    updated = FIRST_SEEN - 3 * H
    rt = estimate(updated=updated, last_miss=FIRST_SEEN - 10 * H)
    assert rt == RequestTime(updated, Basis.ESTIMATED)


def test_last_miss_older_than_48h_does_not_lower_the_bound() -> None:
    rt = estimate(updated=FIRST_SEEN - 70 * H, last_miss=FIRST_SEEN - 60 * H)
    assert rt == RequestTime(FIRST_SEEN - 48 * H, Basis.ESTIMATED)


def test_last_miss_after_first_seen_is_ignored() -> None:
    updated = FIRST_SEEN - 4 * H
    rt = estimate(updated=updated, last_miss=FIRST_SEEN + timedelta(seconds=30))
    assert rt == RequestTime(updated, Basis.ESTIMATED)


def test_creation_after_first_seen_never_pushes_the_estimate_past_it() -> None:
    rt = estimate(created=FIRST_SEEN + H, updated=None)
    assert rt == RequestTime(FIRST_SEEN, Basis.ESTIMATED)


def test_estimate_stays_inside_the_certain_window() -> None:
    created = FIRST_SEEN - 30 * H
    for offset_hours in (-200, -49, -31, -30, -12, 0, 3):
        rt = estimate(created=created, updated=FIRST_SEEN + offset_hours * H)
        assert created <= rt.at <= FIRST_SEEN
        assert rt.deadline == rt.at + 48 * H


def test_crossed_lead_times_largest_first() -> None:
    deadline = FIRST_SEEN + 48 * H
    leads = [H, 24 * H, 6 * H]
    assert crossed_lead_times(deadline, leads, deadline - 30 * H) == []
    assert crossed_lead_times(deadline, leads, deadline - 24 * H) == [24 * H]
    assert crossed_lead_times(deadline, leads, deadline - 2 * H) == [24 * H, 6 * H]
    assert crossed_lead_times(deadline, leads, deadline - H) == [24 * H, 6 * H, H]
    assert crossed_lead_times(deadline, leads, deadline + H) == [24 * H, 6 * H, H]


def test_crossed_lead_times_without_leads() -> None:
    assert crossed_lead_times(FIRST_SEEN, [], FIRST_SEEN) == []
