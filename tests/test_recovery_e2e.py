"""Recovery after a crash shows what the Market did, never that the tapper's decision went
through when the Market settled the request another way (finding 2 of the ops issue)."""

from __future__ import annotations

import pytest

from tests.chat import ANNA, edited, post_of, tap
from tests.conftest import CAMPAIGN
from tests.fakes.market import DROP
from tests.harness import wait_until


@pytest.mark.parametrize(
    ("label", "settled", "shown"),
    [
        # staff rejected; the PUT was lost and the buyer's cancellation went through instead
        (
            "with the courier",
            {"status": "CANCELLED", "substatus": "USER_CHANGED_MIND"},
            "cancelled",
        ),
        # staff accepted; the PUT was lost and the buyer withdrew the request
        ("Accept", {}, "with the courier"),
    ],
)
def test_a_decision_cut_off_by_a_crash_shows_how_the_market_settled_it(
    market, telegram, start_desk, label, settled, shown
):
    market.add_order(3, CAMPAIGN, cancel_requested=True)
    desk = start_desk(CONFIRM_DECISIONS="false")
    post = post_of(telegram, 3)
    operation = "acceptOrderCancellation"
    market.hold_next(operation, 1.0)
    market.fail_next(operation, DROP)  # the PUT never takes effect

    tap(telegram, post, ANNA, label)
    wait_until(lambda: market.arrivals(operation), message="the PUT")
    desk.kill()
    wait_until(lambda: market.calls(operation), message="the PUT dropped")
    market.set_order(3, cancel_requested=False, **settled)
    start_desk(CONFIRM_DECISIONS="false")

    after = edited(telegram, post)
    assert "cut off by a restart" in after.text, after.text
    assert shown in after.text.lower().rsplit("otherwise", 1)[-1]
    assert "Cancellation accepted" not in after.text
    assert "Cancellation rejected" not in after.text
    assert after.buttons == []
    assert len(market.arrivals(operation)) == 1
    assert market.accepted_decisions() == []
