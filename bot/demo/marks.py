"""Every message and pop-up of the demo says it is one, so a rehearsal is never taken for real.

Marked where the desk meets Telegram (the three Bot API methods that carry its texts), so no
renderer needs to know about the demo. 🧪 already marks the Market's test orders: the demo
uses 🎭, which cannot be confused with it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import ExtBot

from bot.formatting import MESSAGE_LIMIT, Style, clip, shown_len, span
from bot.texts import Texts

log = logging.getLogger(__name__)
POPUP_LIMIT = 200  # answerCallbackQuery: text, 0-200 characters


class DemoBot(ExtBot[None]):
    """An `ExtBot` that puts the demo's mark on every text it sends or edits."""

    __slots__ = ("_mark", "_popup_mark")

    def __init__(self, *args: Any, texts: Texts, ozon: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mark = texts("demo.mark_ozon" if ozon else "demo.mark")
        self._popup_mark = texts("demo.popup_mark")

    def marked(self, text: str) -> str:
        """The text under the demo's mark; unmarked (and logged) if the mark cannot fit."""
        marked = f"{self._mark}\n{text}"
        if shown_len(marked) <= MESSAGE_LIMIT:
            return marked
        log.warning("A %d-character message went out without the demo mark", shown_len(text))
        return text

    async def send_message(self, chat_id: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        return await super().send_message(chat_id, self.marked(text), *args, **kwargs)

    async def edit_message_text(self, text: str, *args: Any, **kwargs: Any) -> Any:
        return await super().edit_message_text(self.marked(text), *args, **kwargs)

    async def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, *args: Any, **kwargs: Any
    ) -> bool:
        if text:
            text = clip(self._popup_mark + text, POPUP_LIMIT)
        return await super().answer_callback_query(callback_query_id, text, *args, **kwargs)


def render_demo_note(style: Style, interval: timedelta, *, ozon: bool = False) -> str:
    """What /help adds in the demo: made-up orders, and time 60 times faster."""
    t = style.texts
    leads = ", ".join(span(lead, style) for lead in style.lead_times) or t("help.no_reminders")
    note = t("demo.help", leads=leads, interval=span(interval, style))
    return note + t("demo.help_ozon") if ozon else note
