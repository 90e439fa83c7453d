"""The simulated Ozon's postings and cancellation requests, and how its gateway writes them.

Ozon's gRPC gateway writes int64 as JSON strings, times as RFC 3339 in UTC and an unset
time or message as `null` (OZON_API.md §1, §4); the builders here write exactly that, so
the desk's own parser reads the simulator as it reads Ozon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

__all__ = ["Initiator", "SimPosting", "SimRequest", "State", "rfc3339"]


class State(StrEnum):
    """`v2CancellationStateEnum`."""

    ON_APPROVAL = "ON_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class Initiator(StrEnum):
    """`v2CancellationInitiatorEnum`."""

    OZON = "OZON"
    SELLER = "SELLER"
    CLIENT = "CLIENT"
    SYSTEM = "SYSTEM"
    DELIVERY = "DELIVERY"


#: `state.id` and `state.name`: the simulator's choice (the spec gives no values).
STATE_LABELS = {
    State.ON_APPROVAL: (1, "На согласовании"),
    State.APPROVED: (2, "Подтверждена"),
    State.REJECTED: (3, "Отклонена"),
}


def rfc3339(moment: datetime | None) -> str | None:
    """UTC with a `Z`, whole seconds; None stays None (the gateway's `null`)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SimPosting:
    """One rFBS posting; `products` are `v3PostingProductDetail`s (sku, offer_id, name,
    price as a decimal string, quantity, currency_code)."""

    client_id: int
    posting_number: str
    order_id: int
    products: list[dict[str, Any]]
    delivery_method: str
    in_process_at: datetime
    status: str = "delivering"
    substatus: str = "posting_in_carriage"
    cancellation: dict[str, Any] = field(default_factory=dict)

    def cancel(self, request: SimRequest) -> None:
        """An approved request cancels the posting ("заказ будет автоматически отменён")."""
        self.status, self.substatus = "cancelled", "posting_canceled"
        initiator = request.initiator.value.lower()
        self.cancellation = {
            "cancel_reason_id": str(request.reason_id),
            "cancel_reason": request.reason_name,
            "cancellation_type": initiator,
            "cancelled_after_ship": True,
            "affect_cancellation_rating": False,
            "cancellation_initiator": initiator,
        }

    def detail(self) -> dict[str, Any]:
        """`v3FbsPostingDetail`: the fields the desk reads, null for the blocks not asked for."""
        cancellation = self.cancellation or {
            "cancel_reason_id": "0",
            "cancel_reason": "",
            "cancellation_type": "",
            "cancelled_after_ship": False,
            "affect_cancellation_rating": False,
            "cancellation_initiator": "",
        }
        return {
            "posting_number": self.posting_number,
            "order_id": str(self.order_id),
            "order_number": self.posting_number.rsplit("-", 1)[0],
            "status": self.status,
            "substatus": self.substatus,
            "delivery_method": {
                "id": "1020005003107121",
                "name": self.delivery_method,
                "warehouse_id": "1020005003107121",
                "warehouse": "Склад на Варшавке",
                "tpl_provider_id": "0",
                "tpl_provider": "",
            },
            "tracking_number": "",
            "tpl_integration_type": "non_integrated",
            "in_process_at": rfc3339(self.in_process_at),
            "shipment_date": rfc3339(self.in_process_at + timedelta(days=1)),
            "delivering_date": None,
            "cancellation": dict(cancellation),
            "customer": None,
            "addressee": None,
            "products": [{**line, "sku": str(line["sku"])} for line in self.products],
            "barcodes": None,
            "analytics_data": None,
            "financial_data": None,
            "additional_data": [],
            "is_express": False,
            "available_actions": [],
        }


@dataclass
class SimRequest:
    """One conditional-cancellation request."""

    cancellation_id: int
    client_id: int
    posting: SimPosting
    initiator: Initiator
    reason_id: int
    reason_name: str
    message: str  # the initiator's own words, "" when none
    cancelled_at: datetime  # when the request was made
    auto_approve_date: datetime
    state: State = State.ON_APPROVAL
    approve_date: datetime | None = None
    approve_comment: str = ""

    def item(self) -> dict[str, Any]:
        """A `GetConditionalCancellationListV2ResponseResult` (unset fields too: "" and null)."""
        state_id, state_name = STATE_LABELS[self.state]
        return {
            "cancellation_id": str(self.cancellation_id),
            "posting_number": self.posting.posting_number,
            "cancellation_initiator": self.initiator.value,
            "cancellation_reason": {"id": str(self.reason_id), "name": self.reason_name},
            "cancellation_reason_message": self.message,
            "cancelled_at": rfc3339(self.cancelled_at),
            "order_date": rfc3339(self.posting.in_process_at),
            "state": {"id": str(state_id), "name": state_name, "state": self.state.value},
            "approve_date": rfc3339(self.approve_date),
            "approve_comment": self.approve_comment,
            "auto_approve_date": rfc3339(self.auto_approve_date),
            "source_id": "0",
            "tpl_integration_type": "non_integrated",
        }
