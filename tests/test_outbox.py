"""The outbox's order of priority where it is easy to get wrong, seen in the staff chat.

In process, one `publish_next()` at a time against the fake Bot API on the test's clock:
a list of requests that closed unseen goes before a due reminder; while new posts wait
for room in the chat's window, a reminder still goes and the list waits; while the
database takes no writes, only the notice about it goes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.chat.publisher import Publisher
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.staff_chat import StaffChat
from bot.config import GroupRate
from bot.formatting import Style
from bot.market.shops import Shops
from bot.ops.storage_trouble import StorageTrouble
from bot.signals import Activity, Wakeup
from bot.texts import Texts
from tests.builders import close, order
from tests.conftest import STAFF_CHAT
from tests.test_publisher import add

REMINDER_DUE = timedelta(hours=4, seconds=1)  # a request made 20 h ago: its 24 h reminder


def texts(telegram) -> list[str]:
    return [m.text for m in telegram.messages(STAFF_CHAT)]


def close_unposted(store, order_id: int, clock) -> None:
    close(store, add(store, order_id, 1, clock), order(order_id, status="CANCELLED"), clock.now)


def publisher_over(bot, store, settings, clock, inbox, **changes) -> Publisher:
    """A publisher as in tests/team_fixtures.py, with its limiter, activity or storage."""
    wakeup, shops = Wakeup(), Shops(settings, inbox.lookup.market, store)
    style = Style(Texts("en"), settings.timezone, settings.reminder_lead_times, True)
    parts = {"activity": Activity(), "limiter": None, **changes}
    chat = StaffChat(STAFF_CHAT, store, wakeup)
    return Publisher(bot, store, chat, shops, style, settings, clock=clock, wakeup=wakeup, **parts)


async def test_with_room_requests_that_closed_unseen_are_listed_before_a_due_reminder(
    make_publisher, store, telegram, desk_clock
):
    publisher = make_publisher()
    add(store, 81, 20, desk_clock)
    await publisher.publish_next()
    desk_clock.now += REMINDER_DUE
    close_unposted(store, 82, desk_clock)

    assert await publisher.publish_next() and await publisher.publish_next()
    assert not await publisher.publish_next()

    post, listed, reminder = texts(telegram)
    assert "#81" in post.splitlines()[0]
    assert listed.startswith("ℹ️") and "#82" in listed
    assert reminder.startswith("⏰ Order #81")


async def test_while_new_posts_wait_for_room_a_reminder_goes_and_the_list_waits(
    telegram, store, settings, desk_clock, inbox
):
    limiter = GroupRateLimiter(GroupRate(3, timedelta(minutes=1)))
    bot = ExtBot(
        telegram.token,
        base_url=telegram.base_url,
        defaults=Defaults(parse_mode=ParseMode.HTML),
        rate_limiter=limiter,
    )
    await bot.initialize()
    activity = Activity()
    publisher = publisher_over(
        bot, store, settings, desk_clock, inbox, activity=activity, limiter=limiter
    )
    try:
        add(store, 83, 20, desk_clock)
        assert await publisher.publish_next()  # one of the window's three slots
        desk_clock.now += REMINDER_DUE
        add(store, 84, 1, desk_clock)
        close_unposted(store, 85, desk_clock)
        activity.tapped()  # staff at work: a new post leaves two slots for their edits

        assert await publisher.publish_next()
        assert not await publisher.publish_next()
    finally:
        await bot.shutdown()

    post, reminder = texts(telegram)
    assert "#83" in post.splitlines()[0] and reminder.startswith("⏰ Order #83")


async def test_while_the_database_takes_no_writes_only_the_notice_about_it_goes(
    desk_bot, store, settings, desk_clock, inbox, telegram
):
    storage = StorageTrouble(quiet=0)
    publisher = publisher_over(desk_bot, store, settings, desk_clock, inbox, storage=storage)
    add(store, 86, 1, desk_clock)
    storage.failed(sqlite3.OperationalError("database or disk is full"))

    assert await publisher.publish_next()
    assert not await publisher.publish_next()
    [notice] = texts(telegram)
    assert notice.startswith("⚠️ The desk cannot write to its database (database or disk is full)")

    storage.worked()
    assert await publisher.publish_next() and await publisher.publish_next()
    assert texts(telegram)[1].startswith("✅ Back to normal")
    assert "#86" in texts(telegram)[2].splitlines()[0]


async def test_an_idle_outbox_asks_the_database_nothing_until_it_is_rung(
    desk_bot, store, settings, desk_clock, inbox, telegram
):
    """200 chats' outboxes must not each re-read the database 20 times a second; a ring
    (a poll's news, a tap, a decision) still brings a post at once."""
    wakeup = Wakeup()
    publisher = publisher_over(desk_bot, store, settings, desk_clock, inbox)
    publisher.wakeup = wakeup
    statements: list[str] = []
    store.db.db.conn.set_trace_callback(statements.append)
    task = asyncio.create_task(publisher.run())
    try:
        await asyncio.sleep(1.0)  # a second of nothing to do
        idle = len(statements)
        add(store, 87, 1, desk_clock)
        wakeup.ring()
        async with asyncio.timeout(5):
            while not texts(telegram):
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        store.db.db.conn.set_trace_callback(None)
    assert idle <= 30, f"{idle} statements in one idle second"
    assert "#87" in texts(telegram)[0]
