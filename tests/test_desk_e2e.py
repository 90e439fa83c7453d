"""The desk end to end: `python -m bot` against the fake Bot API and the fake Market.

Each test plays staff by injecting updates and asserts what staff see in the chat, what
the Market received, and (through the chat and the Market) what the desk remembers.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.model import MOSCOW
from tests.chat import ANNA, BORIS, edited, labels, post_of, posts, tap
from tests.conftest import CAMPAIGN, OUTSIDER, STAFF_CHAT
from tests.harness import wait_until

ITEM = 'Чайник <Bosch> & "Ко" 1.7л'


def test_posts_a_request_with_escaped_names_and_three_buttons(market, telegram, start_desk):
    market.add_order(
        42,
        CAMPAIGN,
        cancel_requested=True,
        items=[
            {
                "id": 1,
                "offerId": "KETTLE-1",
                "offerName": ITEM,
                "count": 2,
                "prices": {"payment": {"value": 3980, "currencyId": "RUR"}},
            }
        ],
    )
    start_desk()

    post = post_of(telegram, 42)

    assert ITEM in post.text  # shown as written, because it was escaped
    assert "&lt;Bosch&gt; &amp; &quot;Ко&quot;" in post.html or "&lt;Bosch&gt; &amp;" in post.html
    assert "× 2" in post.text and "3\u00a0980\u00a0₽" in post.text
    assert "Ромашка & Co" in post.text and "with the courier" in post.text
    assert "(estimated)" in post.text
    assert labels(post) == [
        "✅ Accept cancellation",
        "📦 Reject — already delivered",
        "🚚 Reject — with the courier",
    ]
    assert [b["callback_data"] for b in post.buttons] == [
        "pick:1:accept",
        "pick:1:delivered",
        "pick:1:courier",
    ]
    assert [c.params["commands"] for c in telegram.calls("setMyCommands") if c.ok]


@pytest.mark.parametrize(
    ("label", "body", "outcome"),
    [
        ("Accept", {"accepted": True}, "Cancellation accepted"),
        (
            "already delivered",
            {"accepted": False, "reason": "ORDER_DELIVERED"},
            "Cancellation rejected: already delivered",
        ),
        (
            "with the courier",
            {"accepted": False, "reason": "ORDER_IN_DELIVERY"},
            "Cancellation rejected: with the courier",
        ),
    ],
)
def test_each_decision_is_confirmed_then_sent_once(
    market, telegram, start_desk, label, body, outcome
):
    market.add_order(7, CAMPAIGN, cancel_requested=True)
    start_desk()
    post = post_of(telegram, 7)

    answer = tap(telegram, post, ANNA, label)
    asking = edited(telegram, post)

    assert "Confirm" in answer["text"]
    assert labels(asking) == ["✔️ Confirm", "↩️ Back"]
    assert "Confirm:" in asking.text
    assert market.accepted_decisions() == []

    tap(telegram, asking, ANNA, "Confirm")
    done = edited(telegram, asking)

    assert market.accepted_decisions() == [(CAMPAIGN, 7, body)]
    assert outcome in done.text and "Анна (@anna)" in done.text
    assert done.buttons == []


def test_back_restores_the_three_buttons_without_sending(market, telegram, start_desk):
    market.add_order(8, CAMPAIGN, cancel_requested=True)
    start_desk()
    post = post_of(telegram, 8)
    tap(telegram, post, ANNA, "Accept")
    asking = edited(telegram, post)

    tap(telegram, asking, ANNA, "Back")
    back = edited(telegram, asking)

    assert labels(back) == labels(post)
    assert "Confirm:" not in back.text
    assert market.calls("acceptOrderCancellation") == []


def test_two_staff_confirming_at_once_send_one_decision(market, telegram, start_desk):
    market.add_order(9, CAMPAIGN, cancel_requested=True)
    start_desk()
    post = post_of(telegram, 9)
    tap(telegram, post, ANNA, "Accept")
    asking = edited(telegram, post)
    data = asking.callback_data("Confirm")

    first = telegram.tap(STAFF_CHAT, asking.message_id, ANNA, data)
    second = telegram.tap(STAFF_CHAT, asking.message_id, BORIS, data)
    answers = [
        wait_until(lambda cid=cid: telegram.callback_answer(cid), 10)["text"]
        for cid in (first, second)
    ]
    done = edited(telegram, asking)

    assert len(market.calls("acceptOrderCancellation")) == 1
    assert answers[0] == "Sending the decision to the Market…"
    assert "Анна (@anna)" in answers[1]
    assert "Cancellation accepted" in done.text
    # a late tap on the decided post changes nothing and says who decided
    late = telegram.tap(STAFF_CHAT, asking.message_id, BORIS, data)
    assert (
        wait_until(lambda: telegram.callback_answer(late))["text"]
        == "Already decided: Анна (@anna)"
    )
    assert len(market.calls("acceptOrderCancellation")) == 1


def test_outsiders_and_forged_buttons_change_nothing(market, telegram, start_desk):
    market.add_order(10, CAMPAIGN, cancel_requested=True)
    market.add_order(11, CAMPAIGN, cancel_requested=True)
    start_desk(STAFF_USER_IDS=f"{ANNA},{BORIS}")
    post = post_of(telegram, 10)
    post_of(telegram, 11)
    before = telegram.message(STAFF_CHAT, post.message_id)

    refused = tap(telegram, post, OUTSIDER, "Accept")
    forged = []
    for data in ("sure:1:accept", "c:1:a", "pick:2:accept", "d:99:a", "x" * 64, "d:1:z", "b:"):
        callback_id = telegram.tap(STAFF_CHAT, post.message_id, ANNA, data)
        forged.append(wait_until(lambda cid=callback_id: telegram.callback_answer(cid))["text"])

    assert refused["text"] == "Only listed staff may decide"
    assert forged == [
        "This button is out of date — look at the message again",  # Confirm never offered
        "This button is out of date — look at the message again",  # the same, as v1 wrote it
        "This button is out of date — look at the message again",  # another post's id
        "This button is out of date — look at the message again",  # no such request
        "Unknown button",
        "Unknown button",
        "Unknown button",
    ]
    time.sleep(0.3)  # give a wrongly triggered edit the chance to show up
    assert telegram.message(STAFF_CHAT, post.message_id).edits == before.edits
    assert market.calls("acceptOrderCancellation") == []


def test_market_500_shows_the_error_and_the_buttons_come_back(market, telegram, start_desk):
    market.add_order(12, CAMPAIGN, cancel_requested=True)
    start_desk(CONFIRM_DECISIONS="false")
    post = post_of(telegram, 12)
    market.fail_next(
        "acceptOrderCancellation", 500, code="INTERNAL_ERROR", message="Internal server error"
    )

    tap(telegram, post, ANNA, "Accept")
    failed = edited(telegram, post)

    assert "500 INTERNAL_ERROR Internal server error" in failed.text
    assert "You can try again" in failed.text
    assert labels(failed) == labels(post)

    tap(telegram, failed, BORIS, "Accept")
    done = edited(telegram, failed)

    assert "Cancellation accepted" in done.text and "Борис (@boris)" in done.text
    assert len(market.calls("acceptOrderCancellation")) == 2
    assert market.accepted_decisions() == [(CAMPAIGN, 12, {"accepted": True})]


def test_420_says_when_to_retry(market, telegram, start_desk):
    market.add_order(13, CAMPAIGN, cancel_requested=True)
    start_desk(CONFIRM_DECISIONS="false", TIMEZONE="UTC")
    post = post_of(telegram, 13)
    until = (datetime.now(MOSCOW) + timedelta(minutes=5)).replace(microsecond=0)
    market.fail_next("acceptOrderCancellation", 420, rate_limit_until=until)

    tap(telegram, post, ANNA, "Accept")
    failed = edited(telegram, post)

    assert "420" in failed.text
    assert f"try again after {until.astimezone(UTC):%d.%m %H:%M}" in failed.text
    assert labels(failed) == labels(post)


def test_request_no_longer_pending_closes_the_post(market, telegram, start_desk):
    market.add_order(14, CAMPAIGN, cancel_requested=True)
    start_desk(CONFIRM_DECISIONS="false", POLL_INTERVAL="300")
    post = post_of(telegram, 14)
    market.set_order(14, status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)

    tap(telegram, post, ANNA, "with the courier")
    closed = edited(telegram, post)

    [put] = market.calls("acceptOrderCancellation")
    assert put.status == 400
    assert "no longer awaits a decision: cancelled (the buyer changed their mind)" in closed.text
    assert closed.buttons == []


def test_request_resolved_elsewhere_is_edited_and_loses_its_buttons(market, telegram, start_desk):
    market.add_order(15, CAMPAIGN, cancel_requested=True)
    start_desk()
    post = post_of(telegram, 15)

    market.set_order(
        15, status="DELIVERED", substatus="DELIVERY_SERVICE_DELIVERED", cancel_requested=False
    )
    closed = edited(telegram, post)

    assert "closed without a decision here" in closed.text
    assert "delivered (by the carrier)" in closed.text
    assert closed.buttons == []
    assert market.calls("acceptOrderCancellation") == []


def test_pending_lists_nearest_deadline_first_with_links(market, telegram, start_desk):
    now = datetime.now(MOSCOW)
    for order_id, hours_ago in ((21, 2), (22, 30), (23, 10)):
        market.add_order(
            order_id,
            CAMPAIGN,
            cancel_requested=True,
            created_at=now - timedelta(days=3),
            updated_at=now - timedelta(hours=hours_ago),
        )
    start_desk()
    for order_id in (21, 22, 23):
        post_of(telegram, order_id)

    telegram.send_text(STAFF_CHAT, ANNA, "/pending")
    reply = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT) if m.text.startswith("Waiting: 3")]
    )[0]

    lines = reply.text.splitlines()[1:]
    assert [line.split(" · ")[0] for line in lines] == ["1. #22", "2. #23", "3. #21"]
    assert "https://t.me/c/1234567890/" in reply.html


def test_commands_from_strangers_in_private_reveal_nothing(market, telegram, start_desk):
    market.add_order(24, CAMPAIGN, cancel_requested=True)
    start_desk(STAFF_USER_IDS=str(ANNA))
    post_of(telegram, 24)

    telegram.send_text(OUTSIDER, OUTSIDER, "/pending")
    telegram.send_text(ANNA, ANNA, "/pending")
    stranger = wait_until(lambda: telegram.messages(OUTSIDER))
    staff = wait_until(lambda: telegram.messages(ANNA))

    assert stranger[0].text == "This bot serves the shop's staff only."
    assert "#24" in staff[0].text


def test_help_explains_the_buttons(market, telegram, start_desk):
    start_desk(LANGUAGE="ru")
    telegram.send_text(STAFF_CHAT, ANNA, "/help")
    reply = wait_until(lambda: telegram.messages(STAFF_CHAT))[0]
    assert "Принять отмену" in reply.text and "/pending" in reply.text


def test_reminder_is_a_reply_sent_once_and_survives_a_restart(market, telegram, start_desk):
    market.add_order(30, CAMPAIGN)
    desk = start_desk(REMINDER_LEAD_TIMES="47h59m54s,47h59m56s")
    wait_until(lambda: market.calls("getBusinessOrders"), message="the first poll")
    market.request_cancellation(30)
    post = post_of(telegram, 30)
    assert "(estimated)" not in post.text  # dated after the last poll that missed it

    # stop before either reminder is due; both fall due while the desk is down
    assert desk.terminate() == 0
    time.sleep(max(0.0, 7.0 - (time.time() - post.date)))  # both due 4 and 6 s after the miss
    start_desk(REMINDER_LEAD_TIMES="47h59m54s,47h59m56s")

    replies = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT) if m.reply_to_message_id],
        timeout=10,
    )
    assert len(replies) == 1  # the two missed lead times make one reminder, not a burst
    assert replies[0].reply_to_message_id == post.message_id
    assert "Order #30" in replies[0].text and "left to answer" in replies[0].text


def test_lead_times_crossed_before_posting_are_shown_not_sent(market, telegram, start_desk):
    now = datetime.now(MOSCOW)
    market.add_order(
        31,
        CAMPAIGN,
        cancel_requested=True,
        created_at=now - timedelta(days=4),
        updated_at=now - timedelta(hours=47, minutes=30),
    )
    start_desk(REMINDER_LEAD_TIMES="24h,6h,1h")

    post = post_of(telegram, 31)
    time.sleep(1.5)  # a poll cycle or two: time for a wrong burst of reminders

    assert "Less than 1 h left" in post.text
    assert [m for m in telegram.messages(STAFF_CHAT) if m.reply_to_message_id] == []


def test_restart_posts_nothing_twice_and_old_posts_keep_working(market, telegram, start_desk):
    market.add_order(40, CAMPAIGN, cancel_requested=True)
    market.add_order(41, CAMPAIGN, cancel_requested=True)
    first = start_desk()
    post = post_of(telegram, 40)
    post_of(telegram, 41)

    started = time.monotonic()
    assert first.terminate() == 0
    assert time.monotonic() - started < 5
    second = start_desk()
    wait_until(lambda: "Poll:" in second.log(), message="a poll after the restart")
    time.sleep(1.2)

    assert len(posts(telegram)) == 2
    tap(telegram, post, ANNA, "Accept")
    asking = edited(telegram, post)
    tap(telegram, asking, ANNA, "Confirm")
    assert "Cancellation accepted" in edited(telegram, asking).text
    assert market.accepted_decisions() == [(CAMPAIGN, 40, {"accepted": True})]


def test_each_lead_time_crossed_while_pending_sends_one_reminder(market, telegram, start_desk):
    market.add_order(32, CAMPAIGN)
    desk = start_desk(REMINDER_LEAD_TIMES="47h59m57s,47h59m55s")
    wait_until(lambda: "Poll:" in desk.log(), message="the first poll")
    market.request_cancellation(32)
    post = post_of(telegram, 32)

    def replies():
        return [m for m in telegram.messages(STAFF_CHAT) if m.reply_to_message_id]

    wait_until(lambda: len(replies()) == 2, timeout=10, message="two reminders")
    time.sleep(1.5)  # a few more publisher rounds: nothing repeats
    assert [m.reply_to_message_id for m in replies()] == [post.message_id, post.message_id]
    assert all("Order #32" in m.text for m in replies())


def test_buttons_written_by_an_earlier_version_still_decide(market, telegram, start_desk):
    """Posts stay actionable for 48 hours and more: their one-letter callback data still works."""
    market.add_order(61, CAMPAIGN, cancel_requested=True)
    start_desk()
    post = post_of(telegram, 61)

    def tap_data(message, data: str) -> dict:
        callback_id = telegram.tap(STAFF_CHAT, message.message_id, ANNA, data)
        return wait_until(lambda: telegram.callback_answer(callback_id), message="the answer")

    assert tap_data(post, "d:1:d")["text"] == "Tap Confirm to send the decision"
    confirming = edited(telegram, post)
    assert "already delivered" in confirming.text
    tap_data(confirming, "c:1:d")
    done = edited(telegram, confirming)
    assert "Cancellation rejected: already delivered" in done.text
    assert market.accepted_decisions() == [
        (CAMPAIGN, 61, {"accepted": False, "reason": "ORDER_DELIVERED"})
    ]
