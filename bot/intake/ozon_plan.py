"""What one Ozon poll changes (pure): requests new to the desk, and those Ozon no longer
lists as waiting, judged by the same rule as the Market's (`bot.domain.reconcile`).

Ozon's requests are kept by THE CONVENTION (`bot.ozon.orders`): one campaign per Client-Id,
the order id is the `cancellation_id`; so here a request is known by that id alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import NewRequest, Order, Problem, Request, Stage, ozon_campaign
from bot.domain.reconcile import Listing, reconcile
from bot.intake.plan import PollPlan
from bot.ozon.orders import request_time, to_order, updated
from bot.ozon.records import OzonPosting, OzonRequest


@dataclass(frozen=True)
class OzonView:
    """What one poll read from Ozon and the store, by cancellation id."""

    started_at: datetime  # first seen, for every request the cycle finds new
    client_id: int
    listed: Mapping[int, OzonRequest]  # waiting at Ozon
    postings: Mapping[int, OzonPosting]  # of the new requests whose posting could be read
    open_requests: Mapping[int, Request]  # the open requests storage could read
    held: AbstractSet[int]  # every open row's id, a damaged one's too
    left: list[Request]  # `left_listing`
    current: Mapping[int, Order | None]  # those of them as Ozon shows them now


def new_to_desk(listed: Mapping[int, OzonRequest], held: AbstractSet[int]) -> list[OzonRequest]:
    return [request for cancellation_id, request in listed.items() if cancellation_id not in held]


def left_listing(
    open_requests: Mapping[int, Request],
    listed: Mapping[int, OzonRequest],
    in_flight: AbstractSet[int],
) -> list[Request]:
    """Open requests Ozon no longer lists as waiting, to re-read by posting number; one
    with a decision in flight is left to the decision."""
    return [
        request
        for cancellation_id, request in open_requests.items()
        if cancellation_id not in listed and request.id not in in_flight
    ]


def plan_ozon(view: OzonView) -> PollPlan:
    """Reconcile every open request the cycle saw and take in every request new to the
    desk whose posting was read; a damaged row still holds its id and is reported."""
    seen = [
        (
            request,
            reconcile(request, updated(request.order, view.listed[cid], None), Listing.LISTED),
        )
        for cid, request in view.open_requests.items()
        if cid in view.listed
    ]
    seen += [
        (request, reconcile(request, view.current.get(request.order_id), Listing.LEFT))
        for request in view.left
    ]
    new = [
        NewRequest(
            view.client_id,
            to_order(request, view.postings[request.cancellation_id], view.client_id),
            view.started_at,
            request_time(request, view.started_at),
        )
        for request in new_to_desk(view.listed, view.held)
        if request.cancellation_id in view.postings
    ]
    campaign = str(ozon_campaign(view.client_id))
    damaged = [
        Problem(campaign, _ref(view, cid), Stage.STORE, "its database row is damaged")
        for cid in sorted(view.held - view.open_requests.keys())
    ]
    return PollPlan(new, seen, damaged, [])


def _ref(view: OzonView, cid: int) -> str:
    """A damaged request's posting number, if Ozon still lists it; else its id."""
    listed = view.listed.get(cid)
    return listed.posting_number if listed is not None else str(cid)
