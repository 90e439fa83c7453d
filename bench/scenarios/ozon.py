"""#22-#24: an Ozon cabinet beside the Market's, in one staff chat (issue 21).

- #22: a request appears at the fake Ozon -> its post is sent, `POLL_INTERVAL=2`, requests
  made at random moments of the cycle as in #1; the floor is the poll interval (Ozon has
  no push: waiting for the next poll is inherent). #22b is the desk's own part: from the
  listing whose answer first held the request (the moment a request made just before a
  poll is found) to its post, which adds `/v3/posting/fbs/get` to a Market post's hops.
- #23: Confirm tapped on an Ozon post -> the approve or reject arrives at the fake Ozon
  (the three decisions take turns), as #3; #23e -> the outcome edit, as #4.
- #24: N Market and N Ozon requests at once into one chat held to 20 messages per window
  (scaled to 6 s, as #7): all posted once, first -> last post against (⌈2N/20⌉ - 1) x W;
  then every request settled with Choose and Confirm. #24w is the chat's busiest window
  (posts and edits) with the 429s; #24m the group messages per settled request.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter

from bench.ozon_world import SELLER, OzonBenchWorld, PostOf, button
from bench.scenarios import Config
from bench.scenarios.taps import EDIT_TARGET, PUT_TARGET, edit_after, tap_at
from bench.stats import Row
from bench.world import ANNA, STAFF_CHAT, Sent
from bot.chat.callbacks import Tap
from bot.domain.model import Decision

IDS = ("22", "22b", "23", "23e", "24", "24w", "24m")
INTERVAL = 2.0
SLACK = 0.5
DECISIONS = (Decision.ACCEPT, Decision.REJECT_DELIVERED, Decision.REJECT_IN_DELIVERY)
PER_WINDOW = 20
LIMIT_RATIO = 1.1
GROUP_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "pinChatMessage")
FIRST_ORDER = 220_000


def run(config: Config) -> list[Row]:
    return [*_poll_rows(config), *_tap_rows(config), *_mixed_rows(config)]


# --- #22: request -> post at the poll floor ----------------------------------------------


def _poll_rows(config: Config) -> list[Row]:
    count = config.reps(30, 10)
    rng = random.Random(22)
    made: dict[str, tuple[int, float]] = {}  # posting -> (cancellation id, made at)
    with OzonBenchWorld() as world:
        desk = world.start_desk(POLL_INTERVAL=f"{INTERVAL:g}")
        world.wait_ready(desk)
        world.ozon.wait_until(lambda: world.ozon.arrivals(client_id=SELLER), 20, "an Ozon poll")
        time.sleep(rng.uniform(0, INTERVAL))
        for _ in range(count):
            at = time.monotonic()
            request = world.ozon.add_request(SELLER)
            made[request.posting_number] = (request.cancellation_id, at)
            time.sleep(rng.uniform(0.3, 1.3))  # every phase of the 2 s cycle
        posts = world.telegram.wait_until(
            lambda: len(found := world.ozon_posts()) >= count and found,
            INTERVAL * 3 + 20,
            f"{count} Ozon posts",
        )
        found = {p: world.listing_that_found(cid) for p, (cid, _) in made.items()}
        duplicates = len(world.all_posts()) - len(posts)
    total = [posts[p].at - at for p, (_, at) in made.items() if p in posts]
    own = [posts[p].at - f for p, f in found.items() if p in posts and f is not None]
    note = f"floor = POLL_INTERVAL; {duplicates} duplicate posts{_problems(world)}"
    return [
        Row.from_samples(
            "22",
            "request at Ozon -> post sent (poll 2 s)",
            f"p95 <= {INTERVAL + SLACK:g} s",
            "s",
            total,
            limit=INTERVAL + SLACK,
            floor=INTERVAL,
            note=note,
        ),
        Row.from_samples(
            "22b",
            "Ozon listing that found it -> post sent",
            f"p95 <= {SLACK * 1000:.0f} ms",
            "s",
            own,
            limit=SLACK,
            note="list + /v3/posting/fbs/get + sendMessage: a request made just before a poll",
        ),
    ]


# --- #23: Confirm -> approve/reject at Ozon ----------------------------------------------


def _tap_rows(config: Config) -> list[Row]:
    count = config.reps(30, 10)
    rng = random.Random(23)
    with OzonBenchWorld() as world:
        requests = {
            r.posting_number: r for r in (world.ozon.add_request(SELLER) for _ in range(count))
        }
        world.start_desk()  # POLL_INTERVAL 60 (the default): the start-up poll finds them all
        posts = world.telegram.wait_until(
            lambda: len(found := world.ozon_posts()) >= count and found, 60, f"{count} posts"
        )
        time.sleep(0.5)
        calls, edits = [], []
        for i, (posting, post) in enumerate(sorted(posts.items())):
            call, edit = _confirm(
                world, post, requests[posting].cancellation_id, DECISIONS[i % 3], rng
            )
            calls.append(call)
            edits.append(edit)
            time.sleep(rng.uniform(0.05, 0.2))
    note = f"the three decisions in turn; Market's #3/#4 floors compare{_problems(world)}"
    return [
        Row.from_samples(
            "23",
            "Confirm tapped -> Ozon approve/reject sent",
            f"p95 <= {PUT_TARGET * 1000:.0f} ms",
            "s",
            calls,
            limit=PUT_TARGET,
            note=note,
        ),
        Row.from_samples(
            "23e",
            "Confirm tapped -> Ozon outcome edit sent",
            f"p95 <= {EDIT_TARGET * 1000:.0f} ms",
            "s",
            edits,
            limit=EDIT_TARGET,
            note=note,
        ),
    ]


def _confirm(
    world: OzonBenchWorld, post: Sent, cancellation_id: int, decision: Decision, rng: random.Random
) -> tuple[float, float]:
    """Choose `decision`, wait for the Confirm keyboard, confirm: seconds from the Confirm
    tap to Ozon's decision call and to the outcome edit."""
    message_id = post.message_id
    assert message_id is not None
    message = world.telegram.message(STAFF_CHAT, message_id)
    chosen = tap_at(
        world,
        world.telegram.tap(STAFF_CHAT, message_id, ANNA, button(message, Tap.CHOOSE, decision)),
    )
    world.telegram.wait_until(lambda: edit_after(world, message_id, chosen), 10, "the keyboard")
    confirm = button(world.telegram.message(STAFF_CHAT, message_id), Tap.CONFIRM, decision)
    time.sleep(rng.uniform(0.05, 0.25))  # a person reads before confirming
    tapped = tap_at(world, world.telegram.tap(STAFF_CHAT, message_id, ANNA, confirm))
    call = world.ozon.wait_until(
        lambda: world.decision_call(cancellation_id, tapped), 10, "Ozon's decision call"
    )
    edit = world.telegram.wait_until(
        lambda: edit_after(world, message_id, call), 10, "the outcome edit"
    )
    return call - tapped, edit - tapped


