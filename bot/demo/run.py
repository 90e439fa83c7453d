"""Runs the demo: the desk as in production, its Market a simulator inside the process."""

from __future__ import annotations

import asyncio
import functools
import logging
import random

from bot.app import build_application, utc_now
from bot.cabinet import Desk
from bot.chat.handlers import DeskData
from bot.config import Settings
from bot.demo.marks import DemoBot, render_demo_note
from bot.demo.world import BUSINESS_ID, SHOPS, DemoWorld
from bot.lifecycle import serve
from bot.simulator.engine import MarketEngine
from bot.simulator.transport import SimulatorTransport
from bot.texts import Texts
from storage.store import Store

log = logging.getLogger(__name__)

#: The simulator's MARKET_* settings; the URL is never resolved: the transport answers.
MARKET = {
    "MARKET_API_KEY": "demo",
    "MARKET_CAMPAIGN_IDS": ",".join(map(str, SHOPS)),
    "MARKET_BUSINESS_ID": str(BUSINESS_ID),
    "MARKET_API_URL": "http://market-simulator.invalid",
}
FAULT_RATE = 0.2  # with DEMO_FAULTS, a decision meets a Market error this often
LATENCY = 0.3  # seconds every simulated Market answer takes, so staff see the desk wait
TICK = 1.0  # seconds between the simulated Market's moves


class MarketLife:
    """Moves the simulated Market on: the desk's loops run it beside the poller."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world

    async def run(self) -> None:
        while True:
            try:
                self.world.tick(utc_now())
            except Exception:  # a bug of the simulator must not end the rehearsal
                log.exception("The simulated Market failed to move on")
            await asyncio.sleep(TICK)


def run_demo(settings: Settings, store: Store) -> None:
    """Until SIGINT/SIGTERM, or until another process takes the token; SettingsError when
    Telegram refuses the token."""
    assert settings.demo is not None
    rng = random.Random()
    engine = MarketEngine(scopes=("INVENTORY_AND_ORDER_PROCESSING",), today=None)
    world = DemoWorld(engine, settings.decision_window, settings.demo.interval, rng)
    world.open(utc_now(), settings.reminder_lead_times)
    faults = settings.demo.faults

    def fails(operation: str) -> bool:
        return faults and operation == "acceptOrderCancellation" and rng.random() < FAULT_RATE

    application = build_application(
        Desk.of_environment(settings),
        store,
        make_bot=functools.partial(DemoBot, texts=Texts(settings.language)),
        market_transport=SimulatorTransport(engine, fails=fails, latency=LATENCY),
    )
    data: DeskData = application.bot_data
    data.loops.append(MarketLife(world).run)
    data.help_note = render_demo_note(data.style, settings.demo.interval)
    serve(application)
