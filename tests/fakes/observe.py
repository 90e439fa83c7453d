"""What a fake saw, and waiting for it: the observation machinery both fakes share.

Each fake keeps a `CallLog` of *arrivals* (requests as they reach it, before any processing
or waiting) and *calls* (requests answered, in the order they were answered). Both carry
``arrived_at = time.monotonic()`` at arrival, so times from the two fakes, from a test and
from a child process's spawn compare directly. Every record notifies a condition variable:
`wait_until` wakes on the next arrival or answer instead of polling, and re-checks its
predicate at least every `interval` seconds for conditions no request changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["CallLog", "Observed", "WaitTimeout"]

T = TypeVar("T")
A = TypeVar("A")
C = TypeVar("C")


class WaitTimeout(AssertionError, TimeoutError):
    """A wait ran out of time: an AssertionError, so pytest reports a failed expectation,
    and a TimeoutError for code that waits outside tests (the benchmark)."""


class CallLog(Generic[A, C]):
    """Arrivals and answered calls of one fake, in order, and a condition to wait on.

    Thread-safe. Records are stored as given; the fakes decide what to copy on the way out.
    The predicate of `wait_until` runs without any lock held, so it may call the fake.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._arrivals: list[A] = []
        self._calls: list[C] = []
        self._events = 0

    def arrived(self, arrival: A) -> None:
        with self._cond:
            self._arrivals.append(arrival)
            self._events += 1
            self._cond.notify_all()

    def answered(self, call: C) -> None:
        with self._cond:
            self._calls.append(call)
            self._events += 1
            self._cond.notify_all()

    def arrivals(self) -> list[A]:
        with self._cond:
            return list(self._arrivals)

    def calls(self, start: int = 0) -> list[C]:
        """Answered calls from position `start` of the log on (all by default)."""
        with self._cond:
            return self._calls[start:]

    def clear(self) -> None:
        """Forget arrivals and calls."""
        with self._cond:
            self._arrivals.clear()
            self._calls.clear()

    def wait_until(
        self,
        predicate: Callable[[], T],
        timeout: float = 10.0,
        what: str | None = None,
        *,
        interval: float = 0.1,
        describe: Callable[[], str] | None = None,
    ) -> T:
        """Return the first truthy value of `predicate`, checked now, after every arrival or
        answer, and at least every `interval` s; WaitTimeout after `timeout` seconds.

        AssertionError and LookupError raised by the predicate count as "not yet".
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                seen = self._events
            value, problem = _attempt(predicate)
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(
                    _timeout_message(predicate, timeout, what, value, problem, describe)
                )
            with self._cond:
                if self._events == seen:
                    self._cond.wait(min(remaining, interval))


def _attempt(predicate: Callable[[], T]) -> tuple[T | None, str]:
    try:
        return predicate(), ""
    except (AssertionError, LookupError) as exc:
        return None, f" (last raised {exc!r})"


def _timeout_message(
    predicate: Callable[[], object],
    timeout: float,
    what: str | None,
    value: object,
    problem: str,
    describe: Callable[[], str] | None,
) -> str:
    what = what or getattr(predicate, "__name__", repr(predicate))
    message = f"timed out after {timeout:g}s waiting for {what}: last value {value!r}{problem}"
    if describe is not None:
        message += "\n" + describe()
    return message


class Observed:
    """What both fakes offer to wait on their call log; each says how to describe itself."""

    _log: CallLog
    _timeout_context: Callable[[], str]  # recent calls, for a timeout's message

    def wait_until(
        self,
        predicate: Callable[[], T],
        timeout: float = 10.0,
        what: str | None = None,
        *,
        interval: float = 0.1,
    ) -> T:
        """Return the first truthy value of ``predicate``, re-checked on every arrival and
        answer and at least every ``interval`` s. On timeout raise `WaitTimeout` (both an
        AssertionError and a TimeoutError) naming ``what``, with the recent calls."""
        return self._log.wait_until(
            predicate, timeout, what, interval=interval, describe=self._timeout_context
        )
