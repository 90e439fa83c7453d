"""Exact request times from notifications that came before the Market listed the request.

Of several notified times for one order the earliest is kept: a notification may only
bring a deadline closer, whoever sent it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.model import DECISION_WINDOW, Basis, RequestTime
from storage.database import Database
from storage.times import iso


class NotifiedTimes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def remember(self, campaign_id: int, order_id: int, requested_at: datetime) -> None:
        self.db.execute(
            "INSERT INTO notified_requests (campaign_id, order_id, requested_at)"
            " VALUES (?, ?, ?) ON CONFLICT (campaign_id, order_id)"
            " DO UPDATE SET requested_at = min(requested_at, excluded.requested_at)",
            [campaign_id, order_id, iso(requested_at)],
        )

    def time_for(
        self, campaign_id: int, order_id: int, window: timedelta = DECISION_WINDOW
    ) -> RequestTime | None:
        value = self.db.value(
            "SELECT requested_at FROM notified_requests WHERE campaign_id = ? AND order_id = ?",
            [campaign_id, order_id],
        )
        if not value:
            return None
        return RequestTime(datetime.fromisoformat(value), Basis.NOTIFICATION, window)

    def forget(self, campaign_id: int, order_id: int) -> None:
        """A remembered time is used once: by the request it dated."""
        self.db.execute(
            "DELETE FROM notified_requests WHERE campaign_id = ? AND order_id = ?",
            [campaign_id, order_id],
        )
