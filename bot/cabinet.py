"""A cabinet: one business's key, campaigns and staff chat, with the settings its team chose.

One desk serves several cabinets (a seller's legal entities, an agency's clients) from one
process, one bot and one database. A cabinet is known by its business and campaigns, never
by its name, so renaming it or moving it to another chat keeps its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.domain.model import Marketplace

#: The name of the one cabinet a desk configured from the environment alone has.
ENVIRONMENT_CABINET = "default"


@dataclass(frozen=True)
class Cabinet:
    """`settings` is the desk's settings as this cabinet sees them: its key, business,
    campaigns (empty: every DBS campaign the key can see), chat and team settings. An Ozon
    cabinet keeps its Api-Key, Client-Id and `ozon_campaign(client_id)` in the same fields
    and `OZON_API_URL` in `market_api_url` (bot/cabinet_table.py builds it)."""

    name: str
    settings: Settings
    marketplace: Marketplace = Marketplace.YANDEX
    # the one cabinet of a desk without a cabinets file: its poll records are the ones it
    # always had, and a key refused at start stops the desk (a file may name one "default")
    from_environment: bool = False

    @property
    def business_id(self) -> int | None:
        return self.settings.market_business_id

    @property
    def client_id(self) -> int | None:
        """An Ozon cabinet's Client-Id, kept where a Market cabinet keeps its business, so
        that scopes and routing treat both alike; None for a Market cabinet."""
        if self.marketplace is Marketplace.OZON:
            return self.settings.market_business_id
        return None

    @property
    def chat_id(self) -> int:
        return self.settings.staff_chat_id

    def __repr__(self) -> str:  # never print the key
        return f"Cabinet({self.name!r}, business={self.business_id}, chat={self.chat_id})"


@dataclass(frozen=True)
class Desk:
    """Everything configured: the process's settings and the cabinets it serves.

    `settings` holds what belongs to the process (database, HTTP, logs, poll interval,
    rate limits) and the defaults every cabinet starts from.
    """

    settings: Settings
    cabinets: tuple[Cabinet, ...]

    @classmethod
    def of_environment(cls, settings: Settings) -> Desk:
        """A desk configured as before cabinets: one cabinet from the environment."""
        return cls(settings, (Cabinet(ENVIRONMENT_CABINET, settings, from_environment=True),))
