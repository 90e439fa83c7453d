"""Strict fake Telegram Bot API server for tests.

A Starlette app served on 127.0.0.1 in a background thread with its own event loop
(`tests.fakes.loopback`), so synchronous tests can drive it while the bot runs in another
process or in-process. Parameters are validated against the machine-readable Bot API spec
(``api.json``, as reduced to tests/contracts/telegram-bot-api.json by
scripts/make_contracts.py) and errors carry the real Bot API texts, so a bot that passes here should
not trip over the real server's strictness.

The package, by job: `spec` (api.json, parameter decoding, result checks), `html` (the
HTML parse mode), `records` (what tests observe), `chats` (the world: chats, users,
messages, updates), `limits` (flood control), `methods` (the Bot API methods), `server`
(`FakeTelegram`: HTTP, faults, the call log, long polling).

Flood limits, as Telegram's FAQ states them (DESIGN.md: "about 20 messages a minute per
group"; the FAQ's "about 30 messages per second" for a bot over all chats): sends, edits
and pins over a limit get 429 "Too Many Requests: retry after N" with
``parameters.retry_after`` (ResponseParameters in api.json). The bot-wide limit is on by
default at 30 in any second (``FakeTelegram(bot_rate_limit=...)``,
`set_bot_rate_limit`); a chat's is set by the test (`set_rate_limit`, e.g. 20 in 60 s).
Whatever the limits, `peak_per_second()` (the bot's busiest second) and
`peak_per_minute(chat_id)` / `peaks_per_minute()` (each chat's busiest minute) tell how
close a run came.

Typical use::

    with FakeTelegram() as tg:
        tg.add_group(-100123, title="Staff")
        tg.add_user(7, first_name="Ann", member_of=[-100123])
        # run the bot with TELEGRAM_API_URL=tg.base_url (i.e. tg.url + "/bot")
        tg.send_text(-100123, 7, "/pending")
        msg = tg.wait_until(lambda: tg.messages(-100123)[-1], what="the answer")
        tg.tap(-100123, msg.message_id, 7, msg.callback_data("Approve"))

Observing: `calls()` (answered, each with ``arrived_at``), `arrivals()` (as they come,
before any processing or long poll) and `wait_until()`, which wakes on every request.
"""

from tests.fakes.observe import WaitTimeout
from tests.fakes.telegram.errors import ApiError
from tests.fakes.telegram.html import HtmlParseError, parse_html
from tests.fakes.telegram.limits import RATE_LIMITED_METHODS
from tests.fakes.telegram.methods import IMPLEMENTED_METHODS
from tests.fakes.telegram.records import Arrival, Call, Message, Tap
from tests.fakes.telegram.server import FakeTelegram
from tests.fakes.telegram.spec import SPEC_PATH, Spec, load_spec

__all__ = [
    "IMPLEMENTED_METHODS",
    "RATE_LIMITED_METHODS",
    "SPEC_PATH",
    "ApiError",
    "Arrival",
    "Call",
    "FakeTelegram",
    "HtmlParseError",
    "Message",
    "Spec",
    "Tap",
    "WaitTimeout",
    "load_spec",
    "parse_html",
]
