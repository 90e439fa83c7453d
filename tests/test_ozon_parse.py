"""Anything Ozon may send, by its own spec and its gateway's habits, through the parser.

Answers are drawn from the committed contracts (tests/contract_ozon.py): int64 as numbers
or strings, `null` anywhere, long names, many products. Never a crash: a request is read,
or it is a clear unreadable that costs that request only; and no buyer data is kept.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ozon.parse import OzonFormatError, int64, parse_posting, parse_request, parse_roles
from bot.ozon.records import CancellationState, Initiator, OzonRequest, OzonUnreadable
from bot.ozon.times import parse_ozon_time
from scripts.contracts import ozon_examples as generator
from tests.contract_ozon import CONTRACTS, EXAMPLES, POSTING, PRODUCT, REQUEST, ROLES

EXAMPLES_RUN = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES_RUN,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ANYTHING = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.lists(st.none())
POSITIVE_ID = st.integers(min_value=1, max_value=2**63 - 1)
POSTING_NUMBER = st.from_regex(r"[0-9]{8,10}-[0-9]{4}-[0-9]{1,2}", fullmatch=True)
LONG_TEXT = st.builds(
    lambda piece, size: (piece * size)[:size],
    st.text(st.sampled_from("🧸&<>\"' Жw"), min_size=1, max_size=8) | st.text(min_size=1),
    st.integers(min_value=150, max_value=2000),
)
BUYER = "Покупатель Секретов"  # the buyer's name and phone: never in a record
PHONE = "+7 999 000-00-00"


def read(raw: Any) -> OzonRequest | OzonUnreadable:
    try:
        return parse_request(raw)
    except OzonFormatError as error:
        unreadable = OzonUnreadable.of(raw, str(error))
        assert unreadable.reason and len(unreadable.cancellation_ref) <= 40
        return unreadable


# --------------------------------------------------------------------------------------------
# requests
# --------------------------------------------------------------------------------------------


@FUZZ
@given(REQUEST | ANYTHING)
def test_any_listed_request_is_read_or_clearly_unreadable(raw: Any) -> None:
    found = read(raw)
    if isinstance(found, OzonUnreadable):
        return
    assert found.cancellation_id == int(raw["cancellation_id"]) > 0
    assert found.posting_number == raw["posting_number"].strip()
    assert found.state.value == raw["state"]["state"]
    times = (found.created_at, found.order_date, found.auto_approve_date, found.approve_date)
    assert all(moment is None or moment.tzinfo is UTC for moment in times)


@st.composite
def rfc3339(draw: st.DrawFn) -> tuple[str, datetime]:
    """A time as Ozon may write it (Z or an offset, 0 to 9 fractional digits) and its value."""
    moment = draw(st.datetimes(datetime(1901, 1, 1), datetime(2198, 1, 1), timezones=st.just(UTC)))
    minutes = draw(st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59))
    digits = draw(st.integers(min_value=0, max_value=9))
    fraction = f"{moment.microsecond:06d}" + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    fraction = fraction[:digits]
    local = moment.astimezone(timezone(timedelta(minutes=minutes)))
    sign, offset = ("-", -minutes) if minutes < 0 else ("+", minutes)
    zone = (
        "Z" if minutes == 0 and draw(st.booleans()) else f"{sign}{offset // 60:02}:{offset % 60:02}"
    )
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + zone
    return text, moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))


@FUZZ
@given(
    raw=REQUEST,
    cancellation_id=POSITIVE_ID,
    as_string=st.booleans(),
    posting_number=POSTING_NUMBER,
    deadline=rfc3339(),
    message=st.none() | LONG_TEXT,
)
def test_a_waiting_request_with_its_keys_is_read_with_its_deadline(
    raw: dict[str, Any],
    cancellation_id: int,
    as_string: bool,
    posting_number: str,
    deadline: tuple[str, datetime],
    message: str | None,
) -> None:
    raw = {
        **raw,
        "cancellation_id": str(cancellation_id) if as_string else cancellation_id,
        "posting_number": posting_number,
        "state": {"id": "1", "name": "На согласовании", "state": "ON_APPROVAL"},
        "auto_approve_date": deadline[0],
        "cancellation_reason_message": message,
    }
    request = parse_request(raw)
    assert (request.cancellation_id, request.posting_number) == (cancellation_id, posting_number)
    assert request.state is CancellationState.ON_APPROVAL
    assert request.auto_approve_date == deadline[1]
    assert request.reason_message == (message.strip() or None if message else None)


def waiting(**fields: Any) -> dict[str, Any]:
    return {
        "cancellation_id": "283784254",
        "posting_number": "34009011-0094-1",
        "state": {"state": "ON_APPROVAL"},
        "auto_approve_date": "2026-11-27T12:31:43Z",
        **fields,
    }


def test_nulls_for_unset_fields_are_read_as_none() -> None:
    nulls = dict.fromkeys(
        ("approve_date", "approve_comment", "cancellation_reason", "cancelled_at", "order_date"),
        None,
    )
    request = parse_request(waiting(cancellation_initiator=None, **nulls))
    assert request.approve_date is None and request.approve_comment is None
    assert request.reason_id is None and request.initiator is None and request.created_at is None
    assert request.auto_approve_date == datetime(2026, 11, 27, 12, 31, 43, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("283784254", 283784254),
        (283784254, 283784254),
        (str(2**63 - 1), 2**63 - 1),
        ("-7", -7),
        ("١٢", None),  # Arabic-Indic digits: Python's int() reads them, Ozon never sends them
        ("12.0", None),
        ("1e3", None),
        (" 12", None),
        ("+12", None),
        ("", None),
        ("0x1f", None),
        (str(2**63), None),
        (2**63, None),
        (True, None),
        (12.0, None),
        (None, None),
    ],
)
def test_int64_is_a_number_or_a_string_of_ascii_digits(value: Any, expected: int | None) -> None:
    assert int64(value) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"cancellation_id": "12abc"},
        {"cancellation_id": 0},  # protobuf's "unset"
        {"cancellation_id": None},
        {"posting_number": "   "},
        {"state": {"state": "ALL"}},  # the spec's own example says so; not a state
        {"state": None},
        {"auto_approve_date": "27.11.2026 12:31"},  # a deadline there but unreadable
        {"auto_approve_date": "2026-11-27T12:31:43"},  # no zone: which moment is it?
    ],
)
def test_a_request_the_desk_cannot_act_on_is_unreadable(fields: dict[str, Any]) -> None:
    found = read(waiting(**fields))
    assert isinstance(found, OzonUnreadable)


def test_an_unknown_initiator_or_closed_request_without_deadline_is_still_read() -> None:
    request = parse_request(waiting(cancellation_initiator="ROBOT"))
    assert request.initiator is None
    closed = parse_request(
        waiting(state={"state": "APPROVED"}, auto_approve_date="soon", approve_date=None)
    )
    assert closed.state is CancellationState.APPROVED and closed.auto_approve_date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-31T09:00:00Z", datetime(2026, 3, 31, 9, tzinfo=UTC)),
        ("2026-03-31T09:00:00.999999900Z", datetime(2026, 3, 31, 9, 0, 0, 999999, tzinfo=UTC)),
        ("2026-03-31T12:00:00.5+03:00", datetime(2026, 3, 31, 9, 0, 0, 500000, tzinfo=UTC)),
        ("2026-03-31t09:00:00z", datetime(2026, 3, 31, 9, tzinfo=UTC)),
    ],
)
def test_times_are_rfc3339_in_utc(text: str, expected: datetime) -> None:
    assert parse_ozon_time(text) == expected


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59.999999900Z", "2026-03-31 09:00", "2026-13-01T00:00:00Z", ""]
)
def test_odd_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ozon_time(text)


# --------------------------------------------------------------------------------------------
# postings and roles
# --------------------------------------------------------------------------------------------


def with_buyer(raw: dict[str, Any]) -> dict[str, Any]:
    address = {"address_tail": "ул. Секретная, 1", "city": "Москва", "zip_code": "101000"}
    return {
        **raw,
        "customer": {"name": BUYER, "phone": PHONE, "customer_id": "77", "address": address},
        "addressee": {"name": BUYER, "phone": PHONE},
    }


@FUZZ
@given(raw=POSTING, buyer=st.booleans())
def test_any_posting_is_read_or_refused_and_keeps_no_buyer_data(
    raw: dict[str, Any], buyer: bool
) -> None:
    raw = with_buyer(raw) if buyer else raw
    try:
        posting = parse_posting(raw)
    except OzonFormatError:
        assert not (isinstance(raw.get("posting_number"), str) and raw["posting_number"].strip())
        return
    assert posting.posting_number == raw["posting_number"].strip()
    products = raw.get("products") if isinstance(raw.get("products"), list) else []
    assert len(posting.products) == sum(isinstance(item, dict) for item in products)
    assert all(p.price is None or p.price.is_finite() for p in posting.products)
    assert BUYER not in repr(posting) and PHONE not in repr(posting)


@settings(FUZZ, max_examples=max(1, EXAMPLES_RUN // 4))
@given(
    raw=POSTING,
    product=PRODUCT,
    names=st.lists(LONG_TEXT, min_size=1, max_size=3),
    count=st.integers(min_value=20, max_value=150),
    price=st.from_regex(r"[0-9]{1,9}\.[0-9]{4}", fullmatch=True),
)
def test_many_products_with_long_names_are_all_kept(
    raw: dict[str, Any], product: dict[str, Any], names: list[str], count: int, price: str
) -> None:
    products = [
        {**product, "name": names[n % len(names)], "price": price, "quantity": n}
        for n in range(count)
    ]
    posting = parse_posting({**raw, "posting_number": "0132112277-0101-1", "products": products})
    assert [p.quantity for p in posting.products] == list(range(count))
    for n, item in enumerate(posting.products):
        assert item.name == (names[n % len(names)].strip() or item.name)
        assert item.price == Decimal(price)


@FUZZ
@given(ROLES)
def test_any_roles_answer_is_read_or_refused(raw: dict[str, Any]) -> None:
    try:
        info = parse_roles(raw)
    except OzonFormatError:
        assert not isinstance(raw.get("roles"), list)
        return
    assert info.expires_at is None or info.expires_at.tzinfo is UTC


# --------------------------------------------------------------------------------------------
# the spec's own examples, and the contracts' currency
# --------------------------------------------------------------------------------------------


def test_the_specs_list_example_is_a_clear_unreadable_and_a_real_one_reads() -> None:
    example = EXAMPLES["/v2/conditional-cancellation/list"]
    [item] = example["result"]
    found = read(item)  # cancellation_id 0 and state "ALL": nothing the desk could act on
    assert isinstance(found, OzonUnreadable) and found.posting_ref == "string"
    request = parse_request({**item, "cancellation_id": 17, "state": {"state": "ON_APPROVAL"}})
    assert request.initiator is Initiator.OZON and request.reason_id == 0
    assert request.auto_approve_date == datetime(2024, 11, 27, 12, 31, 43, 621000, tzinfo=UTC)
    assert int64(example["counter"]) == 1 and int64(example["last_id"]) == 283784254


def test_the_specs_posting_example_reads_without_its_null_buyer() -> None:
    posting = parse_posting(EXAMPLES["/v3/posting/fbs/get"]["result"])
    assert posting.posting_number == "0132112277-0101-1"
    assert posting.status == "awaiting_packaging"
    assert posting.delivery_method == "Доставка Ozon самостоятельно, Ногинск"
    [product] = posting.products
    assert (product.quantity, product.price, product.currency) == (1, Decimal("1530"), "RUB")
    assert product.name.startswith("Профессиональная плойка")


def test_the_specs_roles_example_reads() -> None:
    info = parse_roles(EXAMPLES["/v1/roles"])
    assert [role.name for role in info.roles] == ["Admin", "Posting FBS"]
    assert info.allows("/v1/posting") and not info.allows("/v2/conditional-cancellation/list")
    assert info.expires_at == datetime(2026, 2, 18, 9, 54, 23, 296000, tzinfo=UTC)


def test_committed_ozon_examples_match_the_spec(tmp_path: Path) -> None:
    """The schemas are held to the spec by tests/test_contracts.py; the examples here."""
    if not generator.DEFAULT_SWAGGER.is_file():
        pytest.skip(f"Ozon's spec is not beside the repository: {generator.DEFAULT_SWAGGER}")
    made = generator.generate(generator.DEFAULT_SWAGGER, tmp_path)
    committed = CONTRACTS / made.name
    assert committed.read_bytes() == made.read_bytes(), (
        "stale examples, run `python -m scripts.contracts.ozon_examples`"
    )
