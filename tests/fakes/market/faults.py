"""Injected faults and the hourly resource limits of the fake Market.

`Faults` holds what a test asked for (`fail_next`, `hold_next`, `set_outage`,
`set_rate_limited`) and turns it into answers; `Usage` counts calls per resource in fixed
UTC windows as the spec's ``x-resource-limit-config`` (tier ``none``) describes them.
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


@dataclass
class _Fault:
    operation_id: str | None
    status: int
    times: int
    after: int
    code: str | None
    message: str | None
    until: datetime | None


class Faults:
    """Faults waiting to hit valid calls, and holds waiting to delay calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._holds: list[tuple[str, float]] = []
        self._outage: int | None = None
        self._rate_limited_until: datetime | None = None

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
    ) -> None:
        check_status(status)
        if times < 1 or after < 0:
            raise ValueError("times must be >= 1 and after >= 0")
        until = aware(rate_limit_until, "rate_limit_until")
        with self._lock:
            self._faults.append(_Fault(operation_id, status, times, after, code, message, until))

    def hold_next(self, operation_id: str, seconds: float) -> None:
        with self._lock:
            self._holds.append((operation_id, seconds))

    def take_hold(self, operation_id: str) -> float:
        """Seconds the call about to be processed must wait (0: none)."""
        with self._lock:
            for index, (held, seconds) in enumerate(self._holds):
                if held == operation_id:
                    del self._holds[index]
                    return seconds
        return 0.0

    def set_outage(self, status: int | None) -> None:
        if status is not None:
            check_status(status)
        with self._lock:
            self._outage = status

    def set_rate_limited(self, until: datetime | None) -> None:
        until = aware(until, "until")
        with self._lock:
            self._rate_limited_until = until

    def injected(self, op: Operation) -> Outcome | None:
        """The fault answering this valid call of `op`, if any (consumed)."""
        now = datetime.now(UTC)
        with self._lock:
            if self._outage is not None:
                return _fault_outcome(op, self._outage, None, None, None)
            if self._rate_limited_until is not None:
                if now < self._rate_limited_until:
                    return _fault_outcome(op, 420, None, None, self._rate_limited_until)
                self._rate_limited_until = None
            for fault in self._faults:
                if fault.operation_id not in (None, op.operation_id):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return _fault_outcome(op, fault.status, fault.code, fault.message, fault.until)
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
    """Calls per resource in the current fixed window (an hour for every operation used)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._usage: dict[int, tuple[int, int]] = {}  # resource id -> (window, count)

    @staticmethod
    def _window(op: Operation) -> int:
        return int(time.time() // op.period)

    def _used(self, op: Operation, window: int) -> int:
        with self._lock:
            last_window, count = self._usage.get(op.resource_id, (window, 0))
        return count if last_window == window else 0

    def count(self, op: Operation) -> None:
        window = self._window(op)
        with self._lock:
            last_window, count = self._usage.get(op.resource_id, (window, 0))
            self._usage[op.resource_id] = (window, count + 1 if last_window == window else 1)

    def check(self, op: Operation) -> None:
        """420 once the window's calls exceed the operation's limit."""
        if self._used(op, self._window(op)) > op.limit:
            raise ApiError(420, "REQUEST_LIMIT_EXCEEDED", limit_message(op))

    def headers(self, op: Operation | None) -> dict[str, str]:
        """The X-RateLimit-Resource-* headers of an answer."""
        if op is None:
            return {
                "X-RateLimit-Resource-Limit": "1000",
                "X-RateLimit-Resource-Remaining": "1000",
                "X-RateLimit-Resource-Until": http_date(datetime.now(UTC) + timedelta(hours=1)),
            }
        window = self._window(op)
        used = self._used(op, window)
        until = datetime.fromtimestamp((window + 1) * op.period, UTC)
        return {
            "X-RateLimit-Resource-Limit": str(op.limit),
            "X-RateLimit-Resource-Remaining": str(max(op.limit - used, 0)),
            "X-RateLimit-Resource-Until": http_date(until),
        }
