"""/order: one request's story from its journal, as a pure function of stored records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from bot.domain.journal import Event, Kind
from bot.domain.ledger import Fate, classify
from bot.domain.model import Decision, DecisionResult, Marketplace, Request
from bot.formatting import (
    CLIP_ERROR,
    Style,
    clip,
    closed_text,
    left,
    order_number,
    person_name,
    shop_shown,
    worded,
)

# the texts Ozon's requests word their own way: the steps that name the marketplace, an
# Ozon request's exact time (from its listing, not a notification) and its status
OZON_WORDED = frozenset({"story.sent", "story.answer", "story.status", "basis.notification"})


def _worded(key: str, marketplace: Marketplace) -> str:
    return worded(key, marketplace) if key in OZON_WORDED else key


def _at(text: str | None, style: Style) -> str:
    if not text:
        return "?"
    return datetime.fromisoformat(text).astimezone(style.timezone).strftime("%d.%m.%Y %H:%M")


def _answer(event: Event, style: Style, marketplace: Marketplace) -> str:
    t, detail = style.texts, event.detail
    result = detail.get("result")
    if result is DecisionResult.FAILED:
        error = " ".join(
            str(detail[key])
            for key in ("http_status", "error_code", "error_message")
            if detail.get(key)
        )
        failed = worded("answer.short.failed", marketplace)
        return t(failed, error=escape(clip(error or "?", CLIP_ERROR)))
    return (
        t(worded(f"answer.short.{result.value}", marketplace)) if result else t("answer.short.none")
    )


def event_line(event: Event, style: Style, marketplace: Marketplace = Marketplace.YANDEX) -> str:
    """One step, in the staff's zone; a step rebuilt by the migration is starred."""
    t, d = style.texts, event.detail
    values: dict[str, object] = {
        "when": event.at.astimezone(style.timezone).strftime("%d.%m.%Y %H:%M:%S"),
        "who": person_name(event.actor) if event.actor else "?",
    }
    if "decision" in d:
        values["action"] = t(worded(f"action.{d['decision'].value}", marketplace))
    if event.kind in (Kind.SEEN, Kind.DEADLINE):
        values.update(
            requested=_at(d.get("requested_at"), style),
            basis=t(_worded(f"basis.{d.get('basis')}", marketplace)),
            deadline=_at(d.get("deadline"), style),
            old=_at(d.get("old_deadline"), style),
            new=_at(d.get("deadline"), style),
        )
    elif event.kind in (Kind.STATUS, Kind.CLOSED):
        values["status"] = closed_text(d.get("status"), marketplace, style)
    elif event.kind is Kind.REMINDER:
        values["lead"] = left(timedelta(seconds=d.get("lead_seconds", 0)), style)
    elif event.kind is Kind.POST_REFUSED:
        values["detail"] = escape(clip(str(d.get("detail", "")), CLIP_ERROR))
    elif event.kind is Kind.ANSWER:
        values["answer"] = _answer(event, style, marketplace)
    key = f"story.{event.kind.value}"
    line = t(_worded(key, marketplace), **values)
    return line + " *" if event.before_journal else line


def story_lines(
    request: Request,
    events: Sequence[Event],
    taken: Decision | None,
    shop: str,
    link: str | None,
    style: Style,
) -> list[str]:
    t = style.texts
    marketplace = request.order.marketplace
    shown = shop_shown(shop, marketplace, style)
    lines = [t("story.title", order_id=order_number(request.order), shop=shown)]
    outcome = classify(taken, request.state, request.closed_at, request.deadline)
    if outcome is Fate.PENDING:
        deadline = request.deadline.astimezone(style.timezone).strftime("%d.%m.%Y %H:%M")
        lines.append(t("story.now_pending", deadline=deadline))
    else:
        lines.append(t("story.now", outcome=t(f"ledger.{outcome.value}")))
    if link:
        lines.append(t("story.link", link=link))
    lines += [event_line(event, style, marketplace) for event in events]
    if any(event.before_journal for event in events):
        lines.append(t("story.before"))
    return lines
