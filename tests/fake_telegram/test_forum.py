"""The fake Bot API's forum topics and pins, through python-telegram-bot."""

from __future__ import annotations

import pytest
from telegram import Bot, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest

from tests.fakes.ptb import ANN, GROUP, PTB_WARNINGS
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


async def test_messages_go_to_topics_and_replies_stay_in_theirs(bot: Bot, fake: FakeTelegram):
    topic = fake.add_topic(GROUP, "Shop A")
    assert (await bot.get_chat(GROUP)).is_forum
    post = await bot.send_message(GROUP, "in the topic", message_thread_id=topic)
    assert (post.message_thread_id, post.is_topic_message) == (topic, True)
    reply = await bot.send_message(
        GROUP, "reply", reply_parameters=ReplyParameters(message_id=post.message_id)
    )
    assert reply.message_thread_id == topic
    general = await bot.send_message(GROUP, "general")
    assert general.message_thread_id is None
    assert [m.message_thread_id for m in fake.messages(GROUP)] == [topic, topic, None]


@pytest.mark.parametrize(
    ("state", "error"), [("deleted", "message thread not found"), ("closed", "TOPIC_CLOSED")]
)
async def test_a_deleted_or_closed_topic_is_refused(bot: Bot, fake: FakeTelegram, state, error):
    topic = fake.add_topic(GROUP)
    fake.set_topic_state(GROUP, topic, state)
    for call in (
        bot.send_message(GROUP, "x", message_thread_id=topic),
        bot.send_chat_action(GROUP, ChatAction.TYPING, message_thread_id=topic),
    ):
        with pytest.raises(BadRequest):
            await call
    assert [c.description for c in fake.calls() if not c.ok] == [f"Bad Request: {error}"] * 2
    fake.set_topic_state(GROUP, topic, "open")
    assert await bot.send_chat_action(GROUP, ChatAction.TYPING, message_thread_id=topic)


async def test_an_admin_with_manage_topics_may_post_in_a_closed_one(bot: Bot, fake: FakeTelegram):
    topic = fake.add_topic(GROUP)
    fake.set_topic_state(GROUP, topic, "closed")
    fake.set_member_status(GROUP, fake.bot_id, "administrator")
    assert await bot.send_message(GROUP, "x", message_thread_id=topic)
    fake.set_bot_rights(GROUP, can_manage_topics=False)
    member = await bot.get_chat_member(GROUP, fake.bot_id)
    assert (member.can_manage_topics, member.can_pin_messages) == (False, True)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(GROUP, "x", message_thread_id=topic)


async def test_no_topic_in_a_chat_that_is_no_forum(bot: Bot, fake: FakeTelegram):
    with pytest.raises(BadRequest, match=r"(?i)thread not found"):
        await bot.send_message(GROUP, "x", message_thread_id=5)


async def test_users_write_in_topics(bot: Bot, fake: FakeTelegram):
    topic = fake.add_topic(GROUP)
    fake.send_text(GROUP, ANN, "/pending", thread_id=topic)
    [update] = await bot.get_updates()
    assert update.message.message_thread_id == topic and update.message.is_topic_message


async def test_pins_need_the_right_and_users_may_unpin(bot: Bot, fake: FakeTelegram):
    sent = await bot.send_message(GROUP, "summary")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage pinned"):
        await bot.pin_chat_message(GROUP, sent.message_id, disable_notification=True)
    fake.set_member_status(GROUP, fake.bot_id, "administrator")
    assert await bot.pin_chat_message(GROUP, sent.message_id, disable_notification=True)
    assert fake.pinned(GROUP) == [sent.message_id]
    assert fake.message(GROUP, sent.message_id).pin_silent is True
    assert (await bot.get_chat(GROUP)).pinned_message.message_id == sent.message_id
    fake.unpin_by_user(GROUP, sent.message_id)
    assert fake.pinned(GROUP) == []
    fake.delete_message(GROUP, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to pin not found"):
        await bot.pin_chat_message(GROUP, sent.message_id)
    fake.set_bot_rights(GROUP, can_pin_messages=False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.unpin_chat_message(GROUP)
