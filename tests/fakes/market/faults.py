"""Injected faults and the hourly resource limits of the fake Market.

`Faults` holds what a test asked for (`fail_next`, `hold_next`, `set_outage`,
`set_rate_limited`, `set_delay`), each for every call or for the calls addressing one
business, and turns it into answers; `Usage` counts calls per resource and per cabinet (the
caller key's business) in fixed UTC windows as the spec's ``x-resource-limit-config`` (tier
``none``) describes them: "resource limits count per cabinet or store" (MARKET_API.md §5.3).
Both are thread-safe.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.fakes.market.records import DROP
from tests.fakes.market.spec import Operation
from tests.fakes.market.wire import DEFAULT_ERRORS, ApiError, Outcome, error_body, http_date

__all__ = ["Faults", "Usage", "aware", "check_status", "limit_message"]


def aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def check_status(status: int) -> None:
    if status != DROP and not 400 <= status <= 599:
        raise ValueError(f"status must be DROP or 4xx/5xx, not {status}")


def limit_message(op: Operation) -> str:
    period = "hour" if op.period == 3600 else f"{op.period} seconds"
    return f"Hit rate limit of {op.limit} requests per {period} for resource {op.resource_id}"


def _hits(scope: int | None, business: int | None) -> bool:
    """A fault for `scope` (None: every call) hits a call addressing `business`."""
    return scope is None or scope == business


@dataclass
class _Fault:
    operation_id: str | None
    status: int
    times: int
    after: int
    code: str | None
    message: str | None
    until: datetime | None
    business: int | None


class Faults:
    """Faults waiting to hit valid calls, and holds waiting to delay calls.

    Each is kept for a business (the calls addressing it) or for None (every call).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._holds: list[tuple[str, float, int | None]] = []
        self._outages: dict[int | None, int] = {}
        self._rate_limited_until: dict[int | None, datetime] = {}
        self._delays: dict[int | None, float] = {}

    def fail_next(
        self,
        operation_id: str | None,
        status: int,
        *,
        times: int,
        after: int,
        code: str | None,
        message: str | None,
        rate_limit_until: datetime | None,
        business: int | None,
    ) -> None:
        check_status(status)
        if times < 1 or after < 0:
            raise ValueError("times must be >= 1 and after >= 0")
        until = aware(rate_limit_until, "rate_limit_until")
        fault = _Fault(operation_id, status, times, after, code, message, until, business)
        with self._lock:
            self._faults.append(fault)

    def hold_next(self, operation_id: str, seconds: float, business: int | None) -> None:
        with self._lock:
            self._holds.append((operation_id, seconds, business))

    def take_hold(self, operation_id: str | None, business: int | None) -> float:
        """Seconds the call about to be processed must wait (0: none): its hold, if one
        was queued, plus the delay of every call of its business."""
        with self._lock:
            delay = max(
                (seconds for scope, seconds in self._delays.items() if _hits(scope, business)),
                default=0.0,
            )
            for index, (held, seconds, scope) in enumerate(self._holds):
                if held == operation_id and _hits(scope, business):
                    del self._holds[index]
                    return delay + seconds
        return delay

    def set_delay(self, seconds: float | None, business: int | None) -> None:
        with self._lock:
            if seconds is None:
                self._delays.pop(business, None)
            else:
                self._delays[business] = seconds

    def set_outage(self, status: int | None, business: int | None) -> None:
        if status is not None:
            check_status(status)
        with self._lock:
            if status is None:
                self._outages.pop(business, None)
            else:
                self._outages[business] = status

    def set_rate_limited(self, until: datetime | None, business: int | None) -> None:
        until = aware(until, "until")
        with self._lock:
            if until is None:
                self._rate_limited_until.pop(business, None)
            else:
                self._rate_limited_until[business] = until

    def injected(self, op: Operation, business: int | None) -> Outcome | None:
        """The fault answering this valid call of `op` addressing `business`, if any
        (consumed)."""
        with self._lock:
            standing = self._standing(op, business)
            if standing is not None:
                return standing
            for fault in self._faults:
                if fault.operation_id not in (None, op.operation_id):
                    continue
                if not _hits(fault.business, business):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return _fault_outcome(op, fault.status, fault.code, fault.message, fault.until)
        return None

    def _standing(self, op: Operation, business: int | None) -> Outcome | None:
        """An outage's or a rate limit's answer (lock held); an expired limit is dropped."""
        for scope, status in self._outages.items():
            if _hits(scope, business):
                return _fault_outcome(op, status, None, None, None)
        now = datetime.now(UTC)
        for scope, until in list(self._rate_limited_until.items()):
            if now >= until:
                del self._rate_limited_until[scope]
            elif _hits(scope, business):
                return _fault_outcome(op, 420, None, None, until)
        return None


def _fault_outcome(
    op: Operation,
    status: int,
    code: str | None,
    message: str | None,
    until: datetime | None,
) -> Outcome:
    if status == DROP:
        return Outcome(0, None, op, drop=True)
    default_code, default_message = DEFAULT_ERRORS.get(
        status, (f"HTTP_{status}", f"Injected HTTP {status}")
    )
    headers = None
    if status == 420:
        default_message = limit_message(op)
        headers = {
            "X-RateLimit-Resource-Limit": str(op.limit),
            "X-RateLimit-Resource-Remaining": "0",
            "X-RateLimit-Resource-Until": http_date(
                until or datetime.now(UTC) + timedelta(seconds=2)
            ),
        }
    body = error_body(code or default_code, message or default_message)
    return Outcome(status, body, op, headers=headers)


class Usage:
    """Calls per resource and cabinet in the current fixed window (an hour for every
    operation used). The cabinet is the caller key's business (None: the unscoped key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (resource id, cabinet) -> (window, count)
        self._usage: dict[tuple[int, int | None], tuple[int, int]] = {}

    @staticmethod
    def _window(op: Operation) -> int:
        return int(time.time() // op.period)

    def _used(self, op: Operation, cabinet: int | None, window: int) -> int:
        with self._lock:
            last_window, count = self._usage.get((op.resource_id, cabinet), (window, 0))
        return count if last_window == window else 0

    def count(self, op: Operation, cabinet: int | None) -> None:
        window = self._window(op)
        slot = (op.resource_id, cabinet)
        with self._lock:
            last_window, count = self._usage.get(slot, (window, 0))
            self._usage[slot] = (window, count + 1 if last_window == window else 1)

    def check(self, op: Operation, cabinet: int | None) -> None:
        """420 once the window's calls exceed the operation's limit."""
        if self._used(op, cabinet, self._window(op)) > op.limit:
            raise ApiError(420, "REQUEST_LIMIT_EXCEEDED", limit_message(op))

    def headers(self, op: Operation | None, cabinet: int | None) -> dict[str, str]:
        """The X-RateLimit-Resource-* headers of an answer."""
        if op is None:
            return {
                "X-RateLimit-Resource-Limit": "1000",
                "X-RateLimit-Resource-Remaining": "1000",
                "X-RateLimit-Resource-Until": http_date(datetime.now(UTC) + timedelta(hours=1)),
            }
        window = self._window(op)
        used = self._used(op, cabinet, window)
        until = datetime.fromtimestamp((window + 1) * op.period, UTC)
        return {
            "X-RateLimit-Resource-Limit": str(op.limit),
            "X-RateLimit-Resource-Remaining": str(max(op.limit - used, 0)),
            "X-RateLimit-Resource-Until": http_date(until),
        }
