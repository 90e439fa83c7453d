"""The process's Ozon settings (issue 21): where Ozon is, and what a rejection tells the buyer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings
from tests.test_config import REQUIRED

DELIVERED, IN_DELIVERY = "OZON_REJECT_DELIVERED_COMMENT", "OZON_REJECT_IN_DELIVERY_COMMENT"


def load(tmp_path: Path, **overrides: str) -> Settings:
    return load_settings({**REQUIRED, **overrides}, tmp_path / "absent.env")


def test_defaults_are_ozons_api_and_polite_russian_reasons(tmp_path: Path) -> None:
    settings = load(tmp_path, LANGUAGE="en")  # the buyer's words stay Russian
    assert settings.ozon_api_url == "https://api-seller.ozon.ru"
    assert "доставлен" in settings.ozon_reject_delivered_comment
    assert "курьеру" in settings.ozon_reject_in_delivery_comment
    comments = (settings.ozon_reject_delivered_comment, settings.ozon_reject_in_delivery_comment)
    for comment in comments:
        assert 20 < len(comment) <= 500 and comment.isprintable()


def test_the_settings_replace_the_defaults(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        OZON_API_URL="http://127.0.0.1:8081/",
        **{DELIVERED: "  Заказ вручён вам 12 мая.  ", IN_DELIVERY: "Курьер уже в пути."},
    )
    assert settings.ozon_api_url == "http://127.0.0.1:8081"
    assert settings.ozon_reject_delivered_comment == "Заказ вручён вам 12 мая."
    assert settings.ozon_reject_in_delivery_comment == "Курьер уже в пути."


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("OZON_API_URL", "api-seller.ozon.ru", "'api-seller.ozon.ru' is not an http(s) URL"),
        ("OZON_API_URL", "ftp://example.com", "'ftp://example.com' is not an http(s) URL"),
        (DELIVERED, "я" * 501, "is 501 characters long; at most 500"),
        (IN_DELIVERY, "Первая строка\nвторая", "must be one line of printable text"),
    ],
)
def test_a_wrong_ozon_setting_is_named(tmp_path: Path, name: str, value: str, line: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load(tmp_path, **{name: value})
    assert str(refused.value) == f"{name}: {line}"


def test_a_blank_comment_keeps_the_default(tmp_path: Path) -> None:
    """As for every setting, an empty value is an unset one, never an empty reason."""
    assert load(tmp_path, **{DELIVERED: "  "}).ozon_reject_delivered_comment == (
        load(tmp_path).ozon_reject_delivered_comment
    )
