"""Ozon counts calls per Client-Id, whoever makes them: at most 50 a second across all
methods, and after a 429 nothing until its Retry-After has passed (OZON_API.md §3).

So the limits live here, one `Gate` per Client-Id in a registry every `OzonClient` of that
Client-Id shares, not in the client objects. Calls are spaced evenly rather than let out
in bursts of 50: Ozon counts them as they arrive, and a burst spreads on the way, so the
next second's first calls could land in the same second as its tail. Spaced at least
`INTERVAL` apart, any 51 consecutive calls span more than a second, which is the sliding
window's bound with room for jitter.

A gate holds plain monotonic times and no asyncio objects, so it serves any event loop;
asyncio runs one task at a time, so taking a slot (no `await` inside) is atomic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

PER_SECOND = 50  # Ozon's limit for one Client-Id across all methods
MARGIN = 0.1  # a tenth more than a second for every 50 calls: jitter on the way
INTERVAL = (1.0 + MARGIN) / PER_SECOND


class Gate:
    """The pace and the hold of one Client-Id."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next = 0.0  # the earliest time the next call may go out
        self.held_until = 0.0

    def _reserve(self) -> float:
        """The earliest time a call may go out, taken for it."""
        slot = max(self._clock(), self.held_until, self._next)
        self._next = slot + INTERVAL
        return slot

    async def turn(self) -> None:
        """Wait for a slot; a 429 that came meanwhile moves the call past its hold."""
        while True:
            slot = self._reserve()
            delay = slot - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._clock() >= self.held_until:
                return

    def hold(self, seconds: float) -> None:
        """Nothing goes out for `seconds` (a 429's Retry-After); a longer hold is kept."""
        self.held_until = max(self.held_until, self._clock() + seconds)


class Gates:
    """One gate per Client-Id; `GATES` is the one the desk's clients share."""

    def __init__(self) -> None:
        self._gates: dict[int, Gate] = {}

    def __getitem__(self, client_id: int) -> Gate:
        return self._gates.setdefault(client_id, Gate())


GATES = Gates()
