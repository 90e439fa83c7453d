"""Where the HTTP server listens unless told otherwise (security review, finding 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from tests.test_config import REQUIRED


def load(tmp_path: Path, **overrides: str):
    return load_settings({**REQUIRED, **overrides}, tmp_path / "absent.env")


def test_the_desk_listens_on_loopback_by_default(tmp_path: Path) -> None:
    settings = load(tmp_path, HTTP_PORT="8080")
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)


def test_a_procfile_platform_port_alone_listens_on_every_address(tmp_path: Path) -> None:
    settings = load(tmp_path, PORT="8080")  # the platform's router must reach it
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 8080)


def test_http_port_beside_port_is_the_operator_s_own_and_stays_on_loopback(tmp_path: Path) -> None:
    settings = load(tmp_path, HTTP_PORT="9000", PORT="8080")
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 9000)


@pytest.mark.parametrize("ports", [{"HTTP_PORT": "8080"}, {"PORT": "8080"}, {}])
def test_an_explicit_http_host_always_wins(tmp_path: Path, ports: dict[str, str]) -> None:
    assert load(tmp_path, HTTP_HOST="0.0.0.0", **ports).http_host == "0.0.0.0"
    assert load(tmp_path, HTTP_HOST="::1", **ports).http_host == "::1"
