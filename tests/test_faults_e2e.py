"""Fault injection over the loopback fakes: crashes, outages, flood limits, chat changes.

Each test asserts what staff see, what the Market received (exact PUT counts) and what the
desk remembers across restarts.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.chat import ANNA, edited, labels, post_of, posts, tap
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.fakes.market import DROP
from tests.harness import wait_until

NEW_CHAT = -1009876543210


def alerts(telegram, chat: int = STAFF_CHAT) -> list[str]:
    return [m.text for m in telegram.messages(chat) if m.text.startswith(("⚠️ Cannot", "✅ Back"))]


def test_killed_after_the_put_reached_the_market_shows_the_outcome_after_restart(
    market, telegram, start_desk
):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    desk = start_desk(CONFIRM_DECISIONS="false")
    post = post_of(telegram, 1)
    market.hold_next("acceptOrderCancellation", 1.0)

    tap(telegram, post, ANNA, "Accept")
    wait_until(lambda: market.arrivals("acceptOrderCancellation"), message="the PUT")
    desk.kill()  # SIGKILL while the Market is still answering
    wait_until(lambda: market.accepted_decisions(), message="the Market applying it")
    start_desk(CONFIRM_DECISIONS="false")

    done = edited(telegram, post)
    assert "Cancellation accepted" in done.text and "Анна (@anna)" in done.text
    assert done.buttons == []
    assert len(market.calls("acceptOrderCancellation")) == 1


def test_killed_before_the_market_took_it_tells_staff_and_never_resends(
    market, telegram, start_desk
):
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    desk = start_desk(CONFIRM_DECISIONS="false")
    post = post_of(telegram, 2)
    market.hold_next("acceptOrderCancellation", 1.0)
    market.fail_next("acceptOrderCancellation", DROP)  # the held PUT is lost, not applied

    tap(telegram, post, ANNA, "with the courier")
    wait_until(lambda: market.arrivals("acceptOrderCancellation"), message="the PUT")
    desk.kill()
    wait_until(lambda: market.calls("acceptOrderCancellation"), message="the PUT dropped")
    start_desk(CONFIRM_DECISIONS="false")

    unknown = edited(telegram, post)
    assert "may not have reached the Market" in unknown.text
    assert labels(unknown) == labels(post)
    time.sleep(1.5)  # a poll cycle or more: the desk must not resend on its own
    assert len(market.arrivals("acceptOrderCancellation")) == 1

    tap(telegram, unknown, ANNA, "with the courier")
    done = edited(telegram, unknown)
    assert "Cancellation rejected: with the courier" in done.text
    assert market.accepted_decisions() == [
        (CAMPAIGN, 2, {"accepted": False, "reason": "ORDER_IN_DELIVERY"})
    ]


def test_market_outage_alerts_staff_once_then_recovers_and_catches_up(market, telegram, start_desk):
    market.set_outage(503)
    desk = start_desk()

    wait_until(lambda: alerts(telegram), timeout=15, message="the outage alert")
    assert "Poll failed (2 in a row" in desk.log()  # trouble at the second failed poll
    assert "Poll failed (3 in a row" not in desk.log().split("is in trouble")[0]
    wait_until(lambda: "Poll failed (4 in a row" in desk.log(), message="more failed polls")
    assert len(alerts(telegram)) == 1  # told once
    assert "fetch requests from the Market" in alerts(telegram)[0]
    assert "503" in alerts(telegram)[0]

    market.add_order(3, CAMPAIGN, cancel_requested=True)
    market.set_outage(None)
    post_of(telegram, 3)
    wait_until(lambda: len(alerts(telegram)) == 2, message="the recovery message")
    assert alerts(telegram)[1].startswith("✅ Back to normal")
    assert len(posts(telegram)) == 1


def test_rate_limit_420_pauses_polling_until_the_reset(market, telegram, start_desk):
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    market.set_rate_limited(until)
    market.add_order(4, CAMPAIGN, cancel_requested=True)
    start_desk()

    post_of(telegram, 4, timeout=15)

    refused = [c for c in market.calls() if c.status == 420]
    # without the pause a 1-second poll would have asked 4-5 times during the limit
    assert 1 <= len(refused) <= 2
    assert datetime.now(UTC) >= until


def test_telegram_down_then_back_posts_what_arrived_meanwhile_once(market, telegram, start_desk):
    desk = start_desk()
    wait_until(lambda: "Poll:" in desk.log(), message="a first poll")
    telegram.set_down(True)
    market.add_order(5, CAMPAIGN, cancel_requested=True)
    market.add_order(6, CAMPAIGN, cancel_requested=True)
    wait_until(lambda: "Telegram unavailable" in desk.log(), message="the failed post")
    time.sleep(1.0)
    telegram.set_down(False)

    post_of(telegram, 5, timeout=20)
    post_of(telegram, 6, timeout=20)
    time.sleep(1.0)
    assert sorted(m.text.splitlines()[0] for m in posts(telegram)) == [
        "🛑 Cancellation request · order #5",
        "🛑 Cancellation request · order #6",
    ]
    assert desk.running


def test_telegram_429_is_honoured_and_the_post_sent_once(market, telegram, start_desk):
    telegram.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 2", retry_after=2
    )
    market.add_order(7, CAMPAIGN, cancel_requested=True)
    start_desk()

    post_of(telegram, 7)
    sends = telegram.calls("sendMessage")
    assert [c.error_code for c in sends] == [429, None]
    assert sends[1].at - sends[0].at >= 2.0


def test_group_upgraded_to_supergroup_is_followed_and_remembered(market, telegram, start_desk):
    market.add_order(8, CAMPAIGN, cancel_requested=True)
    desk = start_desk()
    post_of(telegram, 8)

    telegram.migrate_group(STAFF_CHAT, NEW_CHAT)
    market.add_order(9, CAMPAIGN, cancel_requested=True)

    def in_new_chat():
        texts = [m.text.splitlines()[0] for m in telegram.messages(NEW_CHAT) if m.from_bot]
        return sorted(t for t in texts if "order #" in t)

    wait_until(lambda: len(in_new_chat()) == 2, timeout=15, message="both posts in the new chat")
    assert desk.terminate() == 0
    market.add_order(10, CAMPAIGN, cancel_requested=True)
    start_desk()
    wait_until(lambda: len(in_new_chat()) == 3, timeout=15, message="posting after a restart")
    assert in_new_chat() == [
        "🛑 Cancellation request · order #10",
        "🛑 Cancellation request · order #8",
        "🛑 Cancellation request · order #9",
    ]


def test_deleted_post_of_a_pending_request_is_posted_again(market, telegram, start_desk):
    market.add_order(11, CAMPAIGN, cancel_requested=True)
    desk = start_desk()
    post = post_of(telegram, 11)

    telegram.delete_message(STAFF_CHAT, post.message_id)

    again = wait_until(
        lambda: [m for m in posts(telegram) if not m.deleted and m.message_id != post.message_id],
        timeout=20,
        message="the post made again",
    )
    assert again[0].text.splitlines()[0].endswith("#11")
    assert "is gone from the chat" in desk.log()


def test_200_requests_at_once_are_posted_once_each_within_the_flood_limit(
    market, telegram, start_desk
):
    telegram.set_rate_limit(STAFF_CHAT, 20, 1.0)
    now = datetime.now(UTC)
    for order_id in range(1000, 1200):
        market.add_order(
            order_id,
            CAMPAIGN,
            cancel_requested=True,
            created_at=now - timedelta(days=3),
            updated_at=now - timedelta(minutes=order_id - 1000),
        )
    start_desk(TELEGRAM_GROUP_RATE="20/1s", POLL_INTERVAL="2")

    wait_until(lambda: len(posts(telegram)) >= 200, timeout=60, message="200 posts")
    time.sleep(1.0)

    titles = [m.text.splitlines()[0] for m in posts(telegram)]
    assert len(titles) == 200 and len(set(titles)) == 200
    refused = [c for c in telegram.calls("sendMessage") if c.error_code == 429]
    assert refused == []
    # nearest deadline first: the order updated longest ago was requested earliest
    assert titles[0].endswith("#1199") and titles[-1].endswith("#1000")


def test_tokens_never_reach_the_logs(market, telegram, start_desk):
    market.add_order(12, CAMPAIGN, cancel_requested=True)
    desk = start_desk(LOG_LEVEL="DEBUG", CONFIRM_DECISIONS="false")
    wait_until(lambda: "Poll:" in desk.log(), message="a first poll")
    # a key refused once the desk runs is retried (at start it would stop the desk)
    market.fail_next("getBusinessOrders", 401, message="Api-Key token is invalid")
    wait_until(lambda: "Poll failed" in desk.log(), message="the refused poll")
    post = post_of(telegram, 12)
    tap(telegram, post, ANNA, "Accept")
    edited(telegram, post)
    desk.terminate()

    log = desk.log()
    assert "Poll failed" in log and "Posted order 12" in log
    assert telegram.token not in log
    assert telegram.token.split(":")[1] not in log
    assert market.api_key not in log


def test_an_outcome_edit_is_not_stuck_behind_a_backlog_of_new_posts(market, telegram, start_desk):
    telegram.set_rate_limit(STAFF_CHAT, 8, 4.0)
    market.add_order(500, CAMPAIGN, cancel_requested=True)
    start_desk(TELEGRAM_GROUP_RATE="8/4s", CONFIRM_DECISIONS="false")
    post = post_of(telegram, 500)
    market.hold_next("acceptOrderCancellation", 1.5)  # the backlog forms meanwhile
    for order_id in range(501, 531):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)

    tap(telegram, post, ANNA, "Accept")
    wait_until(lambda: market.accepted_decisions(), message="the Market taking it")
    answered = time.monotonic()
    done = edited(telegram, post)

    [edit] = [c for c in telegram.calls("editMessageText") if c.ok]
    assert "Cancellation accepted" in done.text
    assert edit.at - answered < 1.0  # not a window's wait behind new posts
    assert len(posts(telegram)) >= 4  # and new posts kept flowing meanwhile
    assert [c for c in telegram.calls("sendMessage") if c.error_code == 429] == []
