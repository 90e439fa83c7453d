"""What staff need to see of a Market order, read from a `BusinessOrderDTO`.

Parsing is tolerant: enums grow over time and optional blocks go missing, so an unknown
value is kept as text and a missing block becomes `None` rather than an error. Only the
fields the desk cannot work without (`orderId`, `campaignId`) are required.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.market_time import parse_market_date, parse_market_datetime
from bot.domain.model import Money, Order, OrderItem

INT64_LIMIT = 2**63  # ids are int64 in the spec, and SQLite stores no more


class OrderFormatError(ValueError):
    """The Market sent an order the desk cannot identify."""


def _money(data: Any) -> Money | None:
    if not isinstance(data, dict):
        return None
    value = data.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return Money(amount, _text(data.get("currencyId")) or "RUR")


def _sum(*parts: Money | None) -> Money | None:
    present = [part for part in parts if part is not None]
    if not present:
        return None
    if len({part.currency for part in present}) > 1:
        return None  # no honest single total; the items still show their prices
    total = present[0]
    try:
        for part in present[1:]:
            total += part
    except ArithmeticError:  # amounts beyond Decimal's range: no total rather than none at all
        return None
    return total


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _when(value: Any) -> datetime | None:
    try:
        return parse_market_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    try:
        return parse_market_date(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _item(data: Any) -> OrderItem | None:
    if not isinstance(data, dict):
        return None
    prices = _dict(data.get("prices"))
    count = data.get("count")
    return OrderItem(
        name=_text(data.get("offerName")) or _text(data.get("offerId")) or "?",
        offer_id=_text(data.get("offerId")) or "",
        count=count if _is_int(count) and 0 <= count < INT64_LIMIT else 0,
        price=_sum(_money(prices.get("payment")), _money(prices.get("cashback"))),
    )


def _region(delivery: dict[str, Any]) -> str | None:
    for block in ("courier", "pickup"):
        region = _dict(_dict(delivery.get(block)).get("region"))
        if _text(region.get("name")):
            return _text(region.get("name"))
    return None


def parse_business_order(data: Any) -> Order:
    """Read one `BusinessOrderDTO`; raises OrderFormatError only without ids."""
    if not isinstance(data, dict):
        raise OrderFormatError(f"order is not an object: {type(data).__name__}")
    order_id, campaign_id = data.get("orderId"), data.get("campaignId")
    if not (_is_int(order_id) and _is_int(campaign_id)):
        raise OrderFormatError("order without orderId or campaignId")
    if not all(-INT64_LIMIT <= value < INT64_LIMIT for value in (order_id, campaign_id)):
        raise OrderFormatError(f"order {order_id} of campaign {campaign_id}: ids out of int64")
    prices = _dict(data.get("prices"))
    delivery = _dict(data.get("delivery"))
    dates = _dict(delivery.get("dates"))
    raw_items = data.get("items") if isinstance(data.get("items"), list) else []
    cancel_requested = data.get("cancelRequested")
    return Order(
        order_id=order_id,
        campaign_id=campaign_id,
        status=_text(data.get("status")) or "UNKNOWN",
        substatus=_text(data.get("substatus")) or "UNKNOWN",
        created_at=_when(data.get("creationDate")),
        updated_at=_when(data.get("updateDate")),
        items=tuple(item for item in map(_item, raw_items) if item is not None),
        total=_sum(
            _money(prices.get("payment")),
            _money(prices.get("cashback")),
            _money(_dict(prices.get("delivery")).get("payment")),
        ),
        delivery_type=_text(delivery.get("type")),
        delivery_service=_text(delivery.get("serviceName")),
        region=_region(delivery),
        delivery_from=_day(dates.get("fromDate")),
        delivery_to=_day(dates.get("toDate")) or _day(dates.get("fromDate")),
        payment_type=_text(data.get("paymentType")),
        payment_method=_text(data.get("paymentMethod")),
        cancel_requested=cancel_requested if isinstance(cancel_requested, bool) else None,
        fake=data.get("fake") is True,
        external_id=_text(data.get("externalOrderId")),
    )
