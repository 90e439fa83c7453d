"""The polls table: what each poll covered, for dating requests and for diagnosis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage.database import Database
from storage.scope import EVERYTHING, Scope
from storage.times import from_iso, iso


@dataclass(frozen=True)
class PollRecord:
    started_at: datetime
    finished_at: datetime
    ok: bool
    covered_from: date | None = None
    covered_to: date | None = None
    found: int = 0
    new: int = 0
    resolved: int = 0
    error: str | None = None


# The end of the newest good and failed poll, whoever polled: two walks down the
# (ok, started_at) index, never a scan. Plain SQL, so `python -m bot health` can ask a
# database it must not migrate.
LATEST = (
    "SELECT (SELECT finished_at FROM polls WHERE ok = 1 ORDER BY started_at DESC LIMIT 1),"
    " (SELECT finished_at FROM polls WHERE ok = 0 ORDER BY started_at DESC LIMIT 1)"
)


@dataclass(frozen=True)
class LatestPolls:
    """The desk's last poll of each outcome, by any of its pollers."""

    good: datetime | None
    failed: datetime | None

    @classmethod
    def of(cls, row: tuple[str | None, str | None]) -> LatestPolls:
        return cls(from_iso(row[0]), from_iso(row[1]))

    @property
    def attempted(self) -> datetime | None:
        """The last poll, answered or not: whether the desk polls at all."""
        return max((at for at in (self.good, self.failed) if at is not None), default=None)


class Polls:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def insert(self, poll: PollRecord) -> None:
        self.db.db["polls"].insert(
            {
                "started_at": iso(poll.started_at),
                "finished_at": iso(poll.finished_at),
                "ok": int(poll.ok),
                "covered_from": poll.covered_from.isoformat() if poll.covered_from else None,
                "covered_to": poll.covered_to.isoformat() if poll.covered_to else None,
                "found": poll.found,
                "new": poll.new,
                "resolved": poll.resolved,
                "error": poll.error,
                "scope": self.scope.polls,
            }
        )

    def last_covering(self, created_on: date | None, before: datetime) -> datetime | None:
        """Start of the last successful poll whose listing covered this creation date."""
        sql = "SELECT max(started_at) FROM polls WHERE scope IS ? AND ok = 1 AND started_at < ?"
        if created_on is None:
            return from_iso(self.db.value(sql, [self.scope.polls, iso(before)]))
        day = created_on.isoformat()
        return from_iso(
            self.db.value(
                sql + " AND covered_from <= ? AND ? < covered_to",
                [self.scope.polls, iso(before), day, day],
            )
        )

    def last_successful(self) -> datetime | None:
        return from_iso(
            self.db.value(
                "SELECT max(finished_at) FROM polls WHERE scope IS ? AND ok = 1", [self.scope.polls]
            )
        )

    def latest(self) -> LatestPolls:
        """Every poller's records, whatever the scope: the desk's own pulse."""
        return LatestPolls.of(self.db.execute(LATEST).fetchone())

    def last_full_sweep(self) -> datetime | None:
        """When a poll last covered the older window too (orders 30-60 days old)."""
        return from_iso(
            self.db.value(
                "SELECT max(started_at) FROM polls WHERE scope IS ? AND ok = 1"
                " AND julianday(covered_to) - julianday(covered_from) > 31",
                [self.scope.polls],
            )
        )

    def prune(self, keep: timedelta, now: datetime) -> None:
        """Poll history is for diagnosis; a week is plenty and keeps the file small."""
        self.db.execute("DELETE FROM polls WHERE started_at < ?", [iso(now - keep)])
