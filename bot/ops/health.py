"""Whether the desk is alive, by one rule for `/healthz` and `python -m bot health`.

The desk is healthy while its last successful poll is at most three poll intervals old;
before its first poll it has that long from its start. `python -m bot health` reads the
database read-only, without the lock, and never creates, migrates or changes it, so a
container's HEALTHCHECK or any monitor can ask while the desk runs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

STALE_AFTER_POLLS = 3


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    reason: str


def judge(
    now: datetime, last_poll: datetime | None, since: datetime, poll_interval: timedelta
) -> bool:
    """Healthy when the last good poll (or, before any, `since`) is recent enough."""
    return now - (last_poll if last_poll is not None else since) <= (
        STALE_AFTER_POLLS * poll_interval
    )


def check_database(path: Path, poll_interval: timedelta, now: datetime) -> Verdict:
    """The verdict from the database alone; a missing or unreadable one is unhealthy."""
    if not path.is_file():
        return Verdict(False, f"no database at {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT max(finished_at) FROM polls WHERE ok = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        return Verdict(False, f"cannot read {path}: {error}")
    if row[0] is None:
        return Verdict(False, "no successful poll yet")
    last_poll = datetime.fromisoformat(row[0])
    age = (now - last_poll).total_seconds()
    if judge(now, last_poll, last_poll, poll_interval):
        return Verdict(True, f"last successful poll {age:.0f}s ago")
    limit = (STALE_AFTER_POLLS * poll_interval).total_seconds()
    return Verdict(False, f"last successful poll {age:.0f}s ago, over {limit:.0f}s")
