"""The period of /stats and /export: the last N days, or a calendar month in TIMEZONE.

Nothing else is accepted, so the owner never gets numbers for a period he did not mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 7
MAX_DAYS = 3660


class PeriodError(ValueError):
    """The argument is not a period; the reply says what is accepted."""


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive
    label: str  # as the owner wrote it: 7d, 2026-11


def parse_period(text: str, now: datetime, zone: ZoneInfo) -> Period:
    """`` (7 days), `30d`, or `2026-11`; days end now, a month is whole in `zone`."""
    text = text.strip().lower()
    if not text:
        return Period(now - timedelta(days=DEFAULT_DAYS), now, f"{DEFAULT_DAYS}d")
    if match := re.fullmatch(r"([0-9]{1,4})d", text):
        days = int(match.group(1))
        if not 1 <= days <= MAX_DAYS:
            raise PeriodError(text)
        return Period(now - timedelta(days=days), now, f"{days}d")
    if match := re.fullmatch(r"([0-9]{4})-([0-9]{2})", text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or year < 2000:
            raise PeriodError(text)
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return Period(_midnight(first, zone), _midnight(following, zone), text)
    raise PeriodError(text)


def day_period(day: date, zone: ZoneInfo) -> Period:
    """One calendar day in `zone`, as the digest counts it."""
    return Period(_midnight(day, zone), _midnight(day + timedelta(days=1), zone), day.isoformat())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
