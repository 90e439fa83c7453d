"""Two cabinets over the fakes, for the tests of trouble and of the operators' commands.

Two businesses with their own keys, a staff chat each (Анна decides for «Уютный дом»,
Борис for «Сад и огород»), and an operator, Ольга, on no staff list, a member of the first
chat, who has started the bot. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cabinets import KEY_SAD, KEY_UYUT, SAD, UYUT, cabinets_toml, environment, with_keys
from tests.harness import DeskProcess, Desks, wait_until

UYUT_BUSINESS, SAD_BUSINESS = 7101, 7202
UYUT_SHOP, SAD_SHOP = 21100001, 21200001
CHAT_UYUT, CHAT_SAD = -1001000000011, -1001000000022
ANNA, BORIS, OPERATOR = 111, 222, 333


@pytest.fixture
def market() -> Iterator:
    from tests.fakes.market import FakeMarket

    with FakeMarket(keys={KEY_UYUT: UYUT_BUSINESS, KEY_SAD: SAD_BUSINESS}) as fake:
        fake.add_campaign(UYUT_SHOP, business_id=UYUT_BUSINESS, domain="Уют")
        fake.add_campaign(SAD_SHOP, business_id=SAD_BUSINESS, domain="Сад")
        yield fake


@pytest.fixture
def telegram() -> Iterator:
    from tests.fakes.telegram import FakeTelegram

    with FakeTelegram() as fake:
        fake.add_group(CHAT_UYUT, title="Уют")
        fake.add_group(CHAT_SAD, title="Сад")
        fake.add_user(ANNA, first_name="Анна", username="anna", member_of=[CHAT_UYUT])
        fake.add_user(BORIS, first_name="Борис", username="boris", member_of=[CHAT_SAD])
        fake.add_user(OPERATOR, first_name="Ольга", username="olga", member_of=[CHAT_UYUT])
        yield fake


@pytest.fixture
def desk(market, telegram, tmp_path: Path) -> Iterator:
    """Start the desk with the two cabinets; the operator has started the bot before."""
    desks = Desks(tmp_path)

    def start() -> DeskProcess:
        telegram.send_text(OPERATOR, OPERATOR, "/start")  # a bot cannot write first
        uyut = with_keys(UYUT, campaign_ids=[UYUT_SHOP], staff_user_ids=[ANNA], language="en")
        sad = with_keys(SAD, campaign_ids=[SAD_SHOP], staff_user_ids=[BORIS])
        path = tmp_path / "cabinets.toml"
        path.write_text(cabinets_toml(uyut, sad), encoding="utf-8")
        env = environment(
            path,
            TELEGRAM_API_URL=telegram.base_url,
            MARKET_API_URL=market.url,
            DATABASE_PATH=str(tmp_path / "data" / "desk.db"),
            POLL_INTERVAL="1",
            LANGUAGE="en",
            LOG_LEVEL="INFO",
            OPERATOR_USER_IDS=str(OPERATOR),
            COMMAND_COOLDOWN="0",  # the tests ask one command after another
        )
        env["TELEGRAM_BOT_TOKEN"] = telegram.token
        return desks.start(env)

    yield start
    desks.stop()


def said(telegram, chat: int, *starts: str) -> list[str]:
    return [m.text for m in telegram.messages(chat) if m.text.startswith(starts)]


def alerts(telegram, chat: int) -> list[str]:
    return said(telegram, chat, "⚠️ Cannot", "✅ Back")


def told(telegram) -> list[str]:
    """What the operator heard of the cabinets' trouble."""
    return said(telegram, OPERATOR, "⚠️ Cabinet", "✅ Cabinet")


def post_in(telegram, chat: int, order_id: int):
    def find():
        return next(
            (
                m
                for m in telegram.messages(chat)
                if m.text.startswith("🛑") and f"#{order_id}" in m.text
            ),
            None,
        )

    return wait_until(find, 15, message=f"the post of order {order_id} in chat {chat}")


def polls(market, business: int) -> int:
    return len(market.calls("getBusinessOrders", business=business))


def ask(telegram, user: int, text: str, start: str) -> list[str]:
    """Write in the private chat; the answers that start with `start`, once there is one."""
    before = len(telegram.messages(user))

    def answers() -> list[str]:
        later = telegram.messages(user)[before:]
        return [m.text for m in later if m.text.startswith(start)]

    telegram.send_text(user, user, text)
    return wait_until(answers, message=f"the answer to {text!r}")
