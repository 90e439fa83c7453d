"""The fake Telegram holds parameters, buttons and results to api.json, on every wire format."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, BotCommand, Update
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, NetworkError, RetryAfter

from tests.fakes.ptb import ANN, BOB, GROUP, PTB_WARNINGS, keyboard, make_bot
from tests.fakes.telegram import FakeTelegram, load_spec

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


async def test_get_me(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, "desk_bot", True)
    assert me.can_read_all_group_messages is False  # privacy mode, like a fresh real bot


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


def test_updates_match_spec(fake: FakeTelegram) -> None:
    spec = load_spec()
    fake.send_text(GROUP, ANN, "/pending")
    fake.tap(GROUP, 1, BOB, "forged")
    fake.kick_bot(GROUP)
    for update in fake.pending_updates():
        assert spec.problems(update, "Update") == []
        assert Update.de_json(update, None) is not None


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
