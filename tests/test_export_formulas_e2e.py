"""/export end to end: a Telegram name written as a formula opens as text in a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io

from tests.chat import ANNA, post_of, tap
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until

NAMES = ['=HYPERLINK("http://evil","x")', "@SUM(1+1)", "+1", "-1+2", "\t=1", "\r=1"]


def test_names_that_look_like_formulas_are_exported_as_text(market, telegram, start_desk):
    people = {300 + n: name for n, name in enumerate(NAMES)}
    for user_id, name in people.items():
        telegram.add_user(user_id, first_name=name, member_of=[STAFF_CHAT])
    for order_id in (81, 82, 83, 84, 85, 86, 87):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    start_desk(CONFIRM_DECISIONS="false", TELEGRAM_GROUP_RATE="1000/60s")
    for order_id, user_id in zip((81, 82, 83, 84, 85, 86, 87), [*people, ANNA], strict=True):
        tap(telegram, post_of(telegram, order_id), user_id, "Accept")
    wait_until(lambda: len(market.accepted_decisions()) == 7, message="seven decisions")

    before = len(telegram.messages(STAFF_CHAT))
    telegram.send_text(STAFF_CHAT, ANNA, "/export")
    [document] = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT)[before:] if m.media],
        message="the CSV document",
    )
    assert document.file.startswith(codecs.BOM_UTF8)
    text = document.file.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))

    by_order = {row["order"]: row["by"] for row in rows}
    assert [by_order[str(order_id)] for order_id in (81, 82, 83, 84, 85, 86)] == [
        "'" + name for name in NAMES
    ]
    assert by_order["87"] == "Анна"  # a plain name as it was
