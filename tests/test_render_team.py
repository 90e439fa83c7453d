"""bot/chat/render.py with the team's features: claims, mentions, escalation lines."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.chat.render import render_help, render_post, render_reminder
from bot.domain.model import Claim, Decision, Person
from bot.formatting import mention
from tests.builders import NOW, H, decision, order, post, request, style

ANNA = Claim(Person(111, "Анна <склад>", "anna"), NOW - H)


def team_style(language: str = "en"):
    return dataclasses.replace(style(language), claims=True)


def rows(rendered) -> list[list[str]]:
    return [[b.text for b in row] for row in rendered.keyboard.inline_keyboard]


def test_claims_add_one_row_and_the_post_says_who_and_since_when() -> None:
    claimed = dataclasses.replace(request(), claim=ANNA)
    rendered = render_post(claimed, None, "Shop", NOW, team_style())
    assert rows(rendered)[-1] == ["🙋 I'm on it"]
    assert len(rows(rendered)) == 4
    assert "🙋 On it: Анна &lt;склад&gt; (@anna), since 20.07 14:00" in rendered.text


def test_without_the_setting_a_stored_claim_changes_nothing() -> None:
    claimed = dataclasses.replace(request(), claim=ANNA)
    rendered = render_post(claimed, None, "Shop", NOW, style())
    assert len(rows(rendered)) == 3 and "On it" not in rendered.text


@pytest.mark.parametrize("result", ["ok", None])
def test_decided_or_sending_posts_have_no_buttons_at_all(result) -> None:
    claimed = dataclasses.replace(request(), claim=ANNA)
    rendered = render_post(claimed, decision(result), "Shop", NOW, team_style())
    assert rendered.keyboard is None


def test_confirming_shows_exactly_confirm_and_back() -> None:
    asking = dataclasses.replace(request(the_post=post(Decision.ACCEPT)), claim=ANNA)
    rendered = render_post(asking, None, "Shop", NOW, team_style())
    assert rows(rendered) == [["✔️ Confirm", "↩️ Back"]]


def test_a_reminder_mentions_the_claimer_and_carries_the_escalation() -> None:
    claimed = dataclasses.replace(request(), claim=ANNA)
    text = render_reminder(claimed, NOW, team_style("ru"), escalate="📣 call")
    assert '🙋 Взял(а): <a href="tg://user?id=111">Анна &lt;склад&gt;</a>' in text
    assert text.endswith("\n📣 call")
    assert "Взял" not in render_reminder(request(), NOW, team_style("ru"))


def test_the_post_carries_the_escalation_only_while_pending() -> None:
    assert render_post(request(), None, "S", NOW, style(), escalate="📣 x").text.endswith("📣 x")
    done = render_post(request(state="decided"), decision(), "S", NOW, style(), escalate="📣 x")
    assert "📣" not in done.text


def test_a_mention_escapes_and_cuts_the_name() -> None:
    assert mention(Person(5, "<b>" * 100)) == f'<a href="tg://user?id=5">{"&lt;b&gt;" * 33}…</a>'


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "До срока меньше 47 ч 59 мин 35 с"), ("en", "Less than 47 h 59 min 35 s left")],
)
def test_durations_are_in_words_of_the_language(language: str, words: str) -> None:
    lead = timedelta(hours=47, minutes=59, seconds=35)
    leads = dataclasses.replace(style(language), lead_times=(lead,))
    assert words in render_post(request(at=NOW - H), None, "S", NOW, leads).text
    assert "47 ч 59 мин 35 с" in render_help(dataclasses.replace(style("ru"), lead_times=(lead,)))


def test_substatuses_are_in_words_where_there_are_words() -> None:
    known = render_post(request(), None, "S", NOW, style("ru")).text
    assert "Статус: передан в доставку (у курьера) (покупатель получил заказ)" in known
    odd = order(substatus="COURIER_FOUND")
    assert "(COURIER_FOUND)" in render_post(request(the_order=odd), None, "S", NOW, style()).text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_contact_fits_the_pop_up_cutting_only_the_name(language: str) -> None:
    from bot.market.records import Buyer
    from bot.team.contact import render_contact

    text = render_contact(Buyer("Ы" * 500, "+79161234567", True), style(language))
    assert len(text) == 200 and "+79161234567" in text and "…" in text
    short = render_contact(Buyer("Ирина", None, False), style(language))
    assert short.startswith("📞 Ирина: ") and "\n" not in short
