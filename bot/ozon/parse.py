"""Reading Ozon's JSON into records (bot/ozon/records.py).

Tolerant where the desk can do without a field (a missing block, an unknown initiator, an
unreadable price: None), strict where it cannot (the request's id, posting number and
state, and a deadline that is there but unreadable): those raise `OzonFormatError`, which
costs the one item, never the page. Ozon's gRPC gateway sends int64 as JSON strings and
unset messages and times as `null`; both are read.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from bot.ozon.records import (
    CancellationState,
    Initiator,
    OzonKeyInfo,
    OzonPosting,
    OzonProduct,
    OzonRequest,
    OzonRole,
)
from bot.ozon.times import parse_ozon_time

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INT = re.compile(r"-?[0-9]{1,19}", re.ASCII)  # int64 as protojson writes it
_E = TypeVar("_E", Initiator, CancellationState)
_PRICE = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,12})?", re.ASCII)


class OzonFormatError(ValueError):
    """Ozon sent something the desk cannot identify or act on."""


def int64(value: Any) -> int | None:
    """An int64 sent as a JSON number or a string of ASCII digits; None for anything else."""
    if isinstance(value, str) and _INT.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if INT64_MIN <= value <= INT64_MAX else None
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _when(data: dict[str, Any], key: str, *, required: bool = False) -> datetime | None:
    """The time at `key`, None when unset; an unreadable one is None too unless required."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(f"not a string: {type(value).__name__}")
        return parse_ozon_time(value)
    except ValueError as error:
        if required:
            raise OzonFormatError(f"{key}: {error}") from None
        return None


def _member(kind: type[_E], value: Any) -> _E | None:
    """The member named `value`; None for a value this desk does not know (enums grow)."""
    return kind(value) if isinstance(value, str) and value in kind.__members__ else None


def parse_request(data: Any) -> OzonRequest:
    """One `GetConditionalCancellationListV2ResponseResult`."""
    if not isinstance(data, dict):
        raise OzonFormatError(f"request is not an object: {type(data).__name__}")
    cancellation_id = int64(data.get("cancellation_id"))
    posting_number = _text(data.get("posting_number"))
    if cancellation_id is None or cancellation_id <= 0 or posting_number is None:
        raise OzonFormatError("request without cancellation_id or posting_number")
    raw_state = _dict(data.get("state")).get("state")
    state = _member(CancellationState, raw_state)
    if state is None:
        raise OzonFormatError(f"request {cancellation_id}: unknown state {str(raw_state)[:40]!r}")
    waiting = state is CancellationState.ON_APPROVAL  # its deadline is what staff act on
    reason = _dict(data.get("cancellation_reason"))
    return OzonRequest(
        cancellation_id=cancellation_id,
        posting_number=posting_number,
        state=state,
        initiator=_member(Initiator, data.get("cancellation_initiator")),
        reason_id=int64(reason.get("id")),
        reason_name=_text(reason.get("name")),
        reason_message=_text(data.get("cancellation_reason_message")),
        created_at=_when(data, "cancelled_at"),
        order_date=_when(data, "order_date"),
        auto_approve_date=_when(data, "auto_approve_date", required=waiting),
        approve_date=_when(data, "approve_date"),
        approve_comment=_text(data.get("approve_comment")),
    )


def _price(value: Any) -> Decimal | None:
    """`price` is a decimal string ("1530.0000"); anything else is no price, not a guess."""
    if isinstance(value, str) and _PRICE.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def _product(data: Any) -> OzonProduct | None:
    if not isinstance(data, dict):
        return None
    quantity = int64(data.get("quantity"))
    return OzonProduct(
        name=_text(data.get("name")) or _text(data.get("offer_id")) or "?",
        offer_id=_text(data.get("offer_id")) or "",
        quantity=quantity if quantity is not None and quantity >= 0 else 0,
        price=_price(data.get("price")),
        currency=_text(data.get("currency_code")),
    )


def parse_posting(data: Any) -> OzonPosting:
    """One `v3FbsPostingDetail`; `customer` and `addressee` are not read at all."""
    if not isinstance(data, dict):
        raise OzonFormatError(f"posting is not an object: {type(data).__name__}")
    posting_number = _text(data.get("posting_number"))
    if posting_number is None:
        raise OzonFormatError("posting without posting_number")
    products = data.get("products") if isinstance(data.get("products"), list) else []
    return OzonPosting(
        posting_number=posting_number,
        status=_text(data.get("status")) or "unknown",
        products=tuple(item for item in map(_product, products) if item is not None),
        delivery_method=_text(_dict(data.get("delivery_method")).get("name")),
    )


def _role(data: Any) -> OzonRole | None:
    if not isinstance(data, dict) or _text(data.get("name")) is None:
        return None
    methods = data.get("methods") if isinstance(data.get("methods"), list) else []
    return OzonRole(str(data["name"]).strip(), frozenset(m for m in methods if isinstance(m, str)))


def parse_roles(data: Any) -> OzonKeyInfo:
    """`v1RolesByTokenResponse`."""
    if not isinstance(data, dict) or not isinstance(data.get("roles"), list):
        raise OzonFormatError("roles answer without a roles list")
    return OzonKeyInfo(
        roles=tuple(role for role in map(_role, data["roles"]) if role is not None),
        expires_at=_when(data, "expires_at"),
    )
