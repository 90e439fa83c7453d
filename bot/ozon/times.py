"""Ozon's times: RFC 3339 (gRPC-gateway JSON), UTC by Ozon's word, `null` when unset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# Seconds may carry up to nine fractional digits (protobuf Timestamps are in nanoseconds:
# the spec's own examples have ".999999900Z"); datetime keeps six.
_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?P<time>[0-9]{2}:[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
# Far enough from datetime's own limits that deadline arithmetic cannot overflow.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_ozon_time(text: str) -> datetime:
    """An aware datetime in UTC; ValueError for anything but RFC 3339 with a zone, and for
    moments so far away (Ozon's "9999-12-31" for "never") that arithmetic could overflow."""
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an RFC 3339 time: {text[:80]!r}")
    zone = "+00:00" if match["zone"] in "Zz" else match["zone"]
    second = match["second"]
    leap = second == "60"
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    moment = datetime.fromisoformat(
        f"{match['date']}T{match['time']}:{'59' if leap else second}.{fraction}{zone}"
    )
    if leap:
        moment += timedelta(seconds=1)
    try:
        in_range = _EARLIEST <= moment < _LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(f"time out of range: {text[:80]!r}")
    return moment.astimezone(UTC)
