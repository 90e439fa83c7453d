"""ESCALATE_TO: the people called by name when the deadline is near and nobody decided.

The last reminder (the smallest lead time) carries the call; when no reminder will (the
lead was already crossed when the request was posted, or reminders are off), the post does.
Mentions are `tg://user?id=` links, which ring the person, shown with the name the chat
knows them by (getChatMember), learnt once and kept for the desk's life.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.chat.staff_chat import StaffChat
from bot.domain.deadlines import crossed_lead_times
from bot.domain.model import Person
from bot.formatting import mention
from bot.texts import Texts

log = logging.getLogger(__name__)


def post_carries(deadline: datetime, leads: Iterable[timedelta], posted_at: datetime) -> bool:
    """Whether the post itself must call: no reminder is left to do it."""
    leads = tuple(leads)
    return not leads or min(leads) in crossed_lead_times(deadline, leads, posted_at)


def reminder_carries(lead_seconds: int, leads: Iterable[timedelta]) -> bool:
    """Only the reminder at the smallest lead time calls."""
    seconds = [int(lead.total_seconds()) for lead in leads]
    return bool(seconds) and lead_seconds == min(seconds)


class Escalation:
    def __init__(self, bot: Bot, chat: StaffChat, user_ids: tuple[int, ...], texts: Texts) -> None:
        self.bot, self.chat, self.user_ids, self.texts = bot, chat, user_ids, texts
        self._known: dict[int, Person] = {}

    async def learn(self) -> None:
        """Learn the names at start, while the chat's window is empty: the Bot API limiter
        counts getChatMember in the group's window, so later it could take a post's slot."""
        for user_id in self.user_ids:
            await self._person(user_id)

    async def line(self) -> str:
        """The calling line, or "" when nobody is to be called."""
        if not self.user_ids:
            return ""
        people = [mention(await self._person(user_id)) for user_id in self.user_ids]
        return self.texts("escalate", who=", ".join(people))

    async def _person(self, user_id: int) -> Person:
        if user_id not in self._known:
            try:
                member = await self.bot.get_chat_member(self.chat.id, user_id)
            except TelegramError as error:  # still a mention; the name is learnt next time
                log.warning("Could not learn the name of ESCALATE_TO user %s: %s", user_id, error)
                return Person(user_id, str(user_id))
            user = member.user
            self._known[user_id] = Person(user_id, user.full_name, user.username)
        return self._known[user_id]
