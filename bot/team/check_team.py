"""`check` for the team's settings: every forum topic can be posted to, ESCALATE_TO people
are in the staff chat, and the bot has the rights a setting needs. The Bot API cannot read
a topic, so each is probed with sendChatAction in it (nothing is posted)."""

from __future__ import annotations

from telegram import Bot, ChatMember
from telegram.constants import ChatAction, ChatMemberStatus
from telegram.error import BadRequest

from bot.config import Settings
from bot.ops.check_line import CheckLine


def _topics(settings: Settings) -> dict[int, str]:
    """Each topic in use and the setting that names it."""
    topics = {topic: "CAMPAIGN_TOPICS" for _, topic in settings.campaign_topics}
    if settings.staff_topic_id is not None:
        topics[settings.staff_topic_id] = "STAFF_TOPIC_ID"
    return topics


async def check_team(bot: Bot, settings: Settings, member: ChatMember) -> list[CheckLine]:
    lines = [
        await _probe(bot, settings.staff_chat_id, topic, name)
        for topic, name in _topics(settings).items()
    ]
    chat_id = settings.staff_chat_id
    lines += [await _person(bot, chat_id, user_id) for user_id in settings.escalate_to]
    if settings.pin_summary:
        can_pin = member.status == ChatMemberStatus.OWNER or getattr(
            member, "can_pin_messages", False
        )
        hint = "the bot can pin it" if can_pin else (
            "make the bot an administrator with “Pin messages” (can_pin_messages)"
        )  # fmt: skip
        lines.append(CheckLine(bool(can_pin), "PIN_SUMMARY", hint))
    return lines


async def _person(bot: Bot, chat_id: int, user_id: int) -> CheckLine:
    """An ESCALATE_TO mention rings only someone in the staff chat."""
    item = f"ESCALATE_TO {user_id}"
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except BadRequest as error:
        return CheckLine(False, item, f"{error.message}; check the user id")
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return CheckLine(False, item, f"{member.user.full_name} is not in the staff chat; add them")
    return CheckLine(True, item, f"{member.user.full_name} is in the staff chat")


async def _probe(bot: Bot, chat_id: int, topic: int, name: str) -> CheckLine:
    item = f"topic {topic} ({name})"
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=topic)
    except BadRequest as error:
        text = error.message.lower()
        if "topic_closed" in text:
            hint = (
                "the topic is closed; reopen it, or make the bot an administrator "
                "with “Manage topics” (can_manage_topics)"
            )
        elif "thread not found" in text:
            hint = f"no such topic in this chat (deleted?); check {name}"
        else:
            hint = f"{error.message}; check {name}"
        return CheckLine(False, item, hint)
    return CheckLine(True, item, "the bot can post there")
