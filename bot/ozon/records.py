"""What Ozon's answers become: cancellation requests, postings, the key's roles.

No buyer data: a posting's `customer` and `addressee` (names, substitute phones, addresses)
are never read into these records, so nothing of them can be stored or logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Initiator(StrEnum):
    """Who asked to cancel (`v2CancellationInitiatorEnum`)."""

    OZON = "OZON"
    SELLER = "SELLER"
    CLIENT = "CLIENT"  # the buyer
    SYSTEM = "SYSTEM"
    DELIVERY = "DELIVERY"  # the delivery service


class CancellationState(StrEnum):
    """Where a request stands (`v2CancellationStateEnum`)."""

    ON_APPROVAL = "ON_APPROVAL"  # waiting for the seller: the desk's to decide
    APPROVED = "APPROVED"  # by the seller, or automatically after `auto_approve_date`
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class OzonRequest:
    """A conditional-cancellation request; times are aware, in UTC, None when Ozon sent none."""

    cancellation_id: int  # the key of approve and reject
    posting_number: str  # the key of `/v3/posting/fbs/get` and of re-reading the request
    state: CancellationState
    initiator: Initiator | None  # None: absent, or a value this desk does not know yet
    reason_id: int | None
    reason_name: str | None
    reason_message: str | None  # the initiator's own words
    created_at: datetime | None  # `cancelled_at`: when the request was made
    order_date: datetime | None
    auto_approve_date: datetime | None  # the deadline: silence approves after it
    approve_date: datetime | None  # when it was approved or rejected
    approve_comment: str | None


@dataclass(frozen=True)
class OzonProduct:
    name: str
    offer_id: str
    quantity: int
    price: Decimal | None  # None: absent or not a plain decimal number
    currency: str | None


@dataclass(frozen=True)
class OzonPosting:
    posting_number: str
    status: str  # Ozon's word, kept as sent: the list of statuses grows
    products: tuple[OzonProduct, ...]
    delivery_method: str | None


@dataclass(frozen=True)
class OzonRole:
    name: str
    methods: frozenset[str]


@dataclass(frozen=True)
class OzonKeyInfo:
    """`/v1/roles`: what the key may do and when it stops working."""

    roles: tuple[OzonRole, ...]
    expires_at: datetime | None

    def allows(self, method: str) -> bool:
        return any(method in role.methods for role in self.roles)


@dataclass(frozen=True)
class OzonUnreadable:
    """A request Ozon listed that the desk cannot read, with its keys as sent."""

    cancellation_ref: str
    posting_ref: str
    reason: str

    @classmethod
    def of(cls, raw: Any, reason: str) -> OzonUnreadable:
        data = raw if isinstance(raw, dict) else {}
        return cls(_ref(data.get("cancellation_id")), _ref(data.get("posting_number")), reason)


def _ref(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return "?"
    try:
        return str(value)[:40]
    except ValueError:  # an integer too long to print
        return "?"


@dataclass
class OzonListing:
    requests: list[OzonRequest] = field(default_factory=list)
    unreadable: list[OzonUnreadable] = field(default_factory=list)
