"""Any order the Market may send, by its own spec, through the parser and the renderer.

Orders are drawn from the committed contract of the official spec (tests/contract_orders.py),
so these tests need no spec beside the clone.

Every text must parse as Telegram HTML and fit 4096 UTF-16 units once parsed: Telegram
refuses anything else, and a refused post is a request staff never see.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.render import render_pending, render_post, render_reminder
from bot.domain.deadlines import estimate_request_time
from bot.domain.model import (
    Basis,
    Decision,
    DecisionRecord,
    DecisionResult,
    Order,
    Person,
    Post,
    Request,
    RequestState,
    RequestTime,
)
from bot.formatting import Style
from bot.market.orders import OrderFormatError, parse_business_order
from bot.texts import Texts
from tests.contract_orders import BIG_ORDERS, ORDERS, STORABLE_ORDERS, VALIDATOR, parsed
from tests.fakes.telegram import HtmlParseError, parse_html

MESSAGE_LIMIT = 4096  # UTF-16 code units of the text Telegram shows, after HTML parsing
# Orders per test: about 15 s for the file on two cores. Drawing an order costs ~0.04 s,
# and rare values (amounts of 1e26 and up, 50 items) need more draws to turn up:
# `FUZZ_EXAMPLES=1000 pytest tests/test_orders_fuzz.py` before a release.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --------------------------------------------------------------------------------------------
# the parser
# --------------------------------------------------------------------------------------------


@FUZZ
@given(ORDERS)
def test_any_valid_order_parses_with_its_ids(data: dict[str, Any]) -> None:
    VALIDATOR.validate(data)  # the drawing itself keeps to the contract
    ids = (data.get("orderId"), data.get("campaignId"))
    try:
        order = parse_business_order(data)
    except OrderFormatError:
        assert not all(type(value) is int for value in ids), "ids are there, yet refused"
        return
    assert (order.order_id, order.campaign_id) == ids


@FUZZ
@given(STORABLE_ORDERS)
def test_a_parsed_order_survives_storage_as_json(data: dict[str, Any]) -> None:
    order = parsed(data)
    assert Order.from_json(order.to_json()) == order


# --------------------------------------------------------------------------------------------
# the renderer
# --------------------------------------------------------------------------------------------

H = timedelta(hours=1)
CHAT_ID, MESSAGE_ID, REQUEST_ID = -1001234567890, 7, 42
FIRST_SEEN = datetime(2026, 7, 20, 9, 0, tzinfo=UTC)
STYLES = {
    language: Style(
        texts=Texts(language),
        timezone=ZoneInfo("Europe/Moscow"),
        lead_times=(24 * H, 6 * H, H),
        confirm_decisions=True,
    )
    for language in ("ru", "en")
}
SHOPS = ["Ромашка & Co", '<b>Shop</b> "1" 🧸', "x" * 100]
# Telegram allows 64 characters for each of a first and a last name and 32 for a username.
USER_NAME = "🧸" * 64 + " " + "<&>" * 21 + "&"
USERNAME = "a" * 31 + "_"
ERROR_MESSAGE = ('Внутренняя <ошибка> & "сбой" 🧸 ' * 20)[:400]
# now, as an offset from the deadline: fresh, past the lead times, at the last hour, too late
BEFORE_DEADLINE = [-47 * H, -20 * H, -5 * H, -H / 2, 2 * H]
CLOSED_STATUSES = ["CANCELLED/USER_CHANGED_MIND", "DELIVERED/", "CANCELLED", None, "order"]


def request_time(order: Order, basis: Basis) -> RequestTime:
    if basis is Basis.NOTIFICATION:
        return RequestTime(FIRST_SEEN - 2 * H, basis)
    if basis is Basis.POLL:
        return RequestTime(FIRST_SEEN - H / 6, basis)
    return estimate_request_time(
        first_seen=FIRST_SEEN,
        created_at=order.created_at,
        updated_at=order.updated_at,
        last_miss=None,
        fresh_within=H / 4,
    )


def make_request(
    order: Order,
    rt: RequestTime,
    *,
    state: RequestState = RequestState.PENDING,
    confirming: Decision | None = None,
    posted: bool = True,
    closed_at: datetime | None = None,
    closed_status: str | None = None,
) -> Request:
    post = Post(CHAT_ID, MESSAGE_ID, FIRST_SEEN + H / 60, confirming, 0) if posted else None
    return Request(
        id=REQUEST_ID,
        campaign_id=order.campaign_id,
        order_id=order.order_id,
        business_id=5001,
        state=state,
        order=order,
        first_seen=FIRST_SEEN,
        request_time=rt,
        closed_at=closed_at,
        closed_status=closed_status,
        post=post,
    )


def decision_record(
    decision: Decision, now: datetime, result: DecisionResult, **fields: Any
) -> DecisionRecord:
    values: dict[str, Any] = {
        "id": 1,
        "request_id": REQUEST_ID,
        "decision": decision,
        "person": Person(111, USER_NAME, USERNAME),
        "started_at": now - H / 60,
        "finished_at": now - H / 120,
        "result": result,
        "http_status": None,
        "error_code": None,
        "error_message": None,
        "retry_at": None,
    }
    return DecisionRecord(**{**values, **fields})


def assert_sendable(text: str, what: str) -> None:
    """Telegram would take `text` as an HTML message."""
    try:
        plain, _ = parse_html(text)
    except HtmlParseError as error:
        raise AssertionError(f"{what}: Telegram cannot parse it: {error}\n{text}") from None
    shown = plain.strip(" \t\r\n")
    assert shown, f"{what}: empty message"
    units = len(shown.encode("utf-16-le")) // 2
    assert units <= MESSAGE_LIMIT, f"{what}: {units} UTF-16 units, more than {MESSAGE_LIMIT}"


def posts(
    order: Order,
    rt: RequestTime,
    now: datetime,
    decision: Decision,
    retry_later: bool,
    closed_status: str | None,
) -> Iterator[tuple[str, Request, DecisionRecord | None]]:
    """The order's request in each state its post can show: (name, request, decision)."""
    yield "pending, not posted yet", make_request(order, rt, posted=False), None
    for confirming in Decision:
        yield f"confirming {confirming.name}", make_request(order, rt, confirming=confirming), None
    failed = decision_record(
        decision,
        now,
        DecisionResult.FAILED,
        http_status=500,
        error_code="INTERNAL_SERVER_ERROR",
        error_message=ERROR_MESSAGE,
        retry_at=now + H / 12 if retry_later else None,
    )
    yield "pending after a failed decision", make_request(order, rt), failed
    decided = decision_record(decision, now, DecisionResult.OK)
    yield "decided", make_request(order, rt, state=RequestState.DECIDED), decided
    status = f"{order.status}/{order.substatus}" if closed_status == "order" else closed_status
    closed = make_request(
        order, rt, state=RequestState.CLOSED, closed_at=now - H / 60, closed_status=status
    )
    yield "closed", closed, None


