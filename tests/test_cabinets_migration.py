"""Nothing lost on the way in: a database written by a desk configured from the environment
(one cabinet, as before cabinets) opens under a cabinets file naming the same business, and
under the environment again, with every request, post, decision and journal entry kept and
shown in the chat of the cabinet of its business; a tap on an old open post still decides it.

The old desk really runs (`python -m bot` over the fakes). "Before cabinets" is that database
as a desk before schema V7 left it: V7 only added the poll records' `scope`, so dropping it
again and setting the version back to 6 gives what that desk wrote.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cabinets_world import (
    A1,
    A2,
    ANNA,
    BUSINESS_A,
    CABINET_A,
    CHAT_A,
    CHAT_B,
    KEY_A,
    B,
    answer,
    decide,
    post_of,
    posted_orders,
    showing,
    tap,
)
from tests.harness import DeskProcess, wait_until

ORDERS = {801: A1, 802: A1, 803: A2, 804: A2}  # 801 decided, 803 closed, 802 and 804 open
#: The cabinet of business A as a file names it: its shops discovered, as most will write it.
MOVED = {
    "name": CABINET_A,
    "business_id": BUSINESS_A,
    "api_key_env": "MARKET_KEY_A",
    "staff_chat_id": CHAT_A,
    "staff_user_ids": [ANNA],
}
KEPT = {  # the columns that say what happened; an open request's order may be refreshed
    "requests": "id, campaign_id, order_id, business_id, state, first_seen, requested_at,"
    " request_basis, deadline, closed_at, closed_status",
    "posts": "request_id, chat_id, message_id, posted_at",
    "decisions": "*",
    "events": "*",
}

pytestmark = pytest.mark.process


def environment_desk(market, telegram, folder: Path) -> dict[str, str]:
    """Today's desk of business A from the environment alone, watching both its shops."""
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "MARKET_API_URL": market.url,
        "MARKET_API_KEY": KEY_A,
        "MARKET_CAMPAIGN_IDS": f"{A1},{A2}",
        "STAFF_CHAT_ID": str(CHAT_A),
        "STAFF_USER_IDS": str(ANNA),
        "DATABASE_PATH": str(folder / "data" / "desk.db"),
        "POLL_INTERVAL": "1",
        "LANGUAGE": "en",
        "COMMAND_COOLDOWN": "0",
        "TELEGRAM_GROUP_RATE": "1000/60s",
    }


