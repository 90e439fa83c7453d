"""The owner's view of a chat with Ozon and Market requests, read from a real store.

Rows are stored as the Ozon side stores them (the campaign -Client-Id, the cancellation id
as the order id), beside a Market row; /stats, /order, /history, /export and the digest
read them back through the same queries and pure parts the commands use.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta

import pytest

from bot.domain.model import (
    Basis,
    Decision,
    DecisionResult,
    Marketplace,
    NewRequest,
    Person,
    RequestTime,
)
from bot.owner.commands import requests_named
from bot.owner.digest import digest_text
from bot.owner.export import export_parts
from bot.owner.periods import parse_period
from bot.owner.render_owner import render_history, render_stats
from bot.owner.stats import compute
from bot.owner.story import story_lines
from storage.store import Store
from tests.builders import NOW, H, new, style
from tests.test_render_ozon import CAMPAIGN, POSTING, mixed, ozon_order

OTHER = "87654321-0002-1"
SHOPS = {CAMPAIGN: "Ozon-шоп", 1001: "Ромашка"}
ANNA = Person(42, "Анна")


def decide(store: Store, request_id: int, choice: Decision) -> None:
    record = store.begin_decision(request_id, choice, ANNA, NOW - H)
    assert record is not None
    store.finish_decision(record.id, DecisionResult.OK, NOW - H, http_status=200)


@pytest.fixture
def ledger(store: Store) -> Store:
    """A Market order accepted; an Ozon posting rejected (with the courier), one pending."""
    decide(store, store.add_request(new(5001)), Decision.ACCEPT)
    timed = RequestTime(NOW - 10 * H, Basis.NOTIFICATION, window=40 * H)
    rejected = NewRequest(555, ozon_order(), NOW - 9 * H, timed)
    decide(store, store.add_request(rejected), Decision.REJECT_IN_DELIVERY)
    later = dataclasses.replace(timed, window=20 * H)
    waiting = ozon_order(order_id=9002, posting_number=OTHER)
    store.add_request(NewRequest(555, waiting, NOW - 8 * H, later))
    return store


def period():
    return parse_period("7d", NOW + H, mixed().timezone)


def test_stats_split_by_marketplace_only_in_a_chat_serving_both(ledger: Store) -> None:
    stats = compute(ledger.history.ledger(period().start, period().end), period())
    text = "\n".join(render_stats(stats, mixed()))
    assert "Received: <b>3</b>" in text and "By marketplace:" in text
    market = text.index("• Market: received 1 · ✅ 1 · 📦 0 · 🚚 0 · ↪️ 0 · ⌛ 0 · ⏳ 0")
    assert market < text.index("• Ozon: received 2 · ✅ 0 · 📦 0 · 🚚 1 · ↪️ 0 · ⌛ 0 · ⏳ 1")
    ru = "\n".join(render_stats(stats, mixed("ru")))
    assert "По маркетплейсам:" in ru and "• Ozon: пришло 2" in ru
    alone = "\n".join(render_stats(stats, style()))
    assert "Received: <b>3</b>" in alone and "By marketplace" not in alone and "Ozon" not in alone


def test_order_finds_a_posting_number_or_a_market_order_id(ledger: Store) -> None:
    [ozon] = requests_named(POSTING, ledger.history)
    assert ozon.order.posting_number == POSTING and ozon.campaign_id == CAMPAIGN
    assert [r.order_id for r in requests_named("5001", ledger.history)] == [5001]
    assert requests_named("12345678-9999-1", ledger.history) == []
    assert requests_named("12-ab", ledger.history) is None  # the usage is shown
    assert requests_named("9001", ledger.history) == []  # Ozon's cancellation id is no order


def test_an_ozon_story_names_the_posting_and_ozon(ledger: Store) -> None:
    [ozon] = requests_named(POSTING, ledger.history)
    events = ledger.events.of(ozon.id)
    lines = story_lines(ozon, events, Decision.REJECT_IN_DELIVERY, "Ozon-шоп", None, mixed())
    text = "\n".join(lines)
    assert lines[0] == f"📜 <b>Order #{POSTING}</b> · Ozon · Ozon-шоп"
    assert "Outcome: rejected — with the courier" in text
    assert "Анна sent “reject — with the courier” to Ozon" in text
    assert "Ozon's answer: taken by Ozon" in text


@pytest.mark.parametrize(
    ("language", "ozon", "market"),
    [
        ("en", "reject — with the courier · Анна · taken by Ozon", "accept the cancellation"),
        ("ru", "отклонить — заказ у курьера · Анна · принято Ozon", "принять отмену"),
    ],
)
def test_history_shows_the_posting_in_ozon_words(
    ledger: Store, language: str, ozon: str, market: str
) -> None:
    [text] = render_history(ledger.history.recent_decisions(20), mixed(language))
    assert f"{POSTING} · {ozon}" in text
    assert f"5001 · {market}" in text


def test_export_has_the_marketplace_and_the_posting(ledger: Store) -> None:
    rows = ledger.history.ledger(period().start, period().end)
    [part] = export_parts(rows, SHOPS, style("ru"))
    table = list(csv.reader(io.StringIO(part.data.decode("utf-8-sig")), delimiter=";"))
    assert table[0][15:] == ["маркетплейс", "отправление Ozon"]
    cells = {line[0]: (line[2], line[15], line[16], line[13]) for line in table[1:]}
    assert cells == {
        "5001": ("Ромашка", "Маркет", "", "отмена принята"),
        "9001": ("Ozon-шоп", "Ozon", POSTING, "отказано — у курьера"),
        "9002": ("Ozon-шоп", "Ozon", OTHER, "ждёт решения"),
    }


def test_ledger_rows_know_their_marketplace_from_the_campaign(ledger: Store) -> None:
    rows = list(ledger.history.ledger(period().start, period().end))
    assert [row.marketplace for row in rows] == [
        Marketplace.YANDEX,
        Marketplace.OZON,
        Marketplace.OZON,
    ]


def test_the_digest_counts_both_and_names_the_nearest_posting(ledger: Store) -> None:
    stats = compute(ledger.history.ledger(period().start, period().end), period())
    pending = ledger.history.pending_rows()
    text = digest_text(NOW.date() - timedelta(days=1), stats, pending, mixed())
    assert "• Ozon: received 2" in text and "• Market: received 1" in text
    assert f"(#{OTHER})" in text
