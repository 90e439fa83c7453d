"""/stats and /history as pure functions of computed numbers and stored decisions."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.chat.render import split_lines
from bot.domain.ledger import INFERRED, OUTCOMES
from bot.domain.model import DecisionRecord, DecisionResult
from bot.formatting import CLIP_ERROR, Style, clip, left, person_name, when
from bot.owner.stats import Spread, Stats


def stats_lines(stats: Stats, style: Style) -> list[str]:
    """The counts, times and people; shared by /stats and the digest."""
    t = style.texts
    lines = [t("stats.received", n=stats.received)]
    lines += [t(f"stats.{outcome.value}", n=stats.outcomes[outcome]) for outcome in OUTCOMES]
    lines += _speed_lines(stats, style)
    if stats.people:
        lines.append(t("stats.people"))
        lines += [
            t("stats.person", name=person_name(tally.person), n=tally.decisions)
            for tally in stats.people
        ]
    if any(n for outcome, n in stats.outcomes.items() if outcome in INFERRED):
        lines.append(t("stats.note"))
    return lines


def _speed_lines(stats: Stats, style: Style) -> list[str]:
    t = style.texts
    lines = []
    for key, spread in (("stats.speed", stats.exact), ("stats.speed_estimated", stats.estimated)):
        if spread.count:
            lines.append(t(key, n=spread.count, **_spread_values(spread, style)))
    return lines or [t("stats.speed_none")]


def _spread_values(spread: Spread, style: Style) -> dict[str, str]:
    assert spread.median is not None and spread.p90 is not None
    return {"median": left(spread.median, style), "p90": left(spread.p90, style)}


def render_stats(stats: Stats, style: Style) -> list[str]:
    period = stats.period
    title = style.texts(
        "stats.title",
        period=escape(period.label),
        start=when(period.start, style),
        end=when(period.end, style),
    )
    return split_lines([title, *stats_lines(stats, style)])


def short_answer(record: DecisionRecord, style: Style) -> str:
    """The Market's answer to a decision in a few words."""
    t = style.texts
    if record.result is None:
        return t("answer.short.none")
    if record.result is DecisionResult.FAILED:
        error = " ".join(
            str(part)
            for part in (record.http_status, record.error_code, record.error_message)
            if part
        )
        return t("answer.short.failed", error=escape(clip(error or "?", CLIP_ERROR)))
    return t(f"answer.short.{record.result.value}")


def render_history(decisions: Sequence[tuple[DecisionRecord, int]], style: Style) -> list[str]:
    t = style.texts
    if not decisions:
        return [t("history.empty")]
    lines = [t("history.title")]
    for record, order_id in decisions:
        lines.append(
            t(
                "history.line",
                when=when(record.started_at, style),
                order_id=order_id,
                action=t(f"action.{record.decision.value}"),
                who=person_name(record.person),
                answer=short_answer(record, style),
            )
        )
    return split_lines(lines)
