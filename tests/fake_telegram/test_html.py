"""The fake Telegram's HTML parse mode, alone and through python-telegram-bot."""

from __future__ import annotations

import pytest
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest

from tests.fakes.ptb import GROUP, PTB_WARNINGS, keyboard
from tests.fakes.telegram import FakeTelegram, HtmlParseError, parse_html

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


async def test_send_html_with_inline_keyboard(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(
        GROUP,
        "<b>Order 42</b> &lt;cancel&gt; &amp; refund 🧾\n<i>reason:</i> <code>late</code>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("Approve", "ok:42"), ("Reject", "no:42")),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        disable_notification=True,
    )
    assert sent.text == "Order 42 <cancel> & refund 🧾\nreason: late"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 8),
        ("italic", 30, 7),
        ("code", 38, 4),
    ]
    assert sent.reply_markup.inline_keyboard[0][1].callback_data == "no:42"
    assert sent.from_user.id == fake.bot_id

    [stored] = fake.messages(GROUP)
    assert stored.message_id == sent.message_id
    assert stored.text == sent.text
    assert stored.html.startswith("<b>Order 42</b>")
    assert stored.callback_data("Reject") == "no:42"
    assert stored.disable_notification is True
    assert stored.link_preview_options == {"is_disabled": True}
    second = await bot.send_message(GROUP, "next")
    assert second.message_id == sent.message_id + 1
    assert fake.calls("sendMessage")[0].params["reply_markup"]["inline_keyboard"][0][0] == {
        "text": "Approve",
        "callback_data": "ok:42",
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>open", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("Tom & Jerry", 'character "&" at byte offset 4 does not start a supported HTML entity'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_html_errors(bot: Bot, fake: FakeTelegram, text: str, error: str) -> None:
    # PTB strips "Bad Request: " and str.capitalize()s the rest, so compare the raw description
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(GROUP, text, parse_mode=ParseMode.HTML)
    description = fake.calls("sendMessage")[-1].description
    assert description.startswith("Bad Request: can't parse entities: ")
    assert error in description
    assert fake.messages(GROUP) == []


async def test_plain_text_is_not_parsed(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(GROUP, "  1 < 2 & <b>  ")
    assert sent.text == "1 < 2 & <b>"  # surrounding whitespace is trimmed like Telegram does


async def test_text_empty_and_too_long(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(GROUP, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(GROUP, "<b>x</b>" + "y" * 4096, parse_mode=ParseMode.HTML)
    sent = await bot.send_message(GROUP, "<b>x</b>" + "y" * 4095, parse_mode=ParseMode.HTML)
    assert len(sent.text) == 4096


@pytest.mark.parametrize(
    ("html", "plain", "entities"),
    [
        ("a&lt;b&gt;c&amp;&quot;&#39;&#x41;", "a<b>c&\"'A", []),
        ("<b>x<i>y</i></b>", "xy", [("bold", 0, 2), ("italic", 1, 1)]),
        ("🏟 <u>🏟</u>", "🏟 🏟", [("underline", 3, 2)]),
        ('<a href="https://x.ru/?a=1&amp;b=2">l</a>', "l", [("text_link", 0, 1)]),
        ('<pre><code class="language-py">x</code></pre>', "x", [("pre", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ("<b>a</>", "a", [("bold", 0, 1)]),
    ],
)
def test_parse_html(html: str, plain: str, entities: list[tuple[str, int, int]]) -> None:
    text, found = parse_html(html)
    assert text == plain
    assert [(e["type"], e["offset"], e["length"]) for e in found] == entities


def test_parse_html_lenient_mode_keeps_bare_ampersand() -> None:
    assert parse_html("Tom & Jerry &copy", strict=False)[0] == "Tom & Jerry &copy"
    with pytest.raises(HtmlParseError):
        parse_html("Tom & Jerry")


async def test_a_link_to_a_known_user_is_a_mention(bot: Bot, fake: FakeTelegram) -> None:
    fake.add_user(4242, first_name="Ольга", username="olga")
    sent = await bot.send_message(
        GROUP,
        '📣 <a href="tg://user?id=4242">Ольга</a>, <a href="tg://user?id=5">Nobody</a>',
        parse_mode=ParseMode.HTML,
    )
    mention, link = sent.entities
    assert (mention.type, mention.user.id) == ("text_mention", 4242)
    assert mention.user.first_name == "Ольга"
    assert (link.type, link.url) == ("text_link", "tg://user?id=5")  # not a user it knows
    stored = fake.messages(GROUP)[-1].entities
    assert stored[0]["type"] == "text_mention" and "url" not in stored[0]
