"""PIN_SUMMARY in process: one silent pinned message, edited on change at most every 5 min,
never taking the slots a decision needs; unpinned stays unpinned, deleted is made again."""

from __future__ import annotations

from datetime import timedelta

from bot.chat.ratelimit import GroupRateLimiter
from bot.config import GroupRate
from bot.team.summary import Summary
from tests.conftest import STAFF_CHAT
from tests.test_publisher import add

FIVE_MINUTES = timedelta(minutes=5, seconds=1)


async def drain(publisher) -> None:
    while await publisher.publish_next():
        pass


def summaries(telegram) -> list:
    return [m for m in telegram.messages(STAFF_CHAT) if m.text.startswith("📌")]


async def test_the_summary_is_pinned_silently_and_edited_only_on_change(
    make_publisher, store, telegram, desk_clock
):
    telegram.set_member_status(STAFF_CHAT, telegram.bot_id, "administrator")
    publisher = make_publisher(pin_summary=True)
    add(store, 61, 10, desk_clock)
    add(store, 62, 40, desk_clock)
    await drain(publisher)

    [summary] = summaries(telegram)
    assert telegram.messages(STAFF_CHAT)[-1] == summary  # after the posts
    assert summary.disable_notification and summary.pin_silent is True
    assert telegram.pinned(STAFF_CHAT) == [summary.message_id]
    assert summary.text.startswith("📌 Waiting: 2 · nearest deadline")
    post = store.requests.get(2).post
    assert summary.text.splitlines()[1].startswith("1. #62 · by")
    assert summary.entities[-2]["url"].endswith(f"/{post.message_id}")

    add(store, 63, 1, desk_clock)
    await drain(publisher)
    assert telegram.message(STAFF_CHAT, summary.message_id).edits == 0  # within 5 minutes
    desk_clock.now += FIVE_MINUTES
    await drain(publisher)
    desk_clock.now += FIVE_MINUTES
    await drain(publisher)  # nothing changed: no edit
    edited = telegram.message(STAFF_CHAT, summary.message_id)
    assert edited.edits == 1 and edited.text.startswith("📌 Waiting: 3")
    assert len(summaries(telegram)) == 1


async def test_unpinned_stays_unpinned_deleted_is_made_again_and_a_restart_keeps_it(
    make_publisher, store, telegram, desk_clock
):
    telegram.set_member_status(STAFF_CHAT, telegram.bot_id, "administrator")
    add(store, 64, 10, desk_clock)
    await drain(make_publisher(pin_summary=True))
    [first] = summaries(telegram)
    telegram.unpin_by_user(STAFF_CHAT, first.message_id)

    add(store, 65, 10, desk_clock)
    desk_clock.now += FIVE_MINUTES
    await drain(make_publisher(pin_summary=True))  # a restart: the same summary, edited
    assert telegram.message(STAFF_CHAT, first.message_id).edits == 1
    assert telegram.pinned(STAFF_CHAT) == [] and len(summaries(telegram)) == 1

    telegram.delete_message(STAFF_CHAT, first.message_id)
    add(store, 66, 10, desk_clock)
    desk_clock.now += FIVE_MINUTES
    publisher = make_publisher(pin_summary=True)
    await drain(publisher)
    desk_clock.now += FIVE_MINUTES
    await drain(publisher)
    again = [m for m in summaries(telegram) if not m.deleted]
    assert len(again) == 1 and again[0].text.startswith("📌 Waiting: 3")
    assert telegram.pinned(STAFF_CHAT) == [again[0].message_id]


async def test_without_the_right_to_pin_the_summary_still_shows(
    make_publisher, store, telegram, desk_clock
):
    add(store, 67, 10, desk_clock)
    await drain(make_publisher(pin_summary=True))
    assert len(summaries(telegram)) == 1 and telegram.pinned(STAFF_CHAT) == []


async def test_the_summary_waits_while_a_decision_would_lack_its_slots(
    desk_bot, store, settings, desk_clock, inbox
):
    from bot.chat.staff_chat import StaffChat
    from bot.formatting import Style
    from bot.signals import Wakeup
    from bot.texts import Texts

    limiter = GroupRateLimiter(GroupRate(4, timedelta(seconds=60)))
    chat = StaffChat(STAFF_CHAT, store, Wakeup())
    style = Style(Texts("en"), settings.timezone, settings.reminder_lead_times, True)
    summary = Summary(desk_bot, store, chat, style, limiter, desk_clock)
    add(store, 68, 10, desk_clock)
    assert summary.due_in() == 0.0  # a new summary and its pin, and two slots kept
    async with limiter._get_group_limiter(STAFF_CHAT):  # one message of four sent
        pass
    assert summary.due_in() > 0 and not await summary.refresh()
