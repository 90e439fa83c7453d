"""Claims end to end: "I'm on it" on the post, who and since when, release, restarts."""

from __future__ import annotations

import time

from tests.chat import ANNA, BORIS, edited, labels, post_of, tap
from tests.conftest import CAMPAIGN, OUTSIDER, STAFF_CHAT
from tests.harness import wait_until

DECISIONS = [
    "✅ Accept cancellation",
    "📦 Reject — already delivered",
    "🚚 Reject — with the courier",
]


def test_a_claim_shows_who_others_are_told_and_may_still_decide(market, telegram, start_desk):
    market.add_order(70, CAMPAIGN, cancel_requested=True)
    start_desk(CLAIMS="true")
    post = post_of(telegram, 70)
    assert labels(post) == [*DECISIONS, "🙋 I'm on it"]
    assert post.reply_markup["inline_keyboard"][-1] == [
        {"text": "🙋 I'm on it", "callback_data": "mine:1"}
    ]

    assert "yours" in tap(telegram, post, ANNA, "I'm on it")["text"]
    claimed = edited(telegram, post)
    assert "On it: Анна (@anna), since" in claimed.text
    assert tap(telegram, claimed, BORIS, "I'm on it")["text"] == (
        "Анна (@anna) is on it; anyone may still decide"
    )

    tap(telegram, claimed, BORIS, "Accept")
    asking = edited(telegram, claimed)
    assert labels(asking) == ["✔️ Confirm", "↩️ Back"]
    tap(telegram, asking, BORIS, "Confirm")
    done = edited(telegram, asking)
    assert "Cancellation accepted" in done.text and "Борис (@boris)" in done.text
    assert done.buttons == [] and "On it" not in done.text
    assert market.accepted_decisions() == [(CAMPAIGN, 70, {"accepted": True})]


def test_the_claimer_releases_and_a_claim_survives_a_restart(market, telegram, start_desk):
    market.add_order(71, CAMPAIGN, cancel_requested=True)
    desk = start_desk(CLAIMS="true")
    post = post_of(telegram, 71)
    tap(telegram, post, BORIS, "I'm on it")
    claimed = edited(telegram, post)

    assert desk.terminate() == 0
    again = start_desk(CLAIMS="true")
    wait_until(lambda: "Poll:" in again.log(), message="a poll after the restart")
    assert "Борис" in tap(telegram, claimed, ANNA, "I'm on it")["text"]  # still Boris's

    assert tap(telegram, claimed, BORIS, "I'm on it")["text"] == "You are no longer on this request"
    released = edited(telegram, claimed)
    assert "On it" not in released.text
    assert labels(released) == [*DECISIONS, "🙋 I'm on it"]


def test_outsiders_forged_and_switched_off_claims_change_nothing(market, telegram, start_desk):
    market.add_order(72, CAMPAIGN, cancel_requested=True)
    market.add_order(73, CAMPAIGN, cancel_requested=True)
    desk = start_desk(CLAIMS="true", STAFF_USER_IDS=f"{ANNA},{BORIS}")
    post = post_of(telegram, 72)
    post_of(telegram, 73)
    before = telegram.message(STAFF_CHAT, post.message_id)

    assert tap(telegram, post, OUTSIDER, "I'm on it")["text"] == "Only listed staff may decide"
    answers = []
    for data in ("mine:2", "mine:99", "mine:0", "mine:1:accept"):
        callback_id = telegram.tap(STAFF_CHAT, post.message_id, ANNA, data)
        answers.append(wait_until(lambda cid=callback_id: telegram.callback_answer(cid))["text"])
    assert answers == [
        "This button is out of date — look at the message again",  # another post's request
        "This button is out of date — look at the message again",  # no such request
        "Unknown button",
        "Unknown button",
    ]
    time.sleep(0.3)  # give a wrongly triggered edit the chance to show up
    assert telegram.message(STAFF_CHAT, post.message_id).edits == before.edits

    assert desk.terminate() == 0
    start_desk()  # claims switched off: the old button no longer claims
    stale = tap(telegram, before, ANNA, "I'm on it")
    assert stale["text"] == "This button is out of date — look at the message again"
