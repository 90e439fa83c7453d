"""The requests table: one row per cancellation request, with the order as last seen."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import NewRequest, Order, Request, RequestState, RequestTime
from storage.database import Database
from storage.records import REQUEST_SELECT, requests_from
from storage.scope import EVERYTHING, Scope
from storage.times import iso


class Requests:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def _select(self, where: str, params: list | tuple = ()) -> list[Request]:
        return requests_from(self.db.rows(f"{REQUEST_SELECT} {where}", params))

    def get(self, request_id: int) -> Request | None:
        found = self._select("WHERE r.id = ?", [request_id])
        return found[0] if found else None

    def open(self) -> list[Request]:
        """Requests the Market may still list: pending or decided, not yet closed."""
        return self._select(
            f"WHERE {self.scope.requests()} AND r.state != 'closed' ORDER BY r.deadline, r.id"
        )

    def pending(self) -> list[Request]:
        """Requests still waiting for staff, nearest deadline first."""
        return self._select(
            f"WHERE {self.scope.requests()} AND r.state = 'pending' ORDER BY r.deadline, r.id"
        )

    def nearest(self, limit: int) -> list[Request]:
        """The first `limit` of `pending()`, without reading the rest."""
        return self._select(
            f"WHERE {self.scope.requests()} AND r.state = 'pending'"
            " ORDER BY r.deadline, r.id LIMIT ?",
            [limit],
        )

    def open_keys(self) -> set[tuple[int, int]]:
        """(campaign, order) of every open row, read or not: a damaged one still holds its key."""
        rows = self.db.rows(
            "SELECT campaign_id, order_id FROM requests r"
            f" WHERE {self.scope.by_campaign()} AND state != 'closed'"
        )
        return {(row["campaign_id"], row["order_id"]) for row in rows}

    def open_for(self, campaign_id: int, order_id: int) -> Request | None:
        found = self._select(
            "WHERE r.campaign_id = ? AND r.order_id = ? AND r.state != 'closed'",
            [campaign_id, order_id],
        )
        return found[0] if found else None

    def campaigns_of(self, business_id: int) -> set[int]:
        """The campaigns a business's requests were of, whatever this reader's scope."""
        rows = self.db.rows(
            "SELECT DISTINCT campaign_id FROM requests WHERE business_id = ?", [business_id]
        )
        return {row["campaign_id"] for row in rows}

    def count(self, state: RequestState | None = None) -> int:
        if state is None:
            return self.db.value(
                f"SELECT count(*) FROM requests r WHERE {self.scope.by_campaign()}"
            )
        return self.db.value(
            f"SELECT count(*) FROM requests r WHERE {self.scope.by_campaign()} AND state = ?",
            [state.value],
        )

    def insert(self, new: NewRequest) -> int:
        order = new.order
        cursor = self.db.execute(
            "INSERT INTO requests (campaign_id, order_id, business_id, state, order_json,"
            " order_created_on, first_seen, requested_at, request_basis, deadline)"
            " VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
            [
                order.campaign_id,
                order.order_id,
                new.business_id,
                order.to_json(),
                order.created_on.isoformat() if order.created_on else None,
                iso(new.first_seen),
                iso(new.request_time.at),
                new.request_time.basis.value,
                iso(new.request_time.deadline),
            ],
        )
        return cursor.lastrowid

    def update_order(self, request_id: int, order: Order) -> None:
        self.db.execute(
            "UPDATE requests SET order_json = ? WHERE id = ?", [order.to_json(), request_id]
        )

    def set_state(self, request_id: int, state: RequestState) -> None:
        self.db.execute(
            "UPDATE requests SET state = ? WHERE id = ? AND state = 'pending'",
            [state.value, request_id],
        )

    def close(self, request_id: int, status: str | None, now: datetime) -> None:
        self.db.execute(
            "UPDATE requests SET state = 'closed', closed_at = ?, closed_status = ? WHERE id = ?",
            [iso(now), status, request_id],
        )

    def set_time(self, request_id: int, request_time: RequestTime) -> None:
        self.db.execute(
            "UPDATE requests SET requested_at = ?, request_basis = ?, deadline = ? WHERE id = ?",
            [
                iso(request_time.at),
                request_time.basis.value,
                iso(request_time.deadline),
                request_id,
            ],
        )

    def state(self, request_id: int) -> RequestState | None:
        value = self.db.value("SELECT state FROM requests WHERE id = ?", [request_id])
        return RequestState(value) if value else None