# --- #24: a mixed chat under the group limit ---------------------------------------------


def _mixed_rows(config: Config) -> list[Row]:
    each = config.reps(30, 15)  # 2N > PER_WINDOW: the floor is at least a window
    window = 3.0 if config.quick else 6.0
    with OzonBenchWorld() as world:
        world.telegram.set_rate_limit(STAFF_CHAT, PER_WINDOW, window)
        orders = range(FIRST_ORDER, FIRST_ORDER + each)
        world.add_orders(orders, cancel_requested=True)
        for _ in range(each):
            world.ozon.add_request(SELLER)
        world.start_desk(
            POLL_INTERVAL=f"{INTERVAL:g}", TELEGRAM_GROUP_RATE=f"{PER_WINDOW}/{window:g}s"
        )
        posts = world.telegram.wait_until(
            lambda: len(found := world.all_posts()) >= 2 * each and found,
            window * 2 * each / PER_WINDOW * 2 + 30,
            f"{2 * each} posts",
        )
        for about, post in posts:
            _settle(world, post, Decision.ACCEPT if about.market else Decision.REJECT_IN_DELIVERY)
        time.sleep(window)  # a duplicate or a late edit would show up within a window
        posts = world.all_posts()
        sent = [s for s in world.sent() if s.chat_id == STAFF_CHAT]
    return [
        _posted_row(posts, each, window),
        _window_row(sent, window),
        _per_request_row(posts, sent, each),
    ]


