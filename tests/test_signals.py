"""The desk's in-process signals: a stop is never lost to a wakeup that rings at the same time."""

from __future__ import annotations

import asyncio

import pytest

from bot.signals import Wakeup


@pytest.mark.parametrize("steps_before_cancel", [0, 1, 2, 3])
async def test_a_cancel_is_never_swallowed_by_a_ring_at_the_same_moment(steps_before_cancel):
    """Python 3.11's wait_for returns the result when the wait ends as the cancel arrives;
    the publisher's loop then went on and a SIGTERM waited for it forever (finding 3)."""
    wakeup = Wakeup()

    async def publisher_loop() -> None:
        while True:
            await wakeup.wait(30)

    loop = asyncio.create_task(publisher_loop())
    await asyncio.sleep(0)  # the publisher is idle, waiting
    wakeup.ring()  # a poll found something
    for _ in range(steps_before_cancel):
        await asyncio.sleep(0)
    loop.cancel()  # the stop
    await asyncio.wait([loop], timeout=2)
    assert loop.cancelled()


async def test_a_ring_ends_the_wait_and_is_consumed():
    wakeup = Wakeup()
    wakeup.ring()
    await asyncio.wait_for(wakeup.wait(30), 1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await wakeup.wait(0.05)
    assert loop.time() - began >= 0.04
