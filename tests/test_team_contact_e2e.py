"""The 📞 button end to end: the buyer's contact in a pop-up for the tapper alone, nothing
of it in the group, the database or the logs; refusals and Market errors in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.chat import ANNA, BORIS, labels, post_of, tap
from tests.conftest import CAMPAIGN, OUTSIDER, STAFF_CHAT
from tests.harness import wait_until

PHONE = "+79161234567"
TEAM = {"BUYER_CONTACT": "true", "STAFF_USER_IDS": f"{ANNA},{BORIS}"}


def test_the_buyer_is_shown_to_the_tapper_only(market, telegram, start_desk, tmp_path):
    market.add_order(90, CAMPAIGN, cancel_requested=True)
    market.set_buyer(90, firstName="Ирина", lastName="Петрова", phone=PHONE, trusted=True)
    desk = start_desk(**TEAM, CLAIMS="true")
    post = post_of(telegram, 90)
    assert post.reply_markup["inline_keyboard"][-1] == [
        {"text": "🙋 I'm on it", "callback_data": "mine:1"},
        {"text": "📞 Buyer", "callback_data": "call:1"},
    ]
    before = telegram.messages(STAFF_CHAT)

    answer = tap(telegram, post, ANNA, "Buyer")

    assert answer["show_alert"] is True and len(answer["text"]) <= 200
    assert answer["text"].startswith(f"📞 Ирина Петрова: {PHONE}\nVerified by the Market")
    assert telegram.messages(STAFF_CHAT) == before  # nothing posted or edited
    desk.terminate()
    assert PHONE not in desk.log() and "Петрова" not in desk.log()
    for path in (tmp_path / "data").iterdir():
        assert PHONE.encode() not in path.read_bytes() and "Петрова".encode() not in (
            path.read_bytes()
        )


def test_outsiders_and_stale_posts_get_nothing(market, telegram, start_desk):
    market.add_order(91, CAMPAIGN, cancel_requested=True)
    market.set_buyer(91, firstName="Ирина", phone=PHONE)
    start_desk(**TEAM)
    post = post_of(telegram, 91)
    assert labels(post)[-1] == "📞 Buyer"
    assert tap(telegram, post, OUTSIDER, "Buyer")["text"] == "Only listed staff may decide"
    forged = telegram.tap(STAFF_CHAT, post.message_id, ANNA, "call:7")
    answer = telegram.callback_answer
    assert wait_until(lambda: answer(forged))["text"].startswith("This button is out of date")
    assert market.calls("getOrderBuyerInfo") == []


ERRORS = [
    (403, "The Market refused (403): the Api-Key may not read buyers' data"),
    (404, "The Market does not know this order (404)"),
    (420, "Too many requests for buyers' data; try after "),
    (500, "The Market did not answer (500 "),
]


def test_a_market_error_is_one_line_and_not_retried(market, telegram, start_desk):
    market.add_order(92, CAMPAIGN, cancel_requested=True)
    start_desk(**TEAM)
    post = post_of(telegram, 92)
    until = datetime.now(UTC) + timedelta(minutes=5)
    for status, says in ERRORS:
        limit = until if status == 420 else None
        market.fail_next("getOrderBuyerInfo", status, rate_limit_until=limit)

        text = tap(telegram, post, BORIS, "Buyer")["text"]

        assert text.startswith(says) and "\n" not in text and len(text) <= 200
    assert [c.status for c in market.calls("getOrderBuyerInfo")] == [s for s, _ in ERRORS]


def test_off_by_default_and_a_left_button_is_stale(market, telegram, start_desk):
    market.add_order(93, CAMPAIGN, cancel_requested=True)
    desk = start_desk(**TEAM)
    post = post_of(telegram, 93)
    assert desk.terminate() == 0
    start_desk()
    assert tap(telegram, post, ANNA, "Buyer")["text"].startswith("This button is out of date")
    assert market.calls("getOrderBuyerInfo") == []
