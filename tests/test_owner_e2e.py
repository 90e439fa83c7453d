"""The owner's view end to end: a ledger made against the fakes, then /stats, /order, /history.

Five requests with known fates (one taken after a failed PUT, one rejected after a Back,
one pending, one expired, one settled elsewhere) are compared number by number.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime, timedelta

from bot.domain.model import MOSCOW
from tests.chat import ANNA, BORIS, post_of, tap
from tests.conftest import CAMPAIGN, OUTSIDER, STAFF_CHAT
from tests.harness import wait_until


def answer(telegram, chat: int, command: str, starts: str) -> str:
    """Send a command and return the desk's reply to it, found by how it starts."""
    before = len(telegram.messages(chat))
    telegram.send_text(chat, ANNA if chat == STAFF_CHAT else chat, command)
    found = wait_until(
        lambda: [m for m in telegram.messages(chat)[before:] if m.text.startswith(starts)],
        message=f"the answer to {command}",
    )
    return found[0].text


def showing(telegram, post, button: str, text: str = ""):
    """The post once it shows a button labelled with `button` (and `text`, if given)."""

    def current():
        message = telegram.message(STAFF_CHAT, post.message_id)
        has = any(button in b.get("text", "") for b in message.buttons)
        return message if has and text in message.text else None

    return wait_until(current, message=f"the post showing {button!r} {text!r}")


def exported(telegram) -> list[dict[str, str]]:
    """Ask for /export and read the CSV document back as Excel would."""
    before = len(telegram.messages(STAFF_CHAT))
    telegram.send_text(STAFF_CHAT, ANNA, "/export")
    [document] = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT)[before:] if m.media],
        message="the CSV document",
    )
    assert document.media["document"]["file_name"] == "requests-7d-1.csv"
    assert document.text.startswith("Requests, 7d, part 1: 5 rows")
    assert document.file.startswith(codecs.BOM_UTF8)
    text = document.file.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def make_ledger(market, telegram, start_desk) -> None:
    now = datetime.now(MOSCOW)
    for order_id in (71, 72, 73, 75):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    old = now - timedelta(hours=50)  # asked 50 h ago: past its deadline when first seen
    market.add_order(
        74, CAMPAIGN, cancel_requested=True, created_at=now - timedelta(days=4), updated_at=old
    )
    # posts, edits and answers: many in a minute; Anna and Boris may also ask in private;
    # Anna asks one command right after another
    start_desk(
        TELEGRAM_GROUP_RATE="1000/60s", STAFF_USER_IDS=f"{ANNA},{BORIS}", COMMAND_COOLDOWN="0"
    )
    posts = {order_id: post_of(telegram, order_id) for order_id in (71, 72, 73, 74, 75)}

    market.fail_next("acceptOrderCancellation", 500, code="INTERNAL_ERROR", message="boom")
    tap(telegram, posts[71], ANNA, "Accept")
    tap(telegram, showing(telegram, posts[71], "Confirm"), ANNA, "Confirm")
    failed = showing(telegram, posts[71], "Accept", text="try again")
    tap(telegram, failed, ANNA, "Accept")
    tap(telegram, showing(telegram, failed, "Confirm"), ANNA, "Confirm")
    wait_until(lambda: market.accepted_decisions(), message="the retried PUT")

    tap(telegram, posts[72], BORIS, "already delivered")
    tap(telegram, showing(telegram, posts[72], "Back"), BORIS, "Back")
    tap(telegram, showing(telegram, posts[72], "already delivered"), BORIS, "already delivered")
    tap(telegram, showing(telegram, posts[72], "Confirm"), BORIS, "Confirm")
    wait_until(lambda: len(market.accepted_decisions()) == 2, message="the rejection")

    for order_id in (74, 75):
        market.set_order(order_id, status="CANCELLED", substatus="USER_CHANGED_MIND")
        market.set_order(order_id, cancel_requested=False)
    for order_id in (74, 75):
        wait_until(lambda o=order_id: not post_of(telegram, o).buttons, message="closed")


