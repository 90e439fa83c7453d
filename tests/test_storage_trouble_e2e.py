"""A full disk under the real desk: its database on a small tmpfs of its own.

Needs permission to mount a tmpfs (root, as in the project's CI container); skipped
otherwise. A read-only database meets the same path (SQLite's OperationalError on write),
but cannot be made mid-run here: Linux refuses to remount read-only while the desk holds
the file open for writing, and root ignores file modes.
"""

from __future__ import annotations

import contextlib
import subprocess

import pytest

from tests.chat import ANNA, post_of, posts, tap
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until

TOLD = "cannot write to its database"
BACK = "the database takes writes again"


@pytest.fixture
def disk(tmp_path):
    """A 2 MB tmpfs for DATABASE_PATH; `fill()` takes its last byte, `free()` gives it back."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield Disk(mount)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


class Disk:
    def __init__(self, mount) -> None:
        self.mount = mount
        self.filler = mount / "filler"

    def fill(self) -> None:
        with open(self.filler, "ab", buffering=0) as file, contextlib.suppress(OSError):
            while True:
                file.write(b"\0" * 4096)

    def free(self) -> None:
        self.filler.unlink()


def said(telegram, words: str) -> list[str]:
    return [m.text for m in telegram.messages(STAFF_CHAT) if words in m.text]


def test_a_full_disk_pauses_decisions_tells_staff_once_and_resumes_by_itself(
    market, telegram, start_desk, disk
):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    desk = start_desk(DATABASE_PATH=str(disk.mount / "desk.db"), CONFIRM_DECISIONS="false")
    post = post_of(telegram, 1)
    wait_until(lambda: "Posted order 1" in desk.log(), message="the post stored")

    disk.fill()
    wait_until(lambda: said(telegram, TOLD), timeout=15, message="staff told")
    answer = tap(telegram, post, ANNA, "Accept")
    assert "Cannot record the decision now" in answer["text"]
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    asked = len(market.calls())
    wait_until(lambda: len(market.calls()) >= asked + 6, 15, message="polls meanwhile")
    assert desk.running
    assert market.arrivals("acceptOrderCancellation") == []  # never sent unrecorded
    assert len(said(telegram, TOLD)) == 1
    assert len(posts(telegram)) == 1  # order 2 waits: its post could not be recorded

    disk.free()
    wait_until(lambda: said(telegram, BACK), timeout=20, message="staff told it is over")
    post_of(telegram, 2)
    answer = tap(telegram, post, ANNA, "Accept")
    assert answer["text"] == "Sending the decision to the Market…"
    wait_until(lambda: market.accepted_decisions(), message="the decision reaching the Market")
    assert len(market.arrivals("acceptOrderCancellation")) == 1
    assert len(said(telegram, TOLD)) == 1
    assert len(posts(telegram)) == 2  # each request posted once
