"""The publisher in process: one `publish_next()` at a time against the fake Bot API.

What staff see is read from the fake's chat; the clock is the test's, so reminders come
due when the test says, not after a sleep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.chat.publisher import Publisher
from bot.chat.staff_chat import StaffChat
from bot.domain.model import Basis, Decision, NewRequest, RequestTime
from bot.formatting import Style
from bot.market.shops import Shops
from bot.signals import Activity, Wakeup
from bot.texts import Texts
from tests.builders import order
from tests.conftest import CAMPAIGN, STAFF_CHAT

H = timedelta(hours=1)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def bot(telegram):
    the_bot = ExtBot(
        telegram.token,
        base_url=telegram.base_url,
        defaults=Defaults(parse_mode=ParseMode.HTML),
    )
    await the_bot.initialize()
    yield the_bot
    await the_bot.shutdown()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def publisher(bot, store, settings, clock, inbox):
    wakeup = Wakeup()
    chat = StaffChat(settings.staff_chat_id, store, wakeup)
    style = Style(Texts("en"), settings.timezone, settings.reminder_lead_times, True)
    return Publisher(
        bot,
        store,
        chat,
        Shops(settings, inbox.lookup.market, store),
        style,
        settings,
        clock=clock,
        wakeup=wakeup,
        activity=Activity(),
        limiter=None,
    )


def add(store, order_id: int, requested_hours_ago: float, clock: Clock) -> int:
    at = clock.now - timedelta(hours=requested_hours_ago)
    return store.add_request(
        NewRequest(1, order(order_id, CAMPAIGN), clock.now, RequestTime(at, Basis.NOTIFICATION))
    )


def chat_texts(telegram) -> list[str]:
    return [m.text for m in telegram.messages(STAFF_CHAT)]


async def test_posts_go_out_nearest_deadline_first_then_nothing(publisher, store, telegram, clock):
    add(store, 11, 1, clock)
    add(store, 12, 30, clock)  # nearer its deadline

    assert await publisher.publish_next() and await publisher.publish_next()
    assert not await publisher.publish_next()

    first, second = telegram.messages(STAFF_CHAT)
    assert first.text.splitlines()[0].endswith("#12") and second.text.splitlines()[0].endswith(
        "#11"
    )
    assert next(b["text"] for b in first.buttons) == "✅ Accept cancellation"
    assert "Less than 24 h left" in first.text  # crossed before posting: shown, not reminded


async def test_a_refused_post_is_reported_once_and_the_next_goes_out(
    publisher, store, telegram, clock
):
    add(store, 21, 40, clock)
    add(store, 22, 1, clock)
    telegram.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: can't parse entities: unsupported start tag",
        times=100,
        text_contains="request · order #21",
    )

    for _ in range(4):
        await publisher.publish_next()

    texts = chat_texts(telegram)
    assert next(t.splitlines()[0] for t in texts if t.startswith("🛑")).endswith("#22")
    [report] = [t for t in texts if t.startswith("⚠️")]
    assert "cannot post the cancellation request on order #21" in report
    assert "seller cabinet" in report

    clock.now += timedelta(minutes=1)  # its retry time: tried again, refused, not re-reported
    await publisher.publish_next()
    assert len([t for t in chat_texts(telegram) if t.startswith("⚠️")]) == 1


async def test_a_reminder_comes_when_its_lead_time_is_crossed(publisher, store, telegram, clock):
    request_id = add(store, 31, 20, clock)  # 28 h left: the 24 h reminder is 4 h away
    await publisher.publish_next()
    assert not await publisher.publish_next()

    clock.now += 4 * H + timedelta(seconds=1)
    assert await publisher.publish_next()

    reply = telegram.messages(STAFF_CHAT)[-1]
    post = store.requests.get(request_id).post
    assert reply.reply_to_message_id == post.message_id
    assert "Order #31" in reply.text and "left to answer" in reply.text
    assert not await publisher.publish_next()  # once


async def test_an_edit_goes_before_a_new_post(publisher, store, telegram, clock):
    first = add(store, 41, 2, clock)
    await publisher.publish_next()
    store.posts.set_confirming(first, Decision.ACCEPT)  # staff chose: the keyboard must change
    add(store, 42, 30, clock)

    await publisher.publish_next()

    assert telegram.message(STAFF_CHAT, store.requests.get(first).post.message_id).edits == 1
    assert len([t for t in chat_texts(telegram) if t.startswith("🛑")]) == 1
