"""Ozon's per-second limit and the faults a test injects, each kept per Client-Id.

The limit: "не больше 50 запросов в секунду на все методы с одного Client ID" (tag:Process);
going over it is `429 Too Many Requests` with `Retry-After` in seconds ([V] tag:Limits) and
the message "You have reached request rate limit per second" (tag:Errors).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from tests.fakes.ozon.records import DROP
from tests.fakes.ozon.wire import Grpc, Outcome, OzonError, error_body

__all__ = ["RATE_LIMIT", "RATE_MESSAGE", "Fault", "Faults", "RateLimiter", "too_many"]

RATE_LIMIT = 50
RATE_MESSAGE = "You have reached request rate limit per second"
_ERRORS = {  # the fake's choice of rpcStatus for an injected status
    400: (Grpc.INVALID_ARGUMENT, "invalid argument"),
    403: (Grpc.PERMISSION_DENIED, "Доступ запрещён"),
    404: (Grpc.NOT_FOUND, "not found"),
    409: (Grpc.FAILED_PRECONDITION, "conflict"),
    429: (Grpc.RESOURCE_EXHAUSTED, RATE_MESSAGE),
    500: (Grpc.INTERNAL, "Internal error"),  # tag:Errors "Internal error"
    503: (Grpc.UNAVAILABLE, "Circle is open"),  # tag:Errors "Circle is open"
}


def too_many(retry_after: float) -> OzonError:
    """The 429 answer; `Retry-After` is whole seconds, at least 1."""
    seconds = max(1, math.ceil(retry_after))
    return OzonError(429, Grpc.RESOURCE_EXHAUSTED, RATE_MESSAGE, {"Retry-After": str(seconds)})


class RateLimiter:
    """At most `limit` admitted calls per Client-Id in any sliding second.

    A refused call is not admitted, so it does not count: a client that waits out
    `Retry-After` is served again.
    """

    def __init__(self, limit: int = RATE_LIMIT, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._admitted: dict[int, deque[float]] = {}

    def admit(self, client_id: int) -> None:
        """Count the call, or raise the 429 (Retry-After: until the oldest call leaves)."""
        now = time.monotonic()
        with self._lock:
            times = self._admitted.setdefault(client_id, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                raise too_many(times[0] + self.window - now)
            times.append(now)


@dataclass
class Fault:
    path: str | None
    status: int
    times: int
    message: str | None
    client_id: int | None
    retry_after: int = 1  # the Retry-After of an injected 429


def _hits(scope: int | None, client_id: int | None) -> bool:
    return scope is None or scope == client_id


class Faults:
    """Injected answers (`fail_next`, `set_outage`, `set_rate_limited`) and waits
    (`set_delay`), each for one Client-Id or (None) for every call; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: list[Fault] = []
        self._outages: dict[int | None, int] = {}
        self._limited_until: dict[int | None, float] = {}
        self._delays: dict[int | None, float] = {}

    def fail_next(self, fault: Fault) -> None:
        _check_status(fault.status)
        with self._lock:
            self._next.append(fault)

    def set_outage(self, status: int | None, client_id: int | None) -> None:
        with self._lock:
            if status is None:
                self._outages.pop(client_id, None)
            else:
                _check_status(status)
                self._outages[client_id] = status

    def set_rate_limited(self, seconds: float | None, client_id: int | None) -> None:
        with self._lock:
            if seconds is None:
                self._limited_until.pop(client_id, None)
            else:
                self._limited_until[client_id] = time.monotonic() + seconds

    def set_delay(self, seconds: float | None, client_id: int | None) -> None:
        with self._lock:
            if seconds is None:
                self._delays.pop(client_id, None)
            else:
                self._delays[client_id] = seconds

    def delay(self, client_id: int | None) -> float:
        """Seconds a call of `client_id` waits before it is processed (0: none)."""
        with self._lock:
            waits = [s for scope, s in self._delays.items() if _hits(scope, client_id)]
        return max(waits, default=0.0)

    def injected(self, path: str, client_id: int) -> Outcome | None:
        """The injected answer to this valid call, if any (a `fail_next` is consumed)."""
        with self._lock:
            for scope, status in self._outages.items():
                if _hits(scope, client_id):
                    return _outcome(status, None)
            now = time.monotonic()
            for scope, until in list(self._limited_until.items()):
                if now >= until:
                    del self._limited_until[scope]
                elif _hits(scope, client_id):
                    return Outcome.of(too_many(until - now))
            for fault in self._next:
                if fault.path in (None, path) and _hits(fault.client_id, client_id):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._next.remove(fault)
                    return _outcome(fault.status, fault.message, fault.retry_after)
        return None


def _check_status(status: int) -> None:
    if status != DROP and not 400 <= status <= 599:
        raise ValueError(f"not an error status: {status}")


def _outcome(status: int, message: str | None, retry_after: int = 1) -> Outcome:
    if status == DROP:
        return Outcome(0, drop=True)
    if status == 429:
        return Outcome.of(too_many(retry_after))
    code, default = _ERRORS.get(status, (Grpc.INTERNAL, f"Injected HTTP {status}"))
    return Outcome(status, error_body(code, message or default))
