"""`python -m tests.ozon_desk`: the desk of the environment with an Ozon cabinet beside its
Market one, posting to the same staff chat, until the cabinets file takes Ozon cabinets.

The Ozon cabinet is built by THE CONVENTION (`bot.ozon.orders`) from OZON_TEST_URL,
OZON_TEST_CLIENT_ID and OZON_TEST_API_KEY; everything else is the desk's own run.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping

from bot.__main__ import start_logging
from bot.app import run
from bot.cabinet import Cabinet, Desk
from bot.cabinets_file import open_desk
from bot.domain.model import Marketplace, ozon_campaign
from storage.store import Store

OZON_CABINET = "Ozon shop"


def with_ozon(desk: Desk, env: Mapping[str, str]) -> Desk:
    client_id = int(env["OZON_TEST_CLIENT_ID"])
    settings = dataclasses.replace(
        desk.settings,
        market_api_key=env["OZON_TEST_API_KEY"],
        market_business_id=client_id,
        market_campaign_ids=(ozon_campaign(client_id),),
        market_api_url=env["OZON_TEST_URL"],
    )
    ozon = Cabinet(OZON_CABINET, settings, Marketplace.OZON)
    return Desk(desk.settings, (ozon, *desk.cabinets))  # first: it polls at once


def main() -> int:
    desk, _ = open_desk()
    desk = with_ozon(desk, os.environ)
    start_logging(desk.settings, desk.cabinets)
    store = Store(desk.settings.database_path)
    try:
        run(desk, store)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
