"""The desk's bot-wide limit, seen by a Bot API that answers 429 over 30 messages a second.

With one staff chat per cabinet, 200 cabinets can have 40 chats sending at once; every
message over Telegram's ~30 a second would come back 429 and stall the whole bot.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.chat.ratelimit import OVERALL_PER_SECOND, GroupRateLimiter
from bot.config import GroupRate

CHATS = [-1002000000000 - i for i in range(40)]
EACH = 2


async def test_forty_chats_sending_at_once_never_meet_the_bot_wide_limit(telegram):
    for chat_id in CHATS:
        telegram.add_group(chat_id, title=f"Кабинет {chat_id}")
    bot = ExtBot(
        telegram.token,
        base_url=telegram.base_url,
        defaults=Defaults(parse_mode=ParseMode.HTML),
        rate_limiter=GroupRateLimiter(GroupRate(20, timedelta(minutes=1))),
    )
    await bot.initialize()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(bot.send_message(c, f"{c}: {n}") for c in CHATS for n in range(EACH))),
            timeout=20,
        )
    finally:
        await bot.shutdown()

    sends = telegram.calls("sendMessage")
    refused = [call.description for call in sends if not call.ok]
    assert refused == []
    assert len(sends) == len(CHATS) * EACH
    assert telegram.peak_per_second() <= OVERALL_PER_SECOND
