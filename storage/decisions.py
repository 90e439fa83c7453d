"""The decisions table: every decision sent, who sent it and what the Market answered."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import Decision, DecisionRecord, DecisionResult, Person
from storage.database import Database
from storage.records import LETTERS, decision_from
from storage.scope import EVERYTHING, Scope
from storage.times import iso


@dataclass(frozen=True)
class Answer:
    """What the Market said to a decision."""

    result: DecisionResult
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    retry_at: datetime | None = None


class Decisions:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def insert(
        self,
        request_id: int,
        decision: Decision,
        person: Person,
        now: datetime,
    ) -> int | None:
        """The new decision's id; None when one is in flight or already taken."""
        try:
            cursor = self.db.execute(
                "INSERT INTO decisions (request_id, decision, user_id, user_name, username,"
                " started_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    request_id,
                    LETTERS[decision],
                    person.user_id,
                    person.name,
                    person.username,
                    iso(now),
                ],
            )
        except sqlite3.IntegrityError:
            return None
        return cursor.lastrowid

    def finish(self, decision_id: int, answer: Answer, now: datetime) -> int:
        """Store the answer; returns the request the decision is about."""
        self.db.execute(
            "UPDATE decisions SET finished_at = ?, result = ?, http_status = ?,"
            " error_code = ?, error_message = ?, retry_at = ? WHERE id = ?",
            [
                iso(now),
                answer.result.value,
                answer.http_status,
                answer.error_code,
                answer.error_message,
                iso(answer.retry_at) if answer.retry_at else None,
                decision_id,
            ],
        )
        return self.db.value("SELECT request_id FROM decisions WHERE id = ?", [decision_id])

    def get(self, decision_id: int) -> DecisionRecord:
        [row] = self.db.rows("SELECT * FROM decisions WHERE id = ?", [decision_id])
        return decision_from(row)

    def last(self, request_id: int) -> DecisionRecord | None:
        rows = self.db.rows(
            "SELECT * FROM decisions WHERE request_id = ? ORDER BY id DESC LIMIT 1", [request_id]
        )
        return decision_from(rows[0]) if rows else None

    def unfinished(self) -> list[DecisionRecord]:
        rows = self.db.rows(
            "SELECT d.* FROM decisions d JOIN requests r ON r.id = d.request_id"
            f" WHERE {self.scope.by_campaign()} AND d.result IS NULL ORDER BY d.id"
        )
        return [decision_from(row) for row in rows]

    def in_flight(self, request_id: int) -> bool:
        return bool(
            self.db.value(
                "SELECT 1 FROM decisions WHERE request_id = ? AND result IS NULL", [request_id]
            )
        )
