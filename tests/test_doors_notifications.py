"""Bad input at the notification door: whatever a sender posts, a documented answer.

Anyone who reaches the endpoint from an allowed address may post anything. Every body gets
200, 400 or 413 with a JSON body (never a 500 and a traceback while the Market is up), and
nothing a sender writes reaches storage unless the Market itself lists the order.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.http import Health, NotificationEndpoint, create_app
from bot.signals import Activity
from tests.builders import asgi_client
from tests.conftest import CAMPAIGN

MARKET_PEER = "5.45.207.10"
TYPES = ["PING", "ORDER_CANCELLATION_REQUEST", "ORDER_CANCELLED", "ORDER_STATUS_UPDATED", "X"]
FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
ODD_VALUES = st.one_of(
    JSON,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["", " ", "1e3", "١٢", "0x10", "2026-13-45T25:61:00Z", "now", "9" * 30]),
)


def _notification_like() -> st.SearchStrategy[dict]:
    """Bodies shaped like the Market's, each field possibly the wrong type or out of range."""
    return st.fixed_dictionaries(
        {"notificationType": st.one_of(st.sampled_from(TYPES), ODD_VALUES)},
        optional={
            "campaignId": st.one_of(st.just(CAMPAIGN), ODD_VALUES),
            "orderId": st.one_of(st.integers(min_value=1, max_value=2**63 - 1), ODD_VALUES),
            "requestedAt": st.one_of(st.just("2026-12-01T10:00:00+03:00"), ODD_VALUES),
            "extra": JSON,
        },
    )


@pytest.fixture
def app(settings, inbox):
    health = Health(
        inbox.store, Activity(telegram_ok=True), settings.poll_interval, inbox.clock, inbox.clock()
    )
    return create_app(NotificationEndpoint(inbox, settings), health)


async def _post(app, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    async with asgi_client(app, MARKET_PEER) as http:
        return await http.post("/notification", content=content, headers=headers or {})


def _documented(answer: httpx.Response) -> None:
    assert answer.status_code in (200, 400, 413), (answer.status_code, answer.text)
    body = answer.json()
    assert set(body) == {"version", "name", "time"} or set(body) == {"error"}


@FUZZ
@given(body=st.binary(max_size=300))
async def test_any_bytes_get_a_documented_answer(app, inbox, body: bytes) -> None:
    _documented(await _post(app, body))
    assert inbox.store.requests.count() == 0


@FUZZ
@given(body=_notification_like())
async def test_any_notification_shaped_body_gets_a_documented_answer(
    app, inbox, body: dict
) -> None:
    _documented(await _post(app, json.dumps(body).encode()))
    assert inbox.store.requests.count() == 0  # the fake Market lists no order: nothing kept


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 60_000,
        b'{"a":' * 6_000 + b"1" + b"}" * 6_000,
        b'{"notificationType": "PING", "n": ' + b"9" * 5000 + b"}",
        b'{"notificationType": "PING", "n": 1e999999}',
        b'{"notificationType": "PING", "n": NaN}',
        b'{"notificationType": "PING", "notificationType": "ORDER_CANCELLED"}',
        b"\xef\xbb\xbf{}",
        b"\xff\xfe{\x00}\x00",
        b'"\\ud800"',
    ],
    ids=[
        "deep-list",
        "deep-object",
        "long-int",
        "huge-float",
        "nan",
        "dup-key",
        "bom",
        "utf16",
        "lone-surrogate",
    ],
)
async def test_pathological_json_gets_a_documented_answer(app, body: bytes) -> None:
    _documented(await _post(app, body))


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "text/plain"},
        {"content-encoding": "gzip"},
        {"transfer-encoding": "chunked"},
    ],
)
async def test_odd_headers_change_nothing(app, headers: dict[str, str]) -> None:
    answer = await _post(app, b'{"notificationType": "PING"}', headers)
    assert answer.status_code == 200
