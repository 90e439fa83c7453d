"""The operators' commands, in a private chat with the bot, for `OPERATOR_USER_IDS` only:
`/cabinets`, `/pending all` and `/stats all [period]` cover every cabinet of the desk.

They read; they decide nothing. An operator taps a post only where a cabinet's
`staff_user_ids` names them, as anyone else (`bot.chat.access`). Their words and times are
the process's (`LANGUAGE`, `TIMEZONE`): an operator serves every cabinet.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, filters

from bot.chat import access
from bot.chat.handlers import Context, DeskData
from bot.chat.render import render_help, render_pending
from bot.chat.rooms import Room, Rooms
from bot.owner.periods import PeriodError, parse_period
from bot.owner.render_operators import CabinetView, render_cabinets, render_stats_all
from bot.owner.stats import compute


async def _reply(update: Update, context: Context, texts: list[str]) -> None:
    assert update.effective_chat is not None
    for text in texts:
        await context.bot.send_message(chat_id=update.effective_chat.id, text=text)


def _views(data: DeskData) -> list[CabinetView]:
    views = []
    for side in data.sides:
        state = side.poller.state
        room = _room_of(data.rooms, side.cabinet.name)
        reach = room.reach if room else None
        views.append(
            CabinetView(
                name=side.cabinet.name,
                chat_id=room.chat.id if room else side.cabinet.chat_id,
                last_good_poll=state.succeeded_at,
                pending=side.store.requests.pending(),
                trouble_since=state.trouble_since,
                trouble=state.trouble,
                chat_lost_since=reach.lost_since if reach else None,
                chat_refusal=reach.reason if reach else None,
                marketplace=side.cabinet.marketplace,
            )
        )
    return views


def _room_of(rooms: Rooms, cabinet: str) -> Room | None:
    return next((room for room in rooms.all if cabinet in room.cabinets), None)


async def on_cabinets(update: Update, context: Context) -> None:
    data = context.bot_data
    await _reply(update, context, render_cabinets(_views(data), data.operators.style))


async def on_pending_all(update: Update, context: Context) -> None:
    data = context.bot_data
    requests, names = [], {}
    for side in data.sides:
        requests += side.store.requests.pending()
        names |= {c: f"{side.cabinet.name} · {side.shops.name(c)}" for c in side.shops.campaigns}
    requests.sort(key=lambda request: (request.deadline, request.id))
    style = data.operators.style
    await _reply(update, context, render_pending(requests, names, data.clock(), style))


async def on_stats_all(update: Update, context: Context) -> None:
    data = context.bot_data
    style = data.operators.style
    try:
        period = parse_period(" ".join((context.args or [])[1:]), data.clock(), style.timezone)
    except PeriodError:
        await _reply(update, context, [style.texts("owner.period_usage")])
        return
    every, per_cabinet = [], []
    for side in data.sides:
        rows = list(side.store.history.ledger(period.start, period.end))
        every += rows
        per_cabinet.append((side.cabinet.name, compute(rows, period)))
    total = compute(every, period)
    await _reply(update, context, render_stats_all(per_cabinet, total, style))


async def on_operator_help(update: Update, context: Context) -> None:
    """/start and /help of an operator: their commands, after a staff member's help if
    a cabinet's staff list names them too."""
    data, message = context.bot_data, update.effective_message
    user = update.effective_user
    room = data.rooms.private(user.id) if user else None
    style = room.style if room else data.operators.style
    parts = [render_help(style)] if room else []
    if message and message.text and message.text.startswith("/start"):
        parts.insert(0, style.texts("start"))
    parts.append(data.operators.style.texts("help.operators"))
    await _reply(update, context, ["\n\n".join(parts)])


def register(application: Application) -> None:
    """Ahead of the chat's own commands (`access.EVERY_CABINET_GROUP`)."""
    data: DeskData = application.bot_data
    group = access.EVERY_CABINET_GROUP
    operators = filters.User(user_id=data.settings.operator_user_ids)
    for name in ("start", "help"):
        application.add_handler(access.operators_first(name, on_operator_help, operators), group)
    for name, callback in (("pending", on_pending_all), ("stats", on_stats_all)):
        application.add_handler(
            access.operators_first(name, callback, access.asks_all(name)), group
        )
    application.add_handler(access.command("cabinets", on_cabinets))
