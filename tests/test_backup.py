"""Backups as the owner takes them, the daily ones, a restore, and a damaged database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from storage.store import Store
from tests.chat import post_of, posts
from tests.conftest import CAMPAIGN
from tests.harness import DeskProcess, wait_until

#: every test here starts `python -m bot` (some through a helper, not start_desk)
pytestmark = pytest.mark.process


def run(tmp_path, env: dict[str, str], *args: str) -> tuple[int, str]:
    name = f"cli{len(list(tmp_path.glob('cli*.log')))}"
    process = DeskProcess(env, tmp_path, name=name).start(*args)
    code = process.wait(30)
    return code, process.log()


def quick_check(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_taken_while_the_desk_runs_restores_to_the_same_desk(
    market, telegram, start_desk, desk_env, tmp_path
):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    desk = start_desk()
    post_of(telegram, 1)
    copy = tmp_path / "copies" / "mine.db"

    code, output = run(tmp_path, desk_env, "backup", str(copy))
    assert code == 0, output
    assert output.strip() == f"Backed up {desk_env['DATABASE_PATH']} to {copy}"
    assert desk.running
    assert quick_check(copy) == "ok"
    assert not list(copy.parent.glob("*.partial"))

    assert desk.terminate() == 0
    database = tmp_path / "data" / "desk.db"
    for path in tmp_path.glob("data/desk.db*"):
        if not path.name.endswith(".lock"):
            path.unlink()
    shutil.copyfile(copy, database)  # the README's restore step
    again = start_desk()
    wait_until(lambda: again.log().count("Poll:") >= 2, message="two polls after the restore")
    assert len(posts(telegram)) == 1  # the restored desk knows its post


def test_daily_backups_are_made_and_only_the_newest_are_kept(
    market, telegram, start_desk, tmp_path
):
    folder = tmp_path / "backups"
    folder.mkdir()
    day = 24 * 3600
    for age in (3, 2):  # two older backups, the newest a day old: one is due now
        old = folder / f"desk-2026010{age}-000000.db"
        old.write_bytes(b"")
        os.utime(old, (time.time() - age * day, time.time() - age * day))
    start_desk(BACKUP_DIR=str(folder), BACKUP_KEEP="2")

    def kept():
        names = sorted(p.name for p in folder.glob("desk-*.db"))
        return names if len(names) == 2 and names[0] == "desk-20260102-000000.db" else None

    names = wait_until(kept, message="a new backup, the oldest pruned")
    assert quick_check(folder / names[-1]) == "ok"


def test_a_damaged_database_stops_the_desk_in_one_line_naming_the_last_backup(desk_env, tmp_path):
    database = tmp_path / "data" / "desk.db"
    database.parent.mkdir(parents=True)
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO filler (text) VALUES (?)", [("x" * 200,)] * 200)
    conn.commit()
    conn.close()
    with open(database, "r+b") as file:  # a page of the table overwritten on disk
        file.seek(4096 * 2 + 100)
        file.write(b"\xff" * 3000)
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "desk-20260101-000000.db").write_bytes(b"")

    code, output = run(tmp_path, {**desk_env, "BACKUP_DIR": str(folder)})
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith(f"Cannot start: DATABASE_PATH={database} is damaged (")
    assert f"last backup: {folder / 'desk-20260101-000000.db'}" in line


def test_a_backup_needs_a_path_or_backup_dir(desk_env, tmp_path):
    code, output = run(tmp_path, desk_env, "backup")
    assert code == 2
    assert output.strip() == "Cannot back up: give a PATH or set BACKUP_DIR"


def test_backup_dir_is_made_when_it_does_not_exist_yet(desk_env, tmp_path):
    Store(Path(desk_env["DATABASE_PATH"])).close()
    folder = tmp_path / "new" / "backups"
    code, output = run(tmp_path, {**desk_env, "BACKUP_DIR": str(folder)}, "backup")
    assert code == 0, output
    made = list(folder.glob("desk-*.db"))
    assert len(made) == 1 and quick_check(made[0]) == "ok"
    assert output.strip() == f"Backed up {desk_env['DATABASE_PATH']} to {made[0]}"
