"""A large settled history, written straight into the schema, and /export run over it.

`Store` would take many minutes for 100,000 requests (a transaction per step); the rows
here are those the desk writes for a request that went the whole way (seen, posted,
reminded, decided, taken, closed), inserted in bulk in one transaction.
`python -m bench.history DB` runs /export's generator over DB in a fresh process and
prints its time and memory growth as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.seed import sample_order
from bench.world import rss_kib
from bot.domain.model import Order
from storage.database import Database
from storage.store import Store
from storage.times import iso

STEP = timedelta(minutes=5)  # 100,000 requests span about 350 days
KINDS = ("seen", "posted", "reminder", "sent", "answer", "closed")
MINUTES = (0, 0, 30, 60, 60, 90)  # when each step happens after the request is seen


def _insert_one(db: Database, n: int, order: Order, seen: datetime) -> None:
    at = [iso(seen + timedelta(minutes=m)) for m in MINUTES]
    db.execute(
        "INSERT INTO requests (id, campaign_id, order_id, business_id, state, order_json,"
        " first_seen, requested_at, request_basis, deadline, closed_at, closed_status)"
        " VALUES (?, ?, ?, 77, 'closed', ?, ?, ?, 'poll', ?, ?, 'CANCELLED/USER_CHANGED_MIND')",
        [n, order.campaign_id, order.order_id, order.to_json(), at[0], at[0],
         iso(seen + timedelta(hours=48)), at[5]],
    )  # fmt: skip
    db.execute(
        "INSERT INTO posts (request_id, chat_id, message_id, posted_at) VALUES (?, ?, ?, ?)",
        [n, -1001234567890, 100_000 + n, at[1]],
    )
    db.execute(
        "INSERT INTO reminders (request_id, lead_seconds, kind, created_at, sent_at, message_id)"
        " VALUES (?, 3600, 'sent', ?, ?, ?)",
        [n, at[2], at[2], 200_000 + n],
    )
    db.execute(
        "INSERT INTO decisions (request_id, decision, user_id, user_name, username, started_at,"
        " finished_at, result, http_status) VALUES (?, ?, ?, 'Анна', 'anna', ?, ?, 'ok', 200)",
        [n, "acd"[n % 3], 111 + n % 3, at[3], at[4]],
    )
    details = _details(n, at, order)
    db.db.conn.executemany(
        "INSERT INTO events (request_id, at, kind, user_id, user_name, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (n, a, k, *((111, "Анна") if k in ("sent", "answer") else (None, None)), d)
            for a, k, d in zip(at, KINDS, details, strict=True)
        ],
    )


def _details(n: int, at: list[str], order: Order) -> list[str]:
    """The journal's details as the desk writes them (see storage/store.py)."""
    decision = "acd"[n % 3]
    return [
        json.dumps(d, ensure_ascii=False)
        for d in (
            {"requested_at": at[0], "basis": "poll", "deadline": at[0],
             "status": order.status_code},
            {"chat_id": -1001234567890, "message_id": 100_000 + n},
            {"lead_seconds": 3600},
            {"decision": decision},
            {"decision": decision, "result": "ok", "http_status": 200, "error_code": None,
             "error_message": None, "retry_at": None},
            {"status": "CANCELLED/USER_CHANGED_MIND"},
        )
    ]  # fmt: skip


def seed_settled(
    path: Path, count: int, *, campaign_id: int, first_order_id: int = 9_000_000
) -> None:
    """`count` closed requests, the newest seen just now, one every STEP before it."""
    template = sample_order(first_order_id, campaign_id)
    now = datetime.now(UTC)
    store = Store(path)
    try:
        with store.db.transaction():
            for i in range(count):
                order = dataclasses.replace(template, order_id=first_order_id + i)
                _insert_one(store.db, i + 1, order, now - STEP * (i + 1))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()


def export_all(path: Path) -> dict[str, float]:
    """Every request of the database through /export's generator, parts dropped as made."""
    from bot.formatting import Style
    from bot.owner.export import export_parts
    from bot.texts import Texts

    store = Store(path)
    style = Style(Texts("ru"), ZoneInfo("Europe/Moscow"), (), True)
    before, _ = rss_kib(os.getpid())
    started = time.monotonic()
    rows = parts = size = 0
    ledger = store.history.ledger(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))
    for part in export_parts(ledger, {}, style):
        rows, parts, size = rows + part.rows, parts + 1, size + len(part.data)
    elapsed = time.monotonic() - started
    _, peak = rss_kib(os.getpid())
    store.close()
    return {
        "seconds": elapsed,
        "rows": rows,
        "parts": parts,
        "bytes": size,
        "rss_kib": peak - before,
    }


if __name__ == "__main__":
    print(json.dumps(export_all(Path(sys.argv[1]))))
