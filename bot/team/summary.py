"""PIN_SUMMARY: one pinned message with what waits for staff, kept up to date cheaply.

It shows absolute times only, so it changes when requests come and go, not every minute;
it is edited at most once per `EVERY`, only when the window has room for it and for the
edits a staff decision needs, and after everything else the outbox has to send. Pinned
once, silently, when it is made: staff may unpin it, and it stays unpinned. A deleted
summary is made (and pinned) again at the next change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest

from bot.chat.chat_window import DECISION_SLOTS
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.render import post_link
from bot.chat.staff_chat import StaffChat
from bot.domain.model import Request, RequestState
from bot.formatting import Style, order_number, when
from storage.store import Store

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=5)
SHOWN = 3  # links to the most urgent posts


def render_summary(count: int, nearest: Sequence[Request], style: Style) -> str:
    """The summary: how many requests are pending, and the nearest (deadline first)."""
    t = style.texts
    if not count or not nearest:
        return t("summary.empty")
    lines = [t("summary.title", count=count, when=when(nearest[0].deadline, style))]
    for n, request in enumerate(nearest[:SHOWN], start=1):
        due = when(request.deadline, style)
        post = request.post
        link = post_link(post.chat_id, post.message_id) if post else None
        number = order_number(request.order)
        if link:
            lines.append(t("summary.line", n=n, link=link, order_id=number, when=due))
        else:
            lines.append(t("summary.line_nolink", n=n, order_id=number, when=due))
    return "\n".join(lines)


class Summary:
    """A duty of the chat's outbox that only uses room to spare."""

    records = True
    spare = True

    def __init__(
        self,
        bot: Bot,
        store: Store,
        chat: StaffChat,
        style: Style,
        limiter: GroupRateLimiter | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.bot, self.store, self.chat, self.style = bot, store, chat, style
        self.limiter, self.clock = limiter, clock

    def _text(self) -> str:
        """Cheap enough for every idle round of the outbox: one count and `SHOWN` rows."""
        requests = self.store.requests
        return render_summary(
            requests.count(RequestState.PENDING), requests.nearest(SHOWN), self.style
        )

    def due_in(self) -> float | None:
        """Seconds until the summary may change (0: now); None when it shows the latest."""
        text = self._text()
        shown = self.store.summaries.get(self.chat.id)
        if shown is not None and shown.text == text:
            return None
        wait = (shown.shown_at + EVERY - self.clock()).total_seconds() if shown else 0.0
        if self.limiter is not None:
            room = DECISION_SLOTS + (1 if shown else 2)  # a new one is pinned too
            wait = max(wait, self.limiter.seconds_until_room(self.chat.id, room))
        return max(0.0, wait)

    async def step(self) -> bool:
        return await self.refresh()

    async def refresh(self) -> bool:
        """Show the latest summary if it is due; False when there is nothing to do now."""
        if self.due_in() != 0.0:
            return False
        text = self._text()
        shown, chat_id = self.store.summaries.get(self.chat.id), self.chat.id
        if shown is None:
            await self._make(chat_id, text)
            return True
        try:
            await self.bot.edit_message_text(
                chat_id=chat_id, message_id=shown.message_id, text=text
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                log.warning("The summary is gone (%s); making it again", error.message)
                self.store.forget_summary(chat_id)
                return True
        self.store.save_summary(chat_id, shown.message_id, text, self.clock())
        return True

    async def _make(self, chat_id: int, text: str) -> None:
        message = await self.bot.send_message(chat_id=chat_id, text=text, disable_notification=True)
        self.store.save_summary(chat_id, message.message_id, text, self.clock())
        try:
            await self.bot.pin_chat_message(chat_id, message.message_id, disable_notification=True)
        except BadRequest as error:
            log.warning("Could not pin the summary (%s); run `python -m bot check`", error.message)
