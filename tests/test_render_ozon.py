"""What staff see of an Ozon request: the post, its buttons, its outcomes, the lists naming it."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from bot.chat.callbacks import Tap, parse_callback
from bot.chat.render import render_pending, render_post, render_reminder
from bot.domain.model import (
    Basis,
    Decision,
    DecisionResult,
    Marketplace,
    Money,
    OrderItem,
    RequestState,
    RequestTime,
    ozon_campaign,
)
from bot.formatting import Style
from bot.ops.render_unseen import render_unseen
from bot.team.summary import render_summary
from tests.builders import NOW, H, decision, order, post, request, style

CAMPAIGN = ozon_campaign(555)
POSTING = "12345678-0001-1"
BOTH = frozenset(Marketplace)


def ozon_order(**changes: object):
    base = order(
        9001,
        CAMPAIGN,
        marketplace=Marketplace.OZON,
        status="ON_APPROVAL",
        substatus="delivering",
        posting_number=POSTING,
        items=(
            OrderItem("Чайник <Bosch> & кружка", "SKU-1", 2, Money(Decimal("3980"), "RUB")),
            OrderItem("Фильтр", "SKU-2", 1, Money(Decimal("150.5"), "RUB")),
        ),
        total=Money(Decimal("4130.5"), "RUB"),
        delivery_type=None,
        delivery_service="Ozon Логистика <курьер>",
        region=None,
        delivery_from=None,
        delivery_to=None,
        payment_type=None,
        payment_method=None,
        initiator="CLIENT",
        reason="Передумал покупать",
        reason_message="Нашёл <дешевле> & быстрее",
    )
    return dataclasses.replace(base, **changes)


def ozon_request(**changes: object):
    """Requested 10 h ago; Ozon approves it by itself 30 h from now (its auto_approve_date)."""
    the_request = request(the_order=ozon_order(), campaign_id=CAMPAIGN)
    timed = RequestTime(NOW - 10 * H, Basis.NOTIFICATION, window=40 * H)
    return dataclasses.replace(the_request, request_time=timed, **changes)


def mixed(language: str = "en", **changes: object) -> Style:
    return dataclasses.replace(style(language), marketplaces=BOTH, **changes)


def labels(rendered) -> list[list[str]]:
    return [[b.text for b in row] for row in rendered.keyboard.inline_keyboard]


POST_WORDS = {
    "ru": [
        f"🛑 <b>Запрос на отмену · Ozon · отправление {POSTING}</b>",
        "Магазин: Ozon-шоп",
        "Статус отправления: доставляется",
        "• Чайник &lt;Bosch&gt; &amp; кружка × 2 — 3\u00a0980\u00a0₽",
        "• Фильтр × 1 — 150,50\u00a0₽",
        "Итого: <b>4\u00a0130,50\u00a0₽</b>",
        "Доставка: Ozon Логистика &lt;курьер&gt;",
        "Кто просит: покупатель",
        "Причина: Передумал покупать",
        "Комментарий: «Нашёл &lt;дешевле&gt; &amp; быстрее»",
        "Запрос: 20.07 05:00",
        "Ответить до: <b>21.07 21:00</b> · осталось 1 д 6 ч",
    ],
    "en": [
        f"🛑 <b>Cancellation request · Ozon · posting {POSTING}</b>",
        "Shop: Ozon-шоп",
        "Posting status: being delivered",
        "• Чайник &lt;Bosch&gt; &amp; кружка × 2 — 3\u00a0980\u00a0₽",
        "Delivery: Ozon Логистика &lt;курьер&gt;",
        "Asked by: the buyer",
        "Reason: Передумал покупать",
        "In their words: “Нашёл &lt;дешевле&gt; &amp; быстрее”",
        "Requested: 20.07 05:00",
        "Answer by: <b>21.07 21:00</b> · 1 d 6 h left",
    ],
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_post_names_ozon_the_posting_who_asked_why_and_the_exact_deadline(
    language: str,
) -> None:
    text = render_post(ozon_request(), None, "Ozon-шоп", NOW, style(language)).text
    lines = text.split("\n")
    for line in POST_WORDS[language]:
        assert line in lines, line
    assert "9001" not in text  # the cancellation id is Ozon's key, not what staff know
    assert "Оплата" not in text and "Payment" not in text  # Ozon's request has none


@pytest.mark.parametrize(
    ("initiator", "ru", "en"),
    [
        ("CLIENT", "покупатель", "the buyer"),
        ("OZON", "Ozon", "Ozon"),
        ("SELLER", "продавец", "the seller"),
        ("SYSTEM", "система Ozon", "the Ozon system"),
        ("DELIVERY", "служба доставки", "the delivery service"),
        ("NEW<ONE>", "NEW&lt;ONE&gt;", "NEW&lt;ONE&gt;"),  # a value Ozon adds later
    ],
)
def test_who_asked_in_words(initiator: str, ru: str, en: str) -> None:
    asked = ozon_request(order=ozon_order(initiator=initiator))
    assert f"Кто просит: {ru}" in render_post(asked, None, "S", NOW, style("ru")).text
    assert f"Asked by: {en}" in render_post(asked, None, "S", NOW, style("en")).text


def test_the_initiators_words_are_clipped_and_absent_ones_leave_no_line() -> None:
    long = ozon_request(order=ozon_order(reason_message="слово " * 200))
    line = next(x for x in render_post(long, None, "S", NOW, style()).text.split("\n") if "“" in x)
    assert len(line) < 330 and line.endswith("…”")
    quiet = ozon_request(order=ozon_order(reason_message="  ", reason=None, initiator=None))
    text = render_post(quiet, None, "S", NOW, style()).text
    assert "In their words" not in text and "Reason" not in text and "Asked by" not in text


OZON_BUTTONS = {
    "ru": ["✅ Одобрить отмену", "📦 Отклонить — уже доставлен", "🚚 Отклонить — у курьера"],
    "en": [
        "✅ Approve cancellation",
        "📦 Reject — already delivered",
        "🚚 Reject — with the courier",
    ],
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_ozon_buttons_carry_the_same_decisions_and_never_the_phone(language: str) -> None:
    team = dataclasses.replace(style(language), claims=True, buyer_contact=True)
    rendered = render_post(ozon_request(), None, "S", NOW, team)
    assert [row[0] for row in labels(rendered)[:3]] == OZON_BUTTONS[language]
    taps = [parse_callback(row[0].callback_data) for row in rendered.keyboard.inline_keyboard[:3]]
    assert [tap.decision for tap in taps] == list(Decision)
    last = [parse_callback(b.callback_data).tap for b in rendered.keyboard.inline_keyboard[3]]
    assert last == [Tap.CLAIM]  # no 📞: the desk reaches no Ozon buyer
    market = render_post(request(), None, "S", NOW, team)
    assert len(labels(market)[3]) == 2  # the Market's post keeps it


@pytest.mark.parametrize(
    ("language", "prompt"),
    [
        ("ru", "❓ Подтвердите: <b>отклонить — заказ у курьера</b>. Решение уйдёт в Ozon."),
        ("en", "❓ Confirm: <b>reject — with the courier</b>. The decision goes to Ozon."),
    ],
)
def test_confirm_and_back_as_for_the_market_in_ozon_words(language: str, prompt: str) -> None:
    choosing = ozon_request(post=post(Decision.REJECT_IN_DELIVERY))
    rendered = render_post(choosing, None, "S", NOW, style(language))
    assert prompt in rendered.text
    taps = [parse_callback(b.callback_data).tap for b in rendered.keyboard.inline_keyboard[0]]
    assert taps == [Tap.CONFIRM, Tap.BACK]


OUTCOMES = {
    "ru": {
        Decision.ACCEPT: "✅ <b>Отмена одобрена</b>",
        Decision.REJECT_DELIVERED: "✅ <b>Отмена отклонена: заказ уже доставлен</b>",
        Decision.REJECT_IN_DELIVERY: "✅ <b>Отмена отклонена: заказ у курьера</b>",
    },
    "en": {
        Decision.ACCEPT: "✅ <b>Cancellation approved</b>",
        Decision.REJECT_DELIVERED: "✅ <b>Cancellation rejected: already delivered</b>",
        Decision.REJECT_IN_DELIVERY: "✅ <b>Cancellation rejected: with the courier</b>",
    },
}


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("choice", list(Decision))
def test_a_decision_taken_is_told_in_ozon_words(language: str, choice: Decision) -> None:
    decided = ozon_request(state=RequestState.DECIDED)
    rendered = render_post(decided, decision(decision=choice), "S", NOW, style(language))
    assert OUTCOMES[language][choice] in rendered.text and rendered.keyboard is None


@pytest.mark.parametrize(
    ("status", "closed_at", "ru", "en"),
    [
        (
            "CANCELLED/delivering",
            NOW,
            "Ozon сообщает: отмена одобрена вне стола",
            "Ozon reports the cancellation approved outside the desk",
        ),
        (
            "CANCELLED/cancelled",
            NOW + 31 * H,
            "Ozon одобрил отмену автоматически",
            "Ozon approved the cancellation automatically",
        ),
        (
            "REJECTED/delivering",
            NOW,
            "Ozon сообщает: в отмене отказано вне стола",
            "Ozon reports the cancellation rejected outside the desk",
        ),
    ],
)
def test_a_request_that_left_without_the_desk_is_shown_as_ozon_reports_it(
    status: str, closed_at, ru: str, en: str
) -> None:
    closed = ozon_request(state=RequestState.CLOSED, closed_status=status, closed_at=closed_at)
    for language, words in (("ru", ru), ("en", en)):
        rendered = render_post(closed, None, "S", closed_at, style(language))
        assert words in rendered.text and rendered.keyboard is None


def test_a_refused_decision_says_ozon_and_how_the_request_ended() -> None:
    closed = ozon_request(state=RequestState.CLOSED, closed_status="REJECTED/delivering")
    refused = decision(
        DecisionResult.NOT_PENDING, error_code="NOT_ON_APPROVAL", error_message="state <x>"
    )
    text = render_post(closed, refused, "S", NOW, style("ru")).text
    assert "⚠️ Ozon не принял решение «одобрить отмену»" in text and "state &lt;x&gt;" in text
    assert "ℹ️ Запрос больше не ждёт решения: в отмене отказано (доставляется)." in text


def test_a_market_post_names_the_market_once_the_chat_has_ozon_and_not_before() -> None:
    both = render_post(request(), None, "S", NOW, mixed("ru")).text
    assert both.startswith("🛑 <b>Запрос на отмену · Маркет · заказ №5001</b>")
    alone = render_post(request(), None, "S", NOW, style("ru")).text
    assert alone.startswith("🛑 <b>Запрос на отмену · заказ №5001</b>")
    assert "Маркет" not in alone.split("\n")[0]


def test_reminders_lists_and_summaries_name_the_posting() -> None:
    the_request = ozon_request()
    assert f"Order #{POSTING}: 1 d 6 h left" in render_reminder(the_request, NOW, style())
    shops = {CAMPAIGN: "Ozon-шоп", 1001: "Ромашка"}
    [listing] = render_pending([the_request, request()], shops, NOW, mixed())
    assert f">#{POSTING}</a> · Ozon · Ozon-шоп ·" in listing
    assert ">#5001</a> · Market · Ромашка ·" in listing
    assert f"#{POSTING}" in render_summary(1, [the_request], mixed())
    gone = ozon_request(state=RequestState.CLOSED, closed_status="CANCELLED/cancelled")
    unseen = render_unseen([gone], shops, mixed("ru"))
    assert f"№{POSTING} · Ozon · Ozon-шоп · отмена одобрена (отменено)" in unseen
