"""/stats and /history as pure functions of computed numbers and stored decisions."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.chat.render import split_lines
from bot.domain.ledger import INFERRED, OUTCOMES
from bot.domain.model import DecisionRecord, DecisionResult, Marketplace
from bot.formatting import (
    CLIP_ERROR,
    Style,
    chat_worded,
    clip,
    left,
    marketplace_name,
    person_name,
    when,
    worded,
)
from bot.owner.stats import Spread, Stats

CHAT_WORDED = frozenset({"stats.expired", "stats.note"})


def stats_lines(stats: Stats, style: Style) -> list[str]:
    """The counts, times and people; shared by /stats and the digest."""
    t = style.texts
    lines = [t("stats.received", n=stats.received)]
    lines += [
        t(_chat_worded(f"stats.{outcome.value}", style), n=stats.outcomes[outcome])
        for outcome in OUTCOMES
    ]
    lines += _marketplace_lines(stats, style)
    lines += _speed_lines(stats, style)
    if stats.people:
        lines.append(t("stats.people"))
        lines += [
            t("stats.person", name=person_name(tally.person), n=tally.decisions)
            for tally in stats.people
        ]
    if any(n for outcome, n in stats.outcomes.items() if outcome in INFERRED):
        lines.append(t(_chat_worded("stats.note", style)))
    return lines


def _chat_worded(key: str, style: Style) -> str:
    """The lines that say who refunded: the Market, Ozon, or the marketplace."""
    return chat_worded(key, style.marketplaces) if key in CHAT_WORDED else key


def _marketplace_lines(stats: Stats, style: Style) -> list[str]:
    """A line per marketplace, in a chat serving both: the same counts, split."""
    if not style.splits_marketplaces:
        return []
    t = style.texts
    lines = [t("stats.marketplaces")]
    for marketplace in (m for m in Marketplace if m in style.marketplaces):
        counts = stats.by_marketplace[marketplace]
        values = {outcome.value: counts[outcome] for outcome in OUTCOMES}
        name = marketplace_name(marketplace, style)
        lines.append(t("stats.marketplace", name=name, n=sum(counts.values()), **values))
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


def short_answer(
    record: DecisionRecord, style: Style, marketplace: Marketplace = Marketplace.YANDEX
) -> str:
    """The marketplace's answer to a decision in a few words."""
    t = style.texts
    if record.result is None:
        return t("answer.short.none")
    if record.result is DecisionResult.FAILED:
        error = " ".join(
            str(part)
            for part in (record.http_status, record.error_code, record.error_message)
            if part
        )
        failed = worded("answer.short.failed", marketplace)
        return t(failed, error=escape(clip(error or "?", CLIP_ERROR)))
    return t(worded(f"answer.short.{record.result.value}", marketplace))


def render_history(
    decisions: Sequence[tuple[DecisionRecord, str, Marketplace]], style: Style
) -> list[str]:
    t = style.texts
    if not decisions:
        return [t("history.empty")]
    lines = [t("history.title")]
    for record, number, marketplace in decisions:
        lines.append(
            t(
                "history.line",
                when=when(record.started_at, style),
                order_id=escape(number),
                action=t(worded(f"action.{record.decision.value}", marketplace)),
                who=person_name(record.person),
                answer=short_answer(record, style, marketplace),
            )
        )
    return split_lines(lines)
