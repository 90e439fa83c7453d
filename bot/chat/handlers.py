"""python-telegram-bot handlers: button taps and the three commands (who may use them:
`bot.chat.access`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, CallbackQuery, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.chat import access
from bot.chat.callbacks import Tap, parse_callback
from bot.chat.cooldown import Cooldown
from bot.chat.decider import Tapped, Verdict
from bot.chat.render import render_help, render_pending
from bot.chat.room_of import room_for
from bot.chat.rooms import Room, Rooms
from bot.config import Settings
from bot.domain.model import Person
from bot.formatting import Style, chat_worded
from bot.intake.notifications import Inboxes
from bot.signals import Activity, Shutdown
from bot.texts import Texts
from storage.store import Store

if TYPE_CHECKING:
    import asyncio

    import httpx

    from bot.cabinet_side import Side
    from bot.intake.http import HttpServer
    from bot.ops.operators import Operators
    from bot.reload import Reloader

log = logging.getLogger(__name__)


class DeskData:
    """python-telegram-bot's `bot_data`, typed: the pieces, set once when the app is built.

    `settings` and `style` are the process's (and the first chat's words, for what is said
    outside any room); each chat's are in its room.
    """

    settings: Settings
    store: Store
    rooms: Rooms
    sides: list[Side]  # one per cabinet, of either marketplace
    inboxes: Inboxes
    market_http: httpx.AsyncClient
    operators: Operators  # OPERATOR_USER_IDS, with the process's words and time zone
    style: Style
    clock: Callable[[], datetime]
    activity: Activity
    cooldown: Cooldown
    loops: list[Callable[[], Coroutine[Any, Any, None]]]  # started at once
    chat_loops: list[Callable[[], Coroutine[Any, Any, None]]]  # once Telegram answers
    tasks: dict[Callable[[], Coroutine[Any, Any, None]], asyncio.Task[None]]  # by loop
    chat_started: bool = False  # the chat loops run: a reload's new rooms start at once
    shutdown: Shutdown
    reload: Reloader | None = None  # SIGHUP
    http: HttpServer | None = None
    help_note: str = ""  # what /help adds after the desk's own help (the demo's note)


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], DeskData]


async def on_tap(update: Update, context: Context) -> None:
    """Answer first, from storage alone; the PUT (if any) runs after, as its own task."""
    query = update.callback_query
    if query is None:
        return
    data = context.bot_data
    data.activity.tapped()
    message = query.message
    room = data.rooms.of(message.chat.id) if message else None
    style = room.style if room else data.style
    tapped = Tapped(
        parse_callback(query.data),
        message.chat.id if message else 0,
        message.message_id if message else 0,
        Person(query.from_user.id, query.from_user.full_name, query.from_user.username),
    )
    if room is None:  # a chat the desk does not serve: nothing to look up
        log.warning("Ignored a tap from user %s in chat %s", tapped.user.user_id, tapped.chat_id)
        await _answer_tap(query, style.texts("answer.unknown"))
        return
    if tapped.callback is not None and tapped.callback.tap is Tap.CONTACT:
        await _answer_contact(query, room, tapped)
        return
    verdict = Verdict(style.texts("answer.unknown"))
    try:
        verdict = room.taps.judge_tap(tapped)
    finally:
        if verdict.follow_up is not None:  # starts as the answer goes, not after it returns
            context.application.create_task(verdict.follow_up, update=update)
        await _answer_tap(query, verdict.answer)


async def _answer_tap(query: CallbackQuery, text: str, *, alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as error:
        log.warning("Could not answer a tap: %s", error)


async def _answer_contact(query: CallbackQuery, room: Room, tapped: Tapped) -> None:
    """The buyer's contact, in a pop-up only the tapper sees."""
    answer = await room.taps.answer_contact(tapped)
    await _answer_tap(query, answer, alert=True)


async def _answer(update: Update, context: Context, text: str) -> None:
    """Answer a command where it was asked, in its forum topic if it has one."""
    message = update.effective_message
    topic = message.message_thread_id if message and message.is_topic_message else None
    await context.bot.send_message(
        chat_id=update.effective_chat.id, text=text, message_thread_id=topic
    )


def room_of(update: Update, context: Context) -> Room:
    """The room a command is answered by (`access.command` admits no one outside one)."""
    room = room_for(context.bot_data.rooms, update.effective_chat, update.effective_user)
    assert room is not None
    return room


async def on_pending(update: Update, context: Context) -> None:
    room, clock = room_of(update, context), context.bot_data.clock
    requests = room.store.requests.pending()
    for part in render_pending(requests, room.shops.names, clock(), room.style):
        await _answer(update, context, part)


async def on_help(update: Update, context: Context) -> None:
    await _answer(update, context, _help(context.bot_data, room_of(update, context).style))


async def on_start(update: Update, context: Context) -> None:
    style = room_of(update, context).style
    hello = style.texts(chat_worded("start", style.marketplaces))
    await _answer(update, context, hello + "\n\n" + _help(context.bot_data, style))


def _help(data: DeskData, style: Style) -> str:
    if not data.help_note:
        return render_help(style)
    return render_help(style) + "\n\n" + data.help_note


async def on_migration(update: Update, context: Context) -> None:
    """Telegram announces the upgrade in the old group; follow it before the next post."""
    message = update.effective_message
    room = context.bot_data.rooms.of(message.chat.id) if message else None
    if message and message.migrate_to_chat_id and room is not None:
        room.chat.follow(message.migrate_to_chat_id)


async def on_error(update: object, context: Context) -> None:
    if isinstance(context.error, Conflict):
        _conflict(context)
        return
    log.error("Unhandled error while handling an update", exc_info=context.error)


def _conflict(context: Context) -> None:
    """Another process polls this bot's token: taps would go to either of the two."""
    if context.bot_data.settings.demo is not None:
        log.error(
            "Stopping the demo: another process polls this bot token (Telegram 409 Conflict);"
            " give the demo a bot of its own (TELEGRAM_BOT_TOKEN) while the desk runs"
        )
        context.bot_data.shutdown.request()
        return
    log.error(
        "Telegram 409 Conflict: another process polls this bot token (a `python -m bot demo`"
        " or a second desk with this TELEGRAM_BOT_TOKEN); taps may go to it. Stop it."
    )


def commands(texts: Texts) -> list[BotCommand]:
    return [
        BotCommand("pending", texts("command.pending")),
        BotCommand("stats", texts("command.stats")),
        BotCommand("history", texts("command.history")),
        BotCommand("order", texts("command.order")),
        BotCommand("export", texts("command.export")),
        BotCommand("help", texts("command.help")),
        BotCommand("start", texts("command.start")),
    ]


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(on_tap))
    application.add_handler(access.command("pending", on_pending))
    application.add_handler(access.command("help", on_help))
    application.add_handler(access.command("start", on_start))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    application.add_error_handler(on_error)
