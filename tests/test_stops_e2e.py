"""Clean stops (SIGTERM) of the real desk: honoured at once, and never the cause of a repost.

A stop lets what is on the wire to Telegram come back and be recorded, abandons what only
waits for its turn, and exits; the next start must not post anything a second time.
"""

from __future__ import annotations

from tests.chat import ANNA, post_of, posts
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until


def polls(desk) -> int:
    return desk.log().count("Poll:")


def test_a_stop_while_a_post_is_on_the_wire_records_it_and_the_restart_posts_nothing(
    market, telegram, start_desk
):
    desk = start_desk()
    wait_until(lambda: polls(desk) >= 1, message="a first poll")
    telegram.hold_answer_next("sendMessage", 2.0)  # the post lands; its answer is slow
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    wait_until(lambda: telegram.calls("sendMessage"), message="the post reaching Telegram")

    assert desk.terminate() == 0  # SIGTERM while the answer is on its way back
    assert "Posted order 1" in desk.log()

    again = start_desk()
    wait_until(lambda: polls(again) >= 2, timeout=15, message="two polls after the restart")
    assert len(posts(telegram)) == 1
    assert len(telegram.calls("sendMessage")) == 1


def test_a_stop_while_posts_wait_for_the_group_limit_abandons_them_and_posts_each_once(
    market, telegram, start_desk
):
    for order_id in range(1, 6):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    desk = start_desk(TELEGRAM_GROUP_RATE="2/60s")  # the desk's own limiter holds the rest
    wait_until(lambda: len(posts(telegram)) == 2, message="the first two posts")

    assert desk.terminate(timeout=10) == 0  # not held for the window to reopen
    assert "Desk stopped" in desk.log()

    start_desk()
    for order_id in range(1, 6):
        post_of(telegram, order_id)
    assert len(telegram.calls("sendMessage")) == 5


def test_a_stop_right_after_the_first_poll_is_honoured_at_once(market, telegram, start_desk):
    """The scenario of finding 3 (its race is reproduced deterministically in
    test_signals.py): a poll rings the publisher as the stop arrives."""
    for order_id in range(1, 4):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    desk = start_desk()
    wait_until(lambda: polls(desk) >= 1, message="a first poll")
    assert desk.terminate(timeout=10) == 0, desk.log()[-2000:]
    assert "Desk stopped" in desk.log()


def test_a_stop_while_the_desk_is_still_connecting_to_telegram_exits_cleanly(
    market, telegram, start_desk
):
    telegram.hold_answer_next("deleteWebhook", 2.0)  # the start's last call to Telegram
    desk = start_desk()
    wait_until(lambda: telegram.calls("deleteWebhook"), message="the start under way")

    assert desk.terminate(timeout=10) == 0, desk.log()[-3000:]
    assert "Traceback" not in desk.log()
    assert "Desk stopped" in desk.log()


def test_a_stop_while_a_reply_waits_for_the_outbox_is_honoured_at_once(
    market, telegram, start_desk
):
    """A reply to a command waits for the posts; PTB's stop waits for every handler."""
    for order_id in range(1, 6):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    desk = start_desk(TELEGRAM_GROUP_RATE="2/60s")
    wait_until(lambda: len(posts(telegram)) == 2, message="the first two posts")
    telegram.send_text(STAFF_CHAT, ANNA, "/pending")
    wait_until(lambda: not telegram.pending_updates(), message="the desk fetching it")

    assert desk.terminate(timeout=10) == 0, desk.log()[-2000:]
    assert "Desk stopped" in desk.log()
    assert not [m for m in telegram.messages(STAFF_CHAT) if m.text.startswith("Waiting")]
