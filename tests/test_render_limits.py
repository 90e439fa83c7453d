"""A post of any size fits Telegram's limit in every state it can reach, with the same items.

Telegram refuses a text over 4096 UTF-16 units; a refused post or edit leaves staff without
the request or without its buttons. The widest free texts the desk shows are used here:
emoji (two units each), `&` (escaped to five characters), the longest names Telegram and
the Market allow.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.chat.render import render_pending, render_post, render_reminder
from bot.chat.render import shown_len as units
from bot.domain.model import Basis, Decision, Money, OrderItem, Person
from bot.formatting import MESSAGE_LIMIT, money
from tests.builders import NOW, H, decision, order, post, request, style

WIDE = "🧸&<>" * 200  # far longer than any cut, two units per emoji, escaped characters
ITEM_NAME = "Кружка керамическая с крышкой и ситечком для заваривания чая, объём 450 мл, белая"


def big_order(items: int, name: str = ITEM_NAME):
    return order(
        items=tuple(
            OrderItem(f"{name} #{n}", f"SKU-{n}", n, Money(Decimal("1234.56"), "RUR"))
            for n in range(1, items + 1)
        ),
        total=Money(Decimal("1234.56") * items, "RUR"),
        region=WIDE,
        status="DELIVERY",
        substatus=WIDE,
        payment_type=WIDE,
        payment_method=WIDE,
    )


def every_state(the_order):
    """(request, decision) for each state a post goes through, the widest texts in each."""
    failed = decision(
        "failed",
        person=Person(42, WIDE, "u" * 32),
        http_status=500,
        error_code=WIDE,
        error_message=WIDE,
        retry_at=NOW + H,
    )
    near_deadline = NOW - 47 * H  # every lead time crossed: the urgency line shows
    yield request(the_order=the_order, posted=False, basis=Basis.POLL), None
    yield request(the_order=the_order, basis=Basis.ESTIMATED, at=near_deadline), None
    for chosen in Decision:
        yield (
            request(the_order=the_order, the_post=post(chosen), basis=Basis.POLL, at=near_deadline),
            failed,
        )
    yield request(the_order=the_order), decision(None, person=Person(42, WIDE))
    yield request(the_order=the_order, state="decided"), decision("ok", person=Person(42, WIDE))
    yield (
        request(the_order=the_order, state="closed", closed_status=f"{WIDE}/{WIDE}"),
        decision("not_pending", person=Person(42, WIDE), error_code=WIDE, error_message=WIDE),
    )
    yield (
        request(
            the_order=the_order,
            state="closed",
            closed_status=f"CANCELLED/{WIDE}",
            closed_at=NOW + 40 * H,
            basis=Basis.ESTIMATED,
        ),
        None,
    )


def item_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("•", "…"))]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("items", [1, 28, 200])
def test_every_state_fits_and_shows_the_same_items(language: str, items: int) -> None:
    the_order = big_order(items, name=WIDE if items == 200 else ITEM_NAME)
    shown = set()
    for the_request, the_decision in every_state(the_order):
        text = render_post(the_request, the_decision, WIDE, NOW, style(language)).text
        assert units(text) <= MESSAGE_LIMIT
        shown.add(tuple(item_lines(text)))
    assert len(shown) == 1  # a confirm or an outcome never changes the list of items


def test_a_long_list_is_cut_with_the_count_of_the_rest_and_the_total_kept() -> None:
    the_order = big_order(200)
    text = render_post(request(the_order=the_order), None, "Shop", NOW, style("en")).text
    lines = item_lines(text)
    assert lines[-1].startswith("… and ")
    hidden = int(lines[-1].split()[2])
    assert len(lines) - 1 + hidden == 200
    assert f"Total: <b>{money(the_order.total)}</b>" in text
    assert units(text) <= MESSAGE_LIMIT - 600  # room left for the later states


def test_28_items_with_120_character_names_keep_the_confirm_button() -> None:
    """The issue's example: it used to pass as a post and fail as its Confirm edit."""
    the_order = big_order(28, name="Н" * 120)
    confirming = request(the_order=the_order, the_post=post(Decision.ACCEPT))
    rendered = render_post(confirming, None, "Shop", NOW, style("ru"))
    assert units(rendered.text) <= MESSAGE_LIMIT
    assert rendered.keyboard is not None
    assert len(rendered.keyboard.inline_keyboard[0]) == 2  # Confirm and Back


def test_a_short_order_is_not_cut() -> None:
    text = render_post(request(), None, "Shop", NOW, style("en")).text
    assert len(item_lines(text)) == 2 and "more items" not in text


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (
            Decimal("1e26"),
            "100\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000",
        ),
        (Decimal("1e100"), "1E+100"),
        (Decimal("-5.5"), "-5,50"),
    ],
)
def test_money_beyond_ordinary_sizes_is_shown_not_raised(amount: Decimal, shown: str) -> None:
    assert money(Money(amount, "RUR")) == f"{shown}\u00a0₽"


def test_a_currency_code_is_escaped() -> None:
    assert money(Money(Decimal(1), "<b>")) == "1\u00a0&lt;b&gt;"


def test_reminder_and_pending_with_wide_texts_fit() -> None:
    the_request = request(the_order=big_order(200), at=NOW - 47 * H)
    assert units(render_reminder(the_request, NOW, style("ru"))) <= MESSAGE_LIMIT
    many = [request(request_id=n, the_order=big_order(1)) for n in range(1, 300)]
    parts = render_pending(many, {1001: WIDE}, NOW + timedelta(minutes=1), style("ru"))
    assert len(parts) > 1
    assert all(units(part) <= MESSAGE_LIMIT for part in parts)
