"""Forum topics end to end: routing by campaign, replies and /pending in their topic, and
the general topic while a topic is closed or deleted (told once, across restarts)."""

from __future__ import annotations

import time

from tests.chat import ANNA, BORIS, post_of, posts
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until

OTHER = 1002


def topic_notes(telegram) -> list:
    return [m for m in telegram.messages(STAFF_CHAT) if m.text.startswith("⚠️ Topic")]


def test_posts_reminders_and_pending_stay_in_their_topics(market, telegram, start_desk):
    market.add_campaign(OTHER, business_id=BUSINESS, domain="Второй")
    staff, other = telegram.add_topic(STAFF_CHAT, "Отмены"), telegram.add_topic(STAFF_CHAT, "B")
    market.add_order(80, CAMPAIGN)
    market.add_order(81, OTHER, cancel_requested=True)
    desk = start_desk(
        MARKET_CAMPAIGN_IDS=f"{CAMPAIGN},{OTHER}",
        STAFF_TOPIC_ID=str(staff),
        CAMPAIGN_TOPICS=f"{OTHER}:{other}",
        REMINDER_LEAD_TIMES="47h59m56s",
    )
    wait_until(lambda: "Poll:" in desk.log(), message="the first poll")
    market.request_cancellation(80)
    first, second = post_of(telegram, 80), post_of(telegram, 81)
    assert (first.message_thread_id, second.message_thread_id) == (staff, other)

    reply = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT) if m.reply_to_message_id], timeout=10
    )[0]
    assert (reply.reply_to_message_id, reply.message_thread_id) == (first.message_id, staff)

    telegram.send_text(STAFF_CHAT, ANNA, "/pending", thread_id=other)
    telegram.send_text(STAFF_CHAT, BORIS, "/help")  # Anna's would be too soon after hers
    lists = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT) if m.text.startswith("Waiting: 2")]
    )
    assert [m.message_thread_id for m in lists] == [other]
    helps = wait_until(lambda: [m for m in telegram.messages(STAFF_CHAT) if "/pending" in m.text])
    assert [m.message_thread_id for m in helps] == [None]


def test_a_closed_topic_falls_back_to_general_told_once_across_restarts(
    market, telegram, start_desk
):
    topic = telegram.add_topic(STAFF_CHAT, "Отмены")
    telegram.set_topic_state(STAFF_CHAT, topic, "closed")
    market.add_order(82, CAMPAIGN, cancel_requested=True)
    desk = start_desk(STAFF_TOPIC_ID=str(topic))
    assert post_of(telegram, 82).message_thread_id is None
    [note] = wait_until(lambda: topic_notes(telegram), message="the note on the topic")
    assert (
        f"Topic {topic} does not take messages" in note.text and "topic_closed" in note.text.lower()
    )
    assert "closed" in desk.log().lower() and f"Topic {topic} refused" in desk.log()

    assert desk.terminate() == 0
    market.add_order(83, CAMPAIGN, cancel_requested=True)
    again = start_desk(STAFF_TOPIC_ID=str(topic))
    assert post_of(telegram, 83).message_thread_id is None
    wait_until(lambda: "Poll:" in again.log(), message="a poll after the restart")
    time.sleep(0.5)  # a publisher round or two: time for a wrong second note
    assert len(topic_notes(telegram)) == 1

    telegram.set_topic_state(STAFF_CHAT, topic, "open")
    market.add_order(84, CAMPAIGN, cancel_requested=True)
    assert post_of(telegram, 84).message_thread_id == topic  # works again
    telegram.set_topic_state(STAFF_CHAT, topic, "deleted")
    market.add_order(85, CAMPAIGN, cancel_requested=True)
    assert post_of(telegram, 85).message_thread_id is None
    notes = wait_until(lambda: len(topic_notes(telegram)) == 2 and topic_notes(telegram))
    assert "message thread not found" in notes[-1].text.lower()
    assert all(p.message_thread_id is None for p in posts(telegram) if not p.deleted)
