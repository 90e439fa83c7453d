"""The simulated Ozon: sellers' rFBS postings and their conditional-cancellation requests.

`OzonEngine` knows nothing of HTTP: the demo reaches it through `ozon_transport`. Its rules
are those of the tests' strict fake (tests/fakes/ozon/world.py): only a request
`ON_APPROVAL` can be approved or rejected; approving cancels its posting; a request still
`ON_APPROVAL` at its `auto_approve_date` is approved by silence, without a comment, dated
then. The clock decides that before every operation, so no caller ever sees a request
waiting past its deadline, whenever the demo's world last moved.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.simulator.ozon_dto import Initiator, SimPosting, SimRequest, State

__all__ = ["Grpc", "OzonEngine", "Refusal"]

ALL = "ALL"  # the list filter's every state
PAGE_MAX = 500  # the list's `limit` at most (the spec's description)
KEY_LIFETIME = timedelta(days=182)  # tag:Auth "Срок действия ключа — 6 месяцев"
#: The methods a demo key's role lists: those the desk calls.
ROLE = {
    "name": "Posting FBS",
    "methods": [
        "/v2/conditional-cancellation/list",
        "/v2/conditional-cancellation/approve",
        "/v2/conditional-cancellation/reject",
        "/v3/posting/fbs/get",
    ],
}


class Grpc:
    """The gRPC status codes the simulator writes in `rpcStatus.code`."""

    INVALID_ARGUMENT = 3
    NOT_FOUND = 5
    PERMISSION_DENIED = 7
    FAILED_PRECONDITION = 9
    UNIMPLEMENTED = 12
    INTERNAL = 13


class Refusal(Exception):
    """An answer other than 200: its HTTP status and `rpcStatus` code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class OzonEngine:
    """Postings and requests of every simulated seller (Client-Id); thread-safe."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._postings: dict[str, SimPosting] = {}
        self._requests: dict[int, SimRequest] = {}
        self._ids = itertools.count(7000001)

    # --- the world: what the seller's buyers, couriers and Ozon do ------------------

    def add_posting(
        self,
        client_id: int,
        posting_number: str,
        products: list[dict[str, Any]],
        delivery_method: str,
        in_process_at: datetime,
    ) -> None:
        """A posting on its way (`delivering`)."""
        with self._lock:
            if posting_number in self._postings:
                raise ValueError(f"posting {posting_number} exists")
            lines = [{"offer_id": "", "quantity": 1, "currency_code": "RUB", **p} for p in products]
            order_id = 35566798001 + len(self._postings)
            self._postings[posting_number] = SimPosting(
                client_id, posting_number, order_id, lines, delivery_method, in_process_at
            )

    def add_request(
        self,
        posting_number: str,
        *,
        initiator: Initiator,
        reason: tuple[int, str],
        message: str,
        cancelled_at: datetime,
        window: timedelta,
    ) -> int:
        """A new request `ON_APPROVAL` for an existing posting, approved by silence
        `window` after it was made; its cancellation_id."""
        with self._lock:
            posting = self._postings[posting_number]
            cancellation_id = next(self._ids)
            self._requests[cancellation_id] = SimRequest(
                cancellation_id,
                posting.client_id,
                posting,
                initiator,
                *reason,
                message,
                cancelled_at,
                cancelled_at + window,
            )
            return cancellation_id

    def approve_elsewhere(self, cancellation_id: int, comment: str = "") -> None:
        """Approved in Ozon's seller cabinet, beside the desk."""
        with self._lock:
            self._move(self._requests[cancellation_id], State.APPROVED, comment)

    def reject_elsewhere(self, cancellation_id: int, comment: str) -> None:
        """Rejected in Ozon's seller cabinet, beside the desk."""
        with self._lock:
            self._move(self._requests[cancellation_id], State.REJECTED, comment)

    def request(self, cancellation_id: int) -> SimRequest:
        """A copy of the request as it stands now."""
        with self._lock:
            self._approve_due()
            return replace(self._requests[cancellation_id])

    def waiting(self) -> list[int]:
        """The requests `ON_APPROVAL` now, oldest first."""
        with self._lock:
            self._approve_due()
            return sorted(c for c, r in self._requests.items() if r.state is State.ON_APPROVAL)

    # --- the operations (the transport calls these for an authenticated Client-Id) ---

    def list_requests(self, client_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """`/v2/conditional-cancellation/list`: pages in `cancellation_id` order after
        `last_id`; an empty page keeps the request's `last_id`."""
        limit, after = _int(body.get("limit"), "limit"), _int(body.get("last_id") or 0, "last_id")
        if not 1 <= limit <= PAGE_MAX:
            raise Refusal(400, Grpc.INVALID_ARGUMENT, f"limit: must be between 1 and {PAGE_MAX}")
        filters = body.get("filters") or {}
        with self._lock:
            self._approve_due()
            mine = [r for r in self._requests.values() if r.client_id == client_id]
            chosen = sorted(
                (r for r in mine if r.cancellation_id > after and _matches(r, filters)),
                key=lambda r: r.cancellation_id,
            )[:limit]
            answer: dict[str, Any] = {
                "result": [r.item() for r in chosen],
                "last_id": str(chosen[-1].cancellation_id if chosen else after),
            }
            if (body.get("with") or {}).get("counter"):
                answer["counter"] = str(sum(r.state is State.ON_APPROVAL for r in mine))
        return answer

    def decide(self, client_id: int, body: dict[str, Any], state: State) -> dict[str, Any]:
        """`/approve` or `/reject` of a request `ON_APPROVAL`; a 400 otherwise (the spec
        states no error for it: the tests' fake's choice, FAILED_PRECONDITION)."""
        cancellation_id = _int(body.get("cancellation_id"), "cancellation_id")
        with self._lock:
            self._approve_due()
            request = self._requests.get(cancellation_id)
            if request is None or request.client_id != client_id:
                raise Refusal(404, Grpc.NOT_FOUND, "cancellation not found")
            if request.state is not State.ON_APPROVAL:
                raise Refusal(
                    400, Grpc.FAILED_PRECONDITION, "cancellation is not in ON_APPROVAL state"
                )
            self._move(request, state, str(body.get("comment") or ""))
        return {}

    def fbs_posting(self, client_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """`/v3/posting/fbs/get`; another seller's posting is not found."""
        with self._lock:
            self._approve_due()
            posting = self._postings.get(str(body.get("posting_number") or ""))
            if posting is None or posting.client_id != client_id:
                raise Refusal(404, Grpc.NOT_FOUND, "posting not found")
            return {"result": posting.detail()}

    def roles(self) -> dict[str, Any]:
        """`/v1/roles`: the demo's keys may do what the desk does, and live 6 months."""
        expires = (self._clock() + KEY_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"roles": [dict(ROLE, methods=list(ROLE["methods"]))], "expires_at": expires}

    # --- inside ----------------------------------------------------------------------

    def _approve_due(self) -> None:
        now = self._clock()
        for request in self._requests.values():
            if request.state is State.ON_APPROVAL and request.auto_approve_date <= now:
                self._move(request, State.APPROVED, "", at=request.auto_approve_date)

    def _move(
        self, request: SimRequest, state: State, comment: str, at: datetime | None = None
    ) -> None:
        if request.state is not State.ON_APPROVAL:
            raise ValueError(f"cancellation {request.cancellation_id} is {request.state}")
        request.state = state
        request.approve_date = at or self._clock()
        request.approve_comment = comment
        if state is State.APPROVED:
            request.posting.cancel(request)


def _int(value: Any, name: str) -> int:
    """An int64 sent as a number or a decimal string, as protojson reads both."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Refusal(400, Grpc.INVALID_ARGUMENT, f"{name}: invalid value {str(value)[:40]!r}")


def _matches(request: SimRequest, filters: dict[str, Any]) -> bool:
    numbers = filters.get("posting_number") or []
    initiators = filters.get("cancellation_initiator") or []
    return (
        request.state in _states(filters.get("state") or ALL)
        and (not numbers or request.posting.posting_number in numbers)
        and (not initiators or request.initiator.value in initiators)
    )


def _states(name: Any) -> frozenset[State]:
    """`v2CancellationStateEnumFilters`: one state, or `ALL` (the default)."""
    if name == ALL:
        return frozenset(State)
    if not isinstance(name, str) or name not in State.__members__:
        message = f"filters.state: invalid value {str(name)[:40]!r}"
        raise Refusal(400, Grpc.INVALID_ARGUMENT, message)
    return frozenset({State(name)})
