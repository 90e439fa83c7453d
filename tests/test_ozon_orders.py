"""An Ozon request as the desk keeps it (THE CONVENTION) and its deadline, and what a
poll makes of Ozon's listing: pure, no Ozon, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.model import Basis, Money, OrderStatus, ozon_campaign
from bot.intake.ozon_plan import OzonView, left_listing, plan_ozon
from bot.ozon.orders import request_time, to_order
from bot.ozon.records import CancellationState, Initiator, OzonPosting, OzonProduct, OzonRequest
from tests import builders

CLIENT = 77
MADE = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
SEEN = MADE + timedelta(minutes=3)
DUE = MADE + timedelta(hours=36)


def ozon_request(state=CancellationState.ON_APPROVAL, **changes) -> OzonRequest:
    values = dict(
        cancellation_id=9001,
        posting_number="12345678-0001-1",
        state=state,
        initiator=Initiator.CLIENT,
        reason_id=1,
        reason_name="Покупатель передумал",
        reason_message="Нашёл дешевле",
        created_at=MADE,
        order_date=MADE - timedelta(days=2),
        auto_approve_date=DUE,
        approve_date=None,
        approve_comment=None,
    )
    return OzonRequest(**{**values, **changes})


POSTING = OzonPosting(
    "12345678-0001-1",
    "delivering",
    (
        OzonProduct("Чайник", "K-1", 2, Decimal("990.00"), "RUB"),
        OzonProduct("Кружка", "M-2", 1, Decimal("150"), "RUB"),
    ),
    "Доставка силами продавца",
)


def test_a_waiting_request_is_an_order_of_the_client_ids_campaign_with_the_postings_items():
    order = to_order(ozon_request(), POSTING, CLIENT)
    assert (order.campaign_id, order.order_id) == (ozon_campaign(CLIENT), 9001)
    assert order.status == OrderStatus.ON_APPROVAL and order.awaits_decision is True
    assert order.substatus == "delivering" and order.posting_number == "12345678-0001-1"
    assert [(i.name, i.count, i.price) for i in order.items] == [
        ("Чайник", 2, Money(Decimal("1980.00"), "RUB")),
        ("Кружка", 1, Money(Decimal("150"), "RUB")),
    ]
    assert order.total == Money(Decimal("2130.00"), "RUB")
    assert order.delivery_service == "Доставка силами продавца"
    assert (order.initiator, order.reason, order.reason_message) == (
        "CLIENT",
        "Покупатель передумал",
        "Нашёл дешевле",
    )


def test_approved_and_rejected_requests_await_nothing():
    approved = to_order(ozon_request(CancellationState.APPROVED), POSTING, CLIENT)
    rejected = to_order(ozon_request(CancellationState.REJECTED), None, CLIENT)
    assert approved.status == OrderStatus.CANCELLED and approved.awaits_decision is False
    assert rejected.status == OrderStatus.REJECTED and rejected.awaits_decision is False


def test_the_deadline_is_auto_approve_date_exactly():
    at = request_time(ozon_request(), SEEN)
    assert (at.at, at.deadline, at.basis) == (MADE, DUE, Basis.NOTIFICATION)
    late = request_time(ozon_request(created_at=SEEN + timedelta(hours=1)), SEEN)
    assert (late.at, late.deadline) == (SEEN, DUE)  # made no later than first seen


def test_without_auto_approve_date_the_deadline_is_estimated_48_hours_on():
    at = request_time(ozon_request(auto_approve_date=None, created_at=None), SEEN)
    assert at.estimated and at.deadline == SEEN + timedelta(hours=48)


def view(listed, open_requests=(), left=(), current=None, postings=None) -> OzonView:
    opened = {r.order_id: r for r in open_requests}
    return OzonView(
        SEEN,
        CLIENT,
        {r.cancellation_id: r for r in listed},
        postings if postings is not None else {r.cancellation_id: POSTING for r in listed},
        opened,
        set(opened),
        list(left),
        current or {},
    )


def stored(request: OzonRequest, request_id: int):
    order = to_order(request, POSTING, CLIENT)
    return builders.request(request_id=request_id, the_order=order, campaign_id=order.campaign_id)


def test_a_poll_takes_in_new_requests_whose_posting_was_read_and_closes_those_settled():
    new, unread = ozon_request(), ozon_request(cancellation_id=9002)
    open_gone = stored(ozon_request(cancellation_id=9003), request_id=3)
    left = left_listing({9003: open_gone}, {9001: new}, set())
    approved = to_order(
        ozon_request(CancellationState.APPROVED, cancellation_id=9003), None, CLIENT
    )
    plan = plan_ozon(
        view([new, unread], [open_gone], left, {9003: approved}, postings={9001: POSTING})
    )
    assert [n.order.order_id for n in plan.new] == [9001]
    assert plan.new[0].request_time.deadline == DUE
    [(request, change)] = plan.changes
    assert request.order_id == 9003 and change.closes and change.show
