"""When a cancellation request was made, and what follows from it (pure).

The Market tells the request time only in a push notification. Otherwise the desk
estimates it from what it observed, and says how it knows (`RequestTime.basis`), so a post
never claims more precision than the desk has (see PRODUCT.md, "The deadline").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.model import DECISION_WINDOW, Basis, RequestTime


def from_notification(requested_at: datetime, window: timedelta = DECISION_WINDOW) -> RequestTime:
    return RequestTime(requested_at, Basis.NOTIFICATION, window)


def estimate_request_time(
    *,
    first_seen: datetime,
    created_at: datetime | None,
    updated_at: datetime | None,
    last_miss: datetime | None,
    fresh_within: timedelta,
    window: timedelta = DECISION_WINDOW,
) -> RequestTime:
    """Estimate from polling alone.

    `last_miss` is when the last successful poll that covered this order started without
    listing it. If that poll is recent (within `fresh_within` of `first_seen`) the request
    came after it: the deadline is exact to a poll interval. Otherwise the request came
    after `max(created, first_seen - window, last_miss)` and before `first_seen`; the last
    update time, clamped into that window, is the best guess and is marked estimated.
    """
    if last_miss is not None and last_miss <= first_seen and first_seen - last_miss <= fresh_within:
        return RequestTime(last_miss, Basis.POLL, window)
    lower_bounds = [first_seen - window]
    if created_at is not None:
        lower_bounds.append(created_at)
    if last_miss is not None and last_miss <= first_seen:
        lower_bounds.append(last_miss)
    earliest = min(max(lower_bounds), first_seen)
    guess = updated_at if updated_at is not None else earliest
    return RequestTime(min(max(guess, earliest), first_seen), Basis.ESTIMATED, window)


def crossed_lead_times(
    deadline: datetime, lead_times: Iterable[timedelta], now: datetime
) -> list[timedelta]:
    """Lead times whose moment (deadline - lead) has come, largest first."""
    return sorted((lead for lead in lead_times if now >= deadline - lead), reverse=True)
