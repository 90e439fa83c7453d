"""The refused_topics table: forum topics the desk cannot post to, until one works again.

Kept in the database so a restart neither forgets the fallback nor tells staff twice. A
topic is its chat's: topic ids are small numbers every forum reuses, so a topic closed in
one cabinet's chat must not send another chat's posts to its general topic.
"""

from __future__ import annotations

from datetime import datetime

from storage.database import Database
from storage.scope import EVERYTHING, Scope
from storage.times import iso

ONE_CHAT = 0  # the chat of a reader not scoped to one: a desk with one chat


class RefusedTopics:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    @property
    def _chat(self) -> int:
        return ONE_CHAT if self.scope.chat is None else self.scope.chat()

    def refused(self, topic_id: int, detail: str, now: datetime) -> bool:
        """Note a refusal; True the first time (until the topic works again)."""
        cursor = self.db.execute(
            "INSERT INTO refused_topics (chat_id, topic_id, detail, noted_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, topic_id) DO NOTHING",
            [self._chat, topic_id, detail, iso(now)],
        )
        return cursor.rowcount == 1

    def works(self, topic_id: int) -> bool:
        """The topic took a message; True if it had been refused."""
        cursor = self.db.execute(
            "DELETE FROM refused_topics WHERE chat_id = ? AND topic_id = ?",
            [self._chat, topic_id],
        )
        return cursor.rowcount == 1

    def unreported(self) -> list[tuple[int, str]]:
        """(topic id, what Telegram said) of refusals staff have not been told about."""
        rows = self.db.execute(
            "SELECT topic_id, detail FROM refused_topics WHERE chat_id = ?"
            " AND reported_at IS NULL ORDER BY noted_at, topic_id",
            [self._chat],
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def reported(self, topic_id: int, now: datetime) -> None:
        self.db.execute(
            "UPDATE refused_topics SET reported_at = ? WHERE chat_id = ? AND topic_id = ?",
            [iso(now), self._chat, topic_id],
        )