def kept_rows(folder: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(folder / "data" / "desk.db") as conn:
        return {
            table: sorted(conn.execute(f"SELECT {columns} FROM {table}").fetchall())
            for table, columns in KEPT.items()
        }


def as_before_cabinets(folder: Path) -> None:
    """The database as a desk before schema V7 wrote it (see the module's docstring)."""
    with sqlite3.connect(folder / "data" / "desk.db") as conn:
        conn.executescript(
            "DROP INDEX polls_by_scope; ALTER TABLE polls DROP COLUMN scope;"
            " PRAGMA user_version = 6;"
        )
    conn.close()


def written_by_todays_desk(market, telegram, folder: Path) -> dict[str, list[tuple]]:
    """Run today's desk: one decision taken, one request closed elsewhere, two open."""
    for order_id, campaign in ORDERS.items():
        market.add_order(order_id, campaign, cancel_requested=True)
    desk = DeskProcess(environment_desk(market, telegram, folder), folder, "today").start()
    try:
        decide(telegram, CHAT_A, post_of(telegram, CHAT_A, 801))
        post_of(telegram, CHAT_A, 804)
        market.set_order(803, status="CANCELLED", substatus="USER_CHANGED_MIND")
        market.set_order(803, cancel_requested=False)
        closed = post_of(telegram, CHAT_A, 803)
        wait_until(lambda: not telegram.message(CHAT_A, closed.message_id).buttons, 15)
    finally:
        assert desk.terminate() == 0
    return kept_rows(folder)


def settled(market, since: int) -> None:
    """The reopened desk has polled business A once (its shops discovered, if it must)."""
    wait_until(
        lambda: market.calls("getBusinessOrders", start=since, business=BUSINESS_A),
        15,
        message="the reopened desk's first poll of business A",
    )


def still_decidable(market, telegram) -> None:
    """The old open post of 802 decides it, with business A's key."""
    decide(telegram, CHAT_A, telegram.message(CHAT_A, post_of(telegram, CHAT_A, 802).message_id))
    [put] = market.calls("acceptOrderCancellation")[1:]
    assert (put.api_key, put.business_id) == (KEY_A, BUSINESS_A)
    assert sorted(order for _, order, _ in market.accepted_decisions()) == [801, 802]


def shown_in_its_chat(telegram) -> None:
    pending = answer(telegram, CHAT_A, "/pending")
    assert "#802" in pending and "#804" in pending and "not posted yet" not in pending
    assert "#801" in answer(telegram, CHAT_A, "/history")
    assert "Received: 4" in answer(telegram, CHAT_A, "/stats")
    story = answer(telegram, CHAT_A, "/order 803")
    assert "Outcome:" in story and "posted to the chat" in story


@pytest.mark.parametrize("schema", ["as written", "before cabinets"])
def test_a_cabinets_file_naming_the_business_keeps_it_all(
    market_ab, telegram_ab, start_cabinets, tmp_path, schema
):
    before = written_by_todays_desk(market_ab, telegram_ab, tmp_path)
    if schema == "before cabinets":
        as_before_cabinets(tmp_path)
    since = len(market_ab.calls())

    start_cabinets(MOVED, B)
    settled(market_ab, since)
    assert kept_rows(tmp_path) == before
    shown_in_its_chat(telegram_ab)
    assert posted_orders(telegram_ab, CHAT_A) == list(ORDERS)  # nothing posted twice
    assert "#802" not in answer(telegram_ab, CHAT_B, "/pending")
    assert answer(telegram_ab, CHAT_B, "/history") == "No decisions yet."
    assert answer(telegram_ab, CHAT_B, "/order 803") == "The desk never saw order #803."
    still_decidable(market_ab, telegram_ab)
    assert {call.api_key for call in market_ab.calls(start=since)} <= {KEY_A, "key-b"}


def test_the_environment_desk_reopens_a_database_from_before_cabinets(
    market_ab, telegram_ab, tmp_path
):
    before = written_by_todays_desk(market_ab, telegram_ab, tmp_path)
    as_before_cabinets(tmp_path)
    since = len(market_ab.calls())

    env = environment_desk(market_ab, telegram_ab, tmp_path)
    desk = DeskProcess(env, tmp_path, "reopened").start()
    try:
        settled(market_ab, since)
        assert kept_rows(tmp_path) == before
        shown_in_its_chat(telegram_ab)
        assert posted_orders(telegram_ab, CHAT_A) == list(ORDERS)
        still_decidable(market_ab, telegram_ab)
    finally:
        assert desk.terminate() == 0


def test_an_old_post_mid_choice_confirms_under_the_file(
    market_ab, telegram_ab, start_cabinets, tmp_path
):
    """Accept tapped before the move, Confirm after it."""
    market_ab.add_order(805, A1, cancel_requested=True)
    desk = DeskProcess(environment_desk(market_ab, telegram_ab, tmp_path), tmp_path, "today")
    desk.start()
    try:
        post = post_of(telegram_ab, CHAT_A, 805)
        tap(telegram_ab, CHAT_A, post.message_id, ANNA, post.callback_data("Accept"))
        showing(telegram_ab, CHAT_A, post.message_id, "Confirm")
    finally:
        assert desk.terminate() == 0

    start_cabinets(MOVED, B)
    confirming = showing(telegram_ab, CHAT_A, post.message_id, "Confirm")
    answered = tap(telegram_ab, CHAT_A, post.message_id, ANNA, confirming.callback_data("Confirm"))
    assert answered == "Sending the decision to the Market…"
    wait_until(lambda: market_ab.accepted_decisions(), 10, message="the PUT")
