"""getBusinessOrders: which orders a filter selects, and keyset page tokens.

See the package docstring for the choices where the real API is undocumented (the default
creation window, the end of a window excluded, tokens bound to their filter and limit).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from bot.simulator.api import ApiError
from bot.simulator.dto import CANCELLABLE_STATUSES, to_msk

__all__ = ["date_window", "decode_token", "encode_token", "fingerprint", "order_matches"]

MAX_PERIOD_DAYS = 30


def fingerprint(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_token(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        valid = isinstance(state, dict) and isinstance(state.get("a"), int)
    except ValueError:
        valid = False
    if not valid:
        raise ApiError(400, "BAD_REQUEST", f"Invalid page token: {token}")
    if state.get("f") != fingerprint:
        raise ApiError(400, "BAD_REQUEST", "Page token does not match the request filter or limit")
    return state


def _too_long() -> ApiError:
    return ApiError(
        400, "BAD_REQUEST", f"Too long time period. Maximum is '{MAX_PERIOD_DAYS}' days"
    )


def date_window(
    dates: dict[str, Any], prefix: str, *, today: date | None = None
) -> tuple[date, date] | None:
    """[from, to) of a `dates.<prefix>From/To` filter; 400 when over 30 days.

    With `today` (the creation-date filter) the spec's defaults apply as worded: from =
    today - 30, to = today, and `to` is not included, so orders created today are listed
    only when `to` is sent. Without it, an absent filter is None and a missing bound lies
    30 days from the other one.
    """
    start, end = dates.get(f"{prefix}From"), dates.get(f"{prefix}To")
    lo = date.fromisoformat(start) if start else None
    hi = date.fromisoformat(end) if end else None
    period = timedelta(days=MAX_PERIOD_DAYS)
    if lo is None and hi is None:
        return None if today is None else (today - period, today)
    if lo is None:
        assert hi is not None
        lo = hi - period
    if hi is None:
        hi = lo + period if today is None else today
    if hi <= lo:  # "if the span is under a day, to = from + 1 day"
        hi = lo + timedelta(days=1)
    if (hi - lo).days > MAX_PERIOD_DAYS:
        raise _too_long()
    return lo, hi


def _msk_date(value: str) -> date:
    return to_msk(datetime.fromisoformat(value)).date()


def order_matches(
    order: dict[str, Any],
    body: dict[str, Any],
    window: tuple[date, date],
    shipment: tuple[date, date] | None,
) -> bool:
    if not window[0] <= _msk_date(order["creationDate"]) < window[1]:
        return False
    filters = {
        "orderIds": order["orderId"],
        "externalOrderIds": order.get("externalOrderId"),
        "programTypes": order.get("programType"),
        "statuses": order["status"],
        "substatuses": order["substatus"],
        "sourcePlatforms": order.get("sourcePlatform", "MARKET"),
    }
    for name, value in filters.items():
        allowed = body.get(name)
        if allowed is not None and value not in allowed:
            return False
    if body.get("fake") is not None and order["fake"] != body["fake"]:
        return False
    if body.get("waitingForCancellationApprove") and not (
        order["status"] in CANCELLABLE_STATUSES and order.get("cancelRequested") is True
    ):
        return False
    return _shipped_within(order, shipment) and _updated_within(order, body.get("dates") or {})


def _shipped_within(order: dict[str, Any], shipment: tuple[date, date] | None) -> bool:
    if shipment is None:
        return True
    shipment_date = order["delivery"].get("shipment", {}).get("shipmentDate")
    if shipment_date is None:
        return False
    return shipment[0] <= date.fromisoformat(shipment_date) < shipment[1]


def _updated_within(order: dict[str, Any], dates: dict[str, Any]) -> bool:
    start, end = dates.get("updateDateFrom"), dates.get("updateDateTo")
    if not (start or end):
        return True
    updated = order.get("updateDate")
    if updated is None:
        return False
    moment = datetime.fromisoformat(updated)
    if start and moment < datetime.fromisoformat(start):
        return False
    return not (end and moment >= datetime.fromisoformat(end))
