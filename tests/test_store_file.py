"""storage: The database file: where it is made, its schema version, reopening it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.store import Store
from tests.builders import CHAT, NOW, new, order

LEADS = [24 * 3600, 6 * 3600, 3600]


# the file


def test_folder_is_created_and_wal_is_on(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "data" / "d.db"
    store = Store(path)
    try:
        assert path.is_file()
        mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode.lower() == "wal"
    finally:
        store.close()


def test_schema_version_is_4(store: Store) -> None:
    assert store.version == 4
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == 4
    assert set(store.db.db.table_names()) == {
        "requests",
        "posts",
        "decisions",
        "reminders",
        "polls",
        "order_problems",
        "shops",
        "chat_moves",
        "notified_requests",
    }


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    first = Store(path)
    request_id = first.add_request(new())
    first.save_post(request_id, CHAT, 321, NOW, ())
    first.shops.save(1001, "Shop A")
    first.close()

    second = Store(path)
    try:
        assert second.version == 4
        stored = second.requests.get(request_id)
        assert stored is not None
        assert stored.order == order()
        assert stored.post is not None
        assert stored.post.message_id == 321
        assert second.shops.names() == {1001: "Shop A"}
    finally:
        second.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match="99"):
        Store(path)
