"""`check` for one cabinet's staff chat: the bot may post there, who can join it, the team's
topics and rights, and whether photos and documents can be sent."""

from __future__ import annotations

from telegram import Bot, ChatFullInfo, ChatMember
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import Settings
from bot.ops.check_line import CheckLine
from bot.team.check_team import check_team

POSTING_STATUSES = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}


async def check_staff_chat(bot: Bot, bot_id: int, settings: Settings) -> list[CheckLine]:
    """Telegram failing here fails this chat's lines alone, not another cabinet's."""
    lines: list[CheckLine] = []
    try:
        line, seen = await _check_chat(bot, settings.staff_chat_id, bot_id)
        lines.append(line)
        if seen is not None:
            chat, member = seen
            lines += _check_audience(chat, settings)
            lines += await check_team(bot, settings, member)
            lines.append(_check_files(chat, member, settings))
    except TelegramError as error:
        lines.append(
            CheckLine(False, "Telegram", f"{error}; check the network and TELEGRAM_API_URL")
        )
    return lines


async def _check_chat(
    bot: Bot, chat_id: int, bot_id: int
) -> tuple[CheckLine, tuple[ChatFullInfo, ChatMember] | None]:
    """The staff chat's line, and the chat and the bot's membership when it may post."""
    item = f"staff chat {chat_id}"
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot_id)
    except (BadRequest, Forbidden) as error:
        hint = (
            f"{error}; add the bot to the staff group and check STAFF_CHAT_ID "
            "(group ids are negative, supergroups start with -100)"
        )
        return CheckLine(False, item, hint), None
    can_post = member.status in POSTING_STATUSES or (
        member.status == ChatMemberStatus.RESTRICTED and getattr(member, "can_send_messages", False)
    )
    if not can_post:
        return CheckLine(False, item, f"the bot is '{member.status}' there and cannot post"), None
    line = CheckLine(True, item, f"“{chat.title or chat.id}”, the bot is {member.status}")
    return line, (chat, member)


def _check_audience(chat: ChatFullInfo, settings: Settings) -> list[CheckLine]:
    """Anyone may join a public group (one with a username); only STAFF_USER_IDS keeps
    them from deciding on refunds and reading the owner's commands."""
    if not chat.username:
        return []
    item = f"public staff chat @{chat.username}"
    if settings.staff_user_ids:
        return [CheckLine(True, item, "only STAFF_USER_IDS may decide and use owner commands")]
    hint = (
        "anyone can join it and decide on cancellations, and read /stats, /history, /order "
        "and /export; set STAFF_USER_IDS to the staff's Telegram user ids, or make the "
        "group private (remove its public link)"
    )
    return [CheckLine(False, item, hint)]


def _check_files(chat: ChatFullInfo, member: ChatMember, settings: Settings) -> CheckLine:
    """The digest's chart is a photo and /export a document: both need the right to send."""
    item = "photos and documents"
    if member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR):
        allowed = True
    elif member.status == ChatMemberStatus.RESTRICTED:
        allowed = bool(getattr(member, "can_send_photos", False)) and bool(
            getattr(member, "can_send_documents", False)
        )
    else:
        rights = chat.permissions
        allowed = rights is None or (
            rights.can_send_photos is not False and rights.can_send_documents is not False
        )
    if not allowed:
        return CheckLine(
            False,
            item,
            "the bot may not send them to the staff chat, so the digest's chart and /export "
            "fail; allow members to send photos and files, or make the bot an admin",
        )
    if settings.digest_topic_id is not None and not chat.is_forum:
        return CheckLine(False, item, "DIGEST_TOPIC_ID is set but the staff chat has no topics")
    return CheckLine(True, item, "the digest's chart and /export can be sent")
