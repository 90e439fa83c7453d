"""The publisher in process with the team's settings: who is called, and what rings at night.

One `publish_next()` at a time against the fake Bot API, on the test's desk_clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.model import MOSCOW, Person
from tests.chat import ANNA, BORIS
from tests.conftest import STAFF_CHAT
from tests.test_publisher import add

H = timedelta(hours=1)
NIGHT = datetime(2026, 7, 20, 23, 0, tzinfo=MOSCOW).astimezone(UTC)
DAY = datetime(2026, 7, 20, 12, 0, tzinfo=MOSCOW).astimezone(UTC)


def mentioned(message) -> list[int]:
    return [e["user"]["id"] for e in message.entities if e["type"] == "text_mention"]


async def test_the_last_reminder_calls_escalate_to_and_the_claimer(
    make_publisher, store, telegram, desk_clock
):
    publisher = make_publisher(escalate_to=(ANNA, BORIS), claims=True)
    request_id = add(store, 51, 30, desk_clock)  # 18 h left: 24 h crossed, 6 h and 1 h to come
    await publisher.publish_next()
    [post] = telegram.messages(STAFF_CHAT)
    assert mentioned(post) == [] and "📣" not in post.text

    desk_clock.now += 12 * H + timedelta(seconds=1)  # 6 h left
    assert await publisher.publish_next()
    early = telegram.messages(STAFF_CHAT)[-1]
    assert early.reply_to_message_id == post.message_id and mentioned(early) == []

    assert store.claim(request_id, Person(BORIS, "Борис", "boris"), desk_clock.now)
    await publisher.publish_next()  # the claim's edit
    desk_clock.now += 5 * H  # 1 h left: the last reminder
    assert await publisher.publish_next()
    last = telegram.messages(STAFF_CHAT)[-1]
    assert last.reply_to_message_id == post.message_id
    assert mentioned(last) == [BORIS, ANNA, BORIS]  # the claimer, then ESCALATE_TO
    assert last.text.endswith("📣 Анна, Борис: the deadline is near and nobody has decided")
    assert "On it: Борис" in last.text


@pytest.mark.parametrize("leads", [(24 * H, 6 * H, H), ()], ids=["late", "no-reminders"])
async def test_the_post_calls_when_no_reminder_will(
    make_publisher, store, telegram, desk_clock, leads
):
    publisher = make_publisher(escalate_to=(ANNA,), reminder_lead_times=leads)
    request_id = add(store, 52, 47.5, desk_clock)  # 30 min left: past the smallest lead
    await publisher.publish_next()
    [post] = telegram.messages(STAFF_CHAT)
    assert mentioned(post) == [ANNA] and "📣 Анна" in post.text

    desk_clock.now += timedelta(minutes=1)
    assert not await publisher.publish_next()  # no reminder left to send
    store.posts.mark_dirty(request_id)
    await publisher.publish_next()
    assert "📣 Анна" in telegram.message(STAFF_CHAT, post.message_id).text  # an edit keeps it


async def test_without_escalate_to_nobody_is_called(make_publisher, store, telegram, desk_clock):
    publisher = make_publisher()
    add(store, 53, 47.5, desk_clock)
    await publisher.publish_next()
    [post] = telegram.messages(STAFF_CHAT)
    assert mentioned(post) == [] and "📣" not in post.text
    assert telegram.calls("getChatMember") == []


@pytest.mark.parametrize(
    ("now", "hours_ago", "rings"),
    [
        (NIGHT, 30, False),  # 18 h left at night: silent
        (NIGHT, 47.5, True),  # within the last lead time: rings even at night
        (DAY, 30, True),  # outside quiet hours
    ],
)
async def test_quiet_hours_silence_posts_unless_the_deadline_is_near(
    make_publisher, store, telegram, desk_clock, now, hours_ago, rings
):
    desk_clock.now = now
    publisher = make_publisher(quiet_hours=(time(22), time(8)))
    add(store, 54, hours_ago, desk_clock)
    await publisher.publish_next()
    [post] = telegram.messages(STAFF_CHAT)
    assert post.disable_notification is not rings


async def test_quiet_hours_silence_reminders_but_not_the_last_ones(
    make_publisher, store, telegram, desk_clock
):
    desk_clock.now = NIGHT - 5 * H  # 18:00: the post rings
    publisher = make_publisher(quiet_hours=(time(22), time(8)), reminder_lead_times=(6 * H, H))
    add(store, 55, 37, desk_clock)  # 11 h left: 6 h at 01:00, 1 h at 06:00, both at night
    await publisher.publish_next()
    desk_clock.now += 5 * H + timedelta(seconds=1)
    await publisher.publish_next()
    desk_clock.now += 5 * H
    await publisher.publish_next()
    post, six, one = telegram.messages(STAFF_CHAT)
    assert [m.disable_notification for m in (post, six, one)] == [False, True, False]


async def test_a_reminder_for_a_post_in_a_closed_topic_goes_to_general(
    make_publisher, store, telegram, desk_clock
):
    topic = telegram.add_topic(STAFF_CHAT, "Отмены")
    publisher = make_publisher(staff_topic_id=topic)
    add(store, 56, 30, desk_clock)  # 18 h left: the 6 h reminder comes later
    await publisher.publish_next()
    [post] = telegram.messages(STAFF_CHAT)
    assert post.message_thread_id == topic

    telegram.set_topic_state(STAFF_CHAT, topic, "closed")
    desk_clock.now += 12 * H + timedelta(seconds=1)
    assert await publisher.publish_next()
    reminder = telegram.messages(STAFF_CHAT)[-1]
    assert "Order #56" in reminder.text and reminder.message_thread_id is None
    assert reminder.reply_to_message_id is None  # a reply would lead it back into the topic
    assert await publisher.publish_next()  # then staff are told, once
    assert telegram.messages(STAFF_CHAT)[-1].text.startswith(f"⚠️ Topic {topic} does not")
    assert not await publisher.publish_next()
