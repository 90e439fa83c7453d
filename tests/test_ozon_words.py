"""What a chat (or an operator) serving Ozon reads where the desk used to say "the Market":
/help, /stats' expired line, an Ozon request's story, /cabinets, problem notices.

Pure renders over the styles the assembly builds (`style_of`: a chat's marketplaces);
a Market-only chat's words are checked unchanged beside each.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.chat.render import render_help, render_problem
from bot.domain.journal import Event, Kind
from bot.domain.ledger import OUTCOMES, Fate
from bot.domain.model import Marketplace, Problem, Stage
from bot.domain.names import problem_ref
from bot.formatting import Style
from bot.owner.periods import parse_period
from bot.owner.render_operators import CabinetView, render_cabinets
from bot.owner.render_owner import render_stats
from bot.owner.stats import Spread, Stats
from bot.owner.story import event_line
from tests.builders import NOW, H, order, style
from tests.test_render_ozon import CAMPAIGN, POSTING, mixed, ozon_order, ozon_request

OZON = frozenset({Marketplace.OZON})


def ozon_only(language: str = "en", **changes: object) -> Style:
    return dataclasses.replace(style(language), marketplaces=OZON, **changes)


@pytest.mark.parametrize(
    ("language", "says", "buttons", "no_confirm"),
    [
        (
            "en",
            "or Ozon approves the cancellation by itself",
            "<b>Approve cancellation</b>",
            "The decision goes to Ozon as soon as you tap.",
        ),
        (
            "ru",
            "иначе Ozon одобрит отмену автоматически",
            "<b>Одобрить отмену</b>",
            "Решение уходит в Ozon сразу после нажатия.",
        ),
    ],
)
def test_help_in_an_ozon_chat_speaks_of_ozon(language, says, buttons, no_confirm) -> None:
    text = render_help(ozon_only(language))
    assert says in text and buttons in text
    assert "Market" not in text and "Маркет" not in text and "48" not in text
    assert no_confirm in render_help(ozon_only(language, confirm_decisions=False))


@pytest.mark.parametrize(
    ("language", "both", "no_confirm"),
    [
        ("en", "Market DBS orders and Ozon rFBS postings", "to the Market or Ozon as soon"),
        ("ru", "заказов DBS в Маркете и отправлений rFBS в Ozon", "в Маркет или Ozon сразу"),
    ],
)
def test_help_in_a_chat_serving_both_names_both(language, both, no_confirm) -> None:
    assert both in render_help(mixed(language))
    assert no_confirm in render_help(mixed(language, confirm_decisions=False))


def test_help_in_a_market_chat_is_the_markets() -> None:
    text = render_help(style("ru"))
    assert "иначе Маркет отменит заказ и вернёт деньги" in text and "Ozon" not in text


def expired_stats() -> Stats:
    """Two requests Ozon approved by itself once their deadline passed; one Market one."""
    outcomes = {outcome: 0 for outcome in OUTCOMES}
    outcomes[Fate.EXPIRED] = 3
    split = {
        Marketplace.YANDEX: {**outcomes, Fate.EXPIRED: 1},
        Marketplace.OZON: {**outcomes, Fate.EXPIRED: 2},
    }
    none = Spread(0, None, None)
    period = parse_period("7d", NOW, style().timezone)
    return Stats(period, 3, outcomes, none, none, [], split)


@pytest.mark.parametrize(
    ("styled", "expired", "note"),
    [
        (ozon_only("en"), "(Ozon approved the cancellation itself): 3", "Ozon does not say"),
        (ozon_only("ru"), "(Ozon сам одобрил отмену): 3", "Ozon не сообщает"),
        (mixed("en"), "(the marketplace refunded): 3", "the marketplaces do not say"),
        (mixed("ru"), "(маркетплейс вернул деньги): 3", "маркетплейсы не сообщают"),
        (style("en"), "(the Market refunded): 3", "the Market does not say"),
        (style("ru"), "(Маркет вернул деньги): 3", "Маркет не сообщает"),
    ],
)
def test_stats_say_who_refunded_an_expired_request(styled, expired, note) -> None:
    text = "\n".join(render_stats(expired_stats(), styled))
    assert expired in text and note in text


def seen_event(basis: str) -> Event:
    detail = {"requested_at": (NOW - 10 * H).isoformat(), "deadline": (NOW + 30 * H).isoformat()}
    return Event(1, NOW - 9 * H, Kind.SEEN, {**detail, "basis": basis})


def test_an_ozon_storys_exact_time_is_ozons_not_a_notifications() -> None:
    seen = seen_event("notification")
    assert "(exact, as Ozon lists it)" in event_line(seen, mixed(), Marketplace.OZON)
    assert "(exact, from a notification)" in event_line(seen, mixed(), Marketplace.YANDEX)
    assert "(точно, по данным Ozon)" in event_line(seen, mixed("ru"), Marketplace.OZON)


def test_an_ozon_storys_status_is_the_requests() -> None:
    closed = Event(1, NOW, Kind.STATUS, {"status": "REJECTED/delivering"})
    assert "— request status: cancellation rejected (being delivered)" in event_line(
        closed, mixed(), Marketplace.OZON
    )
    assert "— статус запроса: в отмене отказано" in event_line(
        closed, mixed("ru"), Marketplace.OZON
    )


def cabinet(name: str, marketplace: Marketplace, pending=()) -> CabinetView:
    return CabinetView(name, -100777, NOW - H, list(pending), None, None, None, None, marketplace)


def test_cabinets_show_each_cabinets_marketplace_once_ozon_is_served() -> None:
    views = [
        cabinet("Дом", Marketplace.YANDEX),
        cabinet("Озон-дом", Marketplace.OZON, [ozon_request()]),
    ]
    [text] = render_cabinets(views, mixed())
    assert "<b>Дом</b> · Market · chat <code>-100777</code>" in text
    assert "<b>Озон-дом</b> · Ozon · chat <code>-100777</code>" in text
    assert f"(#{POSTING})" in text
    [ru] = render_cabinets(views, mixed("ru"))
    assert "<b>Дом</b> · Маркет · чат" in ru and "<b>Озон-дом</b> · Ozon · чат" in ru


def test_cabinets_of_a_market_desk_are_shown_as_ever() -> None:
    [text] = render_cabinets([cabinet("Дом", Marketplace.YANDEX)], style())
    assert "<b>Дом</b> · chat <code>-100777</code>" in text and "Market" not in text


@pytest.mark.parametrize(
    ("stage", "language", "head"),
    [
        (Stage.READ, "en", f"Ozon sent a cancellation request on posting {POSTING}, which"),
        (Stage.READ, "ru", f"Ozon прислал запрос на отмену отправления {POSTING}, который"),
        (Stage.STORE, "en", f"could not store the cancellation request on posting {POSTING}"),
        (Stage.STORE, "ru", f"не смог сохранить запрос на отмену отправления {POSTING}"),
        (Stage.POST, "en", f"cannot post the cancellation request on posting {POSTING}"),
        (Stage.POST, "ru", f"не может опубликовать запрос на отмену отправления {POSTING}"),
        (Stage.EDIT, "ru", f"не может обновить сообщение об отправлении {POSTING}"),
        (Stage.REMIND, "en", f"could not send a reminder on posting {POSTING}"),
    ],
)
def test_a_problem_with_an_ozon_request_names_its_posting(stage, language, head) -> None:
    problem = Problem(str(CAMPAIGN), problem_ref(ozon_order()), stage, "refused")
    text = render_problem(problem, None, "Ozon-шоп", NOW, mixed(language), Marketplace.OZON)
    assert head in text and "9001" not in text
    assert "Ozon · Ozon-шоп" in text and "Market" not in text and "Маркет" not in text


def test_a_problem_with_a_market_order_is_told_as_ever() -> None:
    problem = Problem("1001", problem_ref(order(5001)), Stage.READ, "bad")
    text = render_problem(problem, None, "Ромашка", NOW, style("ru"))
    assert text.startswith("⚠️ <b>Маркет прислал заказ №5001, который бот не может прочитать")
    assert "Магазин: Ромашка" in text


def test_a_problem_without_a_posting_number_keeps_the_order_id() -> None:
    assert problem_ref(ozon_order(posting_number=None)) == "9001"
    assert problem_ref(order(5001)) == "5001"
