"""The refused_topics table: forum topics the desk cannot post to, until one works again.

Kept in the database so a restart neither forgets the fallback nor tells staff twice.
"""

from __future__ import annotations

from datetime import datetime

from storage.database import Database
from storage.times import iso


class RefusedTopics:
    def __init__(self, db: Database) -> None:
        self.db = db

    def refused(self, topic_id: int, detail: str, now: datetime) -> bool:
        """Note a refusal; True the first time (until the topic works again)."""
        cursor = self.db.execute(
            "INSERT INTO refused_topics (topic_id, detail, noted_at) VALUES (?, ?, ?)"
            " ON CONFLICT (topic_id) DO NOTHING",
            [topic_id, detail, iso(now)],
        )
        return cursor.rowcount == 1

    def works(self, topic_id: int) -> bool:
        """The topic took a message; True if it had been refused."""
        cursor = self.db.execute("DELETE FROM refused_topics WHERE topic_id = ?", [topic_id])
        return cursor.rowcount == 1

    def unreported(self) -> list[tuple[int, str]]:
        """(topic id, what Telegram said) of refusals staff have not been told about."""
        rows = self.db.execute(
            "SELECT topic_id, detail FROM refused_topics WHERE reported_at IS NULL"
            " ORDER BY noted_at, topic_id"
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def reported(self, topic_id: int, now: datetime) -> None:
        self.db.execute(
            "UPDATE refused_topics SET reported_at = ? WHERE topic_id = ?", [iso(now), topic_id]
        )
