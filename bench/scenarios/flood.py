"""#7: 200 requests at once into a staff chat limited to 20 messages per window.

Telegram allows about 20 messages a minute in a group; a burst of requests (a morning's
backlog, a desk back from an outage) must all be posted, once each, as fast as that
allows and without 429s. The window is scaled down on both sides so the run is short:
the fake Telegram enforces 20 per 6 s (sliding) on the staff chat and the desk is told
`TELEGRAM_GROUP_RATE=20/6s`.

The floor for N messages at M per window W is (⌈N/M⌉ - 1) x W: the first M go at once,
each later group one window after the one before. Measured from the first post's arrival
to the last's. Any other call the desk makes to the staff chat meanwhile takes a slot a
post needed, so the note counts them by method.

`7B` (a target since issue 12): staff decide while 100 requests are being posted and
the pinned summary is on. Their Confirm keyboard and outcome edits must not queue behind
the posts or the summary (up to a whole window: a minute in production), so each is timed
from the tap; the target is Confirm -> outcome at p95 <= 300 ms over 20 decisions, paced
as staff at the real scale would be (20 decisions while 100 posts take five minutes).
"""

from __future__ import annotations

import math
import time
from collections import Counter

from bench.scenarios import Config
from bench.scenarios.taps import EDIT_TARGET, edit_after, tap_at
from bench.stats import Row
from bench.world import ANNA, STAFF_CHAT, Sent, World, post_order_id, rss_kib

IDS = ("7", "7B")
COUNT = 200
PER_WINDOW = 20
FIRST_ORDER = 700_000
LIMIT_RATIO = 1.1
BACKLOG = 100
DECISION_PACE = 0.25  # of a window between decisions: 20 decisions in 5 windows
BACKLOG_WINDOW = 3.0
BACKLOG_ORDER = 780_000


def run(config: Config) -> list[Row]:
    return [_flood(config), _decide_in_backlog(config)]


def _start(world: World, orders: list[int], window: float, **settings: str) -> float:
    """Fake and desk at PER_WINDOW per `window`; returns when the desk first listed."""
    world.telegram.set_rate_limit(STAFF_CHAT, PER_WINDOW, window)
    world.add_orders(orders, cancel_requested=True)
    rate = f"{PER_WINDOW}/{window:g}s"
    desk = world.start_desk(POLL_INTERVAL="2", TELEGRAM_GROUP_RATE=rate, **settings)
    spawned = world.spawned_at[desk.proc.pid]  # type: ignore[union-attr]
    return world.wait_first_listing(spawned)


def _others(sent: list[Sent], start: float, end: float) -> Counter[str]:
    """Calls to the staff chat during the flood that were not its posts."""
    return Counter(
        f"{s.method}{'' if s.ok else f' ({s.status})'}"
        for s in sent
        if s.chat_id == STAFF_CHAT
        and start <= s.at <= end
        and not (s.method == "sendMessage" and s.ok and post_order_id(s.text) is not None)
    )


def _flood(config: Config) -> Row:
    window = 3.0 if config.quick else 6.0
    floor = (math.ceil(COUNT / PER_WINDOW) - 1) * window
    orders = list(range(FIRST_ORDER, FIRST_ORDER + COUNT))
    with World() as world:
        appeared = _start(world, orders, window)
        world.telegram.wait_until(
            lambda: len(world.posts()) >= COUNT, floor * 2 + 30, f"{COUNT} posts"
        )
        time.sleep(window)  # a duplicate would show up within a window
        posts = world.posts()
        sent = world.sent()
        rss, peak = rss_kib(world.desks[0].proc.pid)  # type: ignore[union-attr]
    ids = [post_order_id(p.text) for p in posts]
    total = posts[-1].at - posts[0].at
    ratio = total / floor
    missing = set(orders) - set(ids)
    duplicates = len(ids) - len(set(ids))
    others = _others(sent, posts[0].at, posts[-1].at)
    ok = ratio <= LIMIT_RATIO and not missing and not duplicates
    note = (
        f"fake and desk at {PER_WINDOW}/{window:g}s; {len(set(ids))} posted, {duplicates}"
        f" duplicates, {len(missing)} missing; other calls to the chat meanwhile:"
        f" {dict(others) or 'none'}; first listing -> last post {posts[-1].at - appeared:.1f} s;"
        f" desk RSS after {rss / 1024:.1f} MB (peak {peak / 1024:.1f} MB)"
    )
    if world.problems:
        note += f"; problems: {world.problems}"
    return Row(
        id="7",
        measure=f"{COUNT} requests at once, {PER_WINDOW}/{window:g}s chat: first -> last post",
        target=f"all once; <= {LIMIT_RATIO} x floor",
        unit="s",
        verdict="ok" if ok else "MISS",
        median=total,
        p95=total,
        n=1,
        floor=floor,
        ratio=ratio,
        note=note,
        samples=[total],
        extra={"group_starts": _group_starts(posts), "other_calls": dict(others)},
    )


