"""The problems table: requests the desk could not read, store, post or update.

Noted once per order, so that a restart neither loses nor repeats what staff are told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.model import Problem, ProblemRecord, Stage
from storage.database import Database
from storage.scope import EVERYTHING, Scope
from storage.times import iso

DETAIL_LIMIT = 500


class ProblemLog:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def insert(self, problem: Problem, now: datetime) -> bool:
        """Note a problem unless the order already has one; True when it is new."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO order_problems"
            " (campaign_ref, order_ref, stage, detail, noted_at) VALUES (?, ?, ?, ?, ?)",
            [
                problem.campaign_ref,
                problem.order_ref,
                problem.stage,
                problem.detail[:DETAIL_LIMIT],
                iso(now),
            ],
        )
        return cursor.rowcount == 1

    def unreported(self, limit: int = 1) -> list[ProblemRecord]:
        return self._records(
            f"WHERE {self.scope.campaign_refs('campaign_ref')} AND reported_at IS NULL"
            " ORDER BY noted_at LIMIT ?",
            [limit],
        )

    def all(self) -> list[ProblemRecord]:
        return self._records("ORDER BY noted_at", [])

    def _records(self, clause: str, params: list[Any]) -> list[ProblemRecord]:
        rows = self.db.execute(
            "SELECT campaign_ref, order_ref, stage, detail, noted_at FROM order_problems " + clause,
            params,
        ).fetchall()
        return [
            ProblemRecord(
                Problem(row[0], row[1], Stage(row[2]), row[3]), datetime.fromisoformat(row[4])
            )
            for row in rows
        ]

    def reported(self, problem: Problem, now: datetime) -> None:
        self.db.execute(
            "UPDATE order_problems SET reported_at = ? WHERE campaign_ref = ? AND order_ref = ?",
            [iso(now), problem.campaign_ref, problem.order_ref],
        )
