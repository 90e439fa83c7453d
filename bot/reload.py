"""SIGHUP: the cabinets file read again, and the running desk changed to match it.

A chat whose cabinets changed in any way (one added, removed, renamed, moved or set
otherwise) has its room rebuilt with its cabinets' Market sides; other chats keep theirs,
and every cabinet discovers its campaigns again. A cabinet is known by its business and
campaigns, and its history is kept by campaign, so a new name or chat keeps it. An outbox
finishes the message in hand before its successor starts, so nothing is sent twice. A file
that would stop the desk at start is refused with its one line; the running set is kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.assembly import Assembly, Loop, Parts, by_chat, spaced
from bot.cabinet import Cabinet
from bot.cabinet_side import poll_scope
from bot.cabinets_file import CabinetsFileError, DeskSource, reread_cabinets
from bot.lifecycle import ANSWERS_WITHIN, LOOPS_STOP_WITHIN, start_loop

log = logging.getLogger(__name__)


class Reloader:
    def __init__(
        self,
        assembly: Assembly,
        parts: list[Parts],
        cabinets: tuple[Cabinet, ...],
        source: DeskSource | None,
    ) -> None:
        """`source` None or without a file: the cabinets come from the environment."""
        self.assembly, self.data = assembly, assembly.data
        self.parts, self.cabinets, self.source = parts, cabinets, source
        self.again = False  # a SIGHUP came during a reload: read the file once more after it
        self._running: asyncio.Task[None] | None = None
        # decisions begun since the start are in flight, whichever decider began them
        self.started_at = min(side.decider.started_at for side in self.data.sides)

    def hangup(self) -> None:
        """The SIGHUP handler: one reload at a time, never during a stop."""
        if self.source is None or self.source.path is None:
            log.info("SIGHUP: nothing to reload, CABINETS_FILE is not set")
            return
        if self.data.shutdown.asked:
            return
        if self._running is not None and not self._running.done():
            self.again = True
            return
        self._running = asyncio.create_task(self._reloads(), name="reload")
        self.data.tasks[self._reloads] = self._running  # a stop cancels it with the loops

    async def _reloads(self) -> None:
        while True:
            self.again = False
            await self.reload()
            if not self.again:
                return

    async def reload(self) -> None:
        """Read the file again and apply it; refused as a whole when it is wrong."""
        assert self.source is not None
        try:
            cabinets = reread_cabinets(self.source)
        except CabinetsFileError as error:
            log.error("Reload refused, the running cabinets are kept: %s", error)
            return
        chats = by_chat(cabinets)
        kept = [part for part in self.parts if _unchanged(part, chats)]
        going = [part for part in self.parts if part not in kept]
        await self._retire(going)
        new_chats = {chat: found for chat, found in chats.items() if chat not in _ids(kept)}
        places = spaced(self.data.settings.poll_interval, sum(map(len, new_chats.values())))
        built = [self.assembly.room(chat, found, places) for chat, found in new_chats.items()]
        self._inherit(built, going)
        order = list(chats)
        current = sorted(kept + built, key=lambda part: order.index(part.chat_id))
        parts = current + self.assembly.kept_rooms(current)
        self.assembly.show(parts)
        for chat_id in _ids(self.parts) - _ids(parts):
            self.assembly.limiter.forget_backlog(chat_id)
        for side in (side for part in kept for side in part.sides):
            side.shops.forget()
        self._start([part for part in parts if part not in kept])
        _report(self.cabinets, cabinets, parts)
        self.parts, self.cabinets = parts, cabinets

    async def _retire(self, parts: list[Parts]) -> None:
        """Pollers and digests stop at once; an outbox after the message in hand."""
        for part in parts:
            part.publisher.retire()
            self.assembly.shared.wakeup.forget(part.room.chat.wakeup)
        outboxes = _tasks(self._unlist(part.publisher.run) for part in parts)
        others = _tasks(
            self._unlist(loop)
            for part in parts
            for loop in [*(side.poller.run for side in part.sides), *part.daily_loops]
        )
        for task in others:
            task.cancel()
        if outboxes:
            _, late = await asyncio.wait(outboxes, timeout=ANSWERS_WITHIN)
            for task in late:
                log.warning("%s did not end within %.0fs", task.get_name(), ANSWERS_WITHIN)
                task.cancel()
        if outboxes or others:
            await asyncio.wait(outboxes + others, timeout=LOOPS_STOP_WITHIN)

    def _unlist(self, loop: Loop) -> asyncio.Task[None] | None:
        """Take a loop out of those the desk starts; its task, if it runs."""
        for loops in (self.data.loops, self.data.chat_loops):
            if loop in loops:
                loops.remove(loop)
        return self.data.tasks.pop(loop, None)

    def _start(self, parts: list[Parts]) -> None:
        """Pollers at once; outboxes and digests once Telegram has answered."""
        data = self.data
        for side in (side for part in parts for side in part.sides):
            data.loops.append(side.poller.run)
            start_loop(data, side.poller.run)
        for loop in (loop for part in parts for loop in part.chat_loops):
            data.chat_loops.append(loop)
            if data.chat_started:
                start_loop(data, loop)

    def _inherit(self, built: list[Parts], going: list[Parts]) -> None:
        """A rebuilt cabinet takes over from the one it replaces: its decider, so a decision
        in flight is not taken for one a stop interrupted and one whose answer could not be
        stored is still recovered; and its poller's state, so trouble told before the
        reload is told to have ended, once, when it ends."""
        before = {poll_scope(s.cabinet): s for part in going for s in part.sides}
        for side in (side for part in built for side in part.sides):
            side.decider.started_at = self.started_at
            old = before.get(poll_scope(side.cabinet))
            if old is not None:
                side.decider.orphaned |= old.decider.orphaned
                side.poller.carry_on_from(old.poller)


def _unchanged(part: Parts, chats: dict[int, list[Cabinet]]) -> bool:
    """A chat's room is kept when its cabinets are the same, named and set the same."""
    return bool(part.cabinets) and tuple(chats.get(part.chat_id, ())) == part.cabinets


def _ids(parts: list[Parts]) -> set[int]:
    return {part.chat_id for part in parts}


def _tasks(found: Iterable[asyncio.Task[None] | None]) -> list[asyncio.Task[None]]:
    return [task for task in found if task is not None]


def _report(before: tuple[Cabinet, ...], after: tuple[Cabinet, ...], parts: list[Parts]) -> None:
    """One line: what the reload changed, cabinets named as the file names them now."""
    old = {poll_scope(cabinet): cabinet for cabinet in before}
    new = {poll_scope(cabinet): cabinet for cabinet in after}
    added = [cabinet.name for key, cabinet in new.items() if key not in old]
    removed = [cabinet.name for key, cabinet in old.items() if key not in new]
    changed = [c.name for key, c in new.items() if key in old and old[key] != c]
    kept_for_posts = [part.chat_id for part in parts if not part.cabinets]
    log.info(
        "Cabinets reloaded: %d cabinet(s); added: %s; removed: %s; changed: %s%s",
        len(after),
        ", ".join(added) or "none",
        ", ".join(removed) or "none",
        ", ".join(changed) or "none",
        f"; open posts still answered in chat(s) {', '.join(map(str, kept_for_posts))}"
        if kept_for_posts
        else "",
    )
