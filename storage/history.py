"""Reads for the owner's view: the ledger of a period, recent decisions, one order's requests.

Read-only queries over the tables; each row is built as it is read, so an export of a
long period streams instead of loading it whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.domain.ledger import LedgerRow
from bot.domain.model import (
    Basis,
    DecisionRecord,
    DecisionResult,
    Marketplace,
    Person,
    Request,
    RequestState,
    marketplace_of,
)
from storage.database import Database
from storage.records import REQUEST_SELECT, decision_from, decision_of, requests_from
from storage.scope import EVERYTHING, Scope
from storage.times import from_iso, iso

LEDGER_SELECT = """
SELECT r.id, r.campaign_id, r.order_id, r.state, r.first_seen, r.requested_at,
       r.request_basis, r.deadline, r.closed_at, r.closed_status,
       (SELECT min(e.at) FROM events e WHERE e.request_id = r.id
            AND e.kind IN ('posted', 'reposted')) AS posted_at,
       d.decision, d.result, d.http_status, d.error_code, d.user_id, d.user_name, d.started_at,
       CASE WHEN r.campaign_id < 0 THEN json_extract(r.order_json, '$.posting_number') END
FROM requests r
LEFT JOIN decisions d ON d.id = coalesce(
    (SELECT d2.id FROM decisions d2 WHERE d2.request_id = r.id AND d2.result = 'ok'),
    (SELECT max(d3.id) FROM decisions d3 WHERE d3.request_id = r.id))
"""
# How staff know a request's order: Ozon's posting number (its campaign is negative), else
# the Market's order id
NUMBER = (
    "coalesce(CASE WHEN r.campaign_id < 0"
    " THEN json_extract(r.order_json, '$.posting_number') END, r.order_id)"
)


class History:
    def __init__(self, db: Database, scope: Scope = EVERYTHING) -> None:
        self.db, self.scope = db, scope

    def ledger(self, start: datetime, end: datetime) -> Iterator[LedgerRow]:
        """Requests first seen in [start, end), oldest first."""
        cursor = self.db.execute(
            f"{LEDGER_SELECT} WHERE {self.scope.by_campaign()} AND r.first_seen >= ?"
            " AND r.first_seen < ? ORDER BY r.first_seen",
            [iso(start), iso(end)],
        )
        yield from map(_row, cursor)

    def pending_rows(self) -> list[LedgerRow]:
        sql = f"{LEDGER_SELECT} WHERE {self.scope.by_campaign()} AND r.state = 'pending'"
        sql += " ORDER BY r.deadline"
        return list(map(_row, self.db.execute(sql)))

    def recent_decisions(self, limit: int) -> list[tuple[DecisionRecord, str, Marketplace]]:
        """The last decisions sent, newest first, each with its order's number as staff
        know it: the Market's order id, or Ozon's posting number."""
        rows = self.db.rows(
            f"SELECT d.*, {NUMBER} AS order_ref, r.campaign_id AS campaign FROM decisions d"
            f" JOIN requests r ON r.id = d.request_id WHERE {self.scope.by_campaign()}"
            " ORDER BY d.started_at DESC, d.id DESC"
            " LIMIT ?",
            [limit],
        )
        return [
            (decision_from(row), str(row["order_ref"]), marketplace_of(row["campaign"]))
            for row in rows
        ]

    def requests_of_order(self, order_id: int, limit: int = 5) -> list[Request]:
        """The requests the desk kept for this Market order id (any shop), newest first;
        Ozon's requests (negative campaigns) are known by their posting number instead."""
        rows = self.db.rows(
            f"{REQUEST_SELECT} WHERE {self.scope.by_campaign()} AND r.campaign_id >= 0"
            " AND r.order_id = ?"
            " ORDER BY r.id DESC LIMIT ?",
            [order_id, limit],
        )
        return requests_from(rows)

    def requests_of_posting(self, posting_number: str, limit: int = 5) -> list[Request]:
        """The requests the desk kept for an Ozon posting (any cabinet), newest first."""
        rows = self.db.rows(
            f"{REQUEST_SELECT} WHERE {self.scope.by_campaign()} AND r.campaign_id < 0"
            " AND json_extract(r.order_json, '$.posting_number') = ?"
            " ORDER BY r.id DESC LIMIT ?",
            [posting_number, limit],
        )
        return requests_from(rows)


# Members by value: an export reads 100,000 rows and `Enum(value)` is slow. A value no
# member has still goes to `Enum(value)`, which raises ValueError as it always did.
STATES = {state.value: state for state in RequestState}
BASES = {basis.value: basis for basis in Basis}
RESULTS = {result.value: result for result in DecisionResult}


def _row(row: tuple[Any, ...]) -> LedgerRow:
    """A row of LEDGER_SELECT, by position: /export builds 100,000 of them."""
    (request_id, campaign_id, order_id, state, first_seen, requested_at, basis, deadline,
     closed_at, closed_status, posted_at, decision, result, http_status, error_code,
     user_id, user_name, started_at, posting_number) = row  # fmt: skip
    return LedgerRow(
        request_id=request_id,
        campaign_id=campaign_id,
        order_id=order_id,
        state=STATES.get(state) or RequestState(state),
        first_seen=datetime.fromisoformat(first_seen),
        requested_at=datetime.fromisoformat(requested_at),
        basis=BASES.get(basis) or Basis(basis),
        deadline=datetime.fromisoformat(deadline),
        posted_at=from_iso(posted_at),
        closed_at=from_iso(closed_at),
        closed_status=closed_status,
        decision=decision_of(decision) if decision else None,
        result=(RESULTS.get(result) or DecisionResult(result)) if result else None,
        http_status=http_status,
        error_code=error_code,
        decided_by=Person(user_id, user_name) if user_id is not None else None,
        decided_at=from_iso(started_at),
        posting_number=posting_number,
    )
