"""Chaos run: the real desk against the loopback fakes, killed at random moments.

    python scripts/chaos.py [--kills 100] [--seed 1] [--stop-share 0.2]

While requests arrive, staff tap and the Market settles some requests elsewhere, the
desk (`python -m bot`) is stopped again and again: mostly SIGKILL, sometimes SIGTERM
(which must end it cleanly within 15 s). Then a last desk is left to settle, and the
invariants are checked:

- every request the Market still lists has a live post with buttons;
- no decision was applied twice, and no order got more PUTs than staff taps (nothing
  re-sent on its own);
- no post of a settled request keeps its buttons;
- no post claims an outcome the Market's order does not show (accepted: cancelled;
  rejected: not cancelled), recovered decisions included;
- the database passes PRAGMA integrity_check.

A request posted twice is counted, not failed: a SIGKILL between Telegram's answer and
the desk's write is the one known window (the Bot API has no idempotency key). Exit
status 0 when every invariant holds. Results go to stdout; see docs/chaos.md.
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.market import FakeMarket  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.fakes.world import CAMPAIGN, STAFF, STAFF_CHAT, desk_env, seed_market, seed_telegram  # noqa: E402
from tests.harness import DeskProcess  # noqa: E402

LABELS = ("Accept", "with the courier")  # accept, or reject as already with the courier
QUIET_FOR = 75.0  # seconds of no progress (a full group-limit window and some) = stuck


class World:
    """The fakes and what the script did to them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.market = FakeMarket().start()
        seed_market(self.market)
        self.telegram = FakeTelegram().start()
        seed_telegram(self.telegram)
        self.next_order = 1
        self.taps: Counter[int] = Counter()  # order id -> taps sent
        self.settled_elsewhere: set[int] = set()

    def stop(self) -> None:
        self.market.stop()
        self.telegram.stop()

    def act(self) -> None:
        """One thing a busy day brings: a request, a tap, or a request settled elsewhere."""
        roll = self.rng.random()
        if roll < 0.12:  # about the group limit's pace (20 posts a minute), edits aside
            self.market.add_order(self.next_order, CAMPAIGN, cancel_requested=True)
            self.next_order += 1
        elif roll < 0.88:
            self._tap()
        else:
            self._settle_elsewhere()

    def _tap(self) -> None:
        posts = [m for m in self._posts() if m.buttons]
        if not posts:
            return
        message = self.rng.choice(posts)
        order_id = order_of(message)
        user = self.rng.choice(list(STAFF))
        label = self.rng.choice(LABELS)
        try:
            data = message.callback_data(label)
        except (KeyError, ValueError, LookupError):
            return
        self.telegram.tap(STAFF_CHAT, message.message_id, user, data)
        self.taps[order_id] += 1

    def _settle_elsewhere(self) -> None:
        waiting = [o for o in range(1, self.next_order) if self.listed(o)]
        if waiting:
            order_id = self.rng.choice(waiting)
            self.market.set_order(
                order_id, cancel_requested=False, status="CANCELLED", substatus="USER_CHANGED_MIND"
            )
            self.settled_elsewhere.add(order_id)

    def listed(self, order_id: int) -> bool:
        return bool(self.market.order(order_id).get("cancelRequested"))

    def _posts(self) -> list:
        return [
            m
            for m in self.telegram.messages(STAFF_CHAT)
            if m.reply_to_message_id is None and m.text.startswith("🛑") and not m.deleted
        ]

    def posts_by_order(self) -> dict[int, list]:
        found: dict[int, list] = {}
        for message in self._posts():
            found.setdefault(order_of(message), []).append(message)
        return found


def order_of(message) -> int:
    return int(message.text.splitlines()[0].rsplit("#", 1)[1])


