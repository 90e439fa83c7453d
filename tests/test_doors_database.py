"""Bad input at the database door: a file damaged, replaced or edited by hand.

The database sits on a host others may touch (a full disk, a bad copy, an edit with the
sqlite3 shell). A desk that cannot trust it stops with one line naming the file, never a
traceback and a restart loop; one damaged row costs only that row.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.store import Store
from tests.chat import post_of, reports
from tests.conftest import CAMPAIGN
from tests.harness import DeskProcess, wait_until

#: every test here starts `python -m bot` (some through a helper, not start_desk)
pytestmark = pytest.mark.process


def _run(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    name = f"door{len(list(tmp_path.glob('door*.log')))}"
    process = DeskProcess(env, tmp_path, name=name).start()
    try:
        return process.wait(30), process.log()
    finally:
        if process.running:
            process.kill()


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is no database\n" * 500)


def _truncated(path: Path) -> None:
    Store(path).close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _a_folder(path: Path) -> None:
    path.mkdir()


def _a_stranger(path: Path) -> None:
    """Another program's database: a table of the same name, other columns."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE requests (who TEXT)")
    conn.commit()
    conn.close()


def _a_table_dropped(path: Path) -> None:
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE reminders")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage", [_garbage, _truncated, _a_folder, _a_stranger, _a_table_dropped])
def test_a_database_the_desk_cannot_trust_stops_it_in_one_line(desk_env, tmp_path, damage):
    database = Path(desk_env["DATABASE_PATH"])
    database.parent.mkdir(parents=True, exist_ok=True)
    damage(database)

    code, output = _run(tmp_path, desk_env)
    assert code == 2, output
    lines = output.strip().splitlines()
    assert "Traceback" not in output
    # the one line; a file left readable to others is narrowed (and said) before it is read
    assert str(database) in lines[-1] and lines[-1].startswith("Cannot "), lines
    assert all("was open to other users" in line for line in lines[:-1]), lines


def test_a_row_edited_by_hand_costs_only_that_row(market, telegram, start_desk, desk_env):
    database = Path(desk_env["DATABASE_PATH"])
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    desk = start_desk()
    post_of(telegram, 1)
    post_of(telegram, 2)
    assert desk.terminate() == 0
    conn = sqlite3.connect(database)
    conn.execute(
        "UPDATE requests SET order_json = '{not json', deadline = 'soon' WHERE order_id = 1"
    )
    conn.commit()
    conn.close()

    market.add_order(3, CAMPAIGN, cancel_requested=True)
    desk = start_desk()
    post_of(telegram, 3)  # the others are still served
    told = wait_until(lambda: [text for text in reports(telegram) if "order #1" in text])
    assert "damaged" in told[0] and len(told) == 1
    assert desk.running
    assert desk.terminate() == 0
    assert desk.log().count("Request 1 (order 1) cannot be read") == 1
