"""Chaos run: the real desk against the loopback fakes, killed at random moments.

    python scripts/chaos.py [--kills 100] [--seed 1] [--stop-share 0.2]

A Market and an Ozon cabinet share the staff chat. While requests arrive at both, staff
tap, and the Market and Ozon settle some requests elsewhere, the
desk (`python -m bot`) is stopped again and again: mostly SIGKILL, sometimes SIGTERM
(which must end it cleanly within 15 s). Then a last desk is left to settle, and the
invariants are checked:

- every request the Market still lists has a live post with buttons;
- no decision was applied twice, and no order got more PUTs than staff taps (nothing
  re-sent on its own);
- no post of a settled request keeps its buttons;
- no post claims an outcome the Market's order does not show (accepted: cancelled;
  rejected: not cancelled), recovered decisions included;
- Ozon alike: every request still ON_APPROVAL has a live post, no settled one keeps its
  buttons, no post claims a decision Ozon does not show, no request got more approve or
  reject calls than staff taps, and no tapped request is lost (it ends decided, or shown
  live again as Ozon still has it);
- the database passes PRAGMA integrity_check.

A request posted twice is counted, not failed: a SIGKILL between Telegram's answer and
the desk's write is the one known window (the Bot API has no idempotency key). Exit
status 0 when every invariant holds. Results go to stdout; see docs/chaos.md.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.chaos_check import MUST_BE_EMPTY, check, integrity  # noqa: E402
from scripts.chaos_world import World  # noqa: E402
from tests.harness import DeskProcess  # noqa: E402

QUIET_FOR = 75.0  # seconds of no progress (a full group-limit window and some) = stuck
NEAR_A_TAP = 1.0  # a stop this soon after an Ozon tap lands among its decision's steps


def run_chaos(kills: int, seed: int, stop_share: float, workdir: Path) -> dict:
    rng = random.Random(seed)
    world = World(rng)
    env = {**world.env(workdir), "POLL_INTERVAL": "1", "LANGUAGE": "en"}
    env["CONFIRM_DECISIONS"] = "false"
    stopped: Counter[str] = Counter()
    began = time.monotonic()
    try:
        for n in range(kills):
            desk = DeskProcess(env, workdir, name=f"desk{n}").start()
            deadline = time.monotonic() + rng.uniform(0.3, 2.5)
            while time.monotonic() < deadline:
                world.act()
                time.sleep(rng.uniform(0.05, 0.4))
            if time.monotonic() - world.last_ozon_tap < NEAR_A_TAP:
                stopped["near_an_ozon_tap"] += 1
            stopped[stop(desk, rng.random() < stop_share)] += 1
        result = settle(world, env, workdir)
    finally:
        world.stop()
    result.update(
        kills=stopped["sigkill"],
        sigterms=stopped["sigterm_clean"] + stopped["sigterm_bad"],
        sigterm_not_clean=stopped["sigterm_bad"],
        stops_within_1s_of_an_ozon_tap=stopped["near_an_ozon_tap"],
        seconds=round(time.monotonic() - began, 1),
        seed=seed,
    )
    return result


def stop(desk: DeskProcess, gently: bool) -> str:
    """SIGTERM (which must end the desk with exit 0 within 15 s) or SIGKILL; how it went."""
    if not gently:
        desk.kill()
        return "sigkill"
    desk.proc.send_signal(signal.SIGTERM)
    try:
        code = desk.wait(15)
    except Exception:
        desk.kill()
        code = -9
    if code != 0:
        print(
            f"SIGTERM of {desk.log_path.stem}: exit {code}\n{desk.log()[-3000:]}", file=sys.stderr
        )
    return "sigterm_clean" if code == 0 else "sigterm_bad"


def settle(world: World, env: dict[str, str], workdir: Path) -> dict:
    """A last desk, left alone until every waiting request shows and no stale buttons remain."""
    desk = DeskProcess(env, workdir, name="settle").start()
    began = time.monotonic()
    left, progress_at = None, time.monotonic()
    while time.monotonic() - progress_at < QUIET_FOR:
        result = check(world, workdir)
        now_left = sum(
            len(result[key])
            for key in ("unposted", "stale_buttons", "ozon_unposted", "ozon_stale_buttons")
        )
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
    broken = [key for key in MUST_BE_EMPTY if result[key]]
    if result["integrity"] != "ok" or result["sigterm_not_clean"]:
        broken.append("integrity" if result["integrity"] != "ok" else "sigterm_not_clean")
    print("invariants:", "all hold" if not broken else "BROKEN: " + ", ".join(broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
