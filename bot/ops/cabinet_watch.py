"""One cabinet as `/healthz` and `/metrics` show it: how its polling stands and its requests.

The poll standing is what the cabinet's poller keeps in memory (bot/intake/poll_state.py,
read here through its shape, as ops does not import the intake); the requests come from
the cabinet's own storage view, so a count never includes another cabinet's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.model import RequestState
from storage.store import Store


class PollStanding(Protocol):
    @property
    def attempted_at(self) -> datetime | None: ...

    @property
    def succeeded_at(self) -> datetime | None: ...

    @property
    def failures(self) -> int: ...

    @property
    def trouble_since(self) -> datetime | None: ...

    @property
    def trouble(self) -> str | None: ...


@dataclass(frozen=True)
class Watched:
    """`name` is the cabinets file's own: the only label value `/metrics` gives a cabinet."""

    name: str
    polls: PollStanding
    store: Store  # scoped to the cabinet's campaigns and poll records

    def last_good_poll(self) -> datetime | None:
        """This run's, else the last one recorded (a cabinet refused since before a restart)."""
        return self.polls.succeeded_at or self.store.polls.last_successful()

    def requests(self) -> tuple[int, int]:
        """Open (pending or decided: the Market may still list them) and pending requests."""
        pending = self.store.requests.count(RequestState.PENDING)
        return pending + self.store.requests.count(RequestState.DECIDED), pending

    def describe(self, now: datetime) -> dict[str, object]:
        """Its entry in `/healthz`' body for the callers allowed to see cabinets."""
        polls, (open_requests, pending) = self.polls, self.requests()
        return {
            "name": self.name,
            "last_attempt_age_seconds": age(now, polls.attempted_at),
            "last_good_poll_age_seconds": age(now, self.last_good_poll()),
            "failed_polls": polls.failures,
            "in_trouble": polls.trouble_since is not None,
            "trouble": polls.trouble,
            "trouble_age_seconds": age(now, polls.trouble_since),
            "open_requests": open_requests,
            "pending_requests": pending,
        }


Cabinets = Callable[[], Sequence[Watched]]  # read at each request: the set a reload leaves


def age(now: datetime, then: datetime | None) -> float | None:
    return round((now - then).total_seconds(), 1) if then is not None else None