_POST_CASES = {
    "language": st.sampled_from(sorted(STYLES)),
    "shop": st.sampled_from(SHOPS),
    "basis": st.sampled_from(list(Basis)),
    "offset": st.sampled_from(BEFORE_DEADLINE),
    "decision": st.sampled_from(list(Decision)),
    "retry_later": st.booleans(),
    "closed_status": st.sampled_from(CLOSED_STATUSES),
}


def check_posts_and_reminder(
    data: dict[str, Any],
    language: str,
    shop: str,
    basis: Basis,
    offset: timedelta,
    decision: Decision,
    retry_later: bool,
    closed_status: str | None,
) -> None:
    order = parsed(data)
    style = STYLES[language]
    rt = request_time(order, basis)
    now = rt.deadline + offset
    for state, request, record in posts(order, rt, now, decision, retry_later, closed_status):
        assert_sendable(render_post(request, record, shop, now, style).text, state)
    assert_sendable(render_reminder(make_request(order, rt), now, style), "reminder")


@FUZZ
@given(data=STORABLE_ORDERS, **_POST_CASES)
def test_posts_and_reminders_are_sendable_in_every_state(**case: Any) -> None:
    check_posts_and_reminder(**case)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 4))
@given(data=BIG_ORDERS, **_POST_CASES)
def test_posts_of_big_orders_are_sendable_in_every_state(**case: Any) -> None:
    VALIDATOR.validate(case["data"])
    check_posts_and_reminder(**case)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(
    data=STORABLE_ORDERS,
    count=st.integers(min_value=1, max_value=250),
    language=st.sampled_from(sorted(STYLES)),
    basis=st.sampled_from(list(Basis)),
    offset=st.sampled_from(BEFORE_DEADLINE),
    posted=st.booleans(),
    shop=st.sampled_from(SHOPS),
)
def test_the_pending_list_is_sendable(
    data: dict[str, Any],
    count: int,
    language: str,
    basis: Basis,
    offset: timedelta,
    posted: bool,
    shop: str,
) -> None:
    """A long list is split into messages that each fit; its lines hardly depend on orders."""
    order = parsed(data)
    rt = request_time(order, basis)
    requests = [
        make_request(replace(order, order_id=order.order_id - n), rt, posted=posted)
        for n in range(count)
    ]
    shops = {order.campaign_id: shop}
    messages = render_pending(requests, shops, rt.deadline + offset, STYLES[language])
    assert messages
    for n, text in enumerate(messages, start=1):
        assert_sendable(text, f"/pending message {n} of {len(messages)}")
