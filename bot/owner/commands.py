"""The owner's commands: /stats, /history, /order and /export (who may use them: `bot.chat.access`).

Thin: parse the argument, read storage, hand the rows to the pure modules, send.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application

from bot.chat import access
from bot.chat.handlers import Context, room_of
from bot.chat.render import post_link, split_lines
from bot.chat.rooms import Room
from bot.domain.journal import Kind
from bot.domain.model import Request
from bot.owner.export import export_parts
from bot.owner.periods import Period, PeriodError, parse_period
from bot.owner.render_owner import render_history, render_stats
from bot.owner.stats import compute
from bot.owner.story import story_lines
from storage.history import History

HISTORY_SIZE = 20
ORDER_ID = re.compile(r"[0-9]{1,18}")
POSTING_NUMBER = re.compile(r"[0-9]{1,20}(?:-[0-9]{1,10}){1,3}")  # Ozon's: 12345678-0001-1


async def _reply(update: Update, context: Context, texts: list[str]) -> None:
    assert update.effective_chat is not None
    for text in texts:
        await context.bot.send_message(chat_id=update.effective_chat.id, text=text)


def _period(context: Context, room: Room) -> Period | None:
    try:
        now = context.bot_data.clock()
        return parse_period(" ".join(context.args or ()), now, room.settings.timezone)
    except PeriodError:
        return None


async def on_stats(update: Update, context: Context) -> None:
    room = room_of(update, context)
    period = _period(context, room)
    if period is None:
        await _reply(update, context, [room.style.texts("owner.period_usage")])
        return
    stats = compute(room.store.history.ledger(period.start, period.end), period)
    await _reply(update, context, render_stats(stats, room.style))


async def on_history(update: Update, context: Context) -> None:
    room = room_of(update, context)
    decisions = room.store.history.recent_decisions(HISTORY_SIZE)
    await _reply(update, context, render_history(decisions, room.style))


def requests_named(text: str, history: History) -> list[Request] | None:
    """The requests of a Market order id or an Ozon posting number; None: neither."""
    if ORDER_ID.fullmatch(text):
        return history.requests_of_order(int(text))
    if POSTING_NUMBER.fullmatch(text):
        return history.requests_of_posting(text)
    return None


async def on_order(update: Update, context: Context) -> None:
    data = room_of(update, context)
    t, args = data.style.texts, context.args or []
    number = args[0].lstrip("№#") if len(args) == 1 else ""
    requests = requests_named(number, data.store.history)
    if requests is None:
        await _reply(update, context, [t("owner.order_usage")])
        return
    if not requests:
        unknown = "owner.order_unknown" + ("" if ORDER_ID.fullmatch(number) else ".posting")
        await _reply(update, context, [t(unknown, order_id=number)])
        return
    lines: list[str] = []
    for request in requests:
        lines += [*_story(request, data), ""]
    await _reply(update, context, split_lines(lines[:-1]))


def _story(request: Request, data: Room) -> list[str]:
    """One request's story with a link to its post, or to the last one it had."""
    store = data.store
    events = store.events.of(request.id)
    last = store.decisions.last(request.id)
    taken = last.decision if last is not None and last.taken else None
    link = post_link(request.post.chat_id, request.post.message_id) if request.post else None
    for event in reversed(events):
        if link is None and event.kind in (Kind.POSTED, Kind.REPOSTED):
            link = post_link(event.detail["chat_id"], event.detail["message_id"])
    shop = data.shops.name(request.campaign_id)
    return story_lines(request, events, taken, shop, link, data.style)


async def on_export(update: Update, context: Context) -> None:
    data = room_of(update, context)
    t = data.style.texts
    period = _period(context, data)
    if period is None:
        await _reply(update, context, [t("owner.period_usage")])
        return
    rows = data.store.history.ledger(period.start, period.end)
    sent = 0
    for sent, part in enumerate(export_parts(rows, data.shops.names, data.style), start=1):
        await context.bot.send_document(
            chat_id=update.effective_chat.id,
            document=part.data,
            filename=f"requests-{period.label}-{sent}.csv",
            caption=t("export.caption", period=period.label, part=sent, n=part.rows),
        )
    if not sent:
        await _reply(update, context, [t("export.empty", period=period.label)])


def register(application: Application) -> None:
    application.add_handler(access.command("stats", on_stats))
    application.add_handler(access.command("history", on_history))
    application.add_handler(access.command("order", on_order))
    application.add_handler(access.command("export", on_export))
