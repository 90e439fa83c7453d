"""Requests the desk could not read, store, post or update: each told to staff once.

A request that cannot go through the usual path is skipped so that it never holds up the
others, but it must not expire unseen either: it is noted here (once per order, so a
restart neither loses nor repeats the note) and the publisher tells staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.times import iso

if TYPE_CHECKING:
    from storage.store import Store

DETAIL_LIMIT = 500


class Stage:
    """Where the request got stuck, in the order it travels."""

    READ = "read"  # the Market sent an order the desk cannot read
    STORE = "store"
    POST = "post"
    EDIT = "edit"
    REMIND = "remind"


@dataclass(frozen=True)
class Problem:
    """Ids as the Market sent them: an unreadable order may have no valid one."""

    campaign_ref: str
    order_ref: str
    stage: str
    detail: str


@dataclass(frozen=True)
class ProblemRecord:
    problem: Problem
    noted_at: datetime


def insert_problem(db: Any, problem: Problem, now: datetime) -> bool:
    """Note a problem unless the order already has one; True when it is new."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO order_problems (campaign_ref, order_ref, stage, detail, noted_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            problem.campaign_ref,
            problem.order_ref,
            problem.stage,
            problem.detail[:DETAIL_LIMIT],
            iso(now),
        ],
    )
    return cursor.rowcount == 1


class ProblemLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def note(self, problem: Problem, now: datetime) -> bool:
        with self.store.transaction():
            return insert_problem(self.store.db, problem, now)

    def unreported(self, limit: int = 1) -> list[ProblemRecord]:
        return self._records("WHERE reported_at IS NULL ORDER BY noted_at LIMIT ?", [limit])

    def all(self) -> list[ProblemRecord]:
        return self._records("ORDER BY noted_at", [])

    def _records(self, clause: str, params: list[Any]) -> list[ProblemRecord]:
        rows = self.store.db.execute(
            "SELECT campaign_ref, order_ref, stage, detail, noted_at FROM order_problems " + clause,
            params,
        ).fetchall()
        return [ProblemRecord(Problem(*row[:4]), datetime.fromisoformat(row[4])) for row in rows]

    def reported(self, problem: Problem, now: datetime) -> None:
        with self.store.transaction():
            self.store.db.execute(
                "UPDATE order_problems SET reported_at = ? WHERE campaign_ref = ?"
                " AND order_ref = ?",
                [iso(now), problem.campaign_ref, problem.order_ref],
            )
