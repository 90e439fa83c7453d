"""Updates from the fake Telegram: taps, callback answers, long polling, waiting for calls."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from telegram import Bot, CallbackQuery
from telegram.error import BadRequest, Conflict

from tests.fakes.ptb import (
    ANN,
    BOB,
    GROUP,
    PTB_WARNINGS,
    keyboard,
    make_bot,
    wait_async,
)
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


async def test_get_updates_delivers_tap_as_callback_query(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(
        GROUP, "<b>Order 9</b>", parse_mode="HTML", reply_markup=keyboard(("OK", "ok:9"))
    )
    query_id = fake.tap(GROUP, sent.message_id, ANN, "ok:9")
    forged_id = fake.tap(GROUP, 4242, BOB, "drop table")

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    query = updates[0].callback_query
    assert isinstance(query, CallbackQuery)
    assert (query.id, query.data, query.from_user.id) == (query_id, "ok:9", ANN)
    assert query.message.text == "Order 9"
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "ok:9"
    forged = updates[1].callback_query
    assert forged.message.message_id == 4242 and not forged.message.is_accessible
    assert [t.forged for t in fake.taps()] == [False, True]

    assert await bot.answer_callback_query(query_id, text="Approved", show_alert=True)
    assert fake.callback_answer(query_id) == {
        "text": "Approved",
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }
    assert fake.callback_answer(forged_id) is None

    # unconfirmed updates come again; an offset confirms them
    assert len(await bot.get_updates()) == 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert fake.pending_updates() == []


async def test_late_or_repeated_callback_answer(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(GROUP, "x", reply_markup=keyboard(("A", "a")))
    late = fake.tap(GROUP, sent.message_id, ANN, "a")
    once = fake.tap(GROUP, sent.message_id, BOB, "a")
    assert await bot.answer_callback_query(once)
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        await bot.answer_callback_query(once)
    await asyncio.sleep(0.35)  # callback_answer_timeout is 0.3 s in this fixture
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        await bot.answer_callback_query(late)
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("nope")
    assert fake.callback_answer(late) is None


async def test_long_poll_waits_and_returns_on_update(bot: Bot, fake: FakeTelegram) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2

    timer = threading.Timer(0.2, fake.send_text, args=(ANN, ANN, "hi"))
    timer.start()
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["hi"]
    assert time.monotonic() - started < 1.5


async def test_concurrent_get_updates_conflict(bot: Bot, fake: FakeTelegram) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await wait_async(lambda: fake.active_polls == 1)
    async with make_bot(fake) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_abandoned_long_poll_ends(bot: Bot, fake: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await wait_async(lambda: fake.active_polls == 1)
    poll.cancel()  # like a killed bot process: the connection goes away
    await wait_async(lambda: fake.active_polls == 0)


def test_wait_for_explains_timeouts(fake: FakeTelegram) -> None:
    assert fake.wait_for(lambda: 5) == 5
    with pytest.raises(AssertionError, match="recent API calls"):
        fake.wait_for(lambda: fake.messages(GROUP)[0], timeout=0.05)
