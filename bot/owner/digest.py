"""The daily digest as pure functions: when it is due, its text, and its chart's data."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.ledger import OUTCOMES, LedgerRow
from bot.formatting import Style
from bot.owner.render_owner import stats_lines
from bot.owner.stats import Stats

CHART_DAYS = 30


def digest_due(now: datetime, zone: ZoneInfo, at: time, last_day: date | None) -> bool:
    """Due once a local day, from `at` on: a digest missed while down goes late, once."""
    local = now.astimezone(zone)
    return local.time() >= at and last_day != local.date()


def until_next(now: datetime, zone: ZoneInfo, at: time) -> timedelta:
    """How long until the next local `at` (tomorrow's, if today's has passed)."""
    local = now.astimezone(zone)
    target = datetime.combine(local.date(), at, tzinfo=zone)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return target - local


def digest_text(day: date, stats: Stats, pending: Sequence[LedgerRow], style: Style) -> str:
    """Yesterday in numbers, then what still waits and its nearest deadline."""
    t = style.texts
    lines = [t("digest.title", day=day.strftime("%d.%m.%Y")), *stats_lines(stats, style)]
    if pending:
        nearest = min(pending, key=lambda row: row.deadline)
        deadline = nearest.deadline.astimezone(style.timezone).strftime("%d.%m %H:%M")
        number = escape(nearest.posting_number or str(nearest.order_id))
        lines.append(t("digest.pending", n=len(pending), deadline=deadline, order_id=number))
    else:
        lines.append(t("digest.pending_none"))
    return "\n".join(lines)


def chart_spec(rows: Iterable[LedgerRow], last_day: date, style: Style) -> dict[str, Any]:
    """Per local day of the CHART_DAYS ending `last_day`: requests by outcome, median hours."""
    t, zone = style.texts, style.timezone
    days = [last_day - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    index = {day: n for n, day in enumerate(days)}
    counts = {outcome: [0] * len(days) for outcome in OUTCOMES}
    hours: list[list[float]] = [[] for _ in days]
    for row in rows:
        n = index.get(row.first_seen.astimezone(zone).date())
        if n is None:
            continue
        counts[row.outcome][n] += 1
        if (spent := row.time_to_decide) is not None:
            hours[n].append(spent.total_seconds() / 3600)
    return {
        "title": t("chart.title"),
        "median": t("chart.median"),
        "days": [day.strftime("%d.%m") for day in days],
        "series": [
            {"label": t(f"ledger.{outcome.value}"), "values": counts[outcome]}
            for outcome in OUTCOMES
        ],
        "medians": [statistics.median(h) if h else None for h in hours],
    }
