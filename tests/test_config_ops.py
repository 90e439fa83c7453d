"""The operations settings: backups, who may read /metrics, the log format."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from tests.test_config import REQUIRED


def load(tmp_path: Path, **overrides: str):
    return load_settings({**REQUIRED, **overrides}, tmp_path / "absent.env")


def test_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings.backup_dir is None
    assert settings.backup_keep == 7
    assert settings.log_format == "text"
    allowed = settings.metrics_allowed_networks
    for address in ("127.0.0.1", "::1", "10.1.2.3", "172.20.0.5", "192.168.1.1"):
        assert any(ipaddress.ip_address(address) in net for net in allowed), address
    assert not any(ipaddress.ip_address("8.8.8.8") in net for net in allowed)


def test_read(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        BACKUP_DIR="/var/backups/desk",
        BACKUP_KEEP="3",
        METRICS_ALLOWED_NETWORKS="10.0.0.0/8",
        LOG_FORMAT="JSON",
    )
    assert settings.backup_dir == Path("/var/backups/desk")
    assert settings.backup_keep == 3
    assert settings.metrics_allowed_networks == (ipaddress.ip_network("10.0.0.0/8"),)
    assert settings.log_format == "json"


@pytest.mark.parametrize(
    ("name", "value"),
    [("BACKUP_KEEP", "0"), ("METRICS_ALLOWED_NETWORKS", "localhost"), ("LOG_FORMAT", "xml")],
)
def test_malformed_is_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, **{name: value})
    assert str(caught.value).startswith(f"{name}: ")


def test_operators_are_a_list_of_users_or_an_error(tmp_path: Path) -> None:
    assert load(tmp_path).operator_user_ids == frozenset()
    assert load(tmp_path, OPERATOR_USER_IDS="11, 22").operator_user_ids == {11, 22}
    for value, problem in ((",", "',' names no user"), ("11,11", "user id 11 is listed twice")):
        with pytest.raises(SettingsError) as caught:
            load(tmp_path, OPERATOR_USER_IDS=value)
        assert str(caught.value) == f"OPERATOR_USER_IDS: {problem}"
