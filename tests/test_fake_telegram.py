"""Prove the fake Telegram server with python-telegram-bot itself."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.request import HTTPXRequest

from tests.fakes.telegram import FakeTelegram, HtmlParseError, load_spec, parse_html

pytestmark = pytest.mark.filterwarnings(
    # do_api_request("sendMessage") is used on purpose to send malformed parameters, and PTB
    # itself reads the deprecated int RetryAfter.retry_after
    "ignore::telegram.warnings.PTBUserWarning",
    "ignore::telegram.warnings.PTBDeprecationWarning",
)

GROUP = -1001234567890
ANN = 111
BOB = 222


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


def assert_results_match_spec(fake: FakeTelegram) -> None:
    """Every successful result the fake produced is valid per api.json."""
    spec = load_spec()
    for call in fake.calls():
        if call.ok and call.method in spec.methods:
            returns = spec.methods[call.method]["returns"]
            assert spec.problems(call.result, returns) == [], call
    assert fake.internal_errors == []


async def wait_async(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(callback_answer_timeout=0.3) as server:
        server.add_group(GROUP, title="Staff")
        server.add_user(ANN, first_name="Ann", username="ann", member_of=[GROUP])
        server.add_user(BOB, first_name="Bob", member_of=[GROUP])
        yield server
        assert_results_match_spec(server)


# httpx builds a fresh SSL context (~50 ms) per client unless given one; PTB makes two per Bot
_TLS = ssl.create_default_context()


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(
        token or fake.token,
        base_url=fake.base_url,
        request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
    )


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as client:
        yield client


async def test_get_me(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, "desk_bot", True)
    assert me.can_read_all_group_messages is False  # privacy mode, like a fresh real bot


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


async def test_callback_data_limit_is_64_bytes(bot: Bot, fake: FakeTelegram) -> None:
    await bot.send_message(GROUP, "ok", reply_markup=keyboard(("A", "x" * 64)))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(GROUP, "too long", reply_markup=keyboard(("A", "x" * 65)))
    # 33 Cyrillic letters are 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(GROUP, "too long", reply_markup=keyboard(("A", "ж" * 33)))
    assert len(fake.messages(GROUP)) == 1


async def test_button_needs_exactly_one_action(bot: Bot) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "url": "https://x.ru", "callback_data": "a"}]]}
    with pytest.raises(BadRequest, match=r"(?i)exactly one of the optional fields"):
        await bot.do_api_request(
            "sendMessage", api_kwargs={"chat_id": GROUP, "text": "t", "reply_markup": markup}
        )
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.do_api_request(
            "sendMessage",
            api_kwargs={
                "chat_id": GROUP,
                "text": "t",
                "reply_markup": {"inline_keyboard": [[{"text": "A"}]]},
            },
        )
    with pytest.raises(BadRequest, match=r"(?i)can't parse inline keyboard button: .*text"):
        await bot.do_api_request(
            "sendMessage",
            api_kwargs={
                "chat_id": GROUP,
                "text": "t",
                "reply_markup": {"inline_keyboard": [[{"text": 5, "callback_data": "a"}]]},
            },
        )


async def test_parameters_are_type_checked(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat_id is empty"):
        await bot.do_api_request("sendMessage", api_kwargs={"text": "t"})
    with pytest.raises(BadRequest, match=r"(?i)invalid disable_notification"):
        await bot.do_api_request(
            "sendMessage", api_kwargs={"chat_id": GROUP, "text": "t", "disable_notification": "yes"}
        )
    with pytest.raises(BadRequest, match=r"(?i)can't parse reply parameters JSON object"):
        await bot.do_api_request(
            "sendMessage",
            api_kwargs={"chat_id": GROUP, "text": "t", "reply_parameters": {"chat_id": GROUP}},
        )
    # unknown parameters are ignored, like the real API does
    await bot.do_api_request("sendMessage", api_kwargs={"chat_id": GROUP, "text": "t", "bogus": 1})


async def test_edit_not_modified_and_keyboard_removal(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(
        GROUP, "<b>Order 7</b>", parse_mode="HTML", reply_markup=keyboard(("Go", "go:7"))
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified") as caught:
        await bot.edit_message_text(
            "<strong>Order 7</strong>",  # same rendering, same markup
            GROUP,
            sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(("Go", "go:7")),
        )
    assert "exactly the same as a current content and reply markup" in caught.value.message
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(
            GROUP, sent.message_id, reply_markup=keyboard(("Go", "go:7"))
        )

    edited = await bot.edit_message_text(
        "<b>Order 7</b>", GROUP, sent.message_id, parse_mode="HTML"
    )
    assert edited.reply_markup is None  # no reply_markup in the edit removes the keyboard
    state = fake.message(GROUP, sent.message_id)
    assert (state.edits, state.reply_markup, state.text) == (1, None, "Order 7")

    edited = await bot.edit_message_text("Order 7: done", GROUP, sent.message_id)
    assert edited.edit_date is not None
    assert fake.message(GROUP, sent.message_id).history == ("Order 7", "Order 7")


async def test_edit_deleted_unknown_and_foreign_messages(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(GROUP, "to be deleted", reply_markup=keyboard(("X", "x")))
    fake.delete_message(GROUP, sent.message_id)
    assert fake.messages(GROUP)[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("new", GROUP, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("new", GROUP, 999)
    fake.send_text(GROUP, ANN, "/pending")
    user_message = fake.messages(GROUP, include_users=True)[-1]
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("new", GROUP, user_message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(GROUP, "re", reply_parameters=ReplyParameters(sent.message_id))
    reply = await bot.send_message(
        GROUP,
        "re",
        reply_parameters=ReplyParameters(sent.message_id, allow_sending_without_reply=True),
    )
    assert reply.reply_to_message is None
    reply = await bot.send_message(GROUP, "re", reply_to_message_id=user_message.message_id)
    assert reply.reply_to_message.text == "/pending"
    assert fake.messages(GROUP)[-1].reply_to_message_id == user_message.message_id

    assert await bot.delete_message(GROUP, reply.message_id)
    assert fake.message(GROUP, reply.message_id).deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(GROUP, reply.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(GROUP, user_message.message_id)  # the bot is no admin


async def test_get_updates_delivers_tap_as_callback_query(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(
        GROUP, "<b>Order 9</b>", parse_mode="HTML", reply_markup=keyboard(("OK", "ok:9"))
    )
    query_id = fake.tap(GROUP, sent.message_id, ANN, "ok:9")
    forged_id = fake.tap(GROUP, 4242, BOB, "drop table")

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    query = updates[0].callback_query
    assert isinstance(query, CallbackQuery)
    assert (query.id, query.data, query.from_user.id) == (query_id, "ok:9", ANN)
    assert query.message.text == "Order 9"
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "ok:9"
    forged = updates[1].callback_query
    assert forged.message.message_id == 4242 and not forged.message.is_accessible
    assert [t.forged for t in fake.taps()] == [False, True]

    assert await bot.answer_callback_query(query_id, text="Approved", show_alert=True)
    assert fake.callback_answer(query_id) == {
        "text": "Approved",
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }
    assert fake.callback_answer(forged_id) is None

    # unconfirmed updates come again; an offset confirms them
    assert len(await bot.get_updates()) == 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert fake.pending_updates() == []


async def test_messages_commands_and_privacy_mode(bot: Bot, fake: FakeTelegram) -> None:
    assert fake.send_text(GROUP, ANN, "/pending@desk_bot") > 0
    assert fake.send_text(GROUP, ANN, "just chatting") == 0  # privacy mode: bot can't see it
    assert fake.send_text(GROUP, BOB, "/start@other_bot") == 0
    assert fake.send_text(ANN, ANN, "hello") > 0  # private chat, created on first message
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["/pending@desk_bot", "hello"]
    command = updates[0].message
    assert command.entities[0].type == "bot_command" and command.entities[0].length == 17
    assert updates[1].message.chat.type == "private"
    assert await bot.get_updates(offset=-1) == (updates[-1],)

    fake.send_text(ANN, ANN, "not wanted")
    query_id = fake.tap(ANN, 1, ANN, "wanted")
    updates = await bot.get_updates(
        offset=updates[-1].update_id + 1, allowed_updates=["callback_query"]
    )
    assert [u.callback_query.id for u in updates] == [query_id]


async def test_late_or_repeated_callback_answer(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(GROUP, "x", reply_markup=keyboard(("A", "a")))
    late = fake.tap(GROUP, sent.message_id, ANN, "a")
    once = fake.tap(GROUP, sent.message_id, BOB, "a")
    assert await bot.answer_callback_query(once)
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        await bot.answer_callback_query(once)
    await asyncio.sleep(0.35)  # callback_answer_timeout is 0.3 s in this fixture
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        await bot.answer_callback_query(late)
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("nope")
    assert fake.callback_answer(late) is None


async def test_long_poll_waits_and_returns_on_update(bot: Bot, fake: FakeTelegram) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2

    timer = threading.Timer(0.2, fake.send_text, args=(ANN, ANN, "hi"))
    timer.start()
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["hi"]
    assert time.monotonic() - started < 1.5


async def test_concurrent_get_updates_conflict(bot: Bot, fake: FakeTelegram) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await wait_async(lambda: fake.active_polls == 1)
    async with make_bot(fake) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_abandoned_long_poll_ends(bot: Bot, fake: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await wait_async(lambda: fake.active_polls == 1)
    poll.cancel()  # like a killed bot process: the connection goes away
    await wait_async(lambda: fake.active_polls == 0)


async def test_rate_limit_gives_retry_after(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_rate_limit(GROUP, 2, 0.4)
    first = await bot.send_message(GROUP, "1")
    await bot.send_message(GROUP, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.edit_message_text("1!", GROUP, first.message_id)
    assert "Retry in 1 seconds" in str(caught.value)
    rejected = fake.calls("editMessageText")[-1]
    assert (rejected.error_code, rejected.description) == (429, "Too Many Requests: retry after 1")
    fake.add_group(-300, title="Other")
    await bot.send_message(-300, "limits are per chat")
    await asyncio.sleep(0.45)
    await bot.send_message(GROUP, "3")
    assert [m.text for m in fake.messages(GROUP)] == ["1", "2", "3"]


async def test_migrated_group(bot: Bot, fake: FakeTelegram) -> None:
    fake.add_group(-5000, title="Old", type="group")
    fake.add_user(333, first_name="Cid", member_of=[-5000])
    fake.migrate_group(-5000, -1009999)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-5000, "hello")
    assert caught.value.new_chat_id == -1009999
    sent = await bot.send_message(-1009999, "hello")
    assert sent.chat.type == "supergroup"
    assert (await bot.get_chat_member(-1009999, 333)).status == "member"
    updates = await bot.get_updates()
    assert [u.message.migrate_to_chat_id for u in updates][:1] == [-1009999]
    assert updates[1].message.migrate_from_chat_id == -5000


async def test_kicked_bot_and_private_chats(bot: Bot, fake: FakeTelegram) -> None:
    fake.kick_bot(GROUP)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hello")
    assert (await bot.get_updates())[0].my_chat_member.new_chat_member.status == "kicked"
    fake.readd_bot(GROUP)
    await bot.send_message(GROUP, "back")

    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(BOB, "hi")
    fake.send_text(BOB, BOB, "/start")
    await bot.send_message(BOB, "hi")
    fake.kick_bot(BOB)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(BOB, "hi")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-42, "hi")
    fake.set_member_status(GROUP, fake.bot_id, "left")
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(GROUP, "hello")
    fake.add_group(-77, bot_can_post=False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send text messages"):
        await bot.send_message(-77, "hi")


async def test_chat_and_member_lookup(bot: Bot, fake: FakeTelegram) -> None:
    chat = await bot.get_chat(GROUP)
    assert (chat.id, chat.title, chat.type) == (GROUP, "Staff", "supergroup")
    assert (await bot.get_chat_member(GROUP, fake.bot_id)).status == "member"
    fake.set_member_status(GROUP, ANN, "administrator")
    assert (await bot.get_chat_member(GROUP, ANN)).status == "administrator"
    fake.set_member_status(GROUP, BOB, "kicked")
    assert (await bot.get_chat_member(GROUP, BOB)).status == "kicked"
    fake.add_user(444, first_name="Dee")
    assert (await bot.get_chat_member(GROUP, 444)).status == "left"


async def test_commands_and_webhook_methods(bot: Bot, fake: FakeTelegram) -> None:
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    await bot.set_my_commands([BotCommand("pending", "Open requests")])
    assert fake.my_commands == [{"command": "pending", "description": "Open requests"}]
    assert [c.command for c in await bot.get_my_commands()] == ["pending"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Pending!", "x")])
    assert await bot.delete_my_commands()
    assert fake.my_commands == []


async def test_transport_failures(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(GROUP, "a")
    fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 3", retry_after=3
    )
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "a")
    await bot.send_message(GROUP, "a")

    fake.set_down(True)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    fake.set_down(False)

    with pytest.raises(InvalidToken):
        async with make_bot(fake, "123456:wrong"):
            pass  # initialize() calls getMe
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    with pytest.raises(BadRequest, match=r"(?i)method not implemented in fake"):
        await bot.send_dice(GROUP)


def test_raw_http_wire_formats(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}"
    with httpx.Client() as client:
        by_json = client.post(f"{url}/SENDMESSAGE", json={"chat_id": GROUP, "text": "json"})
        by_query = client.get(f"{url}/sendMessage", params={"chat_id": str(GROUP), "text": "q"})
        bad = client.post(f"{url}/sendMessage", data={"chat_id": GROUP})
    assert by_json.json()["result"]["text"] == "json"
    assert by_query.json()["ok"] is True
    assert bad.status_code == 400
    assert bad.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }


def test_wait_for_explains_timeouts(fake: FakeTelegram) -> None:
    assert fake.wait_for(lambda: 5) == 5
    with pytest.raises(AssertionError, match="recent API calls"):
        fake.wait_for(lambda: fake.messages(GROUP)[0], timeout=0.05)


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


def test_updates_match_spec(fake: FakeTelegram) -> None:
    spec = load_spec()
    fake.send_text(GROUP, ANN, "/pending")
    fake.tap(GROUP, 1, BOB, "forged")
    fake.kick_bot(GROUP)
    for update in fake.pending_updates():
        assert spec.problems(update, "Update") == []
        assert Update.de_json(update, None) is not None