def _group_starts(posts: list[Sent]) -> list[float]:
    """When each group of PER_WINDOW posts began, relative to the first: shows the pacing."""
    first = posts[0].at
    return [round(posts[i].at - first, 3) for i in range(0, len(posts), PER_WINDOW)]


def _decide_in_backlog(config: Config) -> Row:
    """Choose and Confirm on the first posts while the rest wait for the chat's window."""
    decisions = config.reps(20, 6)
    orders = list(range(BACKLOG_ORDER, BACKLOG_ORDER + BACKLOG))
    keyboard: list[float] = []
    outcome: list[float] = []
    with World() as world:
        world.telegram.set_member_status(STAFF_CHAT, world.telegram.bot_id, "administrator")
        _start(world, orders, BACKLOG_WINDOW, PIN_SUMMARY="true")
        posts = world.telegram.wait_until(
            lambda: len(found := world.posts()) >= PER_WINDOW and found, 30, "posts"
        )
        for post in posts[:decisions]:
            assert post.message_id is not None
            time.sleep(BACKLOG_WINDOW * DECISION_PACE)
            shown, settled = _decide(world, post.message_id)
            keyboard.append(shown)
            outcome.append(settled)
        backlog_left = BACKLOG - len(world.posts())
        refused = sum(1 for s in world.sent() if s.status == 429)
        summaries = len(world.sent_by("pinChatMessage"))
    row = Row.from_samples(
        "7B",
        f"Confirm -> outcome while {BACKLOG} posts queue ({PER_WINDOW}/{BACKLOG_WINDOW:g}s),"
        " summary on",
        f"p95 <= {EDIT_TARGET * 1000:.0f} ms",
        "s",
        outcome,
        limit=EDIT_TARGET,
    )
    row.note = (
        f"{decisions} decisions, one per {BACKLOG_WINDOW * DECISION_PACE:g} s, each a choose tap"
        f" (-> Confirm keyboard edit) and a Confirm tap (-> outcome edit); keyboard"
        f" {_ms(keyboard)}, outcome {_ms(outcome)}; {backlog_left} posts still queued after"
        f" the last decision; {summaries} summary pinned; {refused} answered 429"
    )
    return row


def _decide(world: World, message_id: int) -> tuple[float, float]:
    """Choose, then Confirm, on one post: seconds from each tap to the edit it brings."""
    message = world.telegram.message(STAFF_CHAT, message_id)
    chosen = tap_at(
        world,
        world.telegram.tap(STAFF_CHAT, message_id, ANNA, message.buttons[0]["callback_data"]),
    )
    shown = world.telegram.wait_until(
        lambda: edit_after(world, message_id, chosen), 30, "the keyboard"
    )
    confirm = world.telegram.message(STAFF_CHAT, message_id).buttons[0]
    confirmed = tap_at(
        world,
        world.telegram.tap(STAFF_CHAT, message_id, ANNA, confirm["callback_data"]),
    )
    done = world.telegram.wait_until(
        lambda: edit_after(world, message_id, confirmed), 30, "the outcome"
    )
    return shown - chosen, done - confirmed


def _ms(samples: list[float]) -> str:
    return "[" + ", ".join(f"{s * 1000:.0f}" for s in samples) + "] ms"
