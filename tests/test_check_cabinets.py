"""`check` of a desk with several cabinets: one block per cabinet, each tried on its own key,
campaigns, business and chat, and the exit status 0 only when every block passes.

Two businesses with their own keys are two fake Markets: "Ромашка" (the standard world's
business over `market`) and "Дом" (business DOM over `dom_market`, its campaigns not listed,
so discovered through `GET v2/campaigns`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.cabinet import Cabinet, Desk
from bot.config import Settings
from bot.ops.check import run_checks
from tests.builders import desk_settings
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT

DOM, DOM_CAMPAIGN, DOM_FBS = 7102, 2001, 2002
DOM_CHAT = -1002000000002
DOM_KEY = "dom-secret-key"
ANNA, BORIS = 111, 222
DOM_SHOP = f"✓ campaign {DOM_CAMPAIGN}: “Дом”, business {DOM} (ООО Дом), DBS, API available"


@pytest.fixture
def dom_market() -> Iterator:
    """The second business: its own key, one DBS shop and one FBS shop (not served)."""
    from tests.fakes.market import FakeMarket

    fake = FakeMarket(api_key=DOM_KEY).start()
    fake.add_campaign(DOM_CAMPAIGN, business_id=DOM, domain="Дом", business_name="ООО Дом")
    fake.add_campaign(DOM_FBS, business_id=DOM, domain="Дом FBS", placement="FBS")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def process(market, telegram, tmp_path) -> Settings:
    """The process's settings, pointed at the fake Bot API."""
    env = {"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.base_url}
    return desk_settings(market, tmp_path, **env)


def cabinet(name: str, base: Settings, market, **changes: object) -> Cabinet:
    """A cabinet as the cabinets file makes it: the process's settings with its own."""
    fields: dict[str, object] = {"market_api_url": market.url, "market_api_key": market.api_key}
    return Cabinet(name, dataclasses.replace(base, **{**fields, **changes}))


def changed(cabinet: Cabinet, **changes: object) -> Cabinet:
    return Cabinet(cabinet.name, dataclasses.replace(cabinet.settings, **changes))


@pytest.fixture
def romashka(process, market) -> Cabinet:
    return cabinet("Ромашка", process, market, market_business_id=BUSINESS)


@pytest.fixture
def dom(process, dom_market, telegram) -> Cabinet:
    telegram.add_group(DOM_CHAT, title="Дом, склад")
    return cabinet(
        "Дом",
        process,
        dom_market,
        market_business_id=DOM,
        market_campaign_ids=(),
        staff_chat_id=DOM_CHAT,
    )


async def check(capsys, desk: Desk) -> tuple[int, list[str]]:
    code = await run_checks(desk)
    return code, capsys.readouterr().out.splitlines()


def block(lines: list[str], name: str) -> list[str]:
    """The lines of the cabinet `name`, without their indent."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"Cabinet “{name}”"))
    rest = lines[start + 1 :]
    end = next((i for i, line in enumerate(rest) if not line.startswith("  ")), len(rest))
    return [line.strip() for line in rest[:end]]


async def test_every_cabinet_passes_in_its_own_block(capsys, process, romashka, dom, dom_market):
    code, lines = await check(capsys, Desk(process, (romashka, dom)))

    assert code == 0, lines
    assert lines[0] == "✓ Telegram token: bot @desk_bot"
    assert f"Cabinet “Ромашка” (business {BUSINESS}, chat {STAFF_CHAT}):" in lines
    assert f"Cabinet “Дом” (business {DOM}, chat {DOM_CHAT}):" in lines
    first, second = block(lines, "Ромашка"), block(lines, "Дом")
    assert all(line.startswith("✓") for line in first + second), lines
    assert f"✓ staff chat {STAFF_CHAT}: “Склад”, the bot is member" in first
    assert any(line.startswith(f"✓ campaign {CAMPAIGN}: ") for line in first)
    assert f"✓ staff chat {DOM_CHAT}: “Дом, склад”, the bot is member" in second
    assert f"✓ campaigns: none listed; the key sees DBS campaign(s) {DOM_CAMPAIGN}" in second
    assert DOM_SHOP in second
    assert not any(str(DOM_FBS) in line for line in second)  # an FBS shop is not the desk's
    assert lines[-1] == "All checks passed."
    assert [call.api_key for call in dom_market.calls()] == [DOM_KEY, DOM_KEY]  # its own key
    assert DOM_KEY not in "\n".join(lines)


@pytest.mark.parametrize("fault", ["a revoked key", "a chat without the bot"])
async def test_one_cabinets_fault_fails_its_block_alone(capsys, process, romashka, dom, fault):
    if fault == "a revoked key":
        dom = changed(dom, market_api_key="revoked-key")
    else:
        dom = changed(dom, staff_chat_id=-1009999)

    code, lines = await check(capsys, Desk(process, (romashka, dom)))

    assert code == 1
    assert all(line.startswith("✓") for line in block(lines, "Ромашка")), lines
    bad = block(lines, "Дом")
    if fault == "a revoked key":
        refused = "✗ Market Api-Key: 401 UNAUTHORIZED Api-Key token is invalid; the key is wrong"
        assert f"{refused} or revoked" in bad
        assert any(line.startswith("✗ campaigns: 401") for line in bad)
        assert f"✓ staff chat {DOM_CHAT}: “Дом, склад”, the bot is member" in bad
    else:
        assert any(
            line.startswith("✗ staff chat -1009999: ") and "add the bot to the staff group" in line
            for line in bad
        ), bad
        assert DOM_SHOP in bad
    assert lines[-1].endswith("check(s) failed (in “Дом”).")
    assert "revoked-key" not in "\n".join(lines)


async def test_a_listed_campaign_of_another_business_fails_naming_it(
    capsys, process, market, romashka, dom
):
    """The Market refuses a key for another business's orders: the desk could not watch it."""
    market.add_campaign(3003, business_id=6006, domain="Чужой магазин")
    listed = (CAMPAIGN, 3003)
    romashka = changed(romashka, market_campaign_ids=listed)

    code, lines = await check(capsys, Desk(process, (romashka, dom)))

    assert code == 1
    first = block(lines, "Ромашка")
    assert any(line.startswith(f"✓ campaign {CAMPAIGN}: ") for line in first)
    [refused] = [line for line in first if line.startswith("✗ campaign 3003: ")]
    assert "belongs to business 6006, not business_id=5001" in refused or "403" in refused
    assert all(line.startswith("✓") for line in block(lines, "Дом")), lines
    assert lines[-1] == "1 check(s) failed (in “Ромашка”)."


async def test_a_key_of_another_business_fails_its_cabinet(capsys, process, romashka, dom):
    """A cabinet whose key sees only another business's shops (keys swapped in the file)."""
    wrong = changed(dom, market_business_id=BUSINESS)

    code, lines = await check(capsys, Desk(process, (romashka, wrong)))

    assert code == 1
    refused = f"✗ campaign {DOM_CAMPAIGN}: “Дом”, business {DOM} (ООО Дом): it belongs to "
    assert f"{refused}business {DOM}, not business_id={BUSINESS}" in block(lines, "Дом")


async def test_a_key_that_sees_no_dbs_shop_with_its_api_on_fails(capsys, process, telegram):
    from tests.fakes.market import FakeMarket

    with FakeMarket(api_key="fbs-key").start() as fbs_market:
        fbs_market.add_campaign(4001, business_id=DOM, placement="FBS")
        off = "DISABLED_BY_INACTIVITY"
        fbs_market.add_campaign(4002, business_id=DOM, api_availability=off)
        changes = {"market_business_id": DOM, "market_campaign_ids": ()}
        shop = cabinet("Склад FBS", process, fbs_market, **changes)

        code, lines = await check(capsys, Desk(process, (shop,)))

    assert code == 1
    [line] = [line for line in block(lines, "Склад FBS") if line.startswith("✗ campaigns: ")]
    assert "the key sees no DBS campaign with its API available" in line
    assert f"4001 FBS AVAILABLE, 4002 DBS {off}" in line


async def test_discovery_reads_every_page(capsys, process, dom, dom_market):
    shops = range(3001, 3121)  # more than the 100 campaigns a page holds
    for campaign_id in shops:
        dom_market.add_campaign(campaign_id, business_id=DOM)

    code, lines = await check(capsys, Desk(process, (dom,)))

    assert code == 0, lines
    found = block(lines, "Дом")
    assert sum(line.startswith("✓ campaign ") for line in found) == len(shops) + 1
    assert len(dom_market.calls("getCampaigns")) == 2


async def test_an_operator_who_never_started_the_bot_is_a_warning(
    capsys, process, romashka, dom, telegram
):
    """A bot cannot write first: Boris would not hear of a cabinet's trouble."""
    telegram.send_text(ANNA, ANNA, "/start")
    desk = Desk(
        dataclasses.replace(process, operator_user_ids=frozenset({ANNA, BORIS})), (romashka, dom)
    )

    code, lines = await check(capsys, desk)

    assert code == 0, lines
    assert lines[1] == f"✓ operator {ANNA}: Анна can be told in private"
    assert lines[2] == (
        f"⚠ operator {BORIS}: has never started the bot, which cannot write first, so they "
        "would not hear of a cabinet's trouble; ask them to open @desk_bot and press Start"
    )
    assert lines[-1] == "All checks passed; 1 warning(s)."
    assert telegram.calls("sendMessage") == []  # nothing is written to anyone


async def test_a_desk_from_the_environment_prints_no_heading(capsys, process):
    code, lines = await check(capsys, Desk.of_environment(process))

    assert code == 0, lines
    assert not any(line.startswith(("Cabinet", " ")) for line in lines)
    assert lines[1] == f"✓ staff chat {STAFF_CHAT}: “Склад”, the bot is member"
