"""The operators (`OPERATOR_USER_IDS`) hear of a cabinet's trouble in private: once when it
starts and once when it ends.

Their private chat id is their user id. A bot cannot write first, so an operator who never
started it is not reached (`check` warns about them); a message that does not go is logged
and not tried again, so one blocked operator holds up no one. Messages go out as a task of
their own, in the order they were asked for, so no poller and no chat's outbox waits for
them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from html import escape

from telegram import Bot
from telegram.error import TelegramError

from bot.formatting import Style

log = logging.getLogger(__name__)


class Operators:
    def __init__(self, bot: Bot, user_ids: Iterable[int], style: Style) -> None:
        """`style`: the process's words and time zone (an operator serves every cabinet)."""
        self.bot, self.user_ids, self.style = bot, tuple(sorted(user_ids)), style
        self._last: asyncio.Task[None] | None = None

    def named(self, *cabinets: str) -> str:
        """Cabinets' names as the texts quote them."""
        return ", ".join(self.style.texts("operator.name", name=escape(name)) for name in cabinets)

    def later(self, key: str, **values: object) -> None:
        """Tell every operator without waiting; after whatever was asked for before."""
        if not self.user_ids:
            return
        previous, text = self._last, self.style.texts(key, **values)

        async def after() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await self.tell(text)

        self._last = asyncio.get_running_loop().create_task(after())

    async def tell(self, text: str) -> None:
        for user_id in self.user_ids:
            try:
                await self.bot.send_message(chat_id=user_id, text=text)
            except TelegramError as error:
                log.warning("Could not tell operator %s of a cabinet's state: %s", user_id, error)
