"""#2: an `ORDER_CANCELLATION_REQUEST` notification -> the post is sent.

The Market pushes notifications to `POST /notification` on the desk's HTTP server
(HTTP_PORT). Polling is set to 5 minutes so only the notification can bring a request
in. Timed from just before the POST is sent to the arrival of the post's `sendMessage`.

A desk without the HTTP server (not built yet, or HTTP_PORT ignored) yields a `skip`
row saying so, rather than a failure: the scenario starts measuring once it lands.
"""

from __future__ import annotations

import random
import socket
import time
from datetime import UTC, datetime

import httpx

from bench.scenarios import Config
from bench.stats import Row
from bench.world import World
from tests.fakes.loopback import free_port

IDS = ("2",)
TARGET = 0.3
FIRST_ORDER = 200_000
MEASURE = "notification -> post sent"


def _listening(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _notify(
    world: World, client: httpx.Client, port: int, order_id: int
) -> tuple[float, httpx.Response]:
    """A new cancellation request at the Market, and its notification: when it was sent."""
    campaign = world.campaigns[0]
    world.market.add_order(order_id, campaign, cancel_requested=True)
    body = {
        "notificationType": "ORDER_CANCELLATION_REQUEST",
        "campaignId": campaign,
        "orderId": order_id,
        "requestedAt": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    sent = time.monotonic()
    return sent, client.post(f"http://127.0.0.1:{port}/notification", json=body)


def _unavailable(port: int) -> Row:
    return Row.skipped(
        "2",
        MEASURE,
        f"p95 <= {TARGET} s",
        f"not available: the desk does not answer on HTTP_PORT={port}"
        " (notification endpoint not built yet)",
    )


def _refused(response: httpx.Response) -> Row:
    return Row.failed(
        "2",
        MEASURE,
        f"p95 <= {TARGET} s",
        f"POST /notification answered {response.status_code}: {response.text[:200]}",
    )


def run(config: Config) -> list[Row]:
    count = config.reps(30, 10)
    rng = random.Random(2)
    port = free_port()
    samples: list[float] = []
    with World() as world:
        desk = world.start_desk(
            POLL_INTERVAL="300",
            HTTP_PORT=str(port),
            HTTP_HOST="127.0.0.1",
            NOTIFICATION_ALLOWED_NETWORKS="127.0.0.1/32",
        )
        spawned = world.spawned_at[desk.proc.pid]  # type: ignore[union-attr]
        world.wait_ready(desk)
        world.wait_first_listing(spawned)
        if not _listening(port, 3.0):
            return [_unavailable(port)]
        with httpx.Client(timeout=10) as client:
            for i in range(count):
                order_id = FIRST_ORDER + i
                sent, response = _notify(world, client, port, order_id)
                if response.status_code >= 300:
                    return [_refused(response)]
                post = world.telegram.wait_until(
                    lambda o=order_id: world.post_for(o), 10, f"the post of {order_id}"
                )
                samples.append(post.at - sent)
                time.sleep(rng.uniform(0.05, 0.3))
    problems = world.problems
    return [
        Row.from_samples(
            "2",
            MEASURE,
            f"p95 <= {TARGET} s",
            "s",
            samples,
            limit=TARGET,
            note=f"problems: {problems}" if problems else "",
        )
    ]
