"""Two cabinets, one desk (`python -m bot` with a CABINETS_FILE): neither reaches the other.

A key is used only for its own business and campaigns; a tap decides only a request posted
in the chat it is made in; a chat's commands see only the cabinets that post there. Anna is
staff of both cabinets and in both chats: what stops her is the chat alone. Olga, the desk's
operator, decides nowhere a staff list does not name her.
"""

from __future__ import annotations

import csv
import io

from tests.cabinets_world import (
    A1,
    A2,
    ANNA,
    B1,
    BORIS,
    BUSINESS_A,
    BUSINESS_B,
    CHAT_A,
    CHAT_B,
    KEY_A,
    KEY_B,
    OLGA,
    answer,
    ask,
    decide,
    post_of,
    posted_orders,
    tap,
)
from tests.harness import wait_until


def test_each_key_is_used_only_for_its_own_business_and_campaigns(
    market_ab, telegram_ab, start_cabinets
):
    market_ab.add_order(301, A1, cancel_requested=True)
    market_ab.add_order(302, A2, cancel_requested=True)  # of A's business, a shop A does not list
    market_ab.add_order(401, B1, cancel_requested=True)
    start_cabinets()

    decide(telegram_ab, CHAT_A, post_of(telegram_ab, CHAT_A, 301))
    decide(telegram_ab, CHAT_B, post_of(telegram_ab, CHAT_B, 401), BORIS)

    assert posted_orders(telegram_ab, CHAT_A) == [301]
    assert posted_orders(telegram_ab, CHAT_B) == [401]
    assert sorted((c, o) for c, o, _ in market_ab.accepted_decisions()) == [(A1, 301), (B1, 401)]
    calls = market_ab.calls()
    assert {call.api_key for call in calls} == {KEY_A, KEY_B}  # never the fake's unscoped key
    for call in calls:
        business = {KEY_A: BUSINESS_A, KEY_B: BUSINESS_B}[call.api_key]
        assert call.business_id == business, call
        assert call.status == 200, call  # the Market never had to refuse a key
        if call.operation_id == "getBusinessOrders":
            listed = set(call.json.get("campaignIds", ()))
            assert listed <= ({A1} if call.api_key == KEY_A else {B1}), call
    decisions = market_ab.calls("acceptOrderCancellation")
    assert sorted((c.api_key, c.business_id) for c in decisions) == [
        (KEY_A, BUSINESS_A),
        (KEY_B, BUSINESS_B),
    ]
    assert {c.api_key for c in market_ab.calls("getCampaigns")} == {KEY_B}  # B discovers its shops


def test_a_tap_in_another_chat_decides_nothing(market_ab, telegram_ab, start_cabinets):
    market_ab.add_order(311, A1, cancel_requested=True)
    market_ab.add_order(411, B1, cancel_requested=True)
    start_cabinets()
    theirs = post_of(telegram_ab, CHAT_A, 311)
    ours = post_of(telegram_ab, CHAT_B, 411)
    forged = theirs.callback_data("Accept")

    # A's button, pressed in B's chat: on B's own post, and on a message with A's post's id
    for message_id in (ours.message_id, theirs.message_id):
        assert tap(telegram_ab, CHAT_B, message_id, ANNA, forged) == "Unknown button"

    # the desk's operator is no one special in a staff chat whose list does not name her
    assert (
        tap(telegram_ab, CHAT_A, theirs.message_id, OLGA, forged) == "Only listed staff may decide"
    )

    # the control: the same data in A's chat is A's post's button
    assert tap(telegram_ab, CHAT_A, theirs.message_id, ANNA, forged).startswith("Tap Confirm")
    wait_until(lambda: telegram_ab.message(CHAT_A, theirs.message_id).edits == 1)
    assert telegram_ab.message(CHAT_B, ours.message_id).edits == 0
    assert market_ab.accepted_decisions() == []
    assert market_ab.calls("acceptOrderCancellation") == []


def test_a_chats_commands_see_only_its_cabinets(market_ab, telegram_ab, start_cabinets):
    for order_id in (321, 322):
        market_ab.add_order(order_id, A1, cancel_requested=True)
    market_ab.add_order(421, B1, cancel_requested=True)
    market_ab.add_order(422, B1, cancel_requested=True)
    start_cabinets()
    decide(telegram_ab, CHAT_A, post_of(telegram_ab, CHAT_A, 321))
    decide(telegram_ab, CHAT_B, post_of(telegram_ab, CHAT_B, 421), BORIS)
    post_of(telegram_ab, CHAT_A, 322)
    post_of(telegram_ab, CHAT_B, 422)

    pending = answer(telegram_ab, CHAT_B, "/pending")
    assert "#422" in pending and "#322" not in pending and "#321" not in pending
    history = answer(telegram_ab, CHAT_B, "/history")
    assert "#421" in history and "#321" not in history
    stats = answer(telegram_ab, CHAT_B, "/stats")
    assert "Received: 2" in stats
    assert "Анна" not in stats  # Anna decided in A's chat only

    unknown = answer(telegram_ab, CHAT_B, "/order 999321")
    assert unknown == "The desk never saw order #999321."
    assert answer(telegram_ab, CHAT_B, "/order 321") == "The desk never saw order #321."
    assert "#421" in answer(telegram_ab, CHAT_B, "/order 421")
    assert "#321" in answer(telegram_ab, CHAT_A, "/order 321")

    [document] = ask(telegram_ab, CHAT_B, "/export")
    rows = list(csv.DictReader(io.StringIO(document.file.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row_orders(rows)) == [421, 422]
    [document] = ask(telegram_ab, CHAT_A, "/export")
    rows = list(csv.DictReader(io.StringIO(document.file.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row_orders(rows)) == [321, 322]


def row_orders(rows: list[dict[str, str]]) -> list[int]:
    column = next(name for name in rows[0] if "order" in name.lower())
    return [int(row[column]) for row in rows]
