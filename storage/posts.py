"""The posts table: which message shows each request, and whether staff see it up to date."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.model import Decision, Post, Request
from storage.database import Database
from storage.records import LETTERS, REQUEST_SELECT, requests_from
from storage.scope import EVERYTHING, Scope
from storage.times import from_iso, iso


class Posts:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def _select(self, where: str, params: list) -> list[Request]:
        return requests_from(self.db.rows(f"{REQUEST_SELECT} {where}", params))

    def unposted(self, now: datetime, limit: int = 1) -> list[Request]:
        """Pending requests not yet in the chat, nearest deadline first.

        One that Telegram refused waits for its retry time, so it never holds up the rest.
        """
        return self._select(
            f"WHERE {self.scope.requests()} AND r.state = 'pending' AND p.request_id IS NULL"
            " AND (r.post_retry_at IS NULL OR r.post_retry_at <= ?)"
            " ORDER BY r.deadline, r.id LIMIT ?",
            [iso(now), limit],
        )

    def next_retry(self) -> datetime | None:
        """When the earliest refused post may be tried again."""
        return from_iso(
            self.db.value(
                "SELECT min(r.post_retry_at) FROM requests r"
                " LEFT JOIN posts p ON p.request_id = r.id"
                f" WHERE {self.scope.requests()} AND r.state = 'pending' AND p.request_id IS NULL"
            )
        )

    def refused(self, request_id: int, now: datetime, first: timedelta, cap: timedelta) -> None:
        """Back off this request's post: `first`, doubling up to `cap`."""
        attempts = self.db.value(
            "UPDATE requests SET post_attempts = post_attempts + 1 WHERE id = ?"
            " RETURNING post_attempts",
            [request_id],
        )
        delay = min(first * 2 ** (attempts - 1), cap)
        self.db.execute(
            "UPDATE requests SET post_retry_at = ? WHERE id = ?",
            [iso(now + delay), request_id],
        )

    def next_pending(self, after_id: int) -> Request | None:
        found = self._select(
            f"WHERE {self.scope.requests()} AND r.state = 'pending' AND p.request_id IS NOT NULL"
            " AND r.id > ?"
            " ORDER BY r.id LIMIT 1",
            [after_id],
        )
        return found[0] if found else None

    def dirty(self, limit: int = 1) -> list[Request]:
        return self._select(
            f"WHERE {self.scope.requests()} AND p.dirty > 0 ORDER BY r.deadline, r.id LIMIT ?",
            [limit],
        )

    def still_shown(self) -> list[tuple[int, int, int]]:
        """(chat, business, campaign) of the posts staff may still act on, or see change: a
        cabinet moved to another chat leaves them where they are, decidable there."""
        rows = self.db.rows(
            "SELECT DISTINCT p.chat_id, r.business_id, r.campaign_id"
            " FROM requests r JOIN posts p ON p.request_id = r.id"
            f" WHERE {self.scope.requests()} AND (r.state = 'pending' OR p.dirty > 0)"
        )
        return [(row["chat_id"], row["business_id"], row["campaign_id"]) for row in rows]

    def insert(
        self,
        request_id: int,
        chat_id: int,
        message_id: int,
        posted_at: datetime,
        dirty: bool,
        thread_id: int | None = None,
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO posts (request_id, chat_id, message_id, posted_at,"
            " confirming, dirty, thread_id) VALUES (?, ?, ?, ?, NULL, ?, ?)",
            [request_id, chat_id, message_id, iso(posted_at), int(dirty), thread_id],
        )
        self.db.execute(
            "UPDATE requests SET post_attempts = 0, post_retry_at = NULL WHERE id = ?",
            [request_id],
        )

    def forget(self, request_id: int) -> None:
        """The post is gone (deleted, or the bot lost the chat): post the request again."""
        self.db.execute("DELETE FROM posts WHERE request_id = ?", [request_id])

    def mark_dirty(self, request_id: int) -> None:
        self.db.execute("UPDATE posts SET dirty = dirty + 1 WHERE request_id = ?", [request_id])

    def set_confirming(self, request_id: int, decision: Decision | None) -> None:
        self.db.execute(
            "UPDATE posts SET confirming = ?, dirty = dirty + 1 WHERE request_id = ?",
            [LETTERS[decision] if decision else None, request_id],
        )

    def clear_confirming(self, request_id: int) -> None:
        """No edit: the outcome edit follows the Market's answer within a second."""
        self.db.execute("UPDATE posts SET confirming = NULL WHERE request_id = ?", [request_id])

    def mark_clean(self, request_id: int, seen: Post) -> bool:
        """Clear `dirty` unless the request changed again since `seen` was read."""
        cursor = self.db.execute(
            "UPDATE posts SET dirty = 0 WHERE request_id = ? AND message_id = ? AND dirty = ?",
            [request_id, seen.message_id, seen.dirty],
        )
        return cursor.rowcount == 1

    def leave_chat(self, chat_id: int) -> list[int]:
        """Forget every post in a chat; returns the pending requests that will be posted again."""
        reposted = [
            row[0]
            for row in self.db.execute(
                "SELECT p.request_id FROM posts p JOIN requests r ON r.id = p.request_id"
                " WHERE p.chat_id = ? AND r.state = 'pending'",
                [chat_id],
            ).fetchall()
        ]
        self.db.execute("DELETE FROM posts WHERE chat_id = ?", [chat_id])
        return reposted
