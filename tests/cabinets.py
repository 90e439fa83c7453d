"""Cabinets files for the tests: two Market cabinets as the issue shows them and an Ozon
one, written as TOML."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cabinet import Desk
from bot.cabinets_file import CabinetsFileError, load_desk
from tests.test_config import TOKEN

KEY_UYUT = "ACMA:uyutsecretvalue:0a1b2c"
KEY_SAD = "ACMA:sadsecretvalue:3d4e5f"
KEY_DACHA = "5e1f0c2a-ozonsecretvalue-9b8d7e6f"  # an Ozon Api-Key
UYUT = {
    "name": "Уютный дом",
    "marketplace": "yandex",
    "business_id": 7101,
    "api_key_env": "MARKET_KEY_UYUT",
    "campaign_ids": [21100001, 21100002],
    "staff_chat_id": -1001000000011,
    "staff_user_ids": [111, 222],
    "language": "ru",
}
SAD = {
    "name": "Сад и огород",
    "business_id": 7202,
    "api_key_env": "MARKET_KEY_SAD",
    "staff_chat_id": -1001000000022,
}

DACHA = {  # an Ozon seller
    "name": "Дача на Ozon",
    "marketplace": "ozon",
    "client_id": 836402,
    "api_key_env": "OZON_KEY_DACHA",
    "staff_chat_id": -1001000000033,
}


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def cabinets_toml(*cabinets: dict[str, object]) -> str:
    """`[[cabinet]]` tables; a key whose value is None is left out."""
    tables = [
        "[[cabinet]]\n"
        + "".join(
            f"{key} = {toml_value(value)}\n" for key, value in keys.items() if value is not None
        )
        for keys in cabinets
    ]
    return "\n".join(tables)


def with_keys(cabinet: dict[str, object], **changes: object) -> dict[str, object]:
    return {**cabinet, **changes}


def environment(path: Path, **more: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CABINETS_FILE": str(path),
        "MARKET_KEY_UYUT": KEY_UYUT,
        "MARKET_KEY_SAD": KEY_SAD,
        "OZON_KEY_DACHA": KEY_DACHA,
        **more,
    }


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cabinets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, **more: str) -> Desk:
    return load_desk(environment(write(tmp_path, text), **more), tmp_path / "absent.env")


def refusal(tmp_path: Path, text: str, **more: str) -> str:
    """The one line a wrong file stops the desk with, after the file's own name."""
    path = write(tmp_path, text)
    try:
        load_desk(environment(path, **more), tmp_path / "absent.env")
    except CabinetsFileError as error:
        line = str(error)
    else:
        raise AssertionError("the file was accepted")
    assert "\n" not in line
    for secret in (KEY_UYUT, KEY_SAD, KEY_DACHA, "secretvalue", TOKEN):
        assert secret not in line
    prefix = f"CABINETS_FILE={path}: "
    assert line.startswith(prefix), line
    return line.removeprefix(prefix)
