"""bot.owner.stats and bot.owner.periods: the numbers /stats shows, from ledger rows alone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.ledger import INFERRED, Fate, LedgerRow
from bot.domain.model import Basis, Decision, DecisionResult, Person, RequestState
from bot.owner.periods import Period, PeriodError, parse_period
from bot.owner.stats import compute, spread

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
MOSCOW = ZoneInfo("Europe/Moscow")
WEEK = Period(NOW - 7 * 24 * H, NOW, "7d")


def row(n: int, **changes: object) -> LedgerRow:
    base = LedgerRow(
        request_id=n,
        campaign_id=1001,
        order_id=5000 + n,
        state=RequestState.PENDING,
        first_seen=NOW - 30 * H,
        requested_at=NOW - 31 * H,
        basis=Basis.NOTIFICATION,
        deadline=NOW + 17 * H,
        posted_at=NOW - 30 * H,
        closed_at=None,
        closed_status=None,
        decision=None,
        result=None,
        http_status=None,
        error_code=None,
        decided_by=None,
        decided_at=None,
    )
    return dataclasses.replace(base, **changes)


def decided(n: int, decision: Decision, who: Person, after: timedelta, **more) -> LedgerRow:
    return row(
        n,
        state=RequestState.DECIDED,
        decision=decision,
        result=DecisionResult.OK,
        decided_by=who,
        decided_at=NOW - 31 * H + after,
        **more,
    )


ANNA, BORIS = Person(1, "Анна"), Person(2, "Boris")


def test_each_request_counts_once_in_its_outcome() -> None:
    rows = [
        decided(1, Decision.ACCEPT, ANNA, 1 * H),
        decided(2, Decision.REJECT_DELIVERED, BORIS, 2 * H),
        decided(3, Decision.REJECT_IN_DELIVERY, ANNA, 3 * H, basis=Basis.ESTIMATED),
        row(4, state=RequestState.CLOSED, closed_at=NOW - 2 * H, deadline=NOW - 3 * H),
        row(5, state=RequestState.CLOSED, closed_at=NOW - 20 * H),  # before its deadline
        row(6),
        # a refused decision settles nothing: the request then expired
        row(7, state=RequestState.CLOSED, closed_at=NOW, deadline=NOW - H, decision=Decision.ACCEPT,
            result=DecisionResult.FAILED, decided_by=ANNA, decided_at=NOW - 5 * H),
    ]  # fmt: skip
    stats = compute(rows, WEEK)

    assert stats.received == 7
    assert stats.outcomes == {
        Decision.ACCEPT: 1,
        Decision.REJECT_DELIVERED: 1,
        Decision.REJECT_IN_DELIVERY: 1,
        Fate.EXPIRED: 2,
        Fate.ELSEWHERE: 1,
        Fate.PENDING: 1,
    }
    assert (stats.exact.count, stats.exact.median, stats.exact.p90) == (2, 1.5 * H, 2 * H)
    assert (stats.estimated.count, stats.estimated.median) == (1, 3 * H)
    assert [(t.person.name, t.decisions) for t in stats.people] == [("Анна", 2), ("Boris", 1)]
    assert Fate.EXPIRED in INFERRED and Fate.ELSEWHERE in INFERRED
    assert Decision.ACCEPT not in INFERRED


def test_percentiles_by_nearest_rank() -> None:
    minutes = [timedelta(minutes=m) for m in range(1, 11)]
    result = spread(reversed(minutes))
    assert (result.median, result.p90) == (timedelta(minutes=5.5), timedelta(minutes=9))
    assert spread([]).median is None


def test_an_empty_period_counts_zero_everywhere() -> None:
    stats = compute([], WEEK)
    assert stats.received == 0 and set(stats.outcomes.values()) == {0} and stats.people == []


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("", NOW - 7 * 24 * H, NOW),
        ("30d", NOW - 30 * 24 * H, NOW),
        ("2026-11", datetime(2026, 10, 31, 21, tzinfo=UTC), datetime(2026, 11, 30, 21, tzinfo=UTC)),
        ("2026-12", datetime(2026, 11, 30, 21, tzinfo=UTC), datetime(2026, 12, 31, 21, tzinfo=UTC)),
    ],
)
def test_periods_accepted(text: str, start: datetime, end: datetime) -> None:
    period = parse_period(text, NOW, MOSCOW)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["13x", "2026-13", "0d", "abc", "7", "2026-1", "d", "7d 2"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, NOW, MOSCOW)


def test_inferred_outcomes_are_worded_as_probable_in_both_languages() -> None:
    from bot.owner.render_owner import render_stats
    from tests.builders import style

    expired = row(1, state=RequestState.CLOSED, closed_at=NOW, deadline=NOW - H)
    [ru] = render_stats(compute([expired], WEEK), style("ru"))
    assert "Вероятно, истекли без ответа (Маркет вернул деньги): 1" in ru
    assert "«Вероятно»: Маркет не сообщает" in ru
    [en] = render_stats(compute([decided(2, Decision.ACCEPT, ANNA, H)], WEEK), style("en"))
    assert "Probably expired unanswered (the Market refunded): 0" in en
    assert "“Probably”" not in en  # the note only when something was inferred
