"""The intake's pure plans (bot/intake/plan.py, notification_plan.py): no Market, no store.

What a poll or a notification changes is decided from plain values, so the rules the
security review set (a notification only ever brings a deadline closer, never past first
seen + 48 h, and never opens a request the Market does not list) are checked here over
many request times.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deadlines import from_notification
from bot.domain.model import (
    DECISION_WINDOW,
    KEEP,
    Basis,
    DecisionResult,
    Effect,
    Request,
    RequestState,
    RequestTime,
    Stage,
)
from bot.intake.notification_plan import (
    FUTURE_TOLERANCE,
    IntakeOutcome,
    Known,
    NotificationPlan,
    plan_change,
    plan_correction,
    plan_found,
    plan_known,
    plan_lately,
)
from bot.intake.plan import Memory, PollView, plan_poll, request_time
from tests.builders import NOW, decision, order, request

H = timedelta(hours=1)
INTERVAL = timedelta(minutes=1)
BUSINESS = 77

# a moment within two days either side of NOW, to the second
moments = st.integers(-48 * 3600, 48 * 3600).map(lambda s: NOW + timedelta(seconds=s))
bases = st.sampled_from(list(Basis))


def stored(
    at: datetime = NOW - 10 * H,
    first_seen: datetime = NOW - 9 * H,
    basis: Basis = Basis.NOTIFICATION,
    state: RequestState = RequestState.PENDING,
    **changes,
) -> Request:
    """A stored request: its time is never after it was first seen."""
    made = request(at=min(at, first_seen), basis=basis, **changes)
    return dataclasses.replace(made, first_seen=first_seen, state=state)


def found(
    exact: RequestTime | None, memory: Memory | None = None, known: Known | None = None
) -> NotificationPlan:
    """The plan once the Market showed the order awaiting a decision, at NOW."""
    known = dataclasses.replace(known or Known(), memory=memory or Memory())
    return plan_found(BUSINESS, order(), exact, known, NOW, poll_interval=INTERVAL)


# --- a notification never moves a deadline later ---------------------------------------


@given(at=moments, first_seen=moments, notified=moments, basis=bases)
def test_a_notification_never_moves_a_stored_deadline_later(at, first_seen, notified, basis):
    before = stored(at, first_seen, basis)

    plan = plan_known(Known(before), from_notification(notified), NOW)

    assert plan is not None  # a pending request is judged without the Market
    after = plan.exact if plan.outcome is IntakeOutcome.DEADLINE_CORRECTED else before.request_time
    assert after.at <= before.request_time.at
    assert after.deadline <= first_seen + DECISION_WINDOW
    if plan.outcome is IntakeOutcome.DEADLINE_CORRECTED:
        assert after == from_notification(notified) and notified < first_seen


@given(
    notified=st.none() | moments,
    remembered=st.none() | moments,
    last_miss=st.none() | moments,
)
def test_a_request_taken_in_is_dated_no_later_than_any_time_believed(
    notified, remembered, last_miss
):
    exact = from_notification(notified) if notified is not None else None
    memory = Memory(from_notification(remembered) if remembered else None, last_miss)

    plan = found(exact, memory)

    assert plan.outcome is IntakeOutcome.NEW_REQUEST
    taken = plan.new.request_time
    assert taken.at <= NOW and taken.deadline <= NOW + DECISION_WINDOW
    believed = [t for t in (plan.exact, memory.notified) if t is not None]
    assert all(taken.at <= t.at for t in believed)
    if plan.doubt is None and exact is not None:
        assert taken.at <= exact.at


@given(first_seen=moments, remembered=st.none() | moments, last_miss=st.none() | moments)
def test_a_poll_dates_a_request_no_later_than_first_seen_or_the_time_remembered(
    first_seen, remembered, last_miss
):
    memory = Memory(from_notification(remembered) if remembered else None, last_miss)

    taken = request_time(order(), first_seen, memory, poll_interval=INTERVAL)

    assert taken.at <= first_seen
    if remembered is not None:
        assert taken == from_notification(min(remembered, first_seen))


# --- what a cancellation request comes to ------------------------------------------------


@pytest.mark.parametrize(
    ("notified", "outcome"),
    [
        (None, IntakeOutcome.IMPLAUSIBLE_TIME),
        (NOW - 10 * H, IntakeOutcome.DUPLICATE),
        (NOW - 10 * H + timedelta(seconds=1), IntakeOutcome.LATER_TIME_IGNORED),
        (NOW - 11 * H, IntakeOutcome.DEADLINE_CORRECTED),
    ],
)
def test_a_stored_request_is_corrected_only_to_an_earlier_time(notified, outcome):
    exact = from_notification(notified) if notified is not None else None

    assert plan_correction(stored(), exact).outcome is outcome  # first seen at NOW - 9 h


@pytest.mark.parametrize(
    "notified",
    [NOW + FUTURE_TOLERANCE + timedelta(seconds=1), order().created_at - timedelta(seconds=1)],
)
def test_a_time_that_cannot_be_right_is_doubted_and_polling_dates_the_request(notified):
    plan = found(from_notification(notified))

    assert plan.outcome is IntakeOutcome.NEW_REQUEST and plan.doubt is not None
    assert plan.doubt.at == notified
    assert plan.new.request_time.basis is not Basis.NOTIFICATION


def test_a_repeat_of_a_request_decided_here_changes_nothing_and_a_later_one_is_new():
    decided = stored(state=RequestState.DECIDED)
    taken = decision(DecisionResult.OK, request_id=decided.id, finished_at=NOW - 2 * H)
    known = Known(decided, taken)

    repeat = plan_known(known, from_notification(NOW - 10 * H), NOW)
    assert repeat.outcome is IntakeOutcome.ALREADY_DECIDED and repeat.new is None
    assert plan_known(known, from_notification(NOW - H), NOW) is None  # the Market is asked

    again = found(from_notification(NOW - H), known=known)
    assert again.outcome is IntakeOutcome.NEW_REQUEST
    assert again.request == decided and again.change.effect is Effect.CLOSE
    assert not again.change.show  # its post already shows the decision
    assert again.new.request_time == from_notification(NOW - H)


def test_an_order_not_listed_yet_keeps_the_earliest_time_for_the_poll():
    not_yet = order(cancel_requested=None)
    exact = from_notification(NOW - H)
    plan = plan_found(BUSINESS, not_yet, exact, Known(), NOW, poll_interval=INTERVAL)

    assert plan.outcome is IntakeOutcome.KEPT_FOR_POLL and plan.exact == exact
    assert plan.new is None


@pytest.mark.parametrize(
    ("last_found", "outcome"),
    [
        (None, IntakeOutcome.LOOKED_UP_LATELY),
        (order(), IntakeOutcome.LOOKED_UP_LATELY),  # it awaited a decision: never opened here
        (order(cancel_requested=None), IntakeOutcome.KEPT_FOR_POLL),
    ],
)
def test_a_repeat_within_the_poll_interval_never_opens_a_request(last_found, outcome):
    plan = plan_lately(last_found, from_notification(NOW - H), NOW)

    assert plan.outcome is outcome and plan.lately
    assert plan.new is None


def test_a_status_change_is_judged_as_the_next_poll_would():
    pending = stored()
    cancelled = order(status="CANCELLED", substatus="USER_CHANGED_MIND", cancel_requested=False)

    assert plan_change(pending, False, cancelled).outcome is IntakeOutcome.CLOSED
    decided = dataclasses.replace(pending, state=RequestState.DECIDED)
    assert plan_change(decided, False, cancelled).outcome is IntakeOutcome.CLOSED_AFTER_DECISION
    assert plan_change(pending, True, cancelled).outcome is IntakeOutcome.DECISION_IN_FLIGHT
    assert plan_change(pending, False, None).outcome is IntakeOutcome.NOT_FOUND
    assert plan_change(pending, False, pending.order).outcome is IntakeOutcome.NOTHING_TO_SHOW
    moved = order(status="PICKUP", substatus="PICKUP_SERVICE_RECEIVED")
    assert plan_change(pending, False, moved).outcome is IntakeOutcome.POST_UPDATED


# --- the log line -----------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(IntakeOutcome))
def test_every_outcome_has_a_log_line(outcome):
    plan = NotificationPlan(outcome, stored(), order(), from_notification(NOW - H))

    assert plan.describe()


def test_the_log_says_what_the_readme_tells_operators_to_look_for():
    later = plan_correction(stored(), from_notification(NOW))
    repeat = plan_lately(order(cancel_requested=None), from_notification(NOW - H), NOW)

    assert "deadline kept" in later.describe()
    assert "looked up within the poll interval" in repeat.describe()
    assert "earliest time kept" in repeat.describe()


# --- a poll -----------------------------------------------------------------------------


def view(**changes) -> PollView:
    fields = {
        "started_at": NOW,
        "listed": {},
        "open_requests": {},
        "held": set(),
        "left": [],
        "current": {},
        "memory": {},
        "unread": [],
        "poll_interval": INTERVAL,
    }
    return PollView(**(fields | changes))


def test_a_poll_takes_in_what_is_new_and_never_a_second_request_for_a_held_order():
    known, new, damaged = order(1), order(2), order(3)
    keys = {o.order_id: (o.campaign_id, o.order_id) for o in (known, new, damaged)}
    listed = {keys[o.order_id]: (BUSINESS, o) for o in (known, new, damaged)}
    pending = stored(the_order=known)

    plan = plan_poll(
        view(
            listed=listed,
            open_requests={keys[1]: pending},
            held={keys[1], keys[3]},  # the row of order 3 cannot be read
            memory={key: Memory() for key in keys.values()},
        )
    )

    assert [n.order.order_id for n in plan.new] == [2]
    assert plan.new[0].first_seen == NOW and plan.new[0].request_time.at <= NOW
    assert plan.seen == [(pending, KEEP)] and plan.changes == []
    assert [(p.order_ref, p.stage, p.detail) for p in plan.problems] == [
        ("3", Stage.STORE, "its database row is damaged")
    ]


def test_an_order_whose_memory_cannot_be_read_costs_only_itself():
    odd, ordinary = order(1), order(2)
    error = ValueError("a damaged row")
    listed = {(o.campaign_id, o.order_id): (BUSINESS, o) for o in (odd, ordinary)}

    plan = plan_poll(view(listed=listed, memory={(1001, 2): Memory()}, unread=[(odd, error)]))

    assert [n.order.order_id for n in plan.new] == [2]
    assert plan.failed == [(odd, error)]
    assert [(p.order_ref, p.stage) for p in plan.problems] == [("1", Stage.STORE)]


def test_a_request_gone_from_the_listing_closes_and_one_still_listed_stays():
    listed_order, gone_order = order(1), order(2)
    still, gone = stored(the_order=listed_order), stored(request_id=8, the_order=gone_order)
    closed = dataclasses.replace(gone_order, status="CANCELLED", cancel_requested=False)

    plan = plan_poll(
        view(
            listed={(1001, 1): (BUSINESS, listed_order)},
            open_requests={(1001, 1): still, (1001, 2): gone},
            held={(1001, 1), (1001, 2)},
            left=[gone],
            current={(1001, 2): closed},
        )
    )

    assert plan.resolved == [gone] and plan.still_pending == [still]
    [(request_closed, change)] = plan.changes
    assert request_closed == gone and change.closes and change.order == closed
    assert plan.new == []
