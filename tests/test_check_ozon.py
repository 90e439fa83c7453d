"""`check` of an Ozon cabinet (issue 21): its key read through `POST /v1/roles` at the fake
Ozon, then its chat as for a Market cabinet, beside a Market cabinet that passes.

The desk is loaded from a cabinets file, as `python -m bot check` loads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cabinets_file import load_desk
from bot.ops.check import run_checks
from tests.cabinets import cabinets_toml
from tests.cabinets_world import ANNA, BORIS, CHAT_B, A, desk_environment
from tests.test_check_cabinets import block

CLIENT, KEY = 836402, "0b9f1c2e-ozon-key-dacha"
DACHA = {
    "name": "Дача",
    "marketplace": "ozon",
    "client_id": CLIENT,
    "api_key_env": "OZON_KEY_DACHA",
    "staff_chat_id": CHAT_B,
    "staff_user_ids": [ANNA, BORIS],
}
POSTING = "/v3/posting/fbs/get"
DECIDING = ["/v2/conditional-cancellation/approve", "/v2/conditional-cancellation/reject"]
READING = {"name": "Чтение", "methods": ["/v2/conditional-cancellation/list", POSTING]}
RENEW = "make a new key in Ozon's seller cabinet and put it in the cabinet's api_key_env"


@pytest.fixture
def ozon() -> Iterator:
    from tests.fakes.ozon import FakeOzon

    with FakeOzon() as fake:
        yield fake


async def check(capsys, market_ab, telegram_ab, ozon, tmp_path: Path, **more: str):
    """The exit status and the lines of `check` for the Market cabinet A and "Дача"."""
    env = desk_environment(
        market_ab,
        telegram_ab,
        tmp_path,
        cabinets_toml(A, DACHA),
        **{"OZON_API_URL": ozon.url, "OZON_KEY_DACHA": KEY, "OPERATOR_USER_IDS": "", **more},
    )
    code = await run_checks(load_desk(env, tmp_path / "absent.env"))
    lines = capsys.readouterr().out.splitlines()
    assert KEY not in "\n".join(lines)
    return code, lines


def moscow(moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo('Europe/Moscow')):%Y-%m-%d %H:%M} (Europe/Moscow)"


async def test_a_good_key_passes_with_its_roles_and_expiry(
    capsys, market_ab, telegram_ab, ozon, tmp_path
):
    expires = datetime.now(UTC) + timedelta(days=90)
    ozon.add_key(CLIENT, KEY, expires_at=expires)

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)

    assert code == 0, lines
    assert f"Cabinet “Дача” (Ozon Client-Id {CLIENT}, chat {CHAT_B}):" in lines
    mine = block(lines, "Дача")
    assert mine == [
        f"✓ staff chat {CHAT_B}: “Сад”, the bot is member",
        "✓ photos and documents: the digest's chart and /export can be sent",
        "✓ Ozon Api-Key: roles: Posting FBS",
        f"✓ Ozon key expiry: the key works until {moscow(expires)}",
    ]
    assert all(line.startswith("✓") for line in block(lines, "Уютный дом")), lines
    assert lines[-1] == "All checks passed."
    [call] = ozon.calls()
    assert (call.path, call.client_id, call.api_key) == ("/v1/roles", str(CLIENT), KEY)


@pytest.mark.parametrize("fault", ["unknown", "deactivated", "of another Client-Id"])
async def test_a_refused_key_fails_with_ozons_own_words(
    capsys, market_ab, telegram_ab, ozon, tmp_path, fault
):
    from tests.fakes.ozon import INVALID_KEY, KEY_DEACTIVATED

    if fault == "deactivated":
        ozon.add_key(CLIENT, KEY)
        ozon.deactivate_key(KEY)
    elif fault == "of another Client-Id":
        ozon.add_key(CLIENT + 1, KEY)
    message = KEY_DEACTIVATED if fault == "deactivated" else INVALID_KEY

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)

    assert code == 1
    assert (
        f"✗ Ozon Api-Key: 403 7 {message}; the key is wrong, deactivated, or not of "
        f"client_id {CLIENT}"
    ) in block(lines, "Дача")
    assert not any("key expiry" in line for line in lines)
    assert lines[-1] == "1 check(s) failed (in “Дача”)."


async def test_a_key_without_the_deciding_methods_fails_naming_them(
    capsys, market_ab, telegram_ab, ozon, tmp_path
):
    ozon.add_key(CLIENT, KEY, roles=[READING])

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)

    assert code == 1
    assert (
        f"✗ Ozon Api-Key: its roles (Чтение) do not allow {', '.join(DECIDING)}; give the key "
        "a role that lists them (Seller API keys in Ozon's seller cabinet), or make a new key "
        "with one"
    ) in block(lines, "Дача")


async def test_roles_together_may_cover_the_methods(capsys, market_ab, telegram_ab, ozon, tmp_path):
    ozon.add_key(CLIENT, KEY, roles=[READING, {"name": "Отмены", "methods": DECIDING}])

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)

    assert code == 0, lines
    assert "✓ Ozon Api-Key: roles: Чтение, Отмены" in block(lines, "Дача")


async def test_a_key_expiring_within_14_days_is_a_warning(
    capsys, market_ab, telegram_ab, ozon, tmp_path
):
    expires = datetime.now(UTC) + timedelta(days=10)
    ozon.add_key(CLIENT, KEY, expires_at=expires)

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)

    assert code == 0, lines
    assert (
        f"⚠ Ozon key expiry: the key expires on {moscow(expires)}, in 10 days; {RENEW}"
    ) in block(lines, "Дача")
    assert lines[-1] == "All checks passed; 1 warning(s)."


async def test_an_expired_key_fails(capsys, market_ab, telegram_ab, ozon, tmp_path):
    expired = datetime.now(UTC) - timedelta(hours=3)
    ozon.add_key(CLIENT, KEY, expires_at=expired)

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)

    assert code == 1
    assert f"✗ Ozon key expiry: the key expired on {moscow(expired)}; {RENEW}" in block(
        lines, "Дача"
    )
    assert lines[-1] == "1 check(s) failed (in “Дача”)."


async def test_ozon_out_of_reach_names_the_setting(capsys, market_ab, telegram_ab, ozon, tmp_path):
    ozon.add_key(CLIENT, KEY)
    ozon.set_outage(503)

    code, lines = await check(capsys, market_ab, telegram_ab, ozon, tmp_path)
    [line] = [line for line in block(lines, "Дача") if "Ozon Api-Key" in line]
    assert code == 1 and line.startswith("✗ Ozon Api-Key: 503 ")

    ozon.set_outage(None)
    code, lines = await check(
        capsys, market_ab, telegram_ab, ozon, tmp_path, OZON_API_URL="http://127.0.0.1:9"
    )
    assert code == 1
    assert "✗ Ozon Api-Key: roles: ConnectError; check OZON_API_URL" in block(lines, "Дача")
