"""Many UTC moments as local `YYYY-MM-DD HH:MM:SS` texts, for /export's half a million.

`astimezone` and `isoformat` per moment were most of an export's time. The stored times
are UTC, and a zone's offset rarely changes within an hour, so the local `YYYY-MM-DD HH:`
of each UTC hour is worked out once and the minutes and seconds are appended. A moment
that is not in UTC, or an hour whose offset is not whole hours (India's +05:30) or that
changes within the hour, is converted the slow way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

# An export reads in time order, so the hours in use are a few at a time. Kept longer,
# the prefixes stay scattered among freed rows and /export's peak memory grows by MBs.
HOURS_KEPT = 256
LAST_INSTANT = timedelta(hours=1, microseconds=-1)
TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))  # a table: `:02d` per moment is slower


def exact(moment: datetime, zone: tzinfo) -> str:
    """The slow way, and the definition: `isoformat` is faster than `strftime`."""
    return moment.astimezone(zone).isoformat(" ", "seconds")[:19]


class LocalTimes:
    """One zone's texts for one run over many moments (not shared between threads)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._hours: dict[int, str | None] = {}

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        if moment.tzinfo is not UTC:
            return exact(moment, self.zone)
        hour = moment.toordinal() * 24 + moment.hour
        try:
            prefix = self._hours[hour]
        except KeyError:
            prefix = self._learn(hour, moment)
        if prefix is None:
            return exact(moment, self.zone)
        return f"{prefix}{TWO_DIGITS[moment.minute]}:{TWO_DIGITS[moment.second]}"

    def _learn(self, hour: int, moment: datetime) -> str | None:
        """The hour's local prefix, or None if its minutes and seconds are not UTC's."""
        if len(self._hours) >= HOURS_KEPT:
            self._hours.clear()
        start = moment.replace(minute=0, second=0, microsecond=0)
        first, last = start.astimezone(self.zone), (start + LAST_INSTANT).astimezone(self.zone)
        whole = (first.minute, first.second, first.microsecond) == (0, 0, 0)
        same = whole and first.utcoffset() == last.utcoffset()
        prefix = self._hours[hour] = first.isoformat(" ", "seconds")[:14] if same else None
        return prefix