def test_stats_order_and_history_tell_what_happened(market, telegram, start_desk):
    make_ledger(market, telegram, start_desk)

    stats = answer(telegram, STAFF_CHAT, "/stats", "📊")
    assert "Received: 5" in stats
    for line in (
        "Cancellation accepted: 1",
        "already delivered: 1",
        "with the courier: 0",
        "Probably settled elsewhere (buyer, support): 1",
        "Probably expired unanswered (the Market refunded): 1",
        "Still pending: 1",
        "Анна: 1",
        "Борис: 1",
    ):
        assert line in stats, line
    assert "(estimated request times): median ~" in stats and "(2)" in stats

    story = answer(telegram, STAFF_CHAT, "/order 71", "📜")
    lines = story.splitlines()
    assert lines[1] == "Outcome: cancellation accepted"
    assert lines[2] == "Open the post"
    steps = [line.split(" — ", 1)[1] for line in lines[3:]]
    assert steps[0].startswith("first seen; requested")
    assert steps[1:8] == [
        "posted to the chat",
        "Анна chose “accept the cancellation”, awaiting Confirm",
        "Анна sent “accept the cancellation” to the Market",
        "the Market's answer: refused by the Market: 500 INTERNAL_ERROR boom",
        "Анна chose “accept the cancellation”, awaiting Confirm",
        "Анна sent “accept the cancellation” to the Market",
        "the Market's answer: taken by the Market",
    ]
    assert all(step.startswith("left the pending list: cancelled") for step in steps[8:])
    assert 'href="https://t.me/c/' in telegram.messages(STAFF_CHAT)[-1].html

    rejected = answer(telegram, STAFF_CHAT, "/order 72", "📜")
    assert "Борис tapped Back" in rejected
    expired = answer(telegram, STAFF_CHAT, "/order 74", "📜")
    assert "Outcome: probably expired unanswered" in expired

    history = answer(telegram, STAFF_CHAT, "/history", "🗂").splitlines()
    assert len(history) == 4 and "#72" in history[1] and "refused" in history[3]

    assert answer(telegram, STAFF_CHAT, "/stats 13x", "Period:").startswith("Period: nothing")
    assert "order number" in answer(telegram, STAFF_CHAT, "/order abc", "Give")
    assert answer(telegram, STAFF_CHAT, "/order 999", "The desk") == (
        "The desk never saw order #999."
    )
    csv_rows = exported(telegram)
    assert [row["order"] for row in csv_rows] == ["71", "72", "73", "74", "75"]
    by_order = {row["order"]: row for row in csv_rows}
    assert by_order["71"]["outcome"] == "cancellation accepted"
    assert (by_order["71"]["by"], by_order["71"]["Market answer"]) == ("Анна", "ok")
    assert by_order["72"]["decision"] == "reject — already delivered"
    assert by_order["73"]["outcome"] == "waiting for a decision"
    assert by_order["74"]["outcome"] == "probably expired unanswered"
    assert by_order["75"]["outcome"] == "probably settled elsewhere"
    assert by_order["74"]["how known"] == "estimated"
    assert "," in by_order["71"]["minutes to decide"]  # a decimal comma, as Russian Excel reads
    assert answer(telegram, STAFF_CHAT, "/export 2026-13", "Period:").startswith("Period:")

    telegram.send_text(ANNA, ANNA, "/export 30d")  # privately: the document comes there
    [private] = wait_until(lambda: [m for m in telegram.messages(ANNA) if m.media])
    assert private.media["document"]["file_name"] == "requests-30d-1.csv"

    telegram.send_text(OUTSIDER, OUTSIDER, "/stats")
    assert wait_until(lambda: telegram.messages(OUTSIDER))[0].text.startswith("This bot serves")
