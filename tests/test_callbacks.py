"""bot/callbacks.py: callback data is a short key Telegram accepts (1-64 bytes)."""

import pytest

from bot.callbacks import Callback, Tap, parse_callback
from bot.decisions import Decision

IDS = [1, 7, 42, 10**9, 10**18 - 1]
ALL = [Callback(Tap.BACK, i, None) for i in IDS] + [
    Callback(tap, i, d) for tap in (Tap.CHOOSE, Tap.CONFIRM) for i in IDS for d in Decision
]


@pytest.mark.parametrize("callback", ALL, ids=lambda c: c.encode())
def test_encode_parse_round_trip(callback: Callback) -> None:
    assert parse_callback(callback.encode()) == callback


def test_encoded_forms() -> None:
    assert Callback(Tap.CHOOSE, 5, Decision.ACCEPT).encode() == "d:5:a"
    assert Callback(Tap.CHOOSE, 5, Decision.REJECT_DELIVERED).encode() == "d:5:d"
    assert Callback(Tap.CHOOSE, 5, Decision.REJECT_IN_DELIVERY).encode() == "d:5:c"
    assert Callback(Tap.CONFIRM, 5, Decision.ACCEPT).encode() == "c:5:a"
    assert Callback(Tap.BACK, 5, None).encode() == "b:5"


@pytest.mark.parametrize("request_id", [*IDS, 2**63 - 1])
def test_every_encoded_value_fits_telegram_limit(request_id: int) -> None:
    values = [Callback(Tap.BACK, request_id, None).encode()] + [
        Callback(tap, request_id, d).encode() for tap in (Tap.CHOOSE, Tap.CONFIRM) for d in Decision
    ]
    for value in values:
        assert 1 <= len(value.encode("utf-8")) <= 64


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "d:1:x",
        "d:0:a",
        "x:1:a",
        "b:",
        "b:0",
        "d:1:a:extra",
        "d:1",
        "c:1",
        "b:1:a",
        "d::a",
        "d:-1:a",
        "d:01:a",
        "D:1:A",
        " d:1:a",
        "d:1:a ",
        "d:1:a\n",
        "d:+1:a",
        "d:1.0:a",
        "d:" + "9" * 40 + ":a",
        "b:" + "1" * 100,
        "d:١:a",
        "b:١",
        "d:١٢:a",
    ],
)
def test_malformed_or_forged_data_is_refused(data: str | None) -> None:
    assert parse_callback(data) is None
