"""Runs the demo: the desk as in production, its Market (and Ozon) simulated in the process."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

import httpx

from bot.app import build_application, utc_now
from bot.cabinet import Desk
from bot.chat.handlers import DeskData
from bot.config import Settings
from bot.demo.cabinets import ozon_keys, simulator_keys
from bot.demo.marks import DemoBot, render_demo_note
from bot.demo.ozon_world import OZON_API_URL, OzonDemoWorld
from bot.demo.world import BUSINESSES, DemoWorld
from bot.lifecycle import serve
from bot.simulator.engine import MarketEngine
from bot.simulator.hosts import ByHost
from bot.simulator.ozon_engine import OzonEngine
from bot.simulator.ozon_transport import OzonTransport
from bot.simulator.transport import SimulatorTransport
from bot.texts import Texts
from storage.store import Store

log = logging.getLogger(__name__)

#: The simulator's MARKET_* settings (its first business's); the URL is never resolved: the
#: transport answers.
MARKET = {
    "MARKET_API_KEY": BUSINESSES[0].key,
    "MARKET_CAMPAIGN_IDS": ",".join(map(str, BUSINESSES[0].shops)),
    "MARKET_BUSINESS_ID": str(BUSINESSES[0].business_id),
    "MARKET_API_URL": "http://market-simulator.invalid",
}
FAULT_RATE = 0.2  # with DEMO_FAULTS, a decision meets a marketplace's error this often
#: The decisions DEMO_FAULTS fails now and then: the Market's, and Ozon's approve and reject.
DECISIONS = frozenset({"acceptOrderCancellation", "approve", "reject"})
LATENCY = 0.3  # seconds every simulated answer takes, so staff see the desk wait
TICK = 1.0  # seconds between the simulated marketplaces' moves


class World(Protocol):
    def tick(self, now: datetime) -> None: ...


class MarketLife:
    """Moves the simulated marketplaces on: the desk's loops run it beside the pollers."""

    def __init__(self, worlds: Sequence[World]) -> None:
        self.worlds = worlds

    async def run(self) -> None:
        while True:
            for world in self.worlds:
                try:
                    world.tick(utc_now())
                except Exception:  # a bug of the simulator must not end the rehearsal
                    log.exception("The simulated %s failed to move on", type(world).__name__)
            await asyncio.sleep(TICK)


def run_demo(desk: Desk, store: Store) -> None:
    """Until SIGINT/SIGTERM, or until another process takes the token; SettingsError when
    Telegram refuses the token. `desk` is `demo_desk`'s: a cabinet per simulated business,
    and the simulated Ozon seller's with DEMO_OZON."""
    settings = desk.settings
    assert settings.demo is not None
    rng = random.Random()
    faults = settings.demo.faults

    def fails(operation: str) -> bool:
        return faults and operation in DECISIONS and rng.random() < FAULT_RATE

    worlds, transports = _simulators(settings, rng, fails)
    application = build_application(
        desk,
        store,
        make_bot=functools.partial(
            DemoBot, texts=Texts(settings.language), ozon=settings.demo.ozon
        ),
        market_transport=ByHost(transports),
    )
    data: DeskData = application.bot_data
    data.loops.append(MarketLife(worlds).run)
    data.help_note = render_demo_note(data.style, settings.demo.interval, ozon=settings.demo.ozon)
    serve(application)


def _simulators(
    settings: Settings, rng: random.Random, fails: Callable[[str], bool]
) -> tuple[list[World], dict[str, httpx.AsyncBaseTransport]]:
    """The simulated marketplaces' worlds, opened, and their transports by host."""
    assert settings.demo is not None
    now, leads, window = utc_now(), settings.reminder_lead_times, settings.decision_window
    engine = MarketEngine(scopes=("INVENTORY_AND_ORDER_PROCESSING",), today=None)
    businesses = BUSINESSES[: settings.demo.cabinets]
    market = DemoWorld(engine, window, settings.demo.interval, rng, businesses)
    market.open(now, leads)
    worlds: list[World] = [market]
    transports: dict[str, httpx.AsyncBaseTransport] = {
        httpx.URL(MARKET["MARKET_API_URL"]).host: SimulatorTransport(
            engine, keys=simulator_keys(), fails=fails, latency=LATENCY
        )
    }
    if settings.demo.ozon:
        ozon = OzonEngine()
        seller = OzonDemoWorld(ozon, window, settings.demo.interval, rng)
        seller.open(now, leads)
        worlds.append(seller)
        transports[httpx.URL(OZON_API_URL).host] = OzonTransport(
            ozon, keys=ozon_keys(), fails=fails, latency=LATENCY
        )
    return worlds, transports
