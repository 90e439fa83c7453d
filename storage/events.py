"""The events table: the append-only journal of each request (see `bot.journal`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.journal import Actor, Event, Kind
from storage.database import Database
from storage.times import iso


class Events:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        request_id: int,
        kind: Kind,
        at: datetime,
        actor: Actor | None = None,
        **detail: Any,
    ) -> None:
        """Called inside the transaction of the change it records: both or neither."""
        self.db.execute(
            "INSERT INTO events (request_id, at, kind, user_id, user_name, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                request_id,
                iso(at),
                kind.value,
                actor.user_id if actor else None,
                actor.name if actor else None,
                json.dumps(detail, ensure_ascii=False, default=str),
            ],
        )

    def of(self, request_id: int) -> list[Event]:
        rows = self.db.rows(
            "SELECT * FROM events WHERE request_id = ? ORDER BY at, id", [request_id]
        )
        return [_event_from(row) for row in rows]

    def has(self, request_id: int, kind: Kind) -> bool:
        return bool(
            self.db.value(
                "SELECT 1 FROM events WHERE request_id = ? AND kind = ? LIMIT 1",
                [request_id, kind.value],
            )
        )


def _event_from(row: dict[str, Any]) -> Event:
    detail = json.loads(row["detail"])
    actor = Actor(row["user_id"], row["user_name"]) if row["user_id"] is not None else None
    return Event(
        request_id=row["request_id"],
        at=datetime.fromisoformat(row["at"]),
        kind=Kind(row["kind"]),
        detail=detail,
        actor=actor,
        before_journal=bool(detail.pop("before_journal", False)),
    )
