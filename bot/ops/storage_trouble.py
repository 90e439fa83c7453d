"""Whether the database takes writes: a full disk or a read-only file must not stop the desk.

While it does not, nothing is sent that must be recorded first (posts, reminders,
decisions); staff are told once per episode by a message sent directly (the outbox is in
the database), and the episode ends by itself at the first write that works after a
quiet spell, so a disk at the edge of full does not flap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.error import TelegramError

from bot.chat.staff_chat import StaffChat
from bot.texts import Texts

log = logging.getLogger(__name__)


class StorageTrouble:
    """One database, so one episode for the whole desk; each staff chat is told of it.

    `bell` rings the outboxes when an episode starts or ends: another loop may meet the
    failure while every outbox sleeps.
    """

    def __init__(self, quiet: float, bell: Callable[[], None] | None = None) -> None:
        self.quiet = quiet  # seconds without a failure before an episode may end
        self.reason: str | None = None
        self.bell = bell
        self._last_failure = float("-inf")
        self._told: dict[int, bool] = {}  # by chat: it knows of the current (or ended) one

    @property
    def broken(self) -> bool:
        return self.reason is not None

    def untold(self, chat_id: int) -> bool:
        """Whether this chat has yet to hear of the current episode, or of its end."""
        return self.broken != self._told.get(chat_id, False)

    def failed(self, error: BaseException) -> None:
        self._last_failure = time.monotonic()
        if self.reason is None:
            self.reason = str(error)
            log.error("The database does not take writes (%s); pausing what needs them", error)
            self._ring()

    def worked(self) -> None:
        if self.reason is not None and time.monotonic() - self._last_failure >= self.quiet:
            log.warning("The database takes writes again (it failed with: %s)", self.reason)
            self.reason = None
            self._ring()

    def _ring(self) -> None:
        if self.bell is not None:
            self.bell()

    async def tell_staff(self, bot: Bot, chat: StaffChat, texts: Texts) -> bool:
        """Send the one message this episode's start or end calls for; True if one went."""
        if not self.untold(chat.id):
            return False
        if self.broken:
            text = texts("alert.storage", error=self.reason)
        else:
            text = texts("alert.storage_back")
        try:
            await bot.send_message(chat_id=chat.id, text=text, parse_mode=None)
        except TelegramError as error:
            log.warning("Could not tell staff about the database: %s", error)
            return False
        self._told[chat.id] = self.broken
        return True
