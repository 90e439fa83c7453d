"""A desk of two cabinets (`python -m bot` with a CABINETS_FILE) whose one business answers
500 to every poll: `/healthz` stays 200 and says whose trouble it is, `/metrics` labels the
two cabinets by their names and nothing else, and `python -m bot health` calls the desk
alive while it polls and dead once nothing has polled for three intervals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from storage.store import Store
from tests.cabinets import cabinets_toml, write
from tests.chat import post_of
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT
from tests.harness import DeskProcess, wait_until
from tests.test_notifications import free_port

pytestmark = pytest.mark.process  # `python -m bot`

ROMASHKA, DACHA = "Ромашка", "Дача"
DACHA_BUSINESS, DACHA_SHOP, DACHA_CHAT = 7202, 2001, -1002000000022
KEYS = {"MARKET_KEY_ROMASHKA": "key-romashka", "MARKET_KEY_DACHA": "key-dacha"}
ENVIRONMENT_ONLY = ("MARKET_API_KEY", "MARKET_CAMPAIGN_IDS", "STAFF_CHAT_ID")


@pytest.fixture
def env(market, telegram, desk_env, tmp_path: Path) -> dict[str, str]:
    """Two cabinets of one desk, each with its business, key and chat."""
    market.add_campaign(DACHA_SHOP, business_id=DACHA_BUSINESS, domain="Дача")
    market.add_key(KEYS["MARKET_KEY_ROMASHKA"], BUSINESS)
    market.add_key(KEYS["MARKET_KEY_DACHA"], DACHA_BUSINESS)
    telegram.add_group(DACHA_CHAT, title="Дача, склад")
    cabinets = cabinets_toml(
        {
            "name": ROMASHKA,
            "business_id": BUSINESS,
            "api_key_env": "MARKET_KEY_ROMASHKA",
            "campaign_ids": [CAMPAIGN],
            "staff_chat_id": STAFF_CHAT,
        },
        {
            "name": DACHA,
            "business_id": DACHA_BUSINESS,
            "api_key_env": "MARKET_KEY_DACHA",
            "campaign_ids": [DACHA_SHOP],
            "staff_chat_id": DACHA_CHAT,
        },
    )
    own = {key: value for key, value in desk_env.items() if key not in ENVIRONMENT_ONLY}
    return {**own, **KEYS, "CABINETS_FILE": str(write(tmp_path, cabinets))}


@pytest.fixture
def desk(env, tmp_path: Path) -> Iterator[tuple[DeskProcess, str]]:
    port = free_port()
    served = {**env, "HTTP_PORT": str(port), "HTTP_HOST": "127.0.0.1"}
    process = DeskProcess(served, tmp_path, name="desk").start()
    try:
        wait_until(lambda: "Serving on" in process.log(), 15, message="the HTTP server")
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.running:
            process.terminate()


def health(env: dict[str, str], tmp_path: Path) -> tuple[int, str]:
    name = f"health{len(list(tmp_path.glob('health*.log')))}"
    process = DeskProcess(env, tmp_path, name=name).start("health")
    return process.wait(30), process.log().strip()


def cabinets_of(url: str) -> dict[str, dict]:
    answer = httpx.get(f"{url}/healthz", timeout=5)
    assert answer.status_code == 200, answer.text
    return {cabinet["name"]: cabinet for cabinet in answer.json()["cabinets"]}


def test_one_business_refused_leaves_the_desk_healthy(market, telegram, desk, env, tmp_path):
    market.set_outage(500, business=DACHA_BUSINESS)
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    process, url = desk
    post_of(telegram, 1)  # the other cabinet posts as ever

    cabinets = wait_until(
        lambda: (seen := cabinets_of(url))[DACHA]["failed_polls"] >= 3 and seen, 20
    )
    assert cabinets[DACHA]["last_good_poll_age_seconds"] is None
    assert cabinets[ROMASHKA]["failed_polls"] == 0 and cabinets[ROMASHKA]["pending_requests"] == 1
    assert cabinets[ROMASHKA]["last_good_poll_age_seconds"] < 3

    scraped = httpx.get(f"{url}/metrics", timeout=5)
    samples = [s for f in text_string_to_metric_families(scraped.text) for s in f.samples]
    assert {s.labels["cabinet"] for s in samples if "cabinet" in s.labels} == {ROMASHKA, DACHA}
    failed = {s.labels["cabinet"]: s.value for s in samples if s.name.endswith("failed_polls")}
    assert failed[DACHA] >= 3 and failed[ROMASHKA] == 0
    polls = {s.labels["result"]: s.value for s in samples if s.name == "desk_polls_total"}
    assert polls["ok"] >= 1 and polls["failed"] >= 3  # the desk-wide series, as before

    code, line = health(env, tmp_path)
    assert code == 0 and line.startswith("healthy: last poll"), line

    assert process.terminate() == 0
    store = Store(Path(env["DATABASE_PATH"]))
    store.db.execute("UPDATE polls SET started_at = '2026-01-01T00:00:00.000000+00:00'")
    store.db.execute("UPDATE polls SET finished_at = started_at")
    store.close()
    code, line = health(env, tmp_path)
    assert code == 1 and line.startswith("unhealthy: last poll") and line.endswith("over 3s")
