"""HISTORY_DAYS: settled requests past it are deleted with everything that is theirs.

Only closed requests (gone from the Market's pending list) are deleted; pending and
decided ones never. Deleted in batches, each in its own transaction, so a first prune of
a large history never holds the database for long.
"""

from __future__ import annotations

from datetime import date, datetime

from storage.database import Database
from storage.times import iso

BATCH = 500
OWNED_BY_REQUEST = ("events", "reminders", "decisions", "posts")


def prune_settled(db: Database, before: datetime) -> int:
    """Delete requests closed before `before`; returns how many went."""
    total = 0
    while True:
        with db.transaction():
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM requests WHERE state = 'closed' AND closed_at < ? LIMIT ?",
                    [iso(before), BATCH],
                ).fetchall()
            ]
            if not ids:
                return total
            marks = ",".join("?" * len(ids))
            for table in OWNED_BY_REQUEST:
                db.execute(f"DELETE FROM {table} WHERE request_id IN ({marks})", ids)
            db.execute(f"DELETE FROM requests WHERE id IN ({marks})", ids)
        total += len(ids)


class DailyRuns:
    """The last local day each daily job ran, so restarts neither repeat nor skip one."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def last(self, job: str) -> date | None:
        value = self.db.value("SELECT day FROM daily_runs WHERE job = ?", [job])
        return date.fromisoformat(value) if value else None

    def done(self, job: str, day: date) -> None:
        self.db.execute(
            "INSERT INTO daily_runs (job, day) VALUES (?, ?)"
            " ON CONFLICT (job) DO UPDATE SET day = excluded.day",
            [job, day.isoformat()],
        )
