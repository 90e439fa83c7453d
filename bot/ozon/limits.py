"""Ozon counts calls per Client-Id, whoever makes them: at most 50 a second across all
methods, and after a 429 nothing until its Retry-After has passed (OZON_API.md §3).

So the limits live here, one `Gate` per Client-Id in a registry every `OzonClient` of that
Client-Id shares, not in the client objects. A gate holds plain monotonic times and no
asyncio objects, so it serves any event loop; asyncio runs one task at a time, so reading
and reserving a slot without an `await` in between is atomic.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

PER_SECOND = 50  # Ozon's limit for one Client-Id across all methods
#: Slots are kept this much further apart than a second, so that jitter on the way cannot
#: bring 51 calls into one of Ozon's seconds.
MARGIN = 0.05


class Gate:
    """The sliding window and the hold of one Client-Id."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sent: deque[float] = deque()  # reserved send times, ascending
        self.held_until = 0.0

    def _reserve(self) -> float:
        """The earliest time a call may go out, taken for it."""
        now = self._clock()
        while self._sent and self._sent[0] <= now - 1.0 - MARGIN:
            self._sent.popleft()
        slot = max(now, self.held_until, self._sent[-1] if self._sent else now)
        if len(self._sent) >= PER_SECOND:
            slot = max(slot, self._sent[-PER_SECOND] + 1.0 + MARGIN)
        self._sent.append(slot)
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
