"""Where a cabinet's requests go (`python -m bot` with a CABINETS_FILE): two cabinets sharing
one chat name themselves on every post and reply, and a Market notification is looked up
with the key of the cabinet naming its campaign and posted in that cabinet's chat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.cabinets import with_keys
from tests.cabinets_world import (
    A1,
    A2,
    B1,
    BUSINESS_B,
    CABINET_A,
    CABINET_B,
    CHAT_A,
    CHAT_B,
    KEY_B,
    A,
    B,
    answer,
    decide,
    post_of,
    posted_orders,
)
from tests.harness import wait_until
from tests.test_notifications import LOOPBACK, Endpoint, free_port, request_body

#: Both cabinets in A's chat, with one team: a seller's two legal entities.
SHARED = (A, with_keys(B, staff_chat_id=CHAT_A, staff_user_ids=A["staff_user_ids"]))


def shop_line(post) -> str:
    return next(line for line in post.text.splitlines() if line.startswith("Shop: "))


def lookups_of(market, order_id: int) -> list:
    """The Market calls that looked order `order_id` up by its id."""
    return [
        call
        for call in market.calls("getBusinessOrders")
        if order_id in (call.json or {}).get("orderIds", ())
    ]


def test_cabinets_sharing_a_chat_name_themselves(market_ab, telegram_ab, start_cabinets):
    market_ab.add_order(501, A1, cancel_requested=True)
    market_ab.add_order(601, B1, cancel_requested=True)
    start_cabinets(*SHARED)

    ours, theirs = post_of(telegram_ab, CHAT_A, 501), post_of(telegram_ab, CHAT_A, 601)
    assert shop_line(ours) == f"Shop: {CABINET_A} · Уют-1"
    assert shop_line(theirs) == f"Shop: {CABINET_B} · Грядка"
    pending = answer(telegram_ab, CHAT_A, "/pending").splitlines()
    assert any("#501" in line and f"{CABINET_A} · Уют-1" in line for line in pending), pending
    assert any("#601" in line and f"{CABINET_B} · Грядка" in line for line in pending), pending
    assert telegram_ab.messages(CHAT_B) == []

    decide(telegram_ab, CHAT_A, theirs)  # B's request, decided with B's key
    [put] = market_ab.calls("acceptOrderCancellation")
    assert (put.api_key, put.business_id) == (KEY_B, BUSINESS_B)
    assert f"{CABINET_B} · Грядка" in answer(telegram_ab, CHAT_A, "/order 601")


def test_a_notification_goes_to_the_cabinet_of_its_campaign(market_ab, telegram_ab, start_cabinets):
    port = free_port()
    desk = start_cabinets(
        A,
        with_keys(B, campaign_ids=[B1]),  # known at once, before B's first poll
        HTTP_PORT=str(port),
        HTTP_HOST="127.0.0.1",
        NOTIFICATION_ALLOWED_NETWORKS=LOOPBACK,
        POLL_INTERVAL="300",  # B's first poll is 150 s away: only the notification tells
    )
    endpoint = Endpoint(port)
    try:
        wait_until(endpoint.reachable, 15, message="the desk's HTTP server")
        market_ab.add_order(611, B1, cancel_requested=True)
        market_ab.add_order(511, A2, cancel_requested=True)  # of A's business, not of its cabinet
        asked = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)

        assert endpoint.post(request_body(611, asked, campaign=B1)).status_code == 200
        post = post_of(telegram_ab, CHAT_B, 611)
        assert "estimated" not in post.text  # the time the notification told
        [lookup] = lookups_of(market_ab, 611)
        assert (lookup.api_key, lookup.business_id) == (KEY_B, BUSINESS_B)

        for campaign, order_id in ((A2, 511), (99999999, 711)):
            answered = endpoint.post(request_body(order_id, asked, campaign=campaign))
            assert answered.status_code == 200
        wait_until(lambda: desk.log().count("ignored (campaign not configured)") == 2)
        assert lookups_of(market_ab, 511) == lookups_of(market_ab, 711) == []  # nobody asked
    finally:
        endpoint.client.close()
    assert posted_orders(telegram_ab, CHAT_A) == [] and posted_orders(telegram_ab, CHAT_B) == [611]
