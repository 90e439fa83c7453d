"""The image against the fakes: start, health, a decision from tap to outcome, private files,
the chart, a clean stop; the container and its volume are removed after.

Run by scripts/docker_smoke.sh after it built IMAGE; the fakes listen on 127.0.0.1 and the
container shares the host's network, as a desk behind a proxy on the same host would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.market import FakeMarket
from tests.fakes.telegram import FakeTelegram
from tests.fakes.world import (
    CAMPAIGN,
    STAFF,
    STAFF_CHAT,
    desk_env,
    seed_market,
    seed_telegram,
)

ORDER = 7070
# as compose.yaml runs it: a read-only root with a small /tmp, no capabilities
HARDENED = (
    "--read-only",
    "--tmpfs",
    "/tmp:size=64m,mode=1777",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges:true",
)


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def wait(what: str, predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"FAILED: timed out waiting for {what}")


def post_of(telegram: FakeTelegram, order_id: int):
    for message in telegram.messages(STAFF_CHAT):
        if message.text.splitlines()[0].endswith(f"№{order_id}"):
            return telegram.message(STAFF_CHAT, message.message_id)
    return None


def tap(telegram: FakeTelegram, message, label: str) -> None:
    staff = next(iter(STAFF))
    data = next(b["callback_data"] for b in message.buttons if label in b["text"])
    telegram.tap(STAFF_CHAT, message.message_id, staff, data)


def drawn(container: str) -> bytes:
    """The digest's chart, drawn by the image's `python -m bot.owner.chart` (matplotlib on /tmp)."""
    days = [f"2026-11-{day:02d}" for day in range(1, 31)]
    spec = {
        "days": days,
        "series": [{"label": "accepted", "values": [1] * 30}],
        "medians": [2.5] * 30,
        "title": "smoke",
        "median": "hours",
    }
    child = subprocess.run(
        ["docker", "exec", "-i", container, "python", "-m", "bot.owner.chart"],
        input=json.dumps(spec).encode(),
        capture_output=True,
        check=False,
    )
    return child.stdout if child.stdout.startswith(b"\x89PNG") else b""


def start(image: str, env: dict[str, str]) -> tuple[str, str, Path]:
    """The desk's container, hardened as compose.yaml runs it; its volume and env file."""
    with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as env_file:
        env_file.write("".join(f"{key}={value}\n" for key, value in env.items()))
    volume = docker("volume", "create").stdout.strip()
    container = docker(
        "run",
        "-d",
        "--network",
        "host",
        "--env-file",
        env_file.name,
        "--volume",
        f"{volume}:/data",
        *HARDENED,
        image,
    ).stdout.strip()
    return container, volume, Path(env_file.name)


def accept(telegram: FakeTelegram, market: FakeMarket, post):
    """Accept and Confirm as staff would; the post once it shows the outcome."""
    tap(telegram, post, "Принять")
    confirming = wait(
        "the Confirm keyboard",
        lambda: (m := telegram.message(STAFF_CHAT, post.message_id)).edits >= 1 and m,
    )
    tap(telegram, confirming, "Подтвердить")
    wait("the outcome", lambda: market.accepted_decisions())
    return wait(
        "the outcome edit",
        lambda: (m := telegram.message(STAFF_CHAT, post.message_id)).edits >= 2 and m,
    )


def files_private(container: str) -> bool:
    """Whether the data folder is 700 and every database file in it 600."""
    listed = docker("exec", container, "sh", "-c", "stat -c '%n %a' /data /data/desk.db*")
    modes = dict(line.split() for line in listed.stdout.splitlines())
    print("modes:", modes)
    return modes.pop("/data") == "700" and set(modes.values()) == {"600"}


def stop(container: str) -> str:
    """Stop the container as a service manager would; its exit code."""
    began = time.monotonic()
    docker("stop", "-t", "10", container)
    code = docker("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()
    print(f"stopped in {time.monotonic() - began:.1f}s, exit code {code}")
    return code


def main(image: str) -> None:
    market = FakeMarket().start()
    seed_market(market)
    telegram = FakeTelegram().start()
    seed_telegram(telegram)
    market.add_order(ORDER, CAMPAIGN, cancel_requested=True)
    env = desk_env(market, telegram, database=Path("/data/desk.db")) | {"POLL_INTERVAL": "5"}
    container, volume, env_file = start(image, env)
    try:
        post = wait("the post", lambda: post_of(telegram, ORDER))
        print("posted:", post.text.splitlines()[0])
        user = docker("exec", container, "id", "-u").stdout.strip()
        print("runs as uid", user)
        health = docker("exec", container, "python", "-m", "bot", "health", check=False)
        print("health:", health.returncode, health.stdout.strip())
        done = accept(telegram, market, post)
        print("outcome:", done.text.splitlines()[-2:])
        private = files_private(container)
        chart = drawn(container)
        print("chart:", f"a PNG of {len(chart)} bytes" if chart else "not drawn")
        code = stop(container)
        size = int(docker("image", "inspect", "--format", "{{.Size}}", image).stdout.strip())
        print(f"image size {size / 1e6:.0f} MB")
        ok = (
            user != "0"
            and health.returncode == 0
            and code == "0"
            and bool(market.accepted_decisions())
            and private
            and bool(chart)
        )
        print("OK" if ok else "FAILED")
        if not ok:
            raise SystemExit(1)
    finally:
        docker("rm", "--force", "--volumes", container, check=False)
        docker("volume", "rm", volume, check=False)
        env_file.unlink()
        market.stop()
        telegram.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "cancellation-desk:smoke")
