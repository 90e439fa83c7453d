"""How one cabinet's polling stands: what `/cabinets`, `/healthz` and `/metrics` show.

Kept in memory by the cabinet's poller: it is about this run (a restart polls at once),
and reading it costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class PollState:
    attempted_at: datetime | None = None  # the last poll begun, answered or not
    succeeded_at: datetime | None = None  # the last poll the Market answered in full
    failures: int = 0  # failed polls since the last good one
    trouble_since: datetime | None = None  # when the current trouble began; None: none
    trouble: str | None = None  # what the Market said, as staff were told

    @property
    def in_trouble(self) -> bool:
        return self.trouble_since is not None
