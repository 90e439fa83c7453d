"""Which of Telegram's refusals concern one message, and which the whole staff chat.

A message refused for itself is skipped or redone while the rest go out; a refusal about
the chat (rights, a closed topic) would meet every post, so the outbox pauses instead.
"""

from __future__ import annotations

from datetime import timedelta

from telegram.error import BadRequest, RetryAfter

GONE_MESSAGES = (
    "message to edit not found",
    "message to be replied not found",
    "message_id_invalid",
)


# Refusals that concern the chat, not one message: every post would meet them.
CHAT_MESSAGES = (
    "chat not found",
    "rights",
    "chat_write_forbidden",
    "chat_restricted",
    "not a member",
    "deactivated",
    "thread not found",
    "topic_closed",
    "topic_deleted",
)


def is_gone(error: BadRequest) -> bool:
    return any(text in error.message.lower() for text in GONE_MESSAGES)


def is_about_the_chat(error: BadRequest) -> bool:
    return any(text in error.message.lower() for text in CHAT_MESSAGES)


def wait_asked(error: RetryAfter) -> float:
    """Seconds a 429 asks to wait (an int or a timedelta, by PTB's settings)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
