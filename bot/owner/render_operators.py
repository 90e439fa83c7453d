"""The operators' replies as pure functions: every cabinet in `/cabinets`, and a line per
cabinet with a total in `/stats all`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.chat.render import split_lines
from bot.domain.ledger import Fate
from bot.domain.model import Decision, Marketplace, Request
from bot.formatting import Style, marketplace_name, order_number, when
from bot.owner.render_owner import stats_lines
from bot.owner.stats import Stats


@dataclass(frozen=True)
class CabinetView:
    """One cabinet as `/cabinets` shows it."""

    name: str
    chat_id: int
    last_good_poll: datetime | None  # this run's; None: none yet
    pending: Sequence[Request]  # nearest deadline first
    trouble_since: datetime | None  # the Market's side
    trouble: str | None
    chat_lost_since: datetime | None  # the chat refuses the bot
    chat_refusal: str | None
    marketplace: Marketplace = Marketplace.YANDEX


def render_cabinets(cabinets: Sequence[CabinetView], style: Style) -> list[str]:
    t = style.texts
    lines = [t("cabinets.title", count=len(cabinets))]
    for cabinet in cabinets:
        lines += ["", *_cabinet_lines(cabinet, style)]
    return split_lines(lines)


def _cabinet_lines(cabinet: CabinetView, style: Style) -> list[str]:
    t = style.texts
    polled = when(cabinet.last_good_poll, style) if cabinet.last_good_poll else t("cabinets.never")
    name, chat_id = escape(cabinet.name), cabinet.chat_id
    if style.names_marketplace:  # once Ozon is served, every cabinet says whose it is
        where = marketplace_name(cabinet.marketplace, style)
        head = t("cabinets.name_marketplace", name=name, marketplace=where, chat_id=chat_id)
    else:
        head = t("cabinets.name", name=name, chat_id=chat_id)
    lines = [head, t("cabinets.polled", when=polled)]
    if cabinet.pending:
        first = cabinet.pending[0]
        deadline = when(first.deadline, style)
        if first.request_time.estimated:
            deadline = "~" + deadline
        number = order_number(first.order)
        lines.append(t("cabinets.open", n=len(cabinet.pending), deadline=deadline, order_id=number))
    else:
        lines.append(t("cabinets.open_none"))
    if cabinet.trouble_since is not None:
        since = when(cabinet.trouble_since, style)
        lines.append(t("cabinets.trouble", since=since, what=escape(cabinet.trouble or "?")))
    if cabinet.chat_lost_since is not None:
        since = when(cabinet.chat_lost_since, style)
        what = escape(cabinet.chat_refusal or "?")
        lines.append(t("cabinets.chat_lost", since=since, what=what))
    if cabinet.trouble_since is None and cabinet.chat_lost_since is None:
        lines.append(t("cabinets.fine"))
    return lines


def render_stats_all(
    per_cabinet: Sequence[tuple[str, Stats]], total: Stats, style: Style
) -> list[str]:
    """A line per cabinet, then the total as /stats shows one chat's."""
    t, period = style.texts, total.period
    title = t(
        "stats.title",
        period=escape(period.label),
        start=when(period.start, style),
        end=when(period.end, style),
    )
    lines = [title, *(_cabinet_stats(name, stats, style) for name, stats in per_cabinet)]
    lines += ["", t("stats_all.total"), *stats_lines(total, style)]
    return split_lines(lines)


def _cabinet_stats(name: str, stats: Stats, style: Style) -> str:
    counts = stats.outcomes
    return style.texts(
        "stats_all.line",
        name=escape(name),
        received=stats.received,
        accepted=counts[Decision.ACCEPT],
        rejected=counts[Decision.REJECT_DELIVERED] + counts[Decision.REJECT_IN_DELIVERY],
        elsewhere=counts[Fate.ELSEWHERE],
        expired=counts[Fate.EXPIRED],
        pending=counts[Fate.PENDING],
    )
