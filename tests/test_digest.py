"""bot.owner.digest: when the digest is due, and what its chart counts (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import Decision, RequestState
from bot.owner.digest import chart_spec, digest_due, until_next
from tests.builders import style
from tests.test_stats import ANNA, NOW, decided, row

MOSCOW = ZoneInfo("Europe/Moscow")
NINE = time(9, 0)


def test_due_once_a_local_day_from_its_time_on() -> None:
    before = datetime(2026, 11, 20, 5, 59, tzinfo=UTC)  # 08:59 in Moscow
    after = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    assert not digest_due(before, MOSCOW, NINE, None)
    assert digest_due(after, MOSCOW, NINE, None)
    assert digest_due(after, MOSCOW, NINE, date(2026, 11, 17))  # missed days: one, late
    assert not digest_due(after + timedelta(hours=12), MOSCOW, NINE, date(2026, 11, 20))
    assert until_next(before, MOSCOW, NINE) == timedelta(minutes=1)
    assert until_next(after, MOSCOW, NINE) == timedelta(days=1)


def test_chart_counts_each_request_on_its_local_day() -> None:
    last = NOW.astimezone(MOSCOW).date()
    rows = [
        decided(1, Decision.ACCEPT, ANNA, timedelta(hours=2), first_seen=NOW),
        decided(2, Decision.ACCEPT, ANNA, timedelta(hours=4), first_seen=NOW),
        row(3, first_seen=NOW - timedelta(days=1)),
        row(4, first_seen=NOW - timedelta(days=1), state=RequestState.CLOSED, closed_at=NOW,
            deadline=NOW - timedelta(hours=1)),
        row(5, first_seen=NOW - timedelta(days=40)),  # before the chart's 30 days
    ]  # fmt: skip
    spec = chart_spec(rows, last, style("en"))
    assert len(spec["days"]) == 30 and spec["days"][-1] == last.strftime("%d.%m")
    series = {s["label"]: s["values"] for s in spec["series"]}
    assert series["cancellation accepted"][-1] == 2
    assert series["waiting for a decision"][-2] == 1
    assert series["probably expired unanswered"][-2] == 1
    assert sum(sum(values) for values in series.values()) == 4
    assert spec["medians"][-1] == 3.0 and spec["medians"][-2] is None
