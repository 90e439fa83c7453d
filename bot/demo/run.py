"""Runs the demo: the desk as in production, its Market a simulator inside the process."""

from __future__ import annotations

import asyncio
import functools
import logging
import random

from bot.app import build_application, utc_now
from bot.cabinet import Desk
from bot.chat.handlers import DeskData
from bot.demo.cabinets import simulator_keys
from bot.demo.marks import DemoBot, render_demo_note
from bot.demo.world import BUSINESSES, DemoWorld
from bot.lifecycle import serve
from bot.simulator.engine import MarketEngine
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


def run_demo(desk: Desk, store: Store) -> None:
    """Until SIGINT/SIGTERM, or until another process takes the token; SettingsError when
    Telegram refuses the token. `desk` is `demo_desk`'s: a cabinet per simulated business."""
    settings = desk.settings
    assert settings.demo is not None
    rng = random.Random()
    engine = MarketEngine(scopes=("INVENTORY_AND_ORDER_PROCESSING",), today=None)
    businesses = BUSINESSES[: len(desk.cabinets)]
    world = DemoWorld(engine, settings.decision_window, settings.demo.interval, rng, businesses)
    world.open(utc_now(), settings.reminder_lead_times)
    faults = settings.demo.faults

    def fails(operation: str) -> bool:
        return faults and operation == "acceptOrderCancellation" and rng.random() < FAULT_RATE

    transport = SimulatorTransport(engine, keys=simulator_keys(), fails=fails, latency=LATENCY)
    application = build_application(
        desk,
        store,
        make_bot=functools.partial(DemoBot, texts=Texts(settings.language)),
        market_transport=transport,
    )
    data: DeskData = application.bot_data
    data.loops.append(MarketLife(world).run)
    data.help_note = render_demo_note(data.style, settings.demo.interval)
    serve(application)