def run_chaos(kills: int, seed: int, stop_share: float, workdir: Path) -> dict:
    rng = random.Random(seed)
    world = World(rng)
    env = {
        **desk_env(world.market, world.telegram, database=workdir / "data" / "desk.db"),
        "POLL_INTERVAL": "1",
        "LANGUAGE": "en",
        "CONFIRM_DECISIONS": "false",
    }
    stopped = Counter()
    slow_stops = 0
    began = time.monotonic()
    try:
        for n in range(kills):
            desk = DeskProcess(env, workdir, name=f"desk{n}").start()
            deadline = time.monotonic() + rng.uniform(0.3, 2.5)
            while time.monotonic() < deadline:
                world.act()
                time.sleep(rng.uniform(0.05, 0.4))
            if rng.random() < stop_share:
                desk.proc.send_signal(signal.SIGTERM)
                try:
                    code = desk.wait(15)
                except Exception:
                    slow_stops += 1
                    desk.kill()
                    code = -9
                stopped["sigterm_clean" if code == 0 else "sigterm_bad"] += 1
                if code != 0:
                    print(f"SIGTERM of desk{n}: exit {code}\n{desk.log()[-3000:]}", file=sys.stderr)
            else:
                desk.kill()
                stopped["sigkill"] += 1
        result = settle(world, env, workdir)
    finally:
        world.stop()
    result.update(
        kills=stopped["sigkill"],
        sigterms=stopped["sigterm_clean"] + stopped["sigterm_bad"],
        sigterm_not_clean=stopped["sigterm_bad"] + slow_stops,
        seconds=round(time.monotonic() - began, 1),
        seed=seed,
    )
    return result


def settle(world: World, env: dict[str, str], workdir: Path) -> dict:
    """A last desk, left alone until every listed request shows and no stale buttons remain."""
    desk = DeskProcess(env, workdir, name="settle").start()
    began = time.monotonic()
    left, progress_at = None, time.monotonic()
    while time.monotonic() - progress_at < QUIET_FOR:
        result = check(world, workdir)
        now_left = len(result["unposted"]) + len(result["stale_buttons"])
        if not now_left:
            break
        if left is None or now_left < left:
            left, progress_at = now_left, time.monotonic()
        time.sleep(0.5)
    settled_in = time.monotonic() - began
    time.sleep(2.0)  # a couple more polls: nothing may be sent on its own
    result = check(world, workdir)
    desk.terminate()
    result["integrity"] = integrity(workdir / "data" / "desk.db")
    result["settle_seconds"] = round(settled_in, 1)
    return result


def check(world: World, workdir: Path) -> dict:
    """The invariants as they stand; posts the desk has no record of (a SIGKILL between
    Telegram's answer and the write) are counted apart, since it cannot edit them."""
    posts = world.posts_by_order()
    known = known_posts(workdir / "data" / "desk.db")
    orders = range(1, world.next_order)
    live = {o for o in orders for m in posts.get(o, []) if m.buttons and m.message_id in known}
    puts = Counter(
        int(call.path.split("/orders/")[1].split("/")[0])
        for call in world.market.arrivals("acceptOrderCancellation")
    )
    applied = Counter(order_id for _, order_id, _ in world.market.accepted_decisions())
    orphans = [m for found in posts.values() for m in found if m.message_id not in known]
    return {
        "requests": len(orders),
        "taps": sum(world.taps.values()),
        "decisions_applied": sum(applied.values()),
        "settled_elsewhere": len(world.settled_elsewhere),
        "unposted": [o for o in orders if world.listed(o) and o not in live],
        "stale_buttons": [o for o in orders if not world.listed(o) and o in live],
        "applied_twice": [o for o, n in applied.items() if n > 1],
        "resent": [o for o, n in puts.items() if n > world.taps[o]],
        "false_outcomes": false_outcomes(world, posts, known),
        "posted_twice": sorted(o for o, found in posts.items() if len(found) > 1),
        "unrecorded_posts": len(orphans),
    }


def false_outcomes(world: World, posts: dict[int, list], known: set[int]) -> list[int]:
    """Orders whose post claims an outcome the Market's order does not show."""
    wrong = []
    for order_id, found in posts.items():
        for message in (m for m in found if m.message_id in known):
            cancelled = world.market.order(order_id)["status"] == "CANCELLED"
            if ("Cancellation accepted" in message.text and not cancelled) or (
                "Cancellation rejected" in message.text and cancelled
            ):
                wrong.append(order_id)
    return wrong


def known_posts(path: Path) -> set[int]:
    """Message ids of the posts the desk has recorded (read-only, beside a running desk)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return {row[0] for row in conn.execute("SELECT message_id FROM posts")}
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stop-share", type=float, default=0.2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="desk-chaos-") as workdir:
        result = run_chaos(args.kills, args.seed, args.stop_share, Path(workdir))
    for key, value in result.items():
        print(f"{key}: {value}")
    broken = [
        key for key in ("unposted", "stale_buttons", "applied_twice", "resent") if result[key]
    ]
    if result["integrity"] != "ok" or result["sigterm_not_clean"]:
        broken.append("integrity" if result["integrity"] != "ok" else "sigterm_not_clean")
    print("invariants:", "all hold" if not broken else "BROKEN: " + ", ".join(broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
