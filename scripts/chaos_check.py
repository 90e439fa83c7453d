"""The chaos run's invariants, read from the fakes and (read-only) the desk's database.

Posts the desk has no record of (a SIGKILL between Telegram's answer and the write) are
counted apart everywhere: the desk cannot edit them, so they are not its live posts.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from scripts.chaos_world import SELLER, Key, World
from tests.fakes.ozon import CancellationState

APPROVE = "/v2/conditional-cancellation/approve"
REJECT = "/v2/conditional-cancellation/reject"
#: What a post claiming an outcome must find at Ozon.
OZON_CLAIMS = {
    "Cancellation approved": CancellationState.APPROVED,
    "Cancellation rejected": CancellationState.REJECTED,
}
#: The invariants that fail the run when not empty.
MUST_BE_EMPTY = (
    "unposted",
    "stale_buttons",
    "applied_twice",
    "resent",
    "false_outcomes",
    "ozon_unposted",
    "ozon_stale_buttons",
    "ozon_sent_twice",
    "ozon_false_outcomes",
    "ozon_lost",
)


def check(world: World, workdir: Path) -> dict:
    """The invariants as they stand, the Market's and Ozon's."""
    posts = world.posts_by_key()
    known = known_posts(workdir / "data" / "desk.db")
    live = {k for k, found in posts.items() for m in found if m.buttons and m.message_id in known}
    orphans = [m for found in posts.values() for m in found if m.message_id not in known]
    return {
        **market_check(world, posts, known, live),
        **ozon_check(world, posts, known, live),
        "posted_twice": sorted(map(str, (k for k, found in posts.items() if len(found) > 1))),
        "unrecorded_posts": len(orphans),
    }


def market_check(world: World, posts: dict, known: set[int], live: set[Key]) -> dict:
    orders = range(1, world.next_order)
    puts = Counter(
        int(call.path.split("/orders/")[1].split("/")[0])
        for call in world.market.arrivals("acceptOrderCancellation")
    )
    applied = Counter(order_id for _, order_id, _ in world.market.accepted_decisions())
    return {
        "requests": len(orders),
        "taps": sum(n for k, n in world.taps.items() if isinstance(k, int)),
        "decisions_applied": sum(applied.values()),
        "settled_elsewhere": sum(isinstance(k, int) for k in world.settled_elsewhere),
        "unposted": [o for o in orders if world.listed(o) and o not in live],
        "stale_buttons": [o for o in orders if not world.listed(o) and o in live],
        "applied_twice": [o for o, n in applied.items() if n > 1],
        "resent": [o for o, n in puts.items() if n > world.taps[o]],
        "false_outcomes": false_outcomes(world, posts, known),
    }


def ozon_check(world: World, posts: dict, known: set[int], live: set[Key]) -> dict:
    """Ozon's side: one decision call per tap at most (an intent is never sent twice), and
    every tapped request either decided, or shown live again as Ozon still has it."""
    waiting = set(world.ozon_waiting())
    by_id = {cid: posting for posting, cid in world.postings.items()}
    calls = Counter(
        by_id[int(arrival.json["cancellation_id"])]
        for path in (APPROVE, REJECT)
        for arrival in world.ozon.arrivals(path, client_id=SELLER)
    )
    tapped = [p for p in world.postings if world.taps[p]]
    decided = Counter(
        call.path.rsplit("/", 1)[1]
        for path in (APPROVE, REJECT)
        for call in world.ozon.calls(path, client_id=SELLER)
        if call.status == 200
    )
    return {
        "ozon_requests": len(world.postings),
        "ozon_taps": sum(world.taps[p] for p in world.postings),
        "ozon_decided_by_desk": dict(decided),
        "ozon_decision_calls": sum(calls.values()),
        "ozon_settled_elsewhere": sum(isinstance(k, str) for k in world.settled_elsewhere),
        "ozon_tapped": len(tapped),
        "ozon_tapped_waiting_again": sum(p in waiting and p in live for p in tapped),
        "ozon_unposted": sorted(p for p in waiting if p not in live),
        "ozon_stale_buttons": sorted(p for p in world.postings if p not in waiting and p in live),
        "ozon_sent_twice": sorted(p for p, n in calls.items() if n > world.taps[p]),
        "ozon_false_outcomes": ozon_false_outcomes(world, posts, known),
        "ozon_lost": sorted(p for p in tapped if p in waiting and p not in live),
    }


def false_outcomes(world: World, posts: dict, known: set[int]) -> list[int]:
    """Orders whose post claims an outcome the Market's order does not show."""
    wrong = []
    for order_id in range(1, world.next_order):
        for message in (m for m in posts.get(order_id, []) if m.message_id in known):
            cancelled = world.market.order(order_id)["status"] == "CANCELLED"
            if ("Cancellation accepted" in message.text and not cancelled) or (
                "Cancellation rejected" in message.text and cancelled
            ):
                wrong.append(order_id)
    return wrong


def ozon_false_outcomes(world: World, posts: dict, known: set[int]) -> list[str]:
    """Postings whose post claims a decision Ozon's request does not show."""
    wrong = []
    for posting in world.postings:
        state = world.ozon_state(posting)
        for message in (m for m in posts.get(posting, []) if m.message_id in known):
            claims = [s for words, s in OZON_CLAIMS.items() if words in message.text]
            if any(claimed is not state for claimed in claims):
                wrong.append(posting)
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
