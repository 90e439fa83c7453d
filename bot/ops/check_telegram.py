"""`check`'s Telegram side: the bot's token once for the process, the operators' private
chats, and each cabinet's staff chat (bot.ops.check_chat)."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from bot.cabinet import Desk
from bot.ops.check_chat import check_staff_chat
from bot.ops.check_line import CheckLine
from bot.telegram_link import token_refusal

NEVER_STARTED = "chat not found"  # getChat's 400 for a user without a private chat with the bot


async def check_telegram(desk: Desk) -> tuple[list[CheckLine], list[list[CheckLine]]]:
    """The process's lines (the token, the operators) and each cabinet's staff chat lines,
    in the order of `desk.cabinets`; without a working token no chat is tried."""
    settings = desk.settings
    bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_url)
    blocks: list[list[CheckLine]] = [[] for _ in desk.cabinets]
    try:
        async with bot:
            me = await bot.get_me()
            lines = [CheckLine(True, "Telegram token", f"bot @{me.username}")]
            lines += await check_operators(bot, me.username, settings.operator_user_ids)
            for block, cabinet in zip(blocks, desk.cabinets, strict=True):
                block += await check_staff_chat(bot, me.id, cabinet.settings)
    except InvalidToken as error:  # its text quotes the token: Telegram's words only
        lines = [CheckLine(False, "Telegram token", token_refusal(error))]
    except Forbidden as error:
        lines = [
            CheckLine(False, "Telegram token", f"rejected ({error}); copy it again from @BotFather")
        ]
    except TelegramError as error:
        lines = [CheckLine(False, "Telegram", f"{error}; check the network and TELEGRAM_API_URL")]
    return lines, blocks


async def check_operators(bot: Bot, username: str, user_ids: Iterable[int]) -> list[CheckLine]:
    return [await _operator(bot, username, user_id) for user_id in sorted(user_ids)]


async def _operator(bot: Bot, username: str, user_id: int) -> CheckLine:
    """A bot cannot write first: an operator who never started it would not hear of a
    cabinet's trouble. Only a warning, since the desk itself works without them."""
    item = f"operator {user_id}"
    try:
        chat = await bot.get_chat(user_id)
    except BadRequest as error:
        if NEVER_STARTED in error.message.lower():
            return CheckLine.warn(
                item,
                "has never started the bot, which cannot write first, so they would not hear "
                f"of a cabinet's trouble; ask them to open @{username} and press Start",
            )
        return CheckLine.warn(item, f"{error.message}; check OPERATOR_USER_IDS")
    except Forbidden as error:
        return CheckLine.warn(item, f"{error.message}; ask them to unblock @{username}")
    except TelegramError as error:
        return CheckLine.warn(item, f"{error}; could not ask Telegram, try again")
    return CheckLine(True, item, f"{chat.full_name or user_id} can be told in private")
