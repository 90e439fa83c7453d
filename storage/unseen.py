"""Requests that closed before they were ever posted (a long Telegram outage): listed once."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Request
from storage.database import Database
from storage.records import REQUEST_SELECT, requests_from
from storage.scope import EVERYTHING, Scope
from storage.times import iso


class Unseen:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def unlisted(self, limit: int) -> list[Request]:
        """Closed requests staff never saw and were not told of, oldest deadline first."""
        rows = self.db.rows(
            f"{REQUEST_SELECT} WHERE {self.scope.requests()} AND r.state = 'closed'"
            " AND p.request_id IS NULL"
            " AND r.unseen_listed_at IS NULL ORDER BY r.deadline, r.id LIMIT ?",
            [limit],
        )
        return requests_from(rows)

    def listed(self, request_ids: list[int], now: datetime) -> None:
        for request_id in request_ids:
            self.db.execute(
                "UPDATE requests SET unseen_listed_at = ? WHERE id = ?", [iso(now), request_id]
            )
