"""A database written by an earlier desk (27e9b31) upgrades in place and keeps every row.

tests/data/desk_27e9b31.db was written by that commit's own Store (see tests/data/README.md).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.model import Decision, Person, RequestState
from storage.schema import MIGRATIONS
from storage.store import Store

FIXTURE = Path(__file__).parent / "data" / "desk_27e9b31.db"
TABLES = ("requests", "posts", "decisions", "reminders", "polls")


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
    assert store.version == len(MIGRATIONS)
    after = rows(Path(store.db.value("SELECT file FROM pragma_database_list")))
    for table in TABLES:
        kept = [row[: len(before[table][0])] for row in after[table]] if before[table] else []
        assert kept == before[table], table


def test_the_old_requests_read_as_before(upgraded) -> None:
    store, _ = upgraded
    assert store.requests.count(RequestState.PENDING) == 4
    assert store.requests.count(RequestState.DECIDED) == 1
    assert store.requests.count(RequestState.CLOSED) == 1
    confirming = store.requests.get(1)
    assert confirming.post.confirming is Decision.ACCEPT
    assert store.requests.get(4).closed_status == "CANCELLED/USER_CHANGED_MIND"
    assert store.decisions.last(3).result == "ok"
    failed = store.decisions.last(5)
    assert (failed.result, failed.http_status) == ("failed", 500)
    assert store.shops.names() == {21001: "Ромашка — электроника", 21002: "Дом и сад «Берёзка»"}
    assert store.chats.current(-987654321) == -1002233445566
    assert store.notified.time_for(21002, 52000007).at == datetime(
        2025, 3, 10, 22, 50, 0, 123456, tzinfo=UTC
    )
    assert "kv" not in store.db.db.table_names()  # its three kinds of rows have tables now
    later = datetime(2025, 3, 11, tzinfo=UTC)
    assert [r.id for r in store.posts.unposted(later, limit=10)] == [6]
    assert store.problems.all() == []


def test_the_upgraded_database_works_on(upgraded) -> None:
    store, _ = upgraded
    request = store.requests.get(6)
    now = datetime(2025, 3, 11, tzinfo=UTC)
    store.post_refused(request, "Bad Request: message is too long", now)
    assert store.posts.unposted(now, limit=10) == []
    [noted] = store.problems.unreported()
    assert noted.problem.order_ref == "52000006"


def test_an_upgraded_database_keeps_claims(upgraded) -> None:
    store, _ = upgraded
    now = datetime(2025, 3, 11, tzinfo=UTC)
    assert store.requests.get(2).claim is None
    assert store.claim(2, Person(111, "Анна", "anna"), now)
    assert not store.claim(2, Person(222, "Борис", None), now)  # one person per request
    claim = store.requests.get(2).claim
    assert (claim.person, claim.claimed_at) == (Person(111, "Анна", "anna"), now)
    assert not store.release_claim(2, 222)  # only the claimer releases it
    assert store.release_claim(2, 111)
    assert store.requests.get(2).claim is None


def test_old_requests_get_the_journal_the_tables_still_tell(upgraded) -> None:
    store, _ = upgraded
    decided = store.events.of(3)
    kinds = [event.kind.value for event in decided]
    assert kinds[0] == "seen" and "posted" in kinds and kinds[-1] == "answer"
    assert all(event.before_journal for event in decided)
    assert [event.at for event in decided] == sorted(event.at for event in decided)
    failed = [e for e in store.events.of(5) if e.kind.value == "answer"]
    assert failed[-1].detail["http_status"] == 500 and failed[-1].actor is not None
    closed = store.events.of(4)
    assert closed[-1].kind.value == "closed"
    assert closed[-1].detail["status"] == "CANCELLED/USER_CHANGED_MIND"
    assert store.db.value("SELECT count(*) FROM events WHERE kind = 'seen'") == 6
