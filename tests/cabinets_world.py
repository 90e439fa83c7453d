"""Two cabinets at the fakes, for the end-to-end tests of a desk serving several businesses.

Business A (7101, key "key-a") has two DBS shops, business B (7102, key "key-b") one; each
cabinet posts to its own staff chat unless a test makes them share one. Anna is staff of
both cabinets and a member of both chats, so only the chat and the cabinet can stop her;
Boris is staff of B alone; Olga is the desk's operator, in A's chat but on no staff list.
The desk runs as `python -m bot` with a CABINETS_FILE.

The fixtures (`market_ab`, `telegram_ab`, `start_cabinets`) are registered in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cabinets import cabinets_toml
from tests.harness import DeskProcess, Desks, wait_until

KEY_A, KEY_B = "key-a", "key-b"
BUSINESS_A, BUSINESS_B = 7101, 7102
A1, A2, B1 = 21100001, 21100002, 21200001
CHAT_A, CHAT_B = -1001000000011, -1001000000022
ANNA, BORIS, OLGA = 111, 222, 333
CABINET_A, CABINET_B = "Уютный дом", "Сад и огород"

#: The two cabinets of the file: A lists its first shop only, B discovers its shops.
A = {
    "name": CABINET_A,
    "business_id": BUSINESS_A,
    "api_key_env": "MARKET_KEY_A",
    "campaign_ids": [A1],
    "staff_chat_id": CHAT_A,
    "staff_user_ids": [ANNA],
}
B = {
    "name": CABINET_B,
    "business_id": BUSINESS_B,
    "api_key_env": "MARKET_KEY_B",
    "staff_chat_id": CHAT_B,
    "staff_user_ids": [ANNA, BORIS],
}


@pytest.fixture
def market_ab() -> Iterator:
    """The fake Market with the two businesses, each with its own key only."""
    from tests.fakes.market import FakeMarket

    fake = FakeMarket(keys={KEY_A: BUSINESS_A, KEY_B: BUSINESS_B}).start()
    fake.add_campaign(A1, business_id=BUSINESS_A, domain="Уют-1")
    fake.add_campaign(A2, business_id=BUSINESS_A, domain="Уют-2")
    fake.add_campaign(B1, business_id=BUSINESS_B, domain="Грядка")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def telegram_ab() -> Iterator:
    """The fake Bot API with the two staff chats: Anna in both, Boris in B's, Olga in A's."""
    from tests.fakes.telegram import FakeTelegram

    fake = FakeTelegram().start()
    fake.add_group(CHAT_A, title="Уют")
    fake.add_group(CHAT_B, title="Сад")
    fake.add_user(ANNA, first_name="Анна", username="anna", member_of=[CHAT_A, CHAT_B])
    fake.add_user(BORIS, first_name="Борис", username="boris", member_of=[CHAT_B])
    fake.add_user(OLGA, first_name="Ольга", username="olga", member_of=[CHAT_A])
    try:
        yield fake
    finally:
        fake.stop()


def desk_environment(market, telegram, folder: Path, cabinets: str, **more: str) -> dict:
    """A desk of the cabinets file `cabinets` over the two fakes (no cabinet's own setting
    in the environment, as the file requires)."""
    path = folder / "cabinets.toml"
    path.write_text(cabinets, encoding="utf-8")
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "MARKET_API_URL": market.url,
        "DATABASE_PATH": str(folder / "data" / "desk.db"),
        "CABINETS_FILE": str(path),
        "MARKET_KEY_A": KEY_A,
        "MARKET_KEY_B": KEY_B,
        "OPERATOR_USER_IDS": str(OLGA),
        "POLL_INTERVAL": "1",
        "LANGUAGE": "en",
        "LOG_LEVEL": "INFO",
        "COMMAND_COOLDOWN": "0",
        "TELEGRAM_GROUP_RATE": "1000/60s",
        **more,
    }


@pytest.fixture
def start_cabinets(market_ab, telegram_ab, tmp_path: Path) -> Iterator[Callable[..., DeskProcess]]:
    """Start `python -m bot` over a cabinets file (by default A and B); all stopped at the end."""
    desks = Desks(tmp_path)

    def start(*cabinets: dict, **more: str) -> DeskProcess:
        text = cabinets_toml(*(cabinets or (A, B)))
        return desks.start(desk_environment(market_ab, telegram_ab, tmp_path, text, **more))

    yield start
    desks.stop()


# --- what staff do and see in a chat -------------------------------------------------------


def posts(telegram, chat: int) -> list:
    """The desk's posts in `chat`, oldest first."""
    return [
        m
        for m in telegram.messages(chat)
        if m.reply_to_message_id is None and m.text.startswith("🛑")
    ]


def posted_orders(telegram, chat: int) -> list[int]:
    return [int(m.text.splitlines()[0].rsplit("#", 1)[1]) for m in posts(telegram, chat)]


def post_of(telegram, chat: int, order_id: int):
    def find():
        for message in posts(telegram, chat):
            if message.text.splitlines()[0].endswith(f"#{order_id}"):
                return telegram.message(chat, message.message_id)
        return None

    return wait_until(find, 15, message=f"the post of order {order_id} in chat {chat}")


def tap(telegram, chat: int, message_id: int, user: int, data: str) -> str:
    """Tap `data` on message `message_id` of `chat`; the desk's answer to the tap."""
    callback_id = telegram.tap(chat, message_id, user, data)
    answer = wait_until(lambda: telegram.callback_answer(callback_id), 10, message="the answer")
    return answer.get("text", "")


def showing(telegram, chat: int, message_id: int, label: str):
    """The message once one of its buttons reads `label`."""

    def current():
        message = telegram.message(chat, message_id)
        return message if any(label in b.get("text", "") for b in message.buttons) else None

    return wait_until(current, 10, message=f"a {label!r} button on message {message_id}")


def decide(telegram, chat: int, post, user: int = ANNA) -> None:
    """Accept the cancellation: Accept, then Confirm; returns once the post is final."""
    tap(telegram, chat, post.message_id, user, post.callback_data("Accept"))
    confirming = showing(telegram, chat, post.message_id, "Confirm")
    tap(telegram, chat, post.message_id, user, confirming.callback_data("Confirm"))
    wait_until(
        lambda: "Cancellation accepted" in telegram.message(chat, post.message_id).text,
        10,
        message=f"the decision on message {post.message_id}",
    )


def ask(telegram, chat: int, command: str, user: int = ANNA) -> list:
    """Send `command` in `chat` and return the desk's answers to it (text or document)."""
    before = len(telegram.messages(chat))
    telegram.send_text(chat, user, command)
    return wait_until(
        lambda: [m for m in telegram.messages(chat)[before:] if not m.text.startswith("🛑")],
        10,
        message=f"the answer to {command} in chat {chat}",
    )


def answer(telegram, chat: int, command: str, user: int = ANNA) -> str:
    return "\n".join(m.text for m in ask(telegram, chat, command, user))
