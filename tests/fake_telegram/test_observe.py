"""Observing the fake Telegram: arrivals, answered calls, waiting on them, answer latency."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from telegram import Bot

from tests.fakes.observe import WaitTimeout
from tests.fakes.ptb import ANN, GROUP, PTB_WARNINGS
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


def get_me(fake: FakeTelegram) -> httpx.Response:
    return httpx.get(f"{fake.base_url}{fake.token}/getMe", timeout=5)


async def test_calls_and_arrivals_carry_the_arrival_time(bot: Bot, fake: FakeTelegram) -> None:
    before = time.monotonic()
    await bot.send_message(GROUP, "one")
    await bot.send_message(GROUP, "two")
    first, second = fake.calls("sendMessage")
    assert before <= first.arrived_at <= second.arrived_at <= time.monotonic()
    assert first.at == first.arrived_at  # the older name
    arrivals = fake.arrivals("sendMessage", since=first.arrived_at)
    assert [a.params["text"] for a in arrivals] == ["one", "two"]
    assert [a.arrived_at for a in arrivals] == [first.arrived_at, second.arrived_at]
    seen = len(fake.calls()) - 1
    assert [c.params["text"] for c in fake.calls(start=seen)] == ["two"]
    assert fake.calls(start=seen + 1) == []


async def test_a_waiting_long_poll_is_seen_on_arrival(bot: Bot, fake: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    [arrival] = await asyncio.to_thread(
        fake.wait_until, lambda: fake.arrivals("getUpdates"), 2, "the poll"
    )
    assert fake.calls("getUpdates") == []  # still waiting for an update
    fake.send_text(ANN, ANN, "hi")
    assert [u.message.text for u in await poll] == ["hi"]
    assert fake.calls("getUpdates")[0].arrived_at == arrival.arrived_at


def test_wait_until_wakes_on_the_call_not_on_a_timer(fake: FakeTelegram) -> None:
    timer = threading.Timer(0.2, get_me, args=(fake,))
    timer.start()
    started = time.monotonic()
    [call] = fake.wait_until(lambda: fake.calls("getMe"), timeout=5, interval=30)
    elapsed = time.monotonic() - started
    timer.join()
    assert call.ok
    assert 0.15 < elapsed < 2


def test_wait_until_timeout_names_what_and_shows_the_calls(fake: FakeTelegram) -> None:
    get_me(fake)
    with pytest.raises(WaitTimeout) as caught:
        fake.wait_until(lambda: fake.messages(GROUP)[0], timeout=0.05, what="a post")
    assert isinstance(caught.value, AssertionError)
    assert isinstance(caught.value, TimeoutError)
    message = str(caught.value)
    assert "waiting for a post" in message and "IndexError" in message
    assert "recent API calls" in message and "getMe" in message


def test_latency_delays_every_answer_not_its_arrival(fake: FakeTelegram) -> None:
    fake.latency = 0.3
    started = time.monotonic()
    response = get_me(fake)
    finished = time.monotonic()
    assert response.json()["ok"] is True
    arrived = fake.calls("getMe")[0].arrived_at
    assert started <= arrived and finished - arrived >= 0.3, "the wait comes after arrival"


def test_latency_can_be_set_at_construction() -> None:
    with FakeTelegram(latency=0.2) as fake:
        started = time.monotonic()
        assert get_me(fake).status_code == 200
        assert time.monotonic() - started >= 0.2
