"""The summaries table: the pinned summary's message, and what it last showed and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.times import iso


@dataclass(frozen=True)
class Shown:
    message_id: int
    text: str
    shown_at: datetime


class Summaries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, chat_id: int) -> Shown | None:
        row = self.db.execute(
            "SELECT message_id, text, shown_at FROM summaries WHERE chat_id = ?", [chat_id]
        ).fetchone()
        return Shown(row[0], row[1], datetime.fromisoformat(row[2])) if row else None

    def save(self, chat_id: int, message_id: int, text: str, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO summaries (chat_id, message_id, text, shown_at)"
            " VALUES (?, ?, ?, ?)",
            [chat_id, message_id, text, iso(now)],
        )

    def forget(self, chat_id: int) -> None:
        """The message is gone: the next change makes a new one."""
        self.db.execute("DELETE FROM summaries WHERE chat_id = ?", [chat_id])
