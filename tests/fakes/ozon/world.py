"""The fake Ozon's world: sellers' postings and their rFBS cancellation requests.

`OzonWorld` holds the state and answers the operations as plain Python (no HTTP), so the
server adds only the spec's strictness around it. Values are kept as Python ints and
aware datetimes; the server writes them as the gateway does (`spec.encode_int64`, RFC 3339).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tests.fakes.ozon.wire import Grpc, OzonError, rfc3339

__all__ = ["CancellationState", "Initiator", "OzonWorld", "Posting", "Request"]


class CancellationState(StrEnum):
    """`v2CancellationStateEnum` of the spec."""

    ON_APPROVAL = "ON_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class Initiator(StrEnum):
    """`v2CancellationInitiatorEnum` of the spec."""

    OZON = "OZON"
    SELLER = "SELLER"
    CLIENT = "CLIENT"
    SYSTEM = "SYSTEM"
    DELIVERY = "DELIVERY"


#: `state.id` and `state.name` of a request: the fake's choice (the spec gives no values).
STATE_LABELS = {
    CancellationState.ON_APPROVAL: (1, "На согласовании"),
    CancellationState.APPROVED: (2, "Подтверждена"),
    CancellationState.REJECTED: (3, "Отклонена"),
}
#: The window before auto-approval when a test gives none: the fake's choice (the spec
#: states no fixed length, only each request's `auto_approve_date`).
DEFAULT_WINDOW = timedelta(hours=48)
NOT_ON_APPROVAL = "cancellation is not in ON_APPROVAL state"  # the fake's choice
DEFAULT_PRODUCTS = (
    {"sku": 827098843, "offer_id": "SK-58", "name": "Плойка", "price": "1530.0000"},
)
DEFAULT_DELIVERY = {
    "id": 1020005003107121,
    "name": "Доставка силами продавца",
    "warehouse_id": 1020005003107121,
    "warehouse": "Склад",
    "tpl_provider_id": 0,
    "tpl_provider": "",
}


@dataclass
class Posting:
    """One rFBS posting (what `/v3/posting/fbs/get` shows of it)."""

    client_id: int
    posting_number: str
    order_id: int
    products: list[dict[str, Any]]
    delivery_method: dict[str, Any]
    customer: dict[str, Any] | None
    addressee: dict[str, Any] | None
    in_process_at: datetime
    status: str = "delivering"
    substatus: str = "posting_in_carriage"
    cancellation: dict[str, Any] = field(
        default_factory=lambda: {
            "cancel_reason_id": 0,
            "cancel_reason": "",
            "cancellation_type": "",
            "cancelled_after_ship": False,
            "affect_cancellation_rating": False,
            "cancellation_initiator": "",
        }
    )


@dataclass
class Request:
    """One conditional-cancellation request (an item of `/v2/.../list`)."""

    cancellation_id: int
    client_id: int
    posting_number: str
    initiator: Initiator
    reason_id: int
    reason_name: str
    message: str
    cancelled_at: datetime
    order_date: datetime
    auto_approve_date: datetime
    state: CancellationState = CancellationState.ON_APPROVAL
    approve_date: datetime | None = None
    approve_comment: str = ""

    def item(self) -> dict[str, Any]:
        """As the list shows it (the gateway writes unset fields too: "" and null)."""
        state_id, state_name = STATE_LABELS[self.state]
        return {
            "cancellation_id": self.cancellation_id,
            "posting_number": self.posting_number,
            "cancellation_initiator": self.initiator.value,
            "cancellation_reason": {"id": self.reason_id, "name": self.reason_name},
            "cancellation_reason_message": self.message,
            "cancelled_at": rfc3339(self.cancelled_at),
            "order_date": rfc3339(self.order_date),
            "state": {"id": state_id, "name": state_name, "state": self.state.value},
            "approve_date": rfc3339(self.approve_date),
            "approve_comment": self.approve_comment,
            "auto_approve_date": rfc3339(self.auto_approve_date),
            "source_id": 0,
            "tpl_integration_type": "non_integrated",
        }


class OzonWorld:
    """Postings and requests of every seller (Client-Id); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._postings: dict[str, Posting] = {}
        self._requests: dict[int, Request] = {}
        self._ids = itertools.count(1001)
        self._orders = itertools.count(1)

    # --- setting the world up --------------------------------------------------------

    def add_request(
        self,
        client_id: int,
        posting_number: str | None = None,
        *,
        cancellation_id: int | None = None,
        products: list[dict[str, Any]] | None = None,
        initiator: Initiator = Initiator.CLIENT,
        reason: tuple[int, str] = (1, "Покупатель передумал"),
        message: str = "",
        auto_approve_date: datetime | None = None,
        cancelled_at: datetime | None = None,
        delivery_method: dict[str, Any] | None = None,
        customer: dict[str, Any] | None = None,
        addressee: dict[str, Any] | None = None,
    ) -> Request:
        """A new ON_APPROVAL request; its posting is made unless it exists (products:
        `sku`, `name`, `price` (a decimal string) and optionally `offer_id`, `quantity`,
        `currency_code`). Naive datetimes are refused."""
        created = cancelled_at or datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            posting = self._postings.get(posting_number or "")
            if posting is None:
                posting = self._new_posting(
                    client_id, posting_number, products, delivery_method, customer, addressee
                )
            elif posting.client_id != client_id:
                raise ValueError(f"posting {posting_number} belongs to another Client-Id")
            new_id = cancellation_id if cancellation_id is not None else next(self._ids)
            if new_id in self._requests:
                raise ValueError(f"cancellation {new_id} exists")
            request = Request(
                new_id,
                client_id,
                posting.posting_number,
                Initiator(initiator),
                *reason,
                message,
                _aware(created),
                _aware(posting.in_process_at),
                _aware(auto_approve_date or created + DEFAULT_WINDOW),
            )
            self._requests[new_id] = request
            return request

    def _new_posting(
        self,
        client_id: int,
        posting_number: str | None,
        products: list[dict[str, Any]] | None,
        delivery_method: dict[str, Any] | None,
        customer: dict[str, Any] | None,
        addressee: dict[str, Any] | None,
    ) -> Posting:
        n = next(self._orders)
        number = posting_number or f"{30000000 + n:08d}-{n % 10000:04d}-1"
        lines = [
            {"offer_id": "", "quantity": 1, "currency_code": "RUB", **line}
            for line in (products or DEFAULT_PRODUCTS)
        ]
        posting = Posting(
            client_id,
            number,
            order_id=35566798000 + n,
            products=lines,
            delivery_method=dict(delivery_method or DEFAULT_DELIVERY),
            customer=customer,
            addressee=addressee,
            in_process_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=2),
        )
        self._postings[number] = posting
        return posting

    # --- what happens outside the desk -----------------------------------------------

    def approve_elsewhere(self, cancellation_id: int, comment: str = "") -> None:
        """Approved in Ozon's cabinet (or by anyone but the desk)."""
        with self._lock:
            self._move(self._find(cancellation_id, None), CancellationState.APPROVED, comment)

    def reject_elsewhere(self, cancellation_id: int, comment: str = "") -> None:
        """Rejected in Ozon's cabinet."""
        with self._lock:
            self._move(self._find(cancellation_id, None), CancellationState.REJECTED, comment)

    def auto_approve(self, cancellation_id: int) -> None:
        """Approved by silence: at its `auto_approve_date`, without a comment."""
        with self._lock:
            request = self._find(cancellation_id, None)
            self._move(request, CancellationState.APPROVED, "", at=request.auto_approve_date)

    def request(self, cancellation_id: int) -> dict[str, Any]:
        """A request as the list shows it (ints and RFC 3339 strings, before encoding)."""
        with self._lock:
            return self._find(cancellation_id, None).item()

    def posting(self, posting_number: str) -> dict[str, Any]:
        """A posting as `/v3/posting/fbs/get` shows it (before encoding)."""
        with self._lock:
            return _detail(self._postings[posting_number])

    # --- the operations (the server calls these after its checks) --------------------

    def list_requests(self, client_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """`/v2/conditional-cancellation/list`: pages in `cancellation_id` order after
        `last_id`; an empty page has the request's `last_id` (the fake's choice)."""
        limit = int(body["limit"])
        if limit < 1:  # the spec states no minimum: refusing 0 is the fake's choice
            raise OzonError(400, Grpc.INVALID_ARGUMENT, "limit: must be between 1 and 500")
        after = int(body.get("last_id") or 0)
        filters = body.get("filters") or {}
        with self._lock:
            mine = [r for r in self._requests.values() if r.client_id == client_id]
            page = sorted(
                (r for r in mine if r.cancellation_id > after and _matches(r, filters)),
                key=lambda r: r.cancellation_id,
            )[:limit]
            answer: dict[str, Any] = {
                "result": [r.item() for r in page],
                "last_id": page[-1].cancellation_id if page else after,
            }
            if (body.get("with") or {}).get("counter"):
                waiting = CancellationState.ON_APPROVAL
                answer["counter"] = sum(r.state is waiting for r in mine)
        return answer

    def decide(self, client_id: int, body: dict[str, Any], state: CancellationState) -> dict:
        """`/approve` or `/reject`: only a request ON_APPROVAL moves; otherwise 400
        FAILED_PRECONDITION, the fake's choice (the spec states no error for it)."""
        with self._lock:
            request = self._find(int(body["cancellation_id"]), client_id)
            if request.state is not CancellationState.ON_APPROVAL:
                raise OzonError(400, Grpc.FAILED_PRECONDITION, NOT_ON_APPROVAL)
            self._move(request, state, body.get("comment") or "")
        return {}

    def fbs_posting(self, client_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """`/v3/posting/fbs/get`; another seller's posting is not found (the fake's choice:
        404 NOT_FOUND, among the answers the spec documents)."""
        with self._lock:
            posting = self._postings.get(body["posting_number"])
            if posting is None or posting.client_id != client_id:
                raise OzonError(404, Grpc.NOT_FOUND, "posting not found")
            return {"result": _detail(posting)}

    # --- inside --------------------------------------------------------------------

    def _find(self, cancellation_id: int, client_id: int | None) -> Request:
        request = self._requests.get(cancellation_id)
        if request is None or client_id not in (None, request.client_id):
            if client_id is None:
                raise KeyError(f"no cancellation {cancellation_id}")
            raise OzonError(404, Grpc.NOT_FOUND, "cancellation not found")  # the fake's choice
        return request

    def _move(
        self,
        request: Request,
        state: CancellationState,
        comment: str,
        at: datetime | None = None,
    ) -> None:
        if request.state is not CancellationState.ON_APPROVAL:
            raise ValueError(f"cancellation {request.cancellation_id} is {request.state}")
        request.state = state
        request.approve_date = at or datetime.now(UTC)
        request.approve_comment = comment
        if state is CancellationState.APPROVED:
            _cancel(self._postings[request.posting_number], request)


def _matches(request: Request, filters: dict[str, Any]) -> bool:
    state = filters.get("state") or "ALL"
    numbers = filters.get("posting_number") or []
    initiators = filters.get("cancellation_initiator") or []
    return (
        state in ("ALL", request.state.value)
        and (not numbers or request.posting_number in numbers)
        and (not initiators or request.initiator.value in initiators)
    )


def _cancel(posting: Posting, request: Request) -> None:
    """An approved request cancels the posting (tag:Process: "заказ будет автоматически
    отменён"); the cancellation block's values are the fake's choice."""
    posting.status = "cancelled"
    posting.substatus = "posting_canceled"
    posting.cancellation = {
        "cancel_reason_id": request.reason_id,
        "cancel_reason": request.reason_name,
        "cancellation_type": request.initiator.value.lower(),
        "cancelled_after_ship": True,
        "affect_cancellation_rating": False,
        "cancellation_initiator": request.initiator.value.lower(),
    }


def _detail(posting: Posting) -> dict[str, Any]:
    """`v3FbsPostingDetail` of a posting: the fields the desk reads, and null for the
    optional blocks not asked for, as the spec's example has them."""
    order_number = posting.posting_number.rsplit("-", 1)[0]
    return {
        "posting_number": posting.posting_number,
        "order_id": posting.order_id,
        "order_number": order_number,
        "status": posting.status,
        "substatus": posting.substatus,
        "delivery_method": dict(posting.delivery_method),
        "tracking_number": "",
        "tpl_integration_type": "non_integrated",
        "in_process_at": rfc3339(posting.in_process_at),
        "shipment_date": rfc3339(posting.in_process_at + timedelta(days=1)),
        "delivering_date": None,
        "cancellation": dict(posting.cancellation),
        "customer": posting.customer,
        "addressee": posting.addressee,
        "products": [dict(line) for line in posting.products],
        "barcodes": None,
        "analytics_data": None,
        "financial_data": None,
        "additional_data": [],
        "is_express": False,
        "available_actions": [],
    }


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give the fake aware times")
    return moment