def _settle(world: OzonBenchWorld, post: Sent, decision: Decision) -> None:
    """Choose and Confirm on one post, each waiting for the edit it brings."""
    message_id = post.message_id
    assert message_id is not None
    for tap in (Tap.CHOOSE, Tap.CONFIRM):
        message = world.telegram.message(STAFF_CHAT, message_id)
        world.telegram.tap(STAFF_CHAT, message_id, ANNA, button(message, tap, decision))
        world.telegram.wait_until(
            lambda m=message: world.telegram.message(STAFF_CHAT, message_id).edits > m.edits,
            60,
            "an edit",
        )


def _posted_row(posts: list[tuple[PostOf, Sent]], each: int, window: float) -> Row:
    floor = (math.ceil(2 * each / PER_WINDOW) - 1) * window
    total = posts[-1][1].at - posts[0][1].at
    kinds = Counter("ozon" if about.posting else "market" for about, _ in posts)
    unique = len({about for about, _ in posts})
    ok = unique == 2 * each == len(posts) and total <= LIMIT_RATIO * floor
    return Row(
        id="24",
        measure=f"{each} Market + {each} Ozon at once, {PER_WINDOW}/{window:g}s chat:"
        " first -> last post",
        target=f"all once; <= {LIMIT_RATIO} x floor",
        unit="s",
        verdict="ok" if ok else "MISS",
        median=total,
        p95=total,
        n=1,
        floor=floor,
        ratio=total / floor if floor else None,
        note=f"posted {dict(kinds)}, {len(posts) - unique} duplicates",
        samples=[total],
    )


def _window_row(sent: list[Sent], window: float) -> Row:
    """The most group messages Telegram accepted in any `window` seconds, and the 429s."""
    times = sorted(s.at for s in sent if s.ok and s.method in GROUP_METHODS)
    busiest = max((_within(times, i, window) for i in range(len(times))), default=0)
    refused = sum(1 for s in sent if s.status == 429)
    return Row(
        id="24w",
        measure=f"busiest {window:g} s of the mixed chat (posts and edits)",
        target=f"<= {PER_WINDOW} (20 a minute, scaled), no 429",
        unit="msg",
        verdict="ok" if busiest <= PER_WINDOW and not refused else "MISS",
        median=busiest,
        p95=busiest,
        n=len(times),
        floor=PER_WINDOW,
        ratio=busiest / PER_WINDOW,
        note=f"{refused} answered 429; {len(times)} group messages in all",
        samples=[busiest],
    )


def _within(times: list[float], start: int, window: float) -> int:
    return sum(1 for t in times[start:] if t - times[start] < window)


def _per_request_row(posts: list[tuple[PostOf, Sent]], sent: list[Sent], each: int) -> Row:
    """Group messages per settled request, split by marketplace by the post they touch."""
    kind = {post.message_id: "ozon" if about.posting else "market" for about, post in posts}
    counted = Counter(
        kind.get(s.message_id, "other") for s in sent if s.ok and s.method in GROUP_METHODS
    )
    per_request = sum(counted.values()) / (2 * each)
    split = {k: round(v / each, 2) for k, v in counted.items() if k != "other"}
    return Row(
        id="24m",
        measure="group messages per settled request, Market + Ozon",
        target="info (Confirm on: post + keyboard + outcome = 3)",
        unit="msg",
        verdict="info",
        median=per_request,
        p95=per_request,
        n=2 * each,
        floor=3.0,
        ratio=per_request / 3.0,
        note=f"per request by marketplace {split}; other messages {counted.get('other', 0)}",
        samples=[per_request],
    )


def _problems(world: OzonBenchWorld) -> str:
    return f"; problems: {world.problems}" if world.problems else ""
