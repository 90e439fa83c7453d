"""Chats in the fake Telegram: edits, deletions, privacy mode, migrations, kicks, limits."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from tests.fakes.ptb import ANN, BOB, GROUP, PTB_WARNINGS, keyboard
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


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
