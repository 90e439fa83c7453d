"""bot/market/orders.py: reading a BusinessOrderDTO into what staff see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.domain.model import Money, Order, OrderItem
from bot.market.orders import OrderFormatError, parse_business_order
from bot.simulator.dto import build_order

TODAY = date(2026, 7, 20)


def dto(
    *,
    status: str = "DELIVERY",
    substatus: str = "USER_RECEIVED",
    cancel_requested: bool = True,
    items: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    return build_order(
        5001,
        1001,
        status=status,
        substatus=substatus,
        cancel_requested=cancel_requested,
        created_at=None,
        updated_at=None,
        items=items,
        fake=False,
        today=TODAY,
        overrides=overrides,
    )


def full_dto() -> dict[str, Any]:
    return dto(
        items=[
            {
                "offerName": 'Чайник <Bosch> & "кружка"',
                "count": 2,
                "prices": {
                    "payment": {"value": 3500, "currencyId": "RUR"},
                    "cashback": {"value": 480, "currencyId": "RUR"},
                },
            },
            {"offerId": "SKU-B", "offerName": "Фильтр", "count": 1},
        ],
        externalOrderId="EXT-17",
        prices={
            "payment": {"value": 5490, "currencyId": "RUR"},
            "cashback": {"value": 480, "currencyId": "RUR"},
            "subsidy": {"value": 100, "currencyId": "RUR"},
            "delivery": {"payment": {"value": 350, "currencyId": "RUR"}},
        },
    )


def test_full_order() -> None:
    order = parse_business_order(full_dto())
    assert order.order_id == 5001
    assert order.campaign_id == 1001
    assert order.status == "DELIVERY"
    assert order.substatus == "USER_RECEIVED"
    assert order.created_at == datetime(2026, 7, 19, 7, 0, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 7, 19, 9, 0, tzinfo=UTC)
    assert order.items == (
        OrderItem(
            name='Чайник <Bosch> & "кружка"',
            offer_id="SKU-1",
            count=2,
            price=Money(Decimal("3980"), "RUR"),
        ),
        OrderItem(name="Фильтр", offer_id="SKU-B", count=1, price=Money(Decimal("1990"), "RUR")),
    )
    assert order.delivery_type == "DELIVERY"
    assert order.delivery_service == "Собственная служба доставки"
    assert order.region == "Москва"
    assert order.delivery_from == date(2026, 7, 21)
    assert order.delivery_to == date(2026, 7, 22)
    assert order.payment_type == "PREPAID"
    assert order.payment_method == "YANDEX"
    assert order.cancel_requested is True
    assert order.fake is False
    assert order.external_id == "EXT-17"


def test_total_is_payment_plus_cashback_plus_delivery_payment() -> None:
    order = parse_business_order(full_dto())
    assert order.total == Money(Decimal("6320"), "RUR")  # 5490 + 480 + 350; subsidy excluded


def test_total_without_delivery_block() -> None:
    data = full_dto()
    del data["prices"]["delivery"]
    assert parse_business_order(data).total == Money(Decimal("5970"), "RUR")


def test_line_price_is_the_markets_line_total_not_multiplied_by_count() -> None:
    order = parse_business_order(
        dto(items=[{"count": 3, "prices": {"payment": {"value": 300, "currencyId": "RUR"}}}])
    )
    assert order.items[0].count == 3
    assert order.items[0].price == Money(Decimal("300"), "RUR")


def test_fractional_money_is_exact() -> None:
    order = parse_business_order(
        dto(items=[{"prices": {"payment": {"value": 0.1, "currencyId": "RUR"}}}])
    )
    assert order.items[0].price == Money(Decimal("0.1"), "RUR")


def test_pickup_region_is_read() -> None:
    order = parse_business_order(dto(status="PICKUP", substatus="PICKUP_SERVICE_RECEIVED"))
    assert order.delivery_type == "PICKUP"
    assert order.region == "Москва"
    assert order.awaits_decision


def test_missing_optional_blocks_become_none() -> None:
    order = parse_business_order({"orderId": 5001, "campaignId": 1001})
    assert order == Order(order_id=5001, campaign_id=1001, status="UNKNOWN", substatus="UNKNOWN")
    assert order.items == ()
    assert order.total is None
    assert order.region is None
    assert order.delivery_from is None
    assert order.cancel_requested is None
    assert not order.awaits_decision


def test_malformed_optional_blocks_become_none() -> None:
    order = parse_business_order(
        {
            "orderId": 5001,
            "campaignId": 1001,
            "status": "DELIVERY",
            "creationDate": "yesterday",
            "items": [
                "not an item",
                {"offerName": "  ", "offerId": "SKU-9", "count": "2", "prices": []},
            ],
            "prices": {"payment": {"currencyId": "RUR"}},
            "delivery": {"dates": {"fromDate": "soon"}, "courier": None},
            "cancelRequested": "yes",
        }
    )
    assert order.created_at is None
    assert order.items == (OrderItem(name="SKU-9", offer_id="SKU-9", count=0, price=None),)
    assert order.total is None
    assert order.delivery_from is None
    assert order.cancel_requested is None


def test_missing_to_date_means_from_date() -> None:
    data = dto()
    del data["delivery"]["dates"]["toDate"]
    order = parse_business_order(data)
    assert order.delivery_from == order.delivery_to == date(2026, 7, 21)


def test_missing_currency_defaults_to_rur() -> None:
    order = parse_business_order(dto(items=[{"prices": {"payment": {"value": 10}}}]))
    assert order.items[0].price == Money(Decimal("10"), "RUR")


def test_unknown_enum_values_are_kept() -> None:
    data = dto(
        status="BRAND_NEW_STATUS",
        substatus="SOMETHING_ELSE",
        paymentType="CRYPTO",
        paymentMethod="MOON",
        delivery={"type": "TELEPORT"},
    )
    order = parse_business_order(data)
    assert order.status == "BRAND_NEW_STATUS"
    assert order.substatus == "SOMETHING_ELSE"
    assert order.payment_type == "CRYPTO"
    assert order.payment_method == "MOON"
    assert order.delivery_type == "TELEPORT"
    assert not order.awaits_decision


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"orderId": 5001},
        {"campaignId": 1001},
        {"orderId": "5001", "campaignId": 1001},
        {"orderId": 5001, "campaignId": None},
        {"orderId": 5001.0, "campaignId": 1001},
        [],
        None,
        "order",
    ],
)
def test_order_without_ids_is_a_format_error(data: Any) -> None:
    with pytest.raises(OrderFormatError):
        parse_business_order(data)


def test_format_error_is_a_value_error() -> None:
    assert issubclass(OrderFormatError, ValueError)


def test_legacy_date_formats_are_accepted() -> None:
    data = dto(creationDate="19-07-2026 10:00:00", updateDate="19-07-2026 12:30:00")
    data["delivery"]["dates"] = {"fromDate": "21-07-2026", "toDate": "22-07-2026"}
    order = parse_business_order(data)
    assert order.created_at == datetime(2026, 7, 19, 7, 0, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 7, 19, 9, 30, tzinfo=UTC)
    assert order.delivery_from == date(2026, 7, 21)
    assert order.delivery_to == date(2026, 7, 22)


@pytest.mark.parametrize(
    "data",
    [
        full_dto(),
        dto(creationDate="19-07-2026 10:00:00"),
        dto(fake=True, status="PICKUP"),
        {"orderId": 5001, "campaignId": 1001},
        dto(items=[{"prices": None}]),
    ],
)
def test_json_round_trip(data: dict[str, Any]) -> None:
    order = parse_business_order(data)
    assert Order.from_json(order.to_json()) == order


def test_json_keeps_non_ascii_and_exact_money() -> None:
    order = parse_business_order(full_dto())
    text = order.to_json()
    assert "Чайник" in text
    restored = Order.from_json(text)
    assert restored.total is not None
    assert restored.total.amount == Decimal("6320")
    assert isinstance(restored.total.amount, Decimal)
    assert restored.items[0].price == Money(Decimal("3980"), "RUR")


@pytest.mark.parametrize(
    ("status", "cancel_requested", "awaits"),
    [
        ("DELIVERY", True, True),
        ("PICKUP", True, True),
        ("DELIVERY", False, False),
        ("PICKUP", False, False),
        ("PROCESSING", True, False),
        ("DELIVERED", True, False),
        ("CANCELLED", True, False),
    ],
)
def test_awaits_decision(status: str, cancel_requested: bool, awaits: bool) -> None:
    order = parse_business_order(dto(status=status, cancel_requested=cancel_requested))
    assert order.awaits_decision is awaits


def test_awaits_decision_needs_an_explicit_request() -> None:
    data = dto()
    del data["cancelRequested"]
    assert not parse_business_order(data).awaits_decision


def test_money_refuses_to_add_other_currencies() -> None:
    with pytest.raises(ValueError):
        Money(Decimal(1), "RUR") + Money(Decimal(1), "USD")
