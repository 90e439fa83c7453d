"""What an Ozon request becomes in the desk: an Order and its time, by THE CONVENTION.

An Ozon request is kept as a request of the campaign `ozon_campaign(client_id)` whose
order id is the `cancellation_id`, so storage, scopes, rooms and routing treat both
marketplaces alike. Its deadline is Ozon's own `auto_approve_date`, an exact time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.model import (
    DECISION_WINDOW,
    Basis,
    Marketplace,
    Money,
    Order,
    OrderItem,
    OrderStatus,
    RequestTime,
    ozon_campaign,
)
from bot.ozon.records import CancellationState, OzonPosting, OzonProduct, OzonRequest

#: A request Ozon sent without `auto_approve_date` (only one no longer waiting may lack
#: it: the parser refuses a waiting one without it) gets the Market's 48 hours from when
#: it was made, or first seen: never later than Ozon could approve it by silence, and
#: marked estimated so staff see the deadline is the desk's guess.
ESTIMATED_WINDOW = DECISION_WINDOW
UNKNOWN_POSTING_STATUS = "unknown"  # the substatus of a request whose posting was not read

STATUS = {
    CancellationState.ON_APPROVAL: OrderStatus.ON_APPROVAL,
    CancellationState.APPROVED: OrderStatus.CANCELLED,
    CancellationState.REJECTED: OrderStatus.REJECTED,
}


def to_order(request: OzonRequest, posting: OzonPosting | None, client_id: int) -> Order:
    """The request and its posting as staff see them; without the posting, no items."""
    items = tuple(map(_item, posting.products)) if posting else ()
    return Order(
        order_id=request.cancellation_id,
        campaign_id=ozon_campaign(client_id),
        status=STATUS[request.state].value,
        substatus=posting.status if posting else UNKNOWN_POSTING_STATUS,
        created_at=request.created_at,
        items=items,
        total=_total(items),
        delivery_service=posting.delivery_method if posting else None,
        cancel_requested=request.state is CancellationState.ON_APPROVAL,
        marketplace=Marketplace.OZON,
        posting_number=request.posting_number,
        initiator=request.initiator.value if request.initiator else None,
        reason=request.reason_name,
        reason_message=request.reason_message,
    )


def updated(order: Order, request: OzonRequest, posting: OzonPosting | None) -> Order:
    """A stored order as Ozon shows its request now; the posting's details are kept when
    the posting was not read again (the list alone does not carry them)."""
    fresh = to_order(request, posting, -order.campaign_id)
    if posting is not None:
        return fresh
    return replace(
        fresh,
        substatus=order.substatus,
        items=order.items,
        total=order.total,
        delivery_service=order.delivery_service,
    )


def request_time(request: OzonRequest, first_seen: datetime) -> RequestTime:
    """Made at `cancelled_at` (never after first seen), due at `auto_approve_date` exactly;
    without it, `ESTIMATED_WINDOW` after it was made."""
    made = request.created_at or first_seen
    at = min(made, first_seen)
    deadline = request.auto_approve_date
    if deadline is None:
        return RequestTime(at, Basis.ESTIMATED, ESTIMATED_WINDOW)
    at = min(at, deadline)  # a deadline before the request was made is still the deadline
    return RequestTime(at, Basis.NOTIFICATION, max(deadline - at, timedelta(0)))


def _item(product: OzonProduct) -> OrderItem:
    price = None
    if product.price is not None and product.currency is not None:
        price = Money(product.price * product.quantity, product.currency)
    return OrderItem(product.name, product.offer_id, product.quantity, price)


def _total(items: tuple[OrderItem, ...]) -> Money | None:
    """The posting's total; None unless every line has a price in one currency."""
    prices = [item.price for item in items]
    if not prices or any(price is None for price in prices):
        return None
    if len({price.currency for price in prices if price is not None}) != 1:
        return None
    total = prices[0]
    assert total is not None
    for price in prices[1:]:
        assert price is not None
        total += price
    return total
