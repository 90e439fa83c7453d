"""`/healthz` and `/metrics` of a desk with several cabinets, in process, on a real store and
a clock the test moves: a Market refusing one cabinet is that cabinet's trouble, shown by
name to the networks allowed to see it; the desk is stale only when no cabinet has polled
for three intervals."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.routing import Route

from bot.intake.http import Health
from bot.intake.poll_state import PollState
from bot.ops.cabinet_watch import Watched
from bot.ops.metrics import CabinetStates
from bot.signals import Activity
from storage.polls import PollRecord
from storage.scope import Scope
from tests.builders import NOW, asgi_client, new, poll, sync

MINUTE = timedelta(minutes=1)
UYUT, SAD = "Уютный дом", "Сад и огород"
UYUT_SHOP, SAD_SHOP = 21100001, 21200001
ALLOWED = (ipaddress.ip_network("10.0.0.0/8"),)
INSIDE, STRANGER = "10.1.2.3", "203.0.113.7"
PUBLIC = {
    "status",
    "last_poll_age_seconds",
    "last_attempt_age_seconds",
    "poll_interval_seconds",
    "telegram_ok",
    "uptime_seconds",
}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cabinets(store, clock: Clock) -> list[Watched]:
    """Уютный дом: its Market answers 500 to every poll; Сад и огород: two requests waiting."""
    uyut = Watched(UYUT, PollState(), store.scoped(Scope({UYUT_SHOP}, polls="business:7101")))
    sad = Watched(SAD, PollState(), store.scoped(Scope({SAD_SHOP}, polls="business:7202")))
    for minutes in (3, 2, 1):
        at = NOW - minutes * MINUTE
        uyut.store.poll_failed(PollRecord(at, at, ok=False, error="500 Internal Server Error"))
    uyut.polls.attempted_at, uyut.polls.failures = NOW - MINUTE, 3
    uyut.polls.trouble_since, uyut.polls.trouble = NOW - 2 * MINUTE, "500 Internal Server Error"
    waiting = [new(1, campaign_id=SAD_SHOP), new(2, campaign_id=SAD_SHOP)]
    sync(sad.store, new=waiting, poll=poll(started_at=NOW - 2 * MINUTE, finished_at=NOW - MINUTE))
    sad.polls.attempted_at = sad.polls.succeeded_at = NOW - MINUTE
    return [uyut, sad]


@pytest.fixture
def app(store, clock: Clock, cabinets: list[Watched]) -> Starlette:
    health = Health(
        store, Activity(telegram_ok=True), MINUTE, clock, NOW, lambda: cabinets, ALLOWED
    )
    return Starlette(routes=[Route("/healthz", health.answer, methods=["GET"])])


async def healthz(app: Starlette, peer: str = INSIDE, headers: dict[str, str] | None = None):
    async with asgi_client(app, peer) as http:
        return await http.get("/healthz", headers=headers)


async def test_a_cabinet_the_market_refuses_is_its_trouble_not_the_desks(app) -> None:
    answer = await healthz(app)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    body = answer.json()
    assert body["last_attempt_age_seconds"] == 60.0 and body["pending_requests"] == 2
    uyut, sad = body["cabinets"]
    assert uyut == {
        "name": UYUT,
        "last_attempt_age_seconds": 60.0,
        "last_good_poll_age_seconds": None,
        "failed_polls": 3,
        "in_trouble": True,
        "trouble": "500 Internal Server Error",
        "trouble_age_seconds": 120.0,
        "open_requests": 0,
        "pending_requests": 0,
    }
    assert sad["name"] == SAD and sad["last_good_poll_age_seconds"] == 60.0
    assert sad["in_trouble"] is False and sad["trouble"] is None and sad["failed_polls"] == 0
    assert (sad["open_requests"], sad["pending_requests"]) == (2, 2)


async def test_stale_only_when_no_cabinet_polls_for_three_intervals(app, clock, cabinets):
    clock.now = NOW + 2 * MINUTE  # the last poll (a refused one) ended three intervals ago
    assert (await healthz(app)).status_code == 200
    clock.now += timedelta(seconds=1)
    stale = await healthz(app)
    assert stale.status_code == 503 and stale.json()["status"] == "stale"
    assert [cabinet["name"] for cabinet in stale.json()["cabinets"]] == [UYUT, SAD]

    uyut = cabinets[0]
    uyut.store.poll_failed(PollRecord(clock.now, clock.now, ok=False, error="500"))
    assert (await healthz(app)).status_code == 200  # refused again, but polling


@pytest.mark.parametrize(
    ("peer", "headers"),
    [
        (STRANGER, None),
        (INSIDE, {"X-Forwarded-For": INSIDE}),  # a header from a peer nobody trusts
        (STRANGER, {"X-Forwarded-For": INSIDE}),
    ],
)
async def test_strangers_learn_neither_names_nor_counts(app, peer, headers) -> None:
    answer = await healthz(app, peer, headers)
    assert answer.status_code == 200 and set(answer.json()) == PUBLIC
    for secret in (UYUT, SAD, "pending", "500 Internal"):
        assert secret not in answer.text


def scrape(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    text = generate_latest(registry).decode()
    return {
        (sample.name, sample.labels["cabinet"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_label_each_cabinet_by_its_name_and_forget_a_removed_one(cabinets, clock):
    running = list(cabinets)
    registry = CollectorRegistry()
    registry.register(CabinetStates(lambda: running, clock))

    seen = scrape(registry)
    assert {cabinet for _, cabinet in seen} == {UYUT, SAD}
    assert seen[("desk_cabinet_in_trouble", UYUT)] == 1
    assert seen[("desk_cabinet_in_trouble", SAD)] == 0
    assert seen[("desk_cabinet_failed_polls", UYUT)] == 3
    assert ("desk_cabinet_last_poll_age_seconds", UYUT) not in seen  # never polled well
    assert seen[("desk_cabinet_last_poll_age_seconds", SAD)] == 60
    assert seen[("desk_cabinet_pending_requests", SAD)] == 2
    assert seen[("desk_cabinet_open_requests", SAD)] == 2
    assert seen[("desk_cabinet_open_requests", UYUT)] == 0

    running.remove(cabinets[0])  # what a reload that drops the cabinet leaves
    assert {cabinet for _, cabinet in scrape(registry)} == {SAD}
