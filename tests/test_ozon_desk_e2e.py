"""An Ozon cabinet at run time: its requests polled and posted beside the Market's,
decided with Ozon's approve and reject, and closed when settled outside the desk."""

from __future__ import annotations

from dataclasses import fields

from bot.chat.callbacks import Tap
from bot.config import Settings
from bot.domain.model import Decision
from tests.chat import ANNA, post_of
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until
from tests.ozon_desk_world import (
    APPROVE,
    LIST,
    REJECT,
    SELLER,
    decide,
    ozon_post,
    settled,
)

DEFAULTS = {field.name: field.default for field in fields(Settings)}


def test_a_waiting_request_is_posted_and_approved_beside_a_market_order(
    market, telegram, fake_ozon, start_ozon_desk
):
    request = fake_ozon.add_request(
        SELLER, products=[{"sku": 1, "offer_id": "K-1", "name": "Чайник", "price": "990.00"}]
    )
    market.add_order(3, CAMPAIGN, cancel_requested=True)
    start_ozon_desk()

    post = ozon_post(telegram, request)
    assert post_of(telegram, 3)  # the Market's cabinet beside it posts as ever
    assert "Чайник" in post.text
    decide(telegram, post, ANNA, Decision.ACCEPT)
    confirming = wait_until(
        lambda: (m := telegram.message(post.chat_id, post.message_id)).edits and m
    )
    decide(telegram, confirming, ANNA, Decision.ACCEPT, Tap.CONFIRM)

    settled(telegram, post)
    approved = wait_until(lambda: fake_ozon.calls(APPROVE, client_id=SELLER), message="approve")
    assert [call.json for call in approved] == [{"cancellation_id": request.cancellation_id}]
    assert approved[0].status == 200
    assert fake_ozon.calls(REJECT) == []


def test_each_rejection_sends_its_comment(telegram, fake_ozon, start_ozon_desk):
    delivered, with_courier = fake_ozon.add_request(SELLER), fake_ozon.add_request(SELLER)
    start_ozon_desk(CONFIRM_DECISIONS="false")

    decide(telegram, ozon_post(telegram, delivered), ANNA, Decision.REJECT_DELIVERED)
    decide(telegram, ozon_post(telegram, with_courier), ANNA, Decision.REJECT_IN_DELIVERY)

    rejected = wait_until(lambda: len(calls := fake_ozon.calls(REJECT)) == 2 and calls)
    comments = {call.json["cancellation_id"]: call.json["comment"] for call in rejected}
    assert comments == {
        delivered.cancellation_id: DEFAULTS["ozon_reject_delivered_comment"],
        with_courier.cancellation_id: DEFAULTS["ozon_reject_in_delivery_comment"],
    }
    assert all(call.status == 200 for call in rejected)
    assert fake_ozon.request(delivered.cancellation_id)["state"]["state"] == "REJECTED"
    settled(telegram, ozon_post(telegram, delivered))


def test_a_decision_refused_because_the_request_left_on_approval_shows_how_it_ended(
    telegram, fake_ozon, start_ozon_desk
):
    request = fake_ozon.add_request(SELLER)
    start_ozon_desk(CONFIRM_DECISIONS="false", POLL_INTERVAL="60")
    post = ozon_post(telegram, request)
    fake_ozon.approve_elsewhere(request.cancellation_id)  # before the next poll sees it

    decide(telegram, post, ANNA, Decision.REJECT_DELIVERED)

    settled(telegram, post)
    assert [call.status for call in fake_ozon.calls(REJECT)] == [400]
    reread = [c.json for c in fake_ozon.calls(LIST) if c.json["filters"].get("posting_number")]
    assert reread and reread[0]["filters"]["posting_number"] == [request.posting_number]
    assert fake_ozon.request(request.cancellation_id)["state"]["state"] == "APPROVED"


def test_requests_settled_outside_the_desk_are_closed_in_the_chat(
    telegram, fake_ozon, start_ozon_desk
):
    approved, automatic, rejected = (fake_ozon.add_request(SELLER) for _ in range(3))
    start_ozon_desk()
    shown = [ozon_post(telegram, request) for request in (approved, automatic, rejected)]

    fake_ozon.approve_elsewhere(approved.cancellation_id, "в кабинете")
    fake_ozon.auto_approve(automatic.cancellation_id)
    fake_ozon.reject_elsewhere(rejected.cancellation_id)

    for post in shown:
        closed = settled(telegram, post)
        assert closed.edits >= 1
    assert fake_ozon.calls(APPROVE) == [] and fake_ozon.calls(REJECT) == []


def test_start_and_an_unknown_posting_are_answered_in_both_marketplaces_words(
    telegram, start_ozon_desk
):
    """The chat serves a Market and an Ozon cabinet: /start names both, and /order of a
    posting the desk never saw says posting, not order."""
    start_ozon_desk(COMMAND_COOLDOWN="0")
    telegram.send_text(STAFF_CHAT, ANNA, "/start")
    telegram.send_text(STAFF_CHAT, ANNA, "/order 99999999-0001-1")

    def replies() -> list[str]:
        return [m.text for m in telegram.messages(STAFF_CHAT) if m.from_bot]

    told = wait_until(lambda: len(found := replies()) >= 2 and found, message="two replies")
    assert any("the Market and Ozon" in text for text in told)
    assert "The desk never saw posting 99999999-0001-1." in told
