"""Builders of Market DTOs (BusinessOrderDTO, CampaignDTO) for the fake Market API.

Pure functions without I/O; the tests' fake Market validates what they build against the
official spec.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

__all__ = [
    "CANCELLABLE_STATUSES",
    "MSK",
    "TERMINAL_STATUSES",
    "build_campaign",
    "build_item",
    "build_order",
    "deep_merge",
    "msk_iso",
    "msk_today",
    "to_msk",
]

MSK = timezone(timedelta(hours=3), "MSK")
"""Moscow time: Market reports dates in it and counts days by it."""

TERMINAL_STATUSES = frozenset({"CANCELLED", "DELIVERED", "PARTIALLY_RETURNED", "RETURNED"})
CANCELLABLE_STATUSES = frozenset({"DELIVERY", "PICKUP"})

_RUSSIA = {"id": 225, "name": "Россия", "type": "COUNTRY"}
_MOSCOW_REGION = {
    "id": 213,
    "name": "Москва",
    "type": "CITY",
    "parent": {
        "id": 1,
        "name": "Москва и Московская область",
        "type": "REPUBLIC",
        "parent": _RUSSIA,
    },
}
_COURIER_ADDRESS = {
    "country": "Россия",
    "postcode": "119021",
    "city": "Москва",
    "street": "Льва Толстого",
    "house": "16",
    "apartment": "1",
}
_OUTLET_ADDRESS = {
    "country": "Россия",
    "postcode": "119021",
    "city": "Москва",
    "street": "Тимура Фрунзе",
    "house": "11",
}


def to_msk(value: datetime) -> datetime:
    """Return `value` in Moscow time; a naive datetime is taken as Moscow time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=MSK)
    return value.astimezone(MSK)


def msk_iso(value: datetime) -> str:
    """Format as ISO 8601 with the +03:00 offset, as BusinessOrderDTO does."""
    return to_msk(value).replace(microsecond=0).isoformat()


def msk_today() -> date:
    """The current date in Moscow."""
    return datetime.now(MSK).date()


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge `overrides` into a copy of `base`: dicts recursively, a None value deletes the key."""
    result = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _money(value: float) -> dict[str, Any]:
    return {"value": round(float(value), 2), "currencyId": "RUR"}


def build_item(order_id: int, index: int, item: dict[str, Any]) -> dict[str, Any]:
    """A BusinessOrderItemDTO: defaults for the required fields, `item` merged over them."""
    count = int(item.get("count", 1))
    base: dict[str, Any] = {
        "id": order_id * 100 + index + 1,
        "offerId": f"SKU-{index + 1}",
        "offerName": f"Test product {index + 1}",
        "count": count,
        "prices": {"payment": _money(1990 * count), "vat": "VAT_20"},
    }
    return deep_merge(base, item)


def _delivery(status: str, created: datetime) -> dict[str, Any]:
    day = created.date()
    dates = {
        "fromDate": (day + timedelta(days=2)).isoformat(),
        "toDate": (day + timedelta(days=3)).isoformat(),
    }
    delivery: dict[str, Any] = {
        "serviceName": "Собственная служба доставки",
        "deliveryServiceId": 99,
        "deliveryPartnerType": "SHOP",
        "dates": dates,
        "shipment": {"shipmentDate": (day + timedelta(days=1)).isoformat()},
    }
    if status == "PICKUP":
        delivery |= {
            "type": "PICKUP",
            "dispatchType": "SHOP_OUTLET",
            "pickup": {
                "address": copy.deepcopy(_OUTLET_ADDRESS),
                "region": copy.deepcopy(_MOSCOW_REGION),
                "outletCode": "OUTLET-1",
                "outletStorageLimitDate": (day + timedelta(days=10)).isoformat(),
            },
        }
    else:
        delivery |= {
            "type": "DELIVERY",
            "dispatchType": "BUYER",
            "courier": {
                "address": copy.deepcopy(_COURIER_ADDRESS),
                "region": copy.deepcopy(_MOSCOW_REGION),
            },
        }
    return delivery


def build_order(
    order_id: int,
    campaign_id: int,
    *,
    status: str,
    substatus: str,
    cancel_requested: bool,
    created_at: datetime | None,
    updated_at: datetime | None,
    items: list[dict[str, Any]] | None,
    fake: bool,
    today: date,
    overrides: dict[str, Any],
) -> dict[str, Any]:
    """A BusinessOrderDTO of a DBS order with sensible defaults and `overrides` deep-merged.

    `created_at` defaults to 10:00 Moscow time the day before `today`; `updated_at` to two
    hours after creation.
    """
    created = to_msk(created_at or datetime.combine(today - timedelta(days=1), time(10), MSK))
    updated = to_msk(updated_at) if updated_at is not None else created + timedelta(hours=2)
    built_items = [build_item(order_id, i, item) for i, item in enumerate(items or [{}])]
    goods = sum(item.get("prices", {}).get("payment", {}).get("value", 0) for item in built_items)
    order: dict[str, Any] = {
        "orderId": order_id,
        "campaignId": campaign_id,
        "programType": "DBS",
        "status": status,
        "substatus": substatus,
        "creationDate": msk_iso(created),
        "updateDate": msk_iso(updated),
        "paymentType": "PREPAID",
        "paymentMethod": "YANDEX",
        "fake": fake,
        "items": built_items,
        "prices": {
            "payment": _money(goods),
            "delivery": {"payment": _money(0), "vat": "VAT_20"},
        },
        "delivery": _delivery(status, created),
        "cancelRequested": cancel_requested,
        "sourcePlatform": "MARKET",
    }
    return deep_merge(order, overrides)


def build_campaign(
    campaign_id: int,
    *,
    business_id: int,
    domain: str,
    business_name: str,
    placement: str,
    api_availability: str,
) -> dict[str, Any]:
    """A CampaignDTO."""
    return {
        "id": campaign_id,
        "domain": domain,
        "business": {"id": business_id, "name": business_name},
        "placementType": placement,
        "apiAvailability": api_availability,
    }
