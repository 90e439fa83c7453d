"""A database written by an earlier desk (27e9b31) upgrades in place and keeps every row.

tests/data/desk_27e9b31.db was written by that commit's own Store (see tests/data/README.md).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.decisions import Decision
from storage.store import Store

FIXTURE = Path(__file__).parent / "data" / "desk_27e9b31.db"
TABLES = ("requests", "posts", "decisions", "reminders", "polls", "kv")


def rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall()) for table in TABLES
        }


@pytest.fixture
def upgraded(tmp_path: Path):
    path = tmp_path / "desk.db"
    shutil.copy(FIXTURE, path)
    before = rows(path)
    store = Store(path)
    yield store, before
    store.close()


def test_every_row_is_kept(upgraded) -> None:
    store, before = upgraded
    assert store.version == 2
    after = rows(Path(store.db.conn.execute("PRAGMA database_list").fetchone()[2]))
    for table in TABLES:
        kept = [row[: len(before[table][0])] for row in after[table]] if before[table] else []
        assert kept == before[table], table


def test_the_old_requests_read_as_before(upgraded) -> None:
    store, _ = upgraded
    assert store.count_requests("pending") == 4
    assert store.count_requests("decided") == 1
    assert store.count_requests("closed") == 1
    confirming = store.request(1)
    assert confirming.post.confirming is Decision.ACCEPT
    assert store.request(4).closed_status == "CANCELLED/USER_CHANGED_MIND"
    assert store.last_decision(3).result == "ok"
    failed = store.last_decision(5)
    assert (failed.result, failed.http_status) == ("failed", 500)
    assert store.shop_names() == {21001: "Ромашка — электроника", 21002: "Дом и сад «Берёзка»"}
    assert store.current_chat(-987654321) == -1002233445566
    assert store.notified_request_time(21002, 52000007) is not None
    later = datetime(2025, 3, 11, tzinfo=UTC)
    assert [r.id for r in store.unposted(later, limit=10)] == [6]
    assert store.problems.all() == []


def test_the_upgraded_database_works_on(upgraded) -> None:
    store, _ = upgraded
    request = store.request(6)
    now = datetime(2025, 3, 11, tzinfo=UTC)
    store.post_refused(request, "Bad Request: message is too long", now)
    assert store.unposted(now, limit=10) == []
    [noted] = store.problems.unreported()
    assert noted.problem.order_ref == "52000006"
