"""The reminders table: each lead time of each request, handled once across restarts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from storage.database import Database
from storage.scope import EVERYTHING, Scope
from storage.times import iso

_UNHANDLED = (
    "FROM requests r JOIN posts p ON p.request_id = r.id WHERE r.state = 'pending'"
    " AND NOT EXISTS (SELECT 1 FROM reminders m WHERE m.request_id = r.id"
    " AND m.lead_seconds = ?)"
)


class Reminders:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def due(self, lead_seconds: Iterable[int], now: datetime) -> dict[int, list[int]]:
        """Posted pending requests with lead times crossed and not yet handled."""
        due: dict[int, list[int]] = {}
        for lead in lead_seconds:
            rows = self.db.execute(
                f"SELECT r.id {_UNHANDLED} AND {self.scope.requests()} AND r.deadline <= ?",
                [lead, iso(now + timedelta(seconds=lead))],
            ).fetchall()
            for (request_id,) in rows:
                due.setdefault(request_id, []).append(lead)
        return due

    def next_due(self, lead_seconds: Iterable[int]) -> datetime | None:
        """The earliest moment an unhandled lead time of a posted request is crossed."""
        moments = []
        for lead in lead_seconds:
            deadline = self.db.value(
                f"SELECT min(r.deadline) {_UNHANDLED} AND {self.scope.requests()}", [lead]
            )
            if deadline:
                moments.append(datetime.fromisoformat(deadline) - timedelta(seconds=lead))
        return min(moments) if moments else None

    def shown_in_post(self, request_id: int, leads: Iterable[timedelta], at: datetime) -> None:
        """Lead times a new post's text already covers: no separate reminder for them."""
        for lead in leads:
            self.db.execute(
                "INSERT OR IGNORE INTO reminders (request_id, lead_seconds, kind, created_at,"
                " sent_at) VALUES (?, ?, 'shown_in_post', ?, ?)",
                [request_id, int(lead.total_seconds()), iso(at), iso(at)],
            )

    def claim(
        self, request_id: int, lead_seconds: int, merged: Iterable[int], now: datetime
    ) -> bool:
        """Reserve one reminder (and the lead times it stands for) before sending it."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO reminders (request_id, lead_seconds, kind, created_at)"
            " VALUES (?, ?, 'sent', ?)",
            [request_id, lead_seconds, iso(now)],
        )
        claimed = cursor.rowcount == 1
        for other in merged:
            self.db.execute(
                "INSERT OR IGNORE INTO reminders (request_id, lead_seconds, kind, created_at,"
                " sent_at) VALUES (?, ?, 'merged', ?, ?)",
                [request_id, other, iso(now), iso(now)],
            )
        return claimed

    def sent(self, request_id: int, lead_seconds: int, message_id: int, now: datetime) -> None:
        self.db.execute(
            "UPDATE reminders SET sent_at = ?, message_id = ? WHERE request_id = ?"
            " AND lead_seconds = ?",
            [iso(now), message_id, request_id, lead_seconds],
        )

    def release(self, request_id: int, lead_seconds: int) -> None:
        """Sending failed: let the reminder loop try again."""
        self.db.execute(
            "DELETE FROM reminders WHERE request_id = ? AND lead_seconds = ? AND sent_at IS NULL",
            [request_id, lead_seconds],
        )

    def unconfirmed(self) -> list[tuple[int, int]]:
        """Claimed before a crash and never confirmed: they may not have reached staff."""
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT request_id, lead_seconds FROM reminders WHERE kind = 'sent'"
                " AND sent_at IS NULL"
            ).fetchall()
        ]
