"""bot/chat/callbacks.py: callback data is a short key Telegram accepts (1-64 bytes)."""

import pytest

from bot.chat.callbacks import Callback, Tap, parse_callback
from bot.domain.model import Decision

IDS = [1, 7, 42, 10**9, 10**18 - 1]
ALL = [Callback(tap, i, None) for tap in (Tap.BACK, Tap.CLAIM, Tap.CONTACT) for i in IDS] + [
    Callback(tap, i, d) for tap in (Tap.CHOOSE, Tap.CONFIRM) for i in IDS for d in Decision
]


@pytest.mark.parametrize("callback", ALL, ids=lambda c: c.encode())
def test_encode_parse_round_trip(callback: Callback) -> None:
    assert parse_callback(callback.encode()) == callback


def test_encoded_forms() -> None:
    assert Callback(Tap.CHOOSE, 5, Decision.ACCEPT).encode() == "pick:5:accept"
    assert Callback(Tap.CHOOSE, 5, Decision.REJECT_DELIVERED).encode() == "pick:5:delivered"
    assert Callback(Tap.CHOOSE, 5, Decision.REJECT_IN_DELIVERY).encode() == "pick:5:courier"
    assert Callback(Tap.CONFIRM, 5, Decision.ACCEPT).encode() == "sure:5:accept"
    assert Callback(Tap.BACK, 5, None).encode() == "back:5"
    assert Callback(Tap.CLAIM, 5, None).encode() == "mine:5"
    assert Callback(Tap.CONTACT, 5, None).encode() == "call:5"


@pytest.mark.parametrize(
    ("legacy", "meant"),
    [
        ("d:5:a", Callback(Tap.CHOOSE, 5, Decision.ACCEPT)),
        ("d:5:d", Callback(Tap.CHOOSE, 5, Decision.REJECT_DELIVERED)),
        ("d:5:c", Callback(Tap.CHOOSE, 5, Decision.REJECT_IN_DELIVERY)),
        ("c:5:a", Callback(Tap.CONFIRM, 5, Decision.ACCEPT)),
        ("c:5:c", Callback(Tap.CONFIRM, 5, Decision.REJECT_IN_DELIVERY)),
        ("b:5", Callback(Tap.BACK, 5, None)),
    ],
)
def test_buttons_of_posts_made_by_earlier_versions_still_work(legacy: str, meant) -> None:
    assert parse_callback(legacy) == meant


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
        "pick:1:a",
        "sure:1",
        "back:1:accept",
        "pick:0:accept",
        "pick:1:Accept",
        "d:1:accept",
        "pick:" + "9" * 40 + ":accept",
        "mine:0",
        "mine:1:accept",
        "mine:",
        "call:1:accept",
        "call:x",
    ],
)
def test_malformed_or_forged_data_is_refused(data: str | None) -> None:
    assert parse_callback(data) is None
