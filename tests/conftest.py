"""Shared fixtures: the fake Market and Telegram servers on loopback, and a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CAMPAIGN = 1001
BUSINESS = 5001
STAFF_CHAT = -1001234567890


def _require_shared() -> None:
    if not (SHARED / "market-openapi" / "openapi" / "openapi.yaml").is_file():
        pytest.skip(f"the Market and Bot API specs are not at {SHARED}")


@pytest.fixture
def market() -> Iterator:
    """A strict fake Market with one DBS campaign."""
    _require_shared()
    from tests.fakes.market import FakeMarket

    fake = FakeMarket().start()
    fake.add_campaign(CAMPAIGN, business_id=BUSINESS, domain="Ромашка & Co")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def store(tmp_path: Path):
    from storage.store import Store

    db = Store(tmp_path / "data" / "desk.db")
    try:
        yield db
    finally:
        db.close()


STAFF = {111: ("Анна", "anna"), 222: ("Борис", "boris")}
OUTSIDER = 999


@pytest.fixture
def telegram() -> Iterator:
    """A strict fake Bot API with the staff supergroup, two staff and an outsider."""
    _require_shared()
    from tests.fakes.telegram import FakeTelegram

    fake = FakeTelegram().start()
    fake.add_group(STAFF_CHAT, title="Склад")
    for user_id, (name, username) in STAFF.items():
        fake.add_user(user_id, first_name=name, username=username, member_of=[STAFF_CHAT])
    fake.add_user(OUTSIDER, first_name="Чужой", username="stranger")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def desk_env(market, telegram, tmp_path: Path) -> dict[str, str]:
    """Settings of a desk wired to the two fakes; tests override what they need."""
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "STAFF_CHAT_ID": str(STAFF_CHAT),
        "MARKET_API_KEY": market.api_key,
        "MARKET_API_URL": market.url,
        "MARKET_CAMPAIGN_IDS": str(CAMPAIGN),
        "POLL_INTERVAL": "1",
        "DATABASE_PATH": str(tmp_path / "data" / "desk.db"),
        "LANGUAGE": "en",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def start_desk(desk_env: dict[str, str], tmp_path: Path):
    """Start `python -m bot` (more than once for restarts); all are stopped at the end."""
    from tests.harness import DeskProcess

    started: list[DeskProcess] = []

    def start(**overrides: str) -> DeskProcess:
        env = {**desk_env, **overrides}
        process = DeskProcess(env, tmp_path, name=f"desk{len(started)}").start()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.running:
            process.terminate()


@pytest.fixture
async def desk(market, store, tmp_path):
    """A desk in process over the fake Market, without Telegram (`bot` is None)."""
    from bot.config import load_settings
    from bot.desk import Desk
    from bot.market import MarketClient

    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123:abcdefghijklmnop",
            "STAFF_CHAT_ID": str(STAFF_CHAT),
            "MARKET_API_KEY": market.api_key,
            "MARKET_API_URL": market.url,
            "MARKET_CAMPAIGN_IDS": str(CAMPAIGN),
        },
        env_file=tmp_path / "absent.env",
    )
    client = MarketClient(settings.market_api_url, settings.market_api_key)
    try:
        yield Desk(settings, store, client, bot=None)  # type: ignore[arg-type]
    finally:
        await client.close()
