"""Where the desk posts: the configured staff chat, followed when it becomes a supergroup."""

from __future__ import annotations

import logging

from bot.signals import Wakeup
from storage.store import Store

log = logging.getLogger(__name__)


class StaffChat:
    def __init__(self, configured_id: int, store: Store, wakeup: Wakeup) -> None:
        self.store = store
        self.wakeup = wakeup
        self.id = store.chats.current(configured_id)

    def is_it(self, chat_id: int) -> bool:
        return chat_id == self.id

    def follow(self, new_chat_id: int) -> None:
        """The staff group became a supergroup: keep the new id and redo pending posts."""
        old = self.id
        reposted = self.store.move_chat(old, new_chat_id)
        self.id = new_chat_id
        log.warning(
            "Staff chat %s was upgraded to supergroup %s; reposting %d pending requests",
            old,
            new_chat_id,
            len(reposted),
        )
        self.wakeup.ring()
