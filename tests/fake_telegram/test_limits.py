"""The fake Bot API's flood limits: the bot-wide one (on by default) and the per-chat one,
and the peaks a test or the benchmark reads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.fakes.telegram import FakeTelegram

GROUP = -1001234567890
CHATS = [-1002000000000 - n for n in range(40)]  # forty staff groups


MakeFake = Callable[..., FakeTelegram]


@pytest.fixture
def make_fake() -> Iterator[MakeFake]:
    """FakeTelegram with GROUP and CHATS, stopped at the end; keywords as the class's."""
    started: list[FakeTelegram] = []

    def make(**options: Any) -> FakeTelegram:
        fake = FakeTelegram(**options).start()
        started.append(fake)
        for chat_id in [GROUP, *CHATS]:
            fake.add_group(chat_id, title=f"Staff {chat_id}")
        return fake

    yield make
    for fake in started:
        fake.stop()


# one client for every call: a fresh one per call builds an SSL context (~50 ms), and the
# bot-wide limit is about how many calls fit in a second
HTTP = httpx.Client(timeout=5)


def call(fake: FakeTelegram, method: str, **params: object) -> dict:
    return HTTP.post(f"{fake.base_url}{fake.token}/{method}", json=params).json()


def send(fake: FakeTelegram, chat_id: int, text: str = "post") -> dict:
    return call(fake, "sendMessage", chat_id=chat_id, text=text)


def too_many(retry_after: int) -> dict:
    """The real Bot API's 429 body."""
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


def test_over_thirty_messages_a_second_the_bot_gets_429(make_fake: MakeFake) -> None:
    fake = make_fake()
    with ThreadPoolExecutor(8) as pool:  # a second is far longer than 31 loopback calls
        answers = list(pool.map(lambda chat_id: send(fake, chat_id), CHATS[:31]))
    assert sorted(a["ok"] for a in answers) == [False] + [True] * 30
    assert [a for a in answers if not a["ok"]] == [too_many(1)]
    assert sum(len(fake.messages(chat_id)) for chat_id in CHATS) == 30
    assert fake.peak_per_second() == 30


def test_sends_and_edits_count_together_and_a_refusal_does_not_count(make_fake: MakeFake) -> None:
    fake = make_fake(bot_rate_limit=(4, 60.0))
    first = send(fake, CHATS[0])["result"]["message_id"]
    send(fake, CHATS[1])
    edit = {"chat_id": CHATS[0], "message_id": first}
    assert call(fake, "editMessageText", text="edited", **edit)["ok"]
    keyboard = {"inline_keyboard": [[{"text": "Да", "callback_data": "d:1:yes"}]]}
    assert call(fake, "editMessageReplyMarkup", **edit, reply_markup=keyboard)["ok"]
    assert send(fake, CHATS[2]) == too_many(60)
    assert call(fake, "editMessageText", text="again", **edit)["error_code"] == 429
    assert fake.messages(CHATS[2]) == []
    assert fake.peak_per_second() == 4
    fake.set_bot_rate_limit(5, 60.0)
    assert send(fake, CHATS[2])["ok"]  # the refused calls took no room


def test_retry_after_is_enough(make_fake: MakeFake) -> None:
    fake = make_fake(bot_rate_limit=(3, 0.5))
    for chat_id in CHATS[:3]:
        assert send(fake, chat_id)["ok"]
    refused = send(fake, CHATS[3])
    refused_at = time.monotonic()
    assert refused == too_many(1)
    fake.wait_until(lambda: send(fake, CHATS[3])["ok"], timeout=3, interval=0.05)
    assert time.monotonic() - refused_at <= refused["parameters"]["retry_after"]


def test_the_per_chat_limit_is_unaffected(make_fake: MakeFake) -> None:
    fake = make_fake()
    fake.set_rate_limit(GROUP, 2, 60.0)
    assert send(fake, GROUP)["ok"] and send(fake, GROUP)["ok"]
    assert send(fake, GROUP) == too_many(60)  # the chat's limit, well under the bot's
    assert send(fake, CHATS[0])["ok"]  # other chats still take messages
    assert fake.peaks_per_minute() == {GROUP: 2, CHATS[0]: 1}
    assert fake.peak_per_minute(GROUP) == 2


def test_the_bot_limit_can_be_switched_off(make_fake: MakeFake) -> None:
    fake = make_fake(bot_rate_limit=None)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda chat_id: send(fake, chat_id), CHATS))
    assert all(a["ok"] for a in answers)
    assert sum(fake.peaks_per_minute().values()) == len(CHATS)  # observed, limit or not
    fake.set_bot_rate_limit(len(CHATS), 60.0)
    assert send(fake, GROUP)["error_code"] == 429
