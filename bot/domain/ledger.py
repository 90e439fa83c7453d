"""One row per request with its outcome: what /stats, the digest and /export count.

The Market does not say who settled an order we did not decide (buyer, support, the
48-hour expiry: MARKET_API.md §7), so those outcomes are inferred from timing (INFERRED);
only a decision the Market took from us is a fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.model import (
    Basis,
    Decision,
    DecisionResult,
    Marketplace,
    Person,
    RequestState,
    marketplace_of,
)


class Fate(StrEnum):
    """How a request ended, or not yet, when no decision of ours was taken."""

    ELSEWHERE = "elsewhere"  # probably: gone before its deadline with no decision of ours
    EXPIRED = "expired"  # probably: still waiting at its deadline, then gone unanswered
    PENDING = "pending"


Outcome = Decision | Fate  # what the Market took from us, or else what became of the request
OUTCOMES: tuple[Outcome, ...] = (*Decision, *Fate)  # in the order /stats and the digest list
INFERRED = frozenset({Fate.ELSEWHERE, Fate.EXPIRED})  # told from timing, not by the Market


def classify(
    taken: Decision | None, state: RequestState, closed_at: datetime | None, deadline: datetime
) -> Outcome:
    """A decision the Market took is a fact; otherwise the timing of the end tells."""
    if taken is not None:
        return taken
    if state is RequestState.PENDING or closed_at is None:
        return Fate.PENDING
    return Fate.EXPIRED if closed_at >= deadline else Fate.ELSEWHERE


@dataclass(frozen=True)
class LedgerRow:
    request_id: int
    campaign_id: int
    order_id: int
    state: RequestState
    first_seen: datetime
    requested_at: datetime
    basis: Basis
    deadline: datetime
    posted_at: datetime | None
    closed_at: datetime | None
    closed_status: str | None
    decision: Decision | None  # the last decision sent, taken or not
    result: DecisionResult | None  # the Market's answer to it; None while in flight
    http_status: int | None
    error_code: str | None
    decided_by: Person | None  # who sent it (the ledger reads no username)
    decided_at: datetime | None  # when it was sent (the tap)
    posting_number: str | None = None  # Ozon's; the Market's orders have none

    @property
    def marketplace(self) -> Marketplace:
        """From the campaign's sign, so the ledger reads no order JSON for it."""
        return marketplace_of(self.campaign_id)

    @property
    def taken(self) -> bool:
        return self.result is DecisionResult.OK

    @property
    def outcome(self) -> Outcome:
        taken = self.decision if self.taken else None
        return classify(taken, self.state, self.closed_at, self.deadline)

    @property
    def time_to_decide(self) -> timedelta | None:
        """From the buyer's request to the tap that settled it; None unless settled here."""
        if not self.taken or self.decided_at is None:
            return None
        return max(timedelta(0), self.decided_at - self.requested_at)

    @property
    def estimated(self) -> bool:
        return self.basis is Basis.ESTIMATED
