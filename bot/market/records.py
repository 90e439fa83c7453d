"""What the Market's answers become: campaigns, buyers, listings, date windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain.model import Order


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    business_id: int
    business_name: str
    placement_type: str
    api_availability: str


@dataclass(frozen=True)
class Buyer:
    """The buyer as getOrderBuyerInfo gives it; shown to one person, never stored."""

    name: str
    phone: str | None  # the Market's substitute number
    trusted: bool  # verified by the Market: it asks sellers not to call


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class DateWindow:
    """Creation dates, `start` inclusive and `end` exclusive, at most 30 days apart.

    Always sent: the Market's default ends *before* today, which would hide requests on
    orders created today (same-day delivery) until tomorrow.
    """

    start: date
    end: date

    def as_filter(self) -> dict[str, str]:
        return {"creationDateFrom": self.start.isoformat(), "creationDateTo": self.end.isoformat()}

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Unreadable:
    """An order the Market listed that the desk cannot read, with its ids as sent."""

    campaign_ref: str
    order_ref: str
    reason: str

    @classmethod
    def of(cls, raw: Any, reason: str) -> Unreadable:
        data = raw if isinstance(raw, dict) else {}
        return cls(_ref(data.get("campaignId")), _ref(data.get("orderId")), reason)


def _ref(value: Any) -> str:
    try:
        return "?" if value is None else str(value)[:40]
    except ValueError:  # an integer too long to print
        return "?"


@dataclass
class Listing:
    orders: list[Order] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
