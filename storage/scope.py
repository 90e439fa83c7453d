"""Which rows a reader sees: one cabinet's campaigns, or one chat's posts.

One database holds every cabinet; a poller must never see another business's requests
(it would look them up with the wrong key), nor an outbox another chat's posts. Ids are
integers, written into the SQL as such, so a scope never shifts a query's parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Read at each query: `campaigns` is a live set (campaigns are discovered after
    start) and `chat` gives the chat's current id (a group may become a supergroup); the
    chat adds the posts already there, wherever their campaign went since."""

    campaigns: Collection[int] | None = None  # None: every campaign
    chat: Callable[[], int] | None = None
    polls: str | None = None  # the poll records of one poller; None: the environment desk's

    def requests(self, alias: str = "r", posts: str = "p") -> str:
        """A condition on a request row (joined with its post as `posts`)."""
        in_chat = None if self.chat is None else f"{posts}.chat_id = {int(self.chat())}"
        if self.campaigns is None:
            return in_chat or "1"
        listed = f"{alias}.campaign_id IN ({_ints(self.campaigns)})"
        if in_chat is None:
            return listed
        return f"({in_chat} OR ({posts}.request_id IS NULL AND {listed}))"

    def by_campaign(self, alias: str = "r") -> str:
        """The campaigns alone, for reads without the posts (the ledger, the decisions)."""
        return Scope(self.campaigns).requests(alias)

    def campaign_refs(self, column: str) -> str:
        """A condition on a campaign id kept as the Market sent it (text)."""
        if self.campaigns is None:
            return "1"
        return f"{column} IN ({', '.join(repr(str(int(c))) for c in self.campaigns)})"


EVERYTHING = Scope()


def _ints(values: Collection[int]) -> str:
    return ", ".join(str(int(value)) for value in sorted(values))
