"""What tests get to see of the fake Ozon: the requests it saw and what it answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DROP", "Arrival", "Call", "FakeOzonError"]

DROP = 0
"""Status for `fail_next`/`set_outage`: close the connection without a response."""


class FakeOzonError(AssertionError):
    """The fake met a bug of its own or a path it does not serve."""


@dataclass(frozen=True)
class Arrival:
    """One request as it reached the fake, before any wait, check or fault."""

    path: str
    client_id: str | None  # the Client-Id header as sent (None: absent)
    api_key: str | None  # the Api-Key header as sent (None: absent)
    json: Any  # the body parsed as JSON, None when empty or not JSON
    arrived_at: float  # time.monotonic() at arrival, comparable across the fakes


@dataclass(frozen=True)
class Call:
    """One request the fake answered, with its status (0: dropped) and body."""

    path: str
    client_id: str | None
    api_key: str | None
    json: Any
    status: int
    answer: Any  # the JSON body sent (None when dropped)
    headers: dict[str, str]  # the headers the fake added (Retry-After, ...)
    at: float  # time.time() once answered (wall clock)
    arrived_at: float
