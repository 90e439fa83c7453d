"""Whether the desk can still write to a staff chat: one the bot was removed from is the
trouble of the cabinets posting there, told to the operators once when the chat refuses
(Telegram's 403 Forbidden) and once when sending works again.

The chat's outbox reports each refusal and each message that went; neither waits for the
operators' messages (`Operators.later`), so no chat is slowed by another's trouble.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape

from telegram.error import Forbidden

from bot.chat.staff_chat import StaffChat
from bot.ops.operators import Operators

log = logging.getLogger(__name__)


class ChatReach:
    def __init__(
        self,
        chat: StaffChat,
        cabinets: Callable[[], Sequence[str]],
        operators: Operators | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.chat, self.cabinets, self.operators, self.clock = chat, cabinets, operators, clock
        self.lost_since: datetime | None = None  # when the chat began refusing; None: it takes
        self.reason: str | None = None  # what Telegram said

    def refused(self, error: Forbidden) -> None:
        if self.lost_since is not None:
            return
        self.lost_since, self.reason = self.clock(), error.message
        log.warning("Staff chat %s refuses the bot: %s", self.chat.id, error.message)
        self._tell("operator.chat_lost", error=escape(error.message))

    def reached(self) -> None:
        if self.lost_since is None:
            return
        self.lost_since = self.reason = None
        log.warning("Staff chat %s takes the bot's messages again", self.chat.id)
        self._tell("operator.chat_back")

    def _tell(self, key: str, **values: object) -> None:
        if self.operators is not None:
            cabinets = self.operators.named(*self.cabinets())
            self.operators.later(key, cabinets=cabinets, chat_id=self.chat.id, **values)
