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
from bot.chat.decider import Decider, Tapped, Verdict
from bot.chat.render import render_help, render_pending
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.domain.model import Person
from bot.formatting import Style
from bot.intake.notifications import Inbox
from bot.market.client import MarketClient
from bot.market.shops import Shops
from bot.signals import Activity, Shutdown
from bot.team.contact import BuyerContact
from bot.texts import Texts
from storage.store import Store

if TYPE_CHECKING:
    import asyncio

    from bot.intake.http import HttpServer

log = logging.getLogger(__name__)


class DeskData:
    """python-telegram-bot's `bot_data`, typed: the pieces, set once when the app is built."""

    settings: Settings
    store: Store
    market: MarketClient
    decider: Decider
    contact: BuyerContact
    chat: StaffChat
    shops: Shops
    style: Style
    clock: Callable[[], datetime]
    activity: Activity
    inbox: Inbox
    cooldown: Cooldown
    loops: list[Callable[[], Coroutine[Any, Any, None]]]  # started at once
    chat_loops: list[Callable[[], Coroutine[Any, Any, None]]]  # once Telegram answers
    tasks: list[asyncio.Task[None]]
    shutdown: Shutdown
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
    tapped = Tapped(
        parse_callback(query.data),
        message.chat.id if message else 0,
        message.message_id if message else 0,
        Person(query.from_user.id, query.from_user.full_name, query.from_user.username),
    )
    if tapped.callback is not None and tapped.callback.tap is Tap.CONTACT:
        await _answer_contact(query, data, tapped)
        return
    verdict = Verdict(data.style.texts("answer.unknown"))
    try:
        verdict = data.decider.judge_tap(tapped)
    finally:
        if verdict.follow_up is not None:  # starts as the answer goes, not after it returns
            context.application.create_task(verdict.follow_up, update=update)
        try:
            await query.answer(verdict.answer)
        except TelegramError as error:
            log.warning("Could not answer a tap: %s", error)


async def _answer_contact(query: CallbackQuery, data: DeskData, tapped: Tapped) -> None:
    """The buyer's contact, in a pop-up only the tapper sees."""
    try:
        await query.answer(await data.contact.answer(tapped), show_alert=True)
    except TelegramError as error:
        log.warning("Could not answer a tap: %s", error)


async def _answer(update: Update, context: Context, text: str) -> None:
    """Answer a command where it was asked, in its forum topic if it has one."""
    message = update.effective_message
    topic = message.message_thread_id if message and message.is_topic_message else None
    await context.bot.send_message(
        chat_id=update.effective_chat.id, text=text, message_thread_id=topic
    )


async def on_pending(update: Update, context: Context) -> None:
    data = context.bot_data
    requests = data.store.requests.pending()
    for part in render_pending(requests, data.shops.names, data.clock(), data.style):
        await _answer(update, context, part)


async def on_help(update: Update, context: Context) -> None:
    await _answer(update, context, _help(context.bot_data))


async def on_start(update: Update, context: Context) -> None:
    data = context.bot_data
    await _answer(update, context, data.style.texts("start") + "\n\n" + _help(data))


def _help(data: DeskData) -> str:
    if not data.help_note:
        return render_help(data.style)
    return render_help(data.style) + "\n\n" + data.help_note


async def on_migration(update: Update, context: Context) -> None:
    """Telegram announces the upgrade in the old group; follow it before the next post."""
    data = context.bot_data
    message = update.effective_message
    if message and message.migrate_to_chat_id and data.chat.is_it(message.chat.id):
        data.chat.follow(message.migrate_to_chat_id)


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
