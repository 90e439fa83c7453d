"""bot/cabinets_file.py: the desk's cabinets from CABINETS_FILE, or one from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cabinet import ENVIRONMENT_CABINET, Marketplace
from bot.cabinet_side import poll_scope
from bot.cabinets_file import CabinetsFileError, load_desk, open_desk, reread_cabinets
from bot.config import load_settings
from tests.cabinets import (
    KEY_SAD,
    KEY_UYUT,
    SAD,
    UYUT,
    cabinets_toml,
    environment,
    load,
    with_keys,
    write,
)
from tests.harness import ROOT, DeskProcess
from tests.test_config import REQUIRED, TOKEN


def test_without_a_file_the_desk_is_todays(tmp_path: Path) -> None:
    desk = load_desk(dict(REQUIRED), tmp_path / "absent.env")
    settings = load_settings(dict(REQUIRED), tmp_path / "absent.env")
    assert desk.settings == settings
    assert [(cabinet.name, cabinet.settings) for cabinet in desk.cabinets] == [
        (ENVIRONMENT_CABINET, settings)
    ]


def test_a_file_cabinet_named_default_is_not_the_environments(tmp_path: Path) -> None:
    """Only the environment's cabinet keeps the poll records of before and stops the desk
    on a refused key; a file's cabinet of that name is a file's cabinet like any other."""
    [named] = load(tmp_path, cabinets_toml(with_keys(SAD, name=ENVIRONMENT_CABINET))).cabinets
    [environments] = load_desk(dict(REQUIRED), tmp_path / "absent.env").cabinets

    assert not named.from_environment and environments.from_environment
    assert poll_scope(named) == "business:7202" and poll_scope(environments) is None


def test_the_issues_two_cabinets(tmp_path: Path) -> None:
    uyut, sad = load(tmp_path, cabinets_toml(UYUT, SAD)).cabinets
    assert (uyut.name, uyut.marketplace, uyut.business_id, uyut.chat_id) == (
        "Уютный дом",
        Marketplace.YANDEX,
        7101,
        -1001000000011,
    )
    assert uyut.settings.market_api_key == KEY_UYUT
    assert uyut.settings.market_campaign_ids == (21100001, 21100002)
    assert uyut.settings.staff_user_ids == {111, 222}
    assert (sad.name, sad.business_id, sad.chat_id) == ("Сад и огород", 7202, -1001000000022)
    assert sad.settings.market_api_key == KEY_SAD
    assert sad.settings.market_campaign_ids == ()  # every DBS campaign the key can see


def test_the_process_settings_stay_in_the_environment(tmp_path: Path) -> None:
    desk = load(
        tmp_path,
        cabinets_toml(UYUT, SAD),
        POLL_INTERVAL="2m",
        DATABASE_PATH=str(tmp_path / "desk.db"),
        OPERATOR_USER_IDS="42",
    )
    assert desk.settings.market_api_key == "" and desk.settings.staff_chat_id == 0
    for settings in (desk.settings, *(cabinet.settings for cabinet in desk.cabinets)):
        assert settings.poll_interval == timedelta(minutes=2)
        assert settings.database_path == tmp_path / "desk.db"
        assert settings.operator_user_ids == {42}
        assert settings.telegram_bot_token == TOKEN


def test_what_a_cabinet_does_not_set_comes_from_the_environment(tmp_path: Path) -> None:
    env = {
        "STAFF_USER_IDS": "7",
        "LANGUAGE": "en",
        "TIMEZONE": "Asia/Yekaterinburg",
        "REMINDER_LEAD_TIMES": "2h",
        "QUIET_HOURS": "23:00-07:00",
        "CLAIMS": "true",
        "ESCALATE_TO": "7",
        "DIGEST_AT": "09:30",
    }
    uyut, sad = load(tmp_path, cabinets_toml(UYUT, SAD), **env).cabinets
    assert sad.settings.staff_user_ids == {7} and uyut.settings.staff_user_ids == {111, 222}
    assert (sad.settings.language, uyut.settings.language) == ("en", "ru")
    for settings in (uyut.settings, sad.settings):
        assert settings.timezone == ZoneInfo("Asia/Yekaterinburg")
        assert settings.reminder_lead_times == (timedelta(hours=2),)
        assert settings.quiet_hours == (time(23), time(7))
        assert (settings.claims, settings.escalate_to) == (True, (7,))
        assert settings.digest_at == time(9, 30)


def test_a_cabinets_settings_replace_the_environments(tmp_path: Path) -> None:
    overrides = {
        "campaign_ids": [31, 32],
        "staff_user_ids": [5, 6],
        "staff_topic_id": 3,
        "campaign_topics": {"32": 9},
        "language": "en",
        "timezone": "Asia/Novosibirsk",
        "reminder_lead_times": ["6h", "30m"],
        "quiet_hours": "off",
        "escalate_to": [6, 5],
        "claims": False,
        "buyer_contact": True,
        "pin_summary": True,
        "confirm_decisions": False,
        "digest_at": "off",
        "digest_topic_id": 4,
    }
    env = {"CLAIMS": "true", "QUIET_HOURS": "22:00-08:00", "DIGEST_AT": "09:00"}
    _, sad = load(tmp_path, cabinets_toml(UYUT, with_keys(SAD, **overrides)), **env).cabinets
    settings = sad.settings
    assert settings.market_campaign_ids == (31, 32) and settings.staff_user_ids == {5, 6}
    assert (settings.topic_for(31), settings.topic_for(32)) == (3, 9)
    assert (settings.language, settings.timezone) == ("en", ZoneInfo("Asia/Novosibirsk"))
    assert settings.reminder_lead_times == (timedelta(hours=6), timedelta(minutes=30))
    assert (settings.quiet_hours, settings.escalate_to, settings.claims) == (None, (6, 5), False)
    assert (settings.buyer_contact, settings.pin_summary, settings.confirm_decisions) == (
        True,
        True,
        False,
    )
    assert (settings.digest_at, settings.digest_topic_id) == (None, 4)


def test_an_empty_list_of_lead_times_turns_a_cabinets_reminders_off(tmp_path: Path) -> None:
    text = cabinets_toml(with_keys(SAD, reminder_lead_times=[]))
    assert load(tmp_path, text).cabinets[0].settings.reminder_lead_times == ()


def test_a_business_split_over_cabinets_that_list_their_campaigns(tmp_path: Path) -> None:
    """One team per store: the same business and key, each part its own campaigns and chat."""
    second = with_keys(SAD, business_id=7101, api_key_env="MARKET_KEY_UYUT", campaign_ids=[31])
    uyut, sad = load(tmp_path, cabinets_toml(UYUT, second)).cabinets
    assert uyut.business_id == sad.business_id == 7101
    assert sad.settings.market_api_key == KEY_UYUT


def test_cabinets_sharing_a_chat_may_differ_in_their_campaigns_topics(tmp_path: Path) -> None:
    shared = {"staff_chat_id": -1001000000011, "staff_user_ids": [111, 222], "language": "ru"}
    first = with_keys(UYUT, campaign_topics={"21100001": 4})
    second = with_keys(SAD, **shared, campaign_ids=[31], campaign_topics={"31": 5})
    uyut, sad = load(tmp_path, cabinets_toml(first, second)).cabinets
    assert uyut.chat_id == sad.chat_id
    assert (uyut.settings.topic_for(21100001), sad.settings.topic_for(31)) == (4, 5)


def test_a_reload_reads_the_file_again_against_the_values_of_the_start(tmp_path: Path) -> None:
    path = write(tmp_path, cabinets_toml(UYUT))
    env = environment(path)
    desk, source = open_desk(env, tmp_path / "absent.env")
    assert [cabinet.name for cabinet in desk.cabinets] == ["Уютный дом"]
    path.write_text(cabinets_toml(with_keys(UYUT, language="en"), SAD), encoding="utf-8")
    uyut, sad = reread_cabinets(source)
    assert (uyut.settings.language, sad.name) == ("en", "Сад и огород")
    path.write_text(cabinets_toml(UYUT, with_keys(SAD, api_key_env="MARKET_KEY_NEW")))
    env["MARKET_KEY_NEW"] = "ACMA:newsecretvalue:99"  # too late: a new key needs a restart
    with pytest.raises(CabinetsFileError) as refused:
        reread_cabinets(source)
    assert str(refused.value) == (
        f'CABINETS_FILE={path}: cabinet "Сад и огород": api_key_env: MARKET_KEY_NEW is not set'
    )


def test_a_reload_without_a_file_keeps_the_one_cabinet(tmp_path: Path) -> None:
    desk, source = open_desk(dict(REQUIRED), tmp_path / "absent.env")
    assert reread_cabinets(source) == desk.cabinets


def test_what_the_desk_holds_prints_no_key(tmp_path: Path) -> None:
    text = cabinets_toml(UYUT, SAD)
    desk, source = open_desk(environment(write(tmp_path, text)), tmp_path / "absent.env")
    shown = f"{desk!r} {source!r} {desk.cabinets}"
    for secret in (KEY_UYUT, KEY_SAD, TOKEN):
        assert secret not in shown


def test_the_key_variables_may_come_from_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / "desk.env"
    dotenv.write_text(f"MARKET_KEY_SAD={KEY_SAD}\n")
    env = environment(write(tmp_path, cabinets_toml(SAD)))
    del env["MARKET_KEY_SAD"]
    assert load_desk(env, dotenv).cabinets[0].settings.market_api_key == KEY_SAD


def test_the_example_file_loads(tmp_path: Path) -> None:
    example = ROOT / "examples" / "cabinets.toml"
    variables = {table["api_key_env"] for table in tomllib.loads(example.read_text())["cabinet"]}
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CABINETS_FILE": str(example),
        **{name: f"ACMA:{name.lower()}:00" for name in variables},
    }
    desk = load_desk(env, tmp_path / "absent.env")
    assert len(desk.cabinets) >= 2
    assert len({cabinet.settings.market_api_key for cabinet in desk.cabinets}) == len(variables)


@pytest.mark.process
@pytest.mark.parametrize("command", [(), ("check",)])
def test_the_desk_stops_on_a_wrong_file_with_one_line(tmp_path: Path, command: tuple) -> None:
    path = write(tmp_path, cabinets_toml(UYUT, with_keys(SAD, colour="green")))
    process = DeskProcess(environment(path), tmp_path).start(*command)
    assert process.wait(30) == 2
    assert process.log().splitlines() == [
        f'Setting error: CABINETS_FILE={path}: cabinet "Сад и огород": colour: unknown key'
    ]


@pytest.mark.process
def test_every_cabinets_key_is_redacted_from_the_log(tmp_path: Path) -> None:
    """The desk's log hides each cabinet's key, not only the environment's MARKET_API_KEY."""
    script = tmp_path / "say.py"
    script.write_text(
        "import logging\n"
        "from bot.__main__ import start_logging\n"
        "from bot.cabinets_file import load_desk\n"
        "desk = load_desk()\n"
        "start_logging(desk.settings, desk.cabinets)\n"
        f"logging.getLogger('bot').warning('keys %s and %s', {KEY_UYUT!r}, {KEY_SAD!r})\n"
    )
    env = environment(write(tmp_path, cabinets_toml(UYUT, SAD)))
    result = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "keys *** and ***" in result.stderr, result.stderr
    assert "secretvalue" not in result.stdout + result.stderr
