"""bot/chat/render.py: posts, keyboards and the /pending list as pure functions of state."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.chat.render import Rendered, render_pending, render_post, split_lines
from bot.domain.model import Basis, Decision, Money, NewRequest, Person, Request, RequestTime
from bot.formatting import MESSAGE_LIMIT, money, shown_len
from bot.texts import EN, RU, Texts
from storage.store import Store
from tests.builders import (
    CHAT,
    NOW,
    H,
    decision,
    order,
    post,
    request,
    style,
)

PICKS = ["pick:7:accept", "pick:7:delivered", "pick:7:courier"]


def buttons(rendered: Rendered) -> list[tuple[str, str]]:
    assert rendered.keyboard is not None
    return [
        (button.text, button.callback_data)
        for row in rendered.keyboard.inline_keyboard
        for button in row
    ]


class _TagChecker(HTMLParser):
    """Fails on anything Telegram's HTML parse mode would reject."""

    ALLOWED = frozenset({"b", "i", "a"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag


def assert_valid_html(text: str) -> None:
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    assert checker.open == []


# escaping


@pytest.mark.parametrize("language", ["en", "ru"])
def test_market_strings_are_escaped(language: str) -> None:
    the_order = order(region="<b>Город</b>", payment_method="A&B")
    rendered = render_post(request(the_order=the_order), None, 'Shop "<1>"', NOW, style(language))
    assert "&lt;Bosch&gt; &amp; &quot;кружка&quot; &#x27;2л&#x27;" in rendered.text
    assert "<Bosch>" not in rendered.text
    assert "&lt;b&gt;Город&lt;/b&gt;" in rendered.text
    assert "A&amp;B" in rendered.text
    assert "Shop &quot;&lt;1&gt;&quot;" in rendered.text
    assert_valid_html(rendered.text)


def test_unknown_status_is_escaped() -> None:
    the_order = order(status="<NEW>", substatus="&SUB")
    rendered = render_post(request(the_order=the_order), None, "Shop", NOW, style())
    assert "&lt;NEW&gt; (&amp;SUB)" in rendered.text
    assert_valid_html(rendered.text)


# the post


def test_pending_post_shows_the_order() -> None:
    text = render_post(request(), None, "Мой магазин", NOW, style()).text
    assert "#5001" in text
    assert "Мой магазин" in text
    assert "with the courier" in text
    assert "× 2 — 3\u00a0980\u00a0₽" in text
    assert "• Фильтр × 1" in text
    assert "Total: <b>3\u00a0980\u00a0₽</b>" in text
    assert "courier, Москва, 21.07–22.07" in text
    assert "prepaid, online" in text


def test_pending_post_has_three_buttons_in_order() -> None:
    t = Texts("en")
    rendered = render_post(request(request_id=7), None, "Shop", NOW, style())
    assert buttons(rendered) == [
        (t("button.accept"), "pick:7:accept"),
        (t("button.reject_delivered"), "pick:7:delivered"),
        (t("button.reject_in_delivery"), "pick:7:courier"),
    ]
    assert "Accept cancellation" in buttons(rendered)[0][0]
    assert "already delivered" in buttons(rendered)[1][0]
    assert "with the courier" in buttons(rendered)[2][0]
    assert all(len(row) == 1 for row in rendered.keyboard.inline_keyboard)


@pytest.mark.parametrize(
    ("choice", "code", "action"),
    [
        (Decision.ACCEPT, "accept", "accept the cancellation"),
        (Decision.REJECT_DELIVERED, "delivered", "reject — already delivered"),
        (Decision.REJECT_IN_DELIVERY, "courier", "reject — with the courier"),
    ],
)
def test_confirming_post_has_confirm_and_back(choice: Decision, code: str, action: str) -> None:
    t = Texts("en")
    the_request = request(request_id=9, the_post=post(confirming=choice))
    rendered = render_post(the_request, None, "Shop", NOW, style(confirm=True))
    assert buttons(rendered) == [
        (t("button.confirm"), f"sure:9:{code}"),
        (t("button.back"), "back:9"),
    ]
    assert f"Confirm: <b>{action}</b>" in rendered.text
    assert_valid_html(rendered.text)


def test_confirming_is_ignored_when_confirmation_is_off() -> None:
    the_request = request(the_post=post(confirming=Decision.ACCEPT))
    rendered = render_post(the_request, None, "Shop", NOW, style(confirm=False))
    assert [data for _, data in buttons(rendered)] == PICKS


def test_exact_deadline_is_not_marked_estimated() -> None:
    text = render_post(request(basis=Basis.NOTIFICATION), None, "Shop", NOW, style()).text
    assert "estimated" not in text
    # requested 02:00 UTC = 05:00 Moscow; deadline two days later
    assert "Requested: 20.07 05:00" in text
    assert "Answer by: <b>22.07 05:00</b> · 1 d 14 h left" in text


def test_estimated_deadline_is_marked() -> None:
    text = render_post(request(basis=Basis.ESTIMATED), None, "Shop", NOW, style()).text
    assert "Requested: ~20.07 05:00 <i>(estimated)</i>" in text
    assert "Answer by: <b>~22.07 05:00</b> <i>(estimated)</i>" in text


def test_estimated_deadline_is_marked_in_russian() -> None:
    text = render_post(request(basis=Basis.ESTIMATED), None, "Shop", NOW, style("ru")).text
    assert "(оценка)" in text
    assert "~22.07 05:00" in text


def test_poll_basis_shows_the_interval() -> None:
    text = render_post(request(basis=Basis.POLL), None, "Shop", NOW, style()).text
    assert "Requested: between 20.07 05:00 and 20.07 06:00" in text
    assert "estimated" not in text


def test_passed_deadline() -> None:
    text = render_post(request(at=NOW - 50 * H), None, "Shop", NOW, style()).text
    assert "deadline passed" in text
    assert "Less than" not in text


def test_urgency_shows_the_smallest_crossed_lead() -> None:
    text = render_post(request(at=NOW - 43 * H), None, "Shop", NOW, style()).text
    assert "Less than 6 h left" in text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_both_languages_render(language: str) -> None:
    for the_request, the_decision in [
        (request(), None),
        (request(the_post=post(confirming=Decision.REJECT_IN_DELIVERY)), None),
        (request(state="decided"), decision("ok")),
        (request(state="closed", closed_status="DELIVERED/DELIVERY_SERVICE_DELIVERED"), None),
        (request(basis=Basis.ESTIMATED), decision(None)),
    ]:
        rendered = render_post(the_request, the_decision, "Shop", NOW, style(language))
        assert "5001" in rendered.text
        assert_valid_html(rendered.text)


def test_russian_is_russian() -> None:
    rendered = render_post(request(), None, "Shop", NOW, style("ru"))
    assert "Запрос на отмену" in rendered.text
    assert "Принять отмену" in buttons(rendered)[0][0]


def test_languages_have_the_same_keys() -> None:
    assert RU.keys() == EN.keys()


def test_decided_post_shows_who_and_has_no_keyboard() -> None:
    rendered = render_post(request(state="decided"), decision("ok"), "Shop", NOW, style())
    assert rendered.keyboard is None
    assert "Cancellation accepted" in rendered.text
    assert "Анна &lt;склад&gt; (@anna_k)" in rendered.text
    assert "20.07 14:00" in rendered.text  # finished 11:00:01 UTC, shown in Moscow time
    assert_valid_html(rendered.text)


def test_decided_post_without_username() -> None:
    the_decision = decision(
        "ok", person=Person(42, "Анна <склад>"), decision=Decision.REJECT_IN_DELIVERY
    )
    rendered = render_post(request(state="decided"), the_decision, "Shop", NOW, style("ru"))
    assert rendered.keyboard is None
    assert "В отмене отказано: заказ у курьера" in rendered.text
    assert "Анна &lt;склад&gt;," in rendered.text
    assert "@" not in rendered.text


def test_closed_post_says_resolved_elsewhere_without_keyboard() -> None:
    the_request = request(state="closed", closed_status="DELIVERED/DELIVERY_SERVICE_DELIVERED")
    rendered = render_post(the_request, None, "Shop", NOW, style())
    assert rendered.keyboard is None
    assert "Request closed without a decision here" in rendered.text
    assert "delivered" in rendered.text


def test_closed_post_in_russian() -> None:
    the_request = request(state="closed", closed_status=None)
    rendered = render_post(the_request, None, "Shop", NOW, style("ru"))
    assert rendered.keyboard is None
    assert "Запрос закрыт без решения здесь" in rendered.text
    assert "статус заказа неизвестен" in rendered.text


def test_closed_after_deadline_as_cancelled_says_probably_automatic() -> None:
    the_request = request(
        at=NOW - 50 * H,
        state="closed",
        closed_status="CANCELLED/USER_NOT_PAID",
        closed_at=NOW,
    )
    text = render_post(the_request, None, "Shop", NOW, style()).text
    assert "probably cancelled automatically" in text


def test_in_flight_decision_has_no_keyboard() -> None:
    rendered = render_post(request(), decision(None), "Shop", NOW, style())
    assert rendered.keyboard is None
    assert "is sending the decision" in rendered.text


def test_failed_decision_brings_the_buttons_back() -> None:
    the_decision = decision(
        "failed", http_status=503, error_code="INTERNAL_ERROR", error_message="<oops>"
    )
    rendered = render_post(request(), the_decision, "Shop", NOW, style())
    assert [data for _, data in buttons(rendered)] == PICKS
    assert "503 INTERNAL_ERROR &lt;oops&gt;" in rendered.text
    assert "You can try again." in rendered.text


def test_not_pending_decision_closes_without_keyboard() -> None:
    the_decision = decision("not_pending", error_code="ORDER_IN_TERMINAL_STATE")
    the_request = request(state="closed", closed_status="CANCELLED/USER_CHANGED_MIND")
    rendered = render_post(the_request, the_decision, "Shop", NOW, style())
    assert rendered.keyboard is None
    assert "ORDER_IN_TERMINAL_STATE" in rendered.text
    assert "no longer awaits a decision" in rendered.text


def test_post_rendered_from_a_stored_request(tmp_path: Path) -> None:
    store = Store(tmp_path / "d.db")
    try:
        request_id = store.add_request(
            NewRequest(77, order(), NOW - 9 * H, RequestTime(NOW - 10 * H, Basis.ESTIMATED))
        )
        store.save_post(request_id, CHAT, 321, NOW - 9 * H, ())
        stored = store.requests.get(request_id)
        assert stored is not None
        rendered = render_post(stored, None, "Shop", NOW, style())
        assert "&lt;Bosch&gt;" in rendered.text
        assert "(estimated)" in rendered.text
        assert buttons(rendered)[0][1] == f"pick:{request_id}:accept"
    finally:
        store.close()


# money


def test_money_uses_no_break_space_and_rouble_sign() -> None:
    shown = money(Money(Decimal("1990.00"), "RUR"))
    assert "1\u00a0990" in shown
    assert shown == "1\u00a0990\u00a0₽"


def test_money_with_kopecks_and_other_currencies() -> None:
    assert money(Money(Decimal("1234567.5"), "RUB")) == "1\u00a0234\u00a0567,50\u00a0₽"
    assert money(Money(Decimal("5"), "USD")) == "5\u00a0$"
    assert money(Money(Decimal("5"), "XYZ")) == "5\u00a0XYZ"


# /pending


def pending_requests(count: int) -> list[Request]:
    return [
        request(
            request_id=n,
            the_order=order(order_id=100000 + n),
            campaign_id=1000 + n % 3,
            at=NOW - 40 * H + n * timedelta(minutes=1),
            posted=n % 2 == 1,
            basis=Basis.ESTIMATED if n % 5 == 0 else Basis.NOTIFICATION,
        )
        for n in range(1, count + 1)
    ]


def test_pending_empty() -> None:
    assert render_pending([], {}, NOW, style()) == [Texts("en")("pending.empty")]


def test_pending_short_list_is_one_message() -> None:
    parts = render_pending(pending_requests(3), {1001: "Shop A"}, NOW, style())
    assert len(parts) == 1
    assert "Waiting: 3" in parts[0]
    assert "https://t.me/c/1234567890/321" in parts[0]
    assert "Shop A" in parts[0]
    assert "(not posted yet)" in parts[0]
    assert_valid_html(parts[0])


@pytest.mark.parametrize("language", ["en", "ru"])
def test_pending_long_list_is_split_within_the_limit_in_order(language: str) -> None:
    shops = {1000: "Магазин " + "очень длинное название " * 5, 1001: "B <&>", 1002: "C"}
    requests = pending_requests(400)
    parts = render_pending(requests, shops, NOW, style(language))
    assert len(parts) > 1
    assert all(shown_len(part) <= MESSAGE_LIMIT for part in parts)
    lines = "\n".join(parts).split("\n")
    assert len(lines) == 1 + len(requests)
    for n, line in enumerate(lines[1:], start=1):
        assert line.startswith(f"{n}. ")
        assert str(100000 + n) in line
    for part in parts:
        assert_valid_html(part)


def test_pending_marks_expired_and_estimated() -> None:
    requests = [
        request(request_id=1, at=NOW - 50 * H),
        request(request_id=2, basis=Basis.ESTIMATED),
    ]
    text = "\n".join(render_pending(requests, {}, NOW, style()))
    assert "deadline passed" in text
    assert "(estimated)" in text


def test_split_lines_never_splits_a_line() -> None:
    lines = ["a" * 10, "b" * 10, "c" * 10]
    assert split_lines(lines, limit=21) == ["a" * 10 + "\n" + "b" * 10, "c" * 10]
    assert split_lines(lines, limit=10) == lines


def test_a_settled_request_shows_its_deadline_without_time_left():
    text = render_post(request(state="decided"), decision(), "Shop", NOW, style("en")).text
    assert "Answer by: 22.07 05:00" in text and " left" not in text
