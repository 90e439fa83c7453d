"""A cabinet that discovers its shops, restarted: what it holds is its own before its next poll.

With a long poll interval the second cabinet of a file first polls half an interval after
the start, and a cabinet that lists no campaigns learns them at that poll. Until then its
chat still shows its history and a tap on its posts is decided with its own key.
"""

from __future__ import annotations

from tests.cabinets import with_keys
from tests.cabinets_world import (
    ANNA,
    B1,
    BUSINESS_B,
    CHAT_A,
    KEY_B,
    A,
    B,
    answer,
    decide,
    post_of,
    tap,
)
from tests.test_cabinets_migration import MOVED, written_by_todays_desk

LONG = "300"  # seconds: the second cabinet's first poll is 150 s after the start


def test_a_moved_cabinet_shows_its_history_before_its_first_poll(
    market_ab, telegram_ab, start_cabinets, tmp_path
):
    written_by_todays_desk(market_ab, telegram_ab, tmp_path)
    start_cabinets(B, MOVED, POLL_INTERVAL=LONG)

    assert "#801" in answer(telegram_ab, CHAT_A, "/history")
    assert "Received: 4" in answer(telegram_ab, CHAT_A, "/stats")
    assert "Outcome:" in answer(telegram_ab, CHAT_A, "/order 803")


def test_a_tap_before_the_first_poll_uses_the_key_of_the_requests_cabinet(
    market_ab, telegram_ab, start_cabinets
):
    market_ab.add_order(901, B1, cancel_requested=True)
    shared = with_keys(B, staff_chat_id=CHAT_A, staff_user_ids=[ANNA])
    desk = start_cabinets(A, shared)
    post = post_of(telegram_ab, CHAT_A, 901)
    assert desk.terminate() == 0

    start_cabinets(A, shared, POLL_INTERVAL=LONG)
    decide(telegram_ab, CHAT_A, post)
    [put] = market_ab.calls("acceptOrderCancellation")
    assert (put.api_key, put.business_id, put.status) == (KEY_B, BUSINESS_B, 200)


def test_a_post_of_a_removed_cabinet_is_decided_with_no_other_key(
    market_ab, telegram_ab, start_cabinets
):
    market_ab.add_order(902, B1, cancel_requested=True)
    shared = with_keys(B, staff_chat_id=CHAT_A, staff_user_ids=[ANNA])
    desk = start_cabinets(A, shared)
    post = post_of(telegram_ab, CHAT_A, 902)
    assert desk.terminate() == 0

    start_cabinets(A)  # B leaves the file; its post stays in the chat it shared with A
    assert tap(telegram_ab, CHAT_A, post.message_id, ANNA, post.callback_data("Accept")) == (
        "Unknown button"
    )
    assert market_ab.calls("acceptOrderCancellation") == []
