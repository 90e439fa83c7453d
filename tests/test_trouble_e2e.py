"""One cabinet's trouble stays its own, told once (`python -m bot` with a cabinets file).

A business failing, limited or with its key revoked, or a chat that removed the bot, tells
its own chat (where it still works) and the operator once when the trouble starts and once
when it ends; the other cabinet's chat hears nothing and its requests are posted as usual.
Trouble starts at the second failed poll in a row; a 420 the desk waits out only once it
has lasted three poll intervals (here POLL_INTERVAL=1: 3 s).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import two_cabinets
from tests.cabinets import KEY_UYUT
from tests.harness import wait_until
from tests.two_cabinets import (
    CHAT_SAD,
    CHAT_UYUT,
    OPERATOR,
    SAD_BUSINESS,
    SAD_SHOP,
    UYUT_BUSINESS,
    UYUT_SHOP,
    alerts,
    ask,
    polls,
    post_in,
    said,
    told,
)

pytestmark = pytest.mark.process
market, telegram, desk = two_cabinets.market, two_cabinets.telegram, two_cabinets.desk


def test_one_business_failing_tells_its_chat_and_the_operator_once(market, telegram, desk):
    market.set_outage(500, business=UYUT_BUSINESS)
    market.add_order(2001, SAD_SHOP, cancel_requested=True)
    process = desk()

    post_in(telegram, CHAT_SAD, 2001)  # the other cabinet is not held up
    wait_until(lambda: alerts(telegram, CHAT_UYUT), message="the outage alert")
    wait_until(lambda: told(telegram), message="the operator told")
    wait_until(lambda: polls(market, SAD_BUSINESS) >= 4, message="more polls")
    failed_before = len(market.calls(business=UYUT_BUSINESS))
    wait_until(lambda: len(market.calls(business=UYUT_BUSINESS)) >= failed_before + 3)
    assert len(alerts(telegram, CHAT_UYUT)) == 1
    assert "500" in alerts(telegram, CHAT_UYUT)[0]
    [trouble] = told(telegram)
    assert trouble.startswith("⚠️ Cabinet “Уютный дом”: cannot fetch requests") and "500" in trouble
    assert alerts(telegram, CHAT_SAD) == []

    [listing] = ask(telegram, OPERATOR, "/cabinets", "🗄")
    uyut, sad = listing.split("\n\n")[1:]
    assert "Уютный дом" in uyut and "Trouble since" in uyut and "500" in uyut
    assert "Last good poll: never" in uyut
    assert "Сад и огород" in sad and "No trouble" in sad and "Pending: 1" in sad
    assert "never" not in sad

    market.set_outage(None, business=UYUT_BUSINESS)
    wait_until(lambda: len(alerts(telegram, CHAT_UYUT)) == 2, message="the recovery")
    wait_until(lambda: len(told(telegram)) == 2, message="the operator told of the recovery")
    assert told(telegram)[1] == "✅ Cabinet “Уютный дом”: requests from the Market come in again."
    assert alerts(telegram, CHAT_SAD) == []
    assert process.running


def test_a_limit_waited_out_within_three_intervals_is_no_trouble(market, telegram, desk):
    desk()
    wait_until(lambda: polls(market, UYUT_BUSINESS) >= 2, message="the first polls")
    until = datetime.now(UTC) + timedelta(seconds=2)
    market.set_rate_limited(until, business=UYUT_BUSINESS)
    market.add_order(3001, UYUT_SHOP, cancel_requested=True)

    post_in(telegram, CHAT_UYUT, 3001)
    assert [c for c in market.calls(business=UYUT_BUSINESS) if c.status == 420]
    assert datetime.now(UTC) >= until
    assert alerts(telegram, CHAT_UYUT) == [] and told(telegram) == []


def test_a_limit_that_lasts_three_intervals_is_trouble_while_it_lasts(market, telegram, desk):
    desk()
    wait_until(lambda: polls(market, UYUT_BUSINESS) >= 2, message="the first polls")
    until = datetime.now(UTC) + timedelta(seconds=7)
    market.set_rate_limited(until, business=UYUT_BUSINESS)

    [alert] = wait_until(lambda: alerts(telegram, CHAT_UYUT), message="the limit's alert")
    assert datetime.now(UTC) < until  # told while the desk still waits it out
    assert "the Market limits the desk's calls" in alert and "420" in alert
    wait_until(lambda: told(telegram), message="the operator told")
    wait_until(lambda: len(alerts(telegram, CHAT_UYUT)) == 2, timeout=15, message="the end")
    wait_until(lambda: len(told(telegram)) == 2, message="the operator told of the end")
    assert alerts(telegram, CHAT_SAD) == []


def test_a_revoked_key_is_its_cabinets_trouble_and_the_desk_goes_on(market, telegram, desk):
    market.revoke_key(KEY_UYUT)
    market.add_order(4001, SAD_SHOP, cancel_requested=True)
    process = desk()

    [alert] = wait_until(lambda: alerts(telegram, CHAT_UYUT), message="the refused key's alert")
    assert "401" in alert
    wait_until(lambda: told(telegram), message="the operator told")
    post_in(telegram, CHAT_SAD, 4001)
    assert process.running
    assert "Setting error" not in process.log()


def test_a_chat_that_removed_the_bot_is_told_to_the_operator_once(market, telegram, desk):
    desk()
    wait_until(lambda: polls(market, SAD_BUSINESS) >= 1, message="a first poll")
    telegram.kick_bot(CHAT_SAD)
    market.add_order(5001, SAD_SHOP, cancel_requested=True)
    market.add_order(5002, UYUT_SHOP, cancel_requested=True)

    post_in(telegram, CHAT_UYUT, 5002)
    [lost] = wait_until(lambda: said(telegram, OPERATOR, "⚠️ Cabinets"), message="the loss")
    assert "“Сад и огород”" in lost and str(CHAT_SAD) in lost and "kicked" in lost
    telegram.readd_bot(CHAT_SAD)
    post_in(telegram, CHAT_SAD, 5001)
    wait_until(lambda: said(telegram, OPERATOR, "✅ Cabinets"), message="the chat back")
    assert len(said(telegram, OPERATOR, "⚠️ Cabinets", "✅ Cabinets")) == 2
