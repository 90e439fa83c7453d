"""python-telegram-bot handlers: button taps and the three commands."""

from __future__ import annotations

import logging
import time

from telegram import BotCommand, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.callbacks import parse_callback
from bot.decider import Decider, Staff, Verdict
from bot.desk import Desk
from bot.render import render_help, render_pending

log = logging.getLogger(__name__)


def _desk(context: ContextTypes.DEFAULT_TYPE) -> Desk:
    return context.application.bot_data["desk"]


async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer first, from storage alone; the PUT (if any) runs after, as its own task."""
    query = update.callback_query
    if query is None:
        return
    decider: Decider = context.application.bot_data["decider"]
    _desk(context).last_tap = time.monotonic()
    message = query.message
    verdict = Verdict(_desk(context).texts("answer.unknown"))
    try:
        verdict = decider.judge_tap(
            parse_callback(query.data),
            message.chat.id if message else 0,
            message.message_id if message else 0,
            Staff(query.from_user.id, query.from_user.full_name, query.from_user.username),
        )
    finally:
        if verdict.follow_up is not None:  # starts as the answer goes, not after it returns
            context.application.create_task(verdict.follow_up, update=update)
        try:
            await query.answer(verdict.answer)
        except TelegramError as error:
            log.warning("Could not answer a tap: %s", error)


def _may_use_commands(desk: Desk, update: Update) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if desk.is_staff_chat(chat.id):
        return True
    return chat.type == ChatType.PRIVATE and user.id in desk.settings.staff_user_ids


async def _refuse(update: Update, desk: Desk) -> None:
    chat = update.effective_chat
    user_id = update.effective_user.id if update.effective_user else None
    log.warning("Refused a command from user %s in chat %s", user_id, chat.id if chat else None)
    if chat is not None and chat.type == ChatType.PRIVATE and update.effective_message:
        await update.effective_message.reply_text(desk.texts("private.refused"))


async def on_pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    desk = _desk(context)
    if not _may_use_commands(desk, update):
        await _refuse(update, desk)
        return
    parts = render_pending(desk.store.pending_requests(), desk.shops, desk.clock(), desk.style)
    for part in parts:
        await context.bot.send_message(chat_id=update.effective_chat.id, text=part)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    desk = _desk(context)
    if not _may_use_commands(desk, update):
        await _refuse(update, desk)
        return
    await context.bot.send_message(chat_id=update.effective_chat.id, text=render_help(desk.style))


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    desk = _desk(context)
    if not _may_use_commands(desk, update):
        await _refuse(update, desk)
        return
    text = desk.texts("start") + "\n\n" + render_help(desk.style)
    await context.bot.send_message(chat_id=update.effective_chat.id, text=text)


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram announces the upgrade in the old group; follow it before the next post."""
    desk = _desk(context)
    message = update.effective_message
    if message and message.migrate_to_chat_id and desk.is_staff_chat(message.chat.id):
        desk.follow_migration(message.migrate_to_chat_id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("Unhandled error while handling an update", exc_info=context.error)


def commands(desk: Desk) -> list[BotCommand]:
    t = desk.texts
    return [
        BotCommand("pending", t("command.pending")),
        BotCommand("help", t("command.help")),
        BotCommand("start", t("command.start")),
    ]


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(on_tap))
    application.add_handler(CommandHandler("pending", on_pending))
    application.add_handler(CommandHandler("help", on_help))
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    application.add_error_handler(on_error)
