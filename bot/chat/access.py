"""Who may use each command and each button, declared in one place.

Commands are registered through `command`, which enforces their audience and the
per-person cooldown, and makes what they send a reply that waits for the outbox; taps are
judged by the decider with `may_tap`. The operators' view of every cabinet (`/cabinets`,
and `/pending all`, `/stats all` through `every_cabinet`) answers only `OPERATOR_USER_IDS`,
only in a private chat; it decides nothing: an operator taps only where a cabinet's staff
list names them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from enum import Enum
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, CommandHandler, filters

from bot.chat.callbacks import Tap
from bot.chat.ratelimit import GroupRateLimiter, ReplyDropped, replying
from bot.chat.room_of import room_for
from bot.config import Settings

if TYPE_CHECKING:
    from bot.chat.handlers import Context, DeskData

log = logging.getLogger(__name__)


class Audience(Enum):
    """Who a command or a button is for."""

    CHAT = "chat"  # the staff chat's members; in private, STAFF_USER_IDS
    STAFF = "staff"  # STAFF_USER_IDS wherever asked; the staff chat's members while it is empty
    OPERATOR = "operator"  # OPERATOR_USER_IDS, in a private chat only


COMMANDS: dict[str, Audience] = {
    "pending": Audience.CHAT,
    "help": Audience.CHAT,
    "start": Audience.CHAT,
    "stats": Audience.STAFF,
    "history": Audience.STAFF,
    "order": Audience.STAFF,
    "export": Audience.STAFF,
    "cabinets": Audience.OPERATOR,
}
#: The handler group of `/name all`: ahead of the chat's own `/name` (group 0).
EVERY_CABINET_GROUP = -1
BUTTONS: dict[Tap, Audience] = {
    Tap.CHOOSE: Audience.STAFF,
    Tap.CONFIRM: Audience.STAFF,
    Tap.BACK: Audience.STAFF,
    Tap.CLAIM: Audience.STAFF,
    Tap.CONTACT: Audience.STAFF,  # BUYER_CONTACT needs STAFF_USER_IDS: only the listed
}

Command = Callable[[Update, "Context"], Coroutine[Any, Any, None]]


def admits(
    audience: Audience, settings: Settings, user_id: int, *, staff_chat: bool, private: bool
) -> bool:
    """Whether this user may use it where they asked (the staff chat, a private chat)."""
    listed = user_id in settings.staff_user_ids
    if private:
        return listed
    if not staff_chat:
        return False
    return audience is Audience.CHAT or listed or not settings.staff_user_ids


def may_tap(settings: Settings, tap: Tap, user_id: int) -> bool:
    """Whether this user may use a button of a post in the staff chat."""
    return admits(BUTTONS[tap], settings, user_id, staff_chat=True, private=False)


def command(name: str, callback: Command) -> CommandHandler:
    """The handler of /`name`: its audience only, one at a time per person, after the outbox."""
    return CommandHandler(name, _guarded(name, COMMANDS[name], callback))


def operators_first(name: str, callback: Command, when: filters.BaseFilter) -> CommandHandler:
    """The operators' /`name` in a private chat where `when` holds (e.g. `/stats all`), for
    OPERATOR_USER_IDS only: registered in EVERY_CABINET_GROUP, so the chat's own /`name`
    then stays silent."""
    guarded = _guarded(name, Audience.OPERATOR, callback)

    async def alone(update: Update, context: Context) -> None:
        await guarded(update, context)
        raise ApplicationHandlerStop

    return CommandHandler(name, alone, filters=filters.ChatType.PRIVATE & when)


def asks_all(name: str) -> filters.BaseFilter:
    """`/name all ...` (or `/name@the_bot all`): every cabinet."""
    return filters.Regex(rf"^/{name}(?:@\w+)?\s+all(\s|$)")


def _guarded(name: str, audience: Audience, callback: Command) -> Command:
    async def guarded(update: Update, context: Context) -> None:
        data, chat, user = context.bot_data, update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        with data.cooldown.turn(chat.id, user.id) as allowed:
            if not allowed:
                log.info("Ignored /%s from user %s in chat %s: too soon", name, user.id, chat.id)
                return
            if not await _admitted(update, data, audience):
                return
            try:
                with replying():
                    await _after_the_outbox(context, chat.id)
                    await callback(update, context)
            except ReplyDropped:
                log.info("Did not answer /%s from user %s: the desk is stopping", name, user.id)

    return guarded


async def _admitted(update: Update, data: DeskData, audience: Audience) -> bool:
    """Outsiders learn nothing; in private they are told the bot is not for them."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    private = chat.type == ChatType.PRIVATE
    if audience is Audience.OPERATOR:
        if private and user.id in data.settings.operator_user_ids:
            return True
    elif (room := room_for(data.rooms, chat, user)) is not None and admits(
        audience, room.settings, user.id, staff_chat=not private, private=private
    ):
        return True
    log.warning("Refused a command from user %s in chat %s", user.id, chat.id)
    if private and update.effective_message:
        await update.effective_message.reply_text(data.style.texts("private.refused"))
    return False


async def _after_the_outbox(context: Context, chat_id: int) -> None:
    """Read the answer when its turn comes, so it shows what is true when it is sent."""
    limiter = context.bot.rate_limiter
    if isinstance(limiter, GroupRateLimiter):
        await limiter.after_the_outbox(chat_id)
