"""Whether the desk is alive, by one rule for `/healthz` and `python -m bot health`.

The desk is healthy while it polls: its last poll by any cabinet, answered or not, is at
most three poll intervals old; before its first poll it has that long from its start. A
Market refusing a cabinet (a revoked key, an outage of one business) is that cabinet's
trouble, shown per cabinet, not the desk's: restarting the desk would not mend it.
`python -m bot health` reads the database read-only, without the lock, and never creates,
migrates or changes it, so a container's HEALTHCHECK or any monitor can ask while the desk
runs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from storage.polls import LATEST, LatestPolls

STALE_AFTER_POLLS = 3


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    reason: str


def judge(
    now: datetime, last_poll: datetime | None, since: datetime, poll_interval: timedelta
) -> bool:
    """Healthy when the last poll (or, before any, `since`) is recent enough."""
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
            latest = LatestPolls.of(conn.execute(LATEST).fetchone())
        finally:
            conn.close()
    except sqlite3.Error as error:
        return Verdict(False, f"cannot read {path}: {error}")
    last = latest.attempted
    if last is None:
        return Verdict(False, "no poll yet")
    said = f"last poll {_ago(now, last)}"
    if not judge(now, last, last, poll_interval):
        limit = (STALE_AFTER_POLLS * poll_interval).total_seconds()
        return Verdict(False, f"{said}, over {limit:.0f}s")
    good = f"last good poll {_ago(now, latest.good)}" if latest.good else "no good poll yet"
    return Verdict(True, f"{said} ({good})")


def _ago(now: datetime, then: datetime) -> str:
    return f"{(now - then).total_seconds():.0f}s ago"
