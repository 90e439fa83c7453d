"""One row per request with its outcome: what /stats, the digest and /export count.

The Market does not say who settled an order we did not decide (buyer, support, the
48-hour expiry: MARKET_API.md §7), so those outcomes are inferred from timing and are
marked `inferred`; only a decision the Market took from us is a fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.model import Basis, Decision, RequestState


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED_DELIVERED = "rejected_delivered"
    REJECTED_IN_DELIVERY = "rejected_in_delivery"
    ELSEWHERE = "elsewhere"  # probably: gone before its deadline with no decision of ours
    EXPIRED = "expired"  # probably: still waiting at its deadline, then gone unanswered
    PENDING = "pending"

    @property
    def inferred(self) -> bool:
        return self in (Outcome.ELSEWHERE, Outcome.EXPIRED)


BY_DECISION = {
    Decision.ACCEPT: Outcome.ACCEPTED,
    Decision.REJECT_DELIVERED: Outcome.REJECTED_DELIVERED,
    Decision.REJECT_IN_DELIVERY: Outcome.REJECTED_IN_DELIVERY,
}


def classify(
    taken: Decision | None, state: RequestState, closed_at: datetime | None, deadline: datetime
) -> Outcome:
    """A decision the Market took is a fact; otherwise the timing of the end tells."""
    if taken is not None:
        return BY_DECISION[taken]
    if state is RequestState.PENDING or closed_at is None:
        return Outcome.PENDING
    return Outcome.EXPIRED if closed_at >= deadline else Outcome.ELSEWHERE


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
    result: str | None  # the Market's answer to it: ok | failed | not_pending | unknown
    http_status: int | None
    error_code: str | None
    decided_by_id: int | None
    decided_by: str | None
    decided_at: datetime | None  # when it was sent (the tap)

    @property
    def taken(self) -> bool:
        return self.result == "ok"

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
