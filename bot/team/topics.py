"""Forum topics: each campaign's posts go to its topic, and to the general one while that
topic is refused (deleted, closed). Staff are told once per topic, in the general topic,
until it works again; the refusal is kept in the database across restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from telegram import Bot, Message, ReplyParameters
from telegram.error import BadRequest

from bot.chat.staff_chat import StaffChat
from bot.formatting import CLIP_ERROR, clip
from bot.texts import Texts
from storage.store import Store

log = logging.getLogger(__name__)

TOPIC_REFUSALS = ("message thread not found", "topic_closed", "topic_deleted")


def is_topic_refusal(error: BadRequest) -> bool:
    return any(text in error.message.lower() for text in TOPIC_REFUSALS)


class TopicRouter:
    def __init__(
        self,
        bot: Bot,
        store: Store,
        chat: StaffChat,
        texts: Texts,
        clock: Callable[[], datetime],
    ) -> None:
        self.bot, self.store, self.chat, self.texts, self.clock = bot, store, chat, texts, clock

    async def send(
        self, topic: int | None, *, reply_to: int | None = None, **message: Any
    ) -> tuple[Message, int | None]:
        """Send to `topic` (a reply to `reply_to` there); returns the message and its topic.

        A refused topic costs one failed call, then the message goes to the general topic
        (without the reply, which would lead it back into the topic).
        """
        if topic is not None or reply_to is not None:
            reply = ReplyParameters(message_id=reply_to) if reply_to is not None else None
            try:
                sent = await self.bot.send_message(
                    chat_id=self.chat.id, message_thread_id=topic, reply_parameters=reply, **message
                )
            except BadRequest as error:
                if topic is None or not is_topic_refusal(error):
                    raise
                self._refused(topic, error.message)
            else:
                if topic is not None and self.store.topic_works(topic):
                    log.info("Topic %s takes messages again", topic)
                return sent, topic
        return await self.bot.send_message(chat_id=self.chat.id, **message), None

    def _refused(self, topic: int, detail: str) -> None:
        first = self.store.topic_refused(topic, detail, self.clock())
        log.warning(
            "Topic %s refused a message (%s); using the general topic%s",
            topic,
            detail,
            "" if first else " (staff were told)",
        )

    async def report_next(self) -> bool:
        """Tell staff of one refused topic they have not heard of; False if none."""
        for topic, detail in self.store.topics.unreported():
            text = self.texts("topic.refused", topic=topic, detail=escape(clip(detail, CLIP_ERROR)))
            await self.bot.send_message(chat_id=self.chat.id, text=text)
            self.store.topic_reported(topic, self.clock())
            return True
        return False
