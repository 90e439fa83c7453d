"""Which creation days a listing or a lookup asks the Market about (pure).

The Market's default window ends *before* today and one call may span at most 30 days,
so the desk always sends its own: the 30 days up to today, and the 30 before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.market.records import DateWindow

LISTING_DAYS = 30  # the most one getBusinessOrders call may span (the spec's cap)


@dataclass(frozen=True)
class Windows:
    """Creation-date windows sent with every listing and lookup, today included.

    `recent` is the 30 days up to today and `old` the 30 before them, so DBS orders up
    to 60 days old are covered with no day left out.
    """

    recent: DateWindow
    old: DateWindow

    @classmethod
    def for_day(cls, today: date) -> Windows:
        end = today + timedelta(days=1)
        split = end - timedelta(days=LISTING_DAYS)
        return cls(
            recent=DateWindow(split, end),
            old=DateWindow(split - timedelta(days=LISTING_DAYS), split),
        )

    def covered(self, sweep_old: bool) -> DateWindow:
        """The creation days a cycle listed: the recent window, and the old one if swept."""
        return DateWindow(self.old.start if sweep_old else self.recent.start, self.recent.end)

    def lookup_window(self, created_on: date | None) -> DateWindow:
        """Where to look an order up by id: the window holding its creation day."""
        if created_on is None or created_on in self.recent:
            return self.recent
        if created_on in self.old:
            return self.old
        return DateWindow(created_on, created_on + timedelta(days=1))
