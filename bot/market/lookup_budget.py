"""How much of the Market notifications may spend (issue 18, "Trust").

Notifications are trusted by source address only, so neither a flood for one order nor
one spread over many orders may spend the Market's limits that polling needs: an order is
looked up at most once per poll interval (a failed look-up aside: the Market sends its
notification again), and all notifications together at most LOOKUPS_PER_HOUR times in any
hour. What is kept for that is pruned as it ages and never holds more than
LOOKUPS_PER_HOUR orders, whatever a sender does.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.domain.model import Order

# getBusinessOrders allows 10,000 calls an hour (MARKET_API.md §5.3); a look-up takes one
# or two, so notifications can never take more than an eighth of what polling shares.
LOOKUPS_PER_HOUR = 600
HOUR = timedelta(hours=1)


class Admission(Enum):
    LOOK = "look"  # ask the Market
    RECENT = "recent"  # looked up within the poll interval: answer from that look-up
    SPENT = "spent"  # the hour's look-ups are spent: left to the poll


@dataclass
class _Looked:
    at: datetime
    order: Order | None = None  # what the Market returned; None also while it is asked


class LookupBudget:
    def __init__(self, per_hour: int = LOOKUPS_PER_HOUR) -> None:
        self.per_hour = per_hour
        self._spent: deque[datetime] = deque()  # when each look-up of the last hour began
        self._orders: dict[tuple[int, int], _Looked] = {}  # oldest first

    def admit(self, key: tuple[int, int], now: datetime, period: timedelta) -> Admission:
        """Whether a notification for the order `key` may ask the Market now.

        A look-up counts from when it is admitted, so notifications arriving while it runs
        wait for none and cost nothing.
        """
        self._prune(now, period)
        if key in self._orders:
            return Admission.RECENT
        if len(self._spent) >= self.per_hour:
            return Admission.SPENT
        self._spent.append(now)
        self._orders[key] = _Looked(now)
        return Admission.LOOK

    @contextlib.contextmanager
    def looking_up(self, key: tuple[int, int]) -> Iterator[None]:
        """The admitted look-up of `key`: one that fails (or runs out of time) does not
        count for the order, since the Market sends the notification again; it still
        counts against the hour."""
        try:
            yield
        except BaseException:
            self._orders.pop(key, None)
            raise

    def found(self, key: tuple[int, int], order: Order | None) -> None:
        """What the admitted look-up of `key` returned."""
        looked = self._orders.get(key)
        if looked is not None:
            looked.order = order

    def last_found(self, key: tuple[int, int]) -> Order | None:
        """The order as the look-up within this poll interval found it (None: not found)."""
        looked = self._orders.get(key)
        return looked.order if looked is not None else None

    def _prune(self, now: datetime, period: timedelta) -> None:
        while self._spent and self._spent[0] <= now - HOUR:
            self._spent.popleft()
        while self._orders:
            key, looked = next(iter(self._orders.items()))
            if looked.at > now - period and len(self._orders) < self.per_hour:
                return
            del self._orders[key]
