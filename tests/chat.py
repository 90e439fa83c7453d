"""What the end-to-end tests do as staff and read from the chat of the fake Bot API."""

from __future__ import annotations

from tests.conftest import STAFF_CHAT
from tests.harness import wait_until

ANNA, BORIS = 111, 222


def posts(telegram) -> list:
    """The desk's posts (not replies, not command answers), oldest first."""
    return [
        m
        for m in telegram.messages(STAFF_CHAT)
        if m.reply_to_message_id is None and m.text.startswith("🛑")
    ]


def reports(telegram) -> list[str]:
    """What staff were told of requests the desk could not show them."""
    return [
        m.text
        for m in telegram.messages(STAFF_CHAT)
        if m.text.startswith("⚠️") and ("order #" in m.text or "заказ №" in m.text)
    ]


def post_of(telegram, order_id: int, timeout: float = 15.0):
    def find():
        for message in posts(telegram):
            if message.text.splitlines()[0].endswith(f"#{order_id}"):
                return telegram.message(STAFF_CHAT, message.message_id)
        return None

    return wait_until(find, timeout, message=f"the post of order {order_id}")


def tap(telegram, message, user: int, label: str) -> dict:
    callback_id = telegram.tap(STAFF_CHAT, message.message_id, user, message.callback_data(label))
    return wait_until(lambda: telegram.callback_answer(callback_id), 10, message="the tap answer")


def edited(telegram, message, times: int = 1):
    """Wait until the post has been edited `times` more times; return its new state."""
    target = message.edits + times
    return wait_until(
        lambda: (m := telegram.message(STAFF_CHAT, message.message_id)).edits >= target and m,
        10,
        message=f"edit #{target} of message {message.message_id}",
    )


def labels(message) -> list[str]:
    return [button["text"] for button in message.buttons]
