"""The operators' commands in private (`python -m bot` with a cabinets file): every
cabinet in `/cabinets`, `/pending all` and `/stats all`; anyone else is refused, and an
operator decides only where a cabinet's staff list names them."""

from __future__ import annotations

import pytest

from tests import two_cabinets
from tests.harness import wait_until
from tests.two_cabinets import (
    ANNA,
    BORIS,
    CHAT_SAD,
    CHAT_UYUT,
    OPERATOR,
    SAD_SHOP,
    UYUT_SHOP,
    ask,
    post_in,
)

pytestmark = pytest.mark.process
market, telegram, desk = two_cabinets.market, two_cabinets.telegram, two_cabinets.desk
REFUSED = "This bot serves the shop's staff only."


def tap(telegram, chat: int, message, user: int, label: str) -> dict:
    callback = telegram.tap(chat, message.message_id, user, message.callback_data(label))
    return wait_until(lambda: telegram.callback_answer(callback), message="the tap's answer")


def test_every_cabinet_in_private_for_the_operator(market, telegram, desk):
    market.add_order(6001, UYUT_SHOP, cancel_requested=True)
    market.add_order(6002, SAD_SHOP, cancel_requested=True)
    market.add_order(6003, SAD_SHOP, cancel_requested=True)
    desk()
    uyut_post = post_in(telegram, CHAT_UYUT, 6001)
    post_in(telegram, CHAT_SAD, 6002)
    post_in(telegram, CHAT_SAD, 6003)

    [listing] = ask(telegram, OPERATOR, "/cabinets", "🗄")
    assert listing.startswith("🗄 Cabinets: 2")
    uyut, sad = listing.split("\n\n")[1:]
    assert f"Уютный дом · chat {CHAT_UYUT}" in uyut and "Pending: 1" in uyut and "#6001" in uyut
    assert f"Сад и огород · chat {CHAT_SAD}" in sad and "Pending: 2" in sad
    assert "Last good poll: never" not in listing and "No trouble" in uyut

    [pending] = ask(telegram, OPERATOR, "/pending all", "Waiting: 3")
    lines = pending.splitlines()[1:]  # each names its cabinet, nearest deadline first
    assert sorted(line.split(" · ")[1] for line in lines) == ["Сад и огород"] * 2 + ["Уютный дом"]
    assert {line.split(" · ")[0].split("#")[1] for line in lines} == {"6001", "6002", "6003"}

    tap(telegram, CHAT_UYUT, uyut_post, ANNA, "Accept")  # Анна decides in her chat
    [stats] = ask(telegram, OPERATOR, "/stats all 30d", "📊")
    assert "Уютный дом: received 1" in stats and "Сад и огород: received 2" in stats
    assert "All cabinets" in stats and "Received: 3" in stats

    [help_text] = ask(telegram, OPERATOR, "/help", "For operators")
    assert "/cabinets" in help_text and "/stats all" in help_text


def test_others_are_refused_and_an_operator_decides_nowhere_unlisted(market, telegram, desk):
    market.add_order(7001, UYUT_SHOP, cancel_requested=True)
    desk()
    post = post_in(telegram, CHAT_UYUT, 7001)

    for command in ("/cabinets", "/pending all", "/stats all"):
        assert ask(telegram, ANNA, command, REFUSED) == [REFUSED]
    [own] = ask(telegram, BORIS, "/pending", "No cancellation")  # his own cabinet's, as before
    assert "7001" not in own

    telegram.send_text(CHAT_UYUT, OPERATOR, "/cabinets")  # in a group: no answer at all
    answer = tap(telegram, CHAT_UYUT, post, OPERATOR, "Accept")
    assert answer["text"] == "Only listed staff may decide"
    assert not [m for m in telegram.messages(CHAT_UYUT) if m.text.startswith("🗄")]
    assert market.accepted_decisions() == []
