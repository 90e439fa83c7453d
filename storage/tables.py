"""The database opened, with one object per table: what `Store` is built on.

The table objects hold the SQL. Outside storage/ they are read from only; every write goes
through a `Store` method, which gives it its transaction (and its journal entry, if any).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Self

from storage.claims import Claims
from storage.database import Database
from storage.decisions import Decisions
from storage.events import Events
from storage.history import History
from storage.notified import NotifiedTimes
from storage.polls import Polls
from storage.posts import Posts
from storage.problems import ProblemLog
from storage.reminders import Reminders
from storage.requests import Requests
from storage.retention import DailyRuns
from storage.scope import EVERYTHING, Scope
from storage.shops import ChatMoves, Shops
from storage.summaries import Summaries
from storage.topics import RefusedTopics
from storage.unseen import Unseen


class Tables:
    def __init__(self, path: Path, *, demo: bool = False) -> None:
        self.db = Database(path, demo=demo)
        self.version = self.db.version
        self._see(EVERYTHING)
        self.notified = NotifiedTimes(self.db)
        self.shops = Shops(self.db)
        self.chats = ChatMoves(self.db)
        self.claims = Claims(self.db)
        self.summaries = Summaries(self.db)
        self.events = Events(self.db)
        self.daily = DailyRuns(self.db)

    def _see(self, scope: Scope) -> None:
        """The tables whose listings a scope narrows, as `scope` sees them."""
        self.scope = scope
        self.requests = Requests(self.db, scope)
        self.posts = Posts(self.db, scope)
        self.decisions = Decisions(self.db, scope)
        self.reminders = Reminders(self.db, scope)
        self.polls = Polls(self.db, scope)
        self.unseen = Unseen(self.db, scope)
        self.problems = ProblemLog(self.db, scope)
        self.history = History(self.db, scope)
        self.topics = RefusedTopics(self.db, scope)

    def scoped(self, scope: Scope) -> Self:
        """The same database and transactions, listing only what `scope` covers."""
        view = copy.copy(self)
        view._see(scope)
        return view

    def close(self) -> None:
        self.db.close()
