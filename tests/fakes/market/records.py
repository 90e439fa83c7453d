"""What tests get to see of the fake Market: the requests it saw and what it answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DROP", "Arrival", "Call", "FakeMarketError"]

DROP = 0
"""Status for `fail_next`/`set_outage`: close the connection without a response."""


class FakeMarketError(AssertionError):
    """The fake met a bug of its own or a call it does not implement."""


@dataclass(frozen=True)
class Arrival:
    """One request as it reached the fake, before any hold, check or fault."""

    operation_id: str | None  # None: no operation of the spec has this path and method
    method: str
    path: str
    query: dict[str, Any]  # a parameter given twice or more maps to the list of values
    json: Any  # the body parsed as JSON, None when empty or not JSON
    arrived_at: float  # time.monotonic() at arrival
    business_id: int | None = None  # the business it addressed (see `Call.business_id`)


@dataclass(frozen=True)
class Call:
    """One request the fake received, with the status it answered (0 = dropped)."""

    operation_id: str | None
    method: str
    path: str
    query: dict[str, Any]
    json: Any
    api_key: str | None
    status: int
    at: float  # time.time() once answered (wall clock)
    arrived_at: float  # time.monotonic() at arrival, comparable across both fakes
    business_id: int | None = None
    """The business the call addressed: the path's businessId or its campaign's business,
    else the caller key's business (`GET v2/campaigns`); None when none of them is known."""
