"""One request the desk cannot show never holds up another (`python -m bot` over the fakes).

Staff are told of the stuck one once, even across a restart, and the request right behind
it is posted and confirmed as usual.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.model import MOSCOW
from tests.chat import ANNA, edited, labels, post_of, posts, reports, tap
from tests.conftest import CAMPAIGN
from tests.harness import wait_until

TOO_LONG = "Bad Request: message is too long"


def test_a_post_telegram_refuses_is_reported_once_and_the_next_is_posted(
    market, telegram, start_desk
):
    now = datetime.now(MOSCOW)
    # the refused one is the most urgent: it is what the publisher tries first
    market.add_order(7001, CAMPAIGN, cancel_requested=True, updated_at=now - timedelta(hours=40))
    market.add_order(8002, CAMPAIGN, cancel_requested=True, updated_at=now - timedelta(hours=1))
    telegram.fail_next(
        "sendMessage",
        error_code=400,
        description=TOO_LONG,
        times=1000,
        text_contains="Cancellation request · order #7001",
    )
    desk = start_desk()

    behind = post_of(telegram, 8002)
    [report] = wait_until(lambda: reports(telegram), message="the report on order 7001")
    assert "cannot post the cancellation request on order #7001" in report
    assert "message is too long" in report.lower() and "seller cabinet" in report
    assert "Answer by:" in report
    assert [p.text.splitlines()[0] for p in posts(telegram)] == [behind.text.splitlines()[0]]

    desk.terminate()
    start_desk()
    tap(telegram, behind, ANNA, "Accept")
    confirming = edited(telegram, behind)
    assert labels(confirming) == ["✔️ Confirm", "↩️ Back"]
    assert len(reports(telegram)) == 1  # remembered across the restart


def test_a_long_order_and_a_huge_price_are_posted_and_confirmed(market, telegram, start_desk):
    long_items = [
        {
            "offerName": f"{n:02} " + "Кружка керамическая с крышкой и ситечком " * 3,
            "count": 1,
            "prices": {"payment": {"value": 499.9, "currencyId": "RUR"}},
        }
        for n in range(28)
    ]
    market.add_order(9001, CAMPAIGN, cancel_requested=True, items=long_items)
    market.add_order(
        9002,
        CAMPAIGN,
        cancel_requested=True,
        items=[{"prices": {"payment": {"value": 1e26, "currencyId": "RUR"}}}],
    )
    start_desk()

    long_post = post_of(telegram, 9001)
    assert "more items" in long_post.text and "Total:" in long_post.text
    huge = post_of(telegram, 9002)
    assert "100\u00a0000\u00a0000" in huge.text

    for post in (long_post, huge):
        tap(telegram, post, ANNA, "Accept")
        confirming = edited(telegram, post)
        assert labels(confirming) == ["✔️ Confirm", "↩️ Back"]
        tap(telegram, confirming, ANNA, "Confirm")
        done = edited(telegram, confirming)
        assert "Cancellation accepted" in done.text and done.buttons == []
    assert reports(telegram) == []
