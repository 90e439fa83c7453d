"""The claims table: who said "I'm on it" for a request; a second tap by them releases it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Person
from storage.database import Database
from storage.times import iso


class Claims:
    def __init__(self, db: Database) -> None:
        self.db = db

    def take(self, request_id: int, person: Person, now: datetime) -> bool:
        """Claim an unclaimed request; False if someone holds it already."""
        cursor = self.db.execute(
            "INSERT INTO claims (request_id, user_id, user_name, username, claimed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING",
            [request_id, person.user_id, person.name, person.username, iso(now)],
        )
        return cursor.rowcount == 1

    def release(self, request_id: int, user_id: int) -> bool:
        """Only the person who claimed it releases it."""
        cursor = self.db.execute(
            "DELETE FROM claims WHERE request_id = ? AND user_id = ?", [request_id, user_id]
        )
        return cursor.rowcount == 1
