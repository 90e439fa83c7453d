"""The desk's files are its user's alone, whatever the umask the service manager gives it.

The database holds buyers' orders and staff decisions; another local user must not read it,
its write-ahead files, its backups or its lock. Every test runs the desk under umask 022.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chat import post_of
from tests.conftest import CAMPAIGN
from tests.harness import DeskProcess, wait_until

PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The desk's children inherit it: files would be 0644 and folders 0755 if it ruled."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(folder: Path) -> dict[str, int]:
    return {path.name: mode(path) for path in folder.iterdir()}


def run(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    process = DeskProcess(env, tmp_path, name=f"cli-{args[0]}").start(*args)
    code = process.wait(30)
    return code, process.log()


def test_every_file_and_folder_the_desk_makes_is_private(
    market, telegram, start_desk, desk_env, tmp_path
):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    data, backups = tmp_path / "data", tmp_path / "backups"
    start_desk(BACKUP_DIR=str(backups))
    post_of(telegram, 1)
    [daily] = wait_until(lambda: list(backups.glob("desk-*.db")), message="the daily backup")

    assert {"desk.db", "desk.db-wal", "desk.db-shm", "desk.db.lock"} <= set(modes(data))
    assert modes(data) == dict.fromkeys(modes(data), PRIVATE_FILE)
    assert mode(data) == PRIVATE_FOLDER
    assert mode(backups) == PRIVATE_FOLDER
    assert mode(daily) == PRIVATE_FILE

    copy = tmp_path / "copies" / "mine.db"
    code, output = run(tmp_path, desk_env, "backup", str(copy))
    assert code == 0, output
    assert mode(copy) == PRIVATE_FILE
    assert mode(copy.parent) == PRIVATE_FOLDER


def test_an_older_desks_readable_files_are_narrowed_once_and_the_operators_folders_kept(
    market, telegram, start_desk, tmp_path
):
    data, backups = tmp_path / "data", tmp_path / "backups"
    for folder in (data, backups):  # made by the operator, e.g. a volume's root
        folder.mkdir()
        folder.chmod(0o755)
    old_backup = backups / "desk-20260101-000000.db"
    old_backup.write_bytes(b"")
    crashed = start_desk(BACKUP_DIR=str(backups))
    wait_until(lambda: (data / "desk.db-wal").exists(), message="the write-ahead log")
    crashed.kill()  # its -wal and -shm stay behind, as after a power cut
    for path in [old_backup, *data.iterdir()]:
        path.chmod(0o644)  # as a desk before this fix left them
    assert {"desk.db", "desk.db-wal", "desk.db-shm", "desk.db.lock"} <= set(modes(data))

    desk = start_desk(BACKUP_DIR=str(backups))
    wait_until(lambda: desk.log().count("Poll:") >= 2, message="two polls after the restart")
    wait_until(lambda: mode(old_backup) == PRIVATE_FILE, message="the old backup narrowed")

    assert modes(data) == dict.fromkeys(modes(data), PRIVATE_FILE)
    assert modes(backups) == dict.fromkeys(modes(backups), PRIVATE_FILE)
    assert mode(data) == mode(backups) == 0o755  # not the desk's to change
    log = desk.log()
    assert log.count(f"{data / 'desk.db'} was open to other users") == 1
    assert f"{old_backup} was open to other users" in log


def test_the_storage_makes_its_files_private_itself_not_through_the_umask(tmp_path):
    """In process, so no umask the desk's start sets can help: the modes are explicit."""
    from storage.backup import backup
    from storage.lock import DatabaseLock
    from storage.store import Store

    database = tmp_path / "data" / "desk.db"
    lock = DatabaseLock(database)
    lock.acquire()
    store = Store(database)
    try:
        store.shops.save(CAMPAIGN, "Shop")
        made = backup(database, tmp_path / "copies" / "copy.db")
        found = modes(database.parent)
        assert {"desk.db", "desk.db-wal", "desk.db-shm", "desk.db.lock"} <= set(found)
        assert found == dict.fromkeys(found, PRIVATE_FILE)
    finally:
        store.close()
        lock.release()
    assert mode(database.parent) == mode(made.parent) == PRIVATE_FOLDER
    assert mode(made) == PRIVATE_FILE
