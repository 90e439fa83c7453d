"""QUIET_HOURS: what the desk sends at night does not ring, unless the deadline is near."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

URGENT_WITHOUT_REMINDERS = timedelta(hours=1)


def in_span(moment: datetime, span: tuple[time, time], zone: ZoneInfo) -> bool:
    """Whether the local time falls in [start, end); a span may wrap past midnight."""
    local, (start, end) = moment.astimezone(zone).time(), span
    return start <= local < end if start < end else local >= start or local < end


def silent(
    now: datetime,
    deadline: datetime,
    span: tuple[time, time] | None,
    zone: ZoneInfo,
    leads: tuple[timedelta, ...],
) -> bool:
    """Send without a sound: in quiet hours, unless within the smallest lead time (1 hour
    when reminders are off) of the deadline."""
    if span is None or not in_span(now, span, zone):
        return False
    return deadline - now > min(leads, default=URGENT_WITHOUT_REMINDERS)
