"""Requests that closed before they were posted are listed once; an upgrade lists none."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bot.domain.model import RequestState
from storage.store import Store
from tests.builders import CHAT, NOW, close, new, order
from tests.test_upgrade import FIXTURE


def test_a_request_closed_unposted_is_listed_once(store) -> None:
    unposted = store.add_request(new(1))
    posted = store.add_request(new(2))
    store.save_post(posted, CHAT, 10, NOW, ())
    pending = store.add_request(new(3))
    for request_id in (unposted, posted):
        close(store, request_id, order(request_id, status="CANCELLED"))

    assert [r.id for r in store.unseen.unlisted(10)] == [unposted]
    store.unseen.listed([unposted], NOW)
    assert store.unseen.unlisted(10) == []
    assert store.requests.get(pending).state == "pending"


def test_an_upgraded_database_lists_none_of_its_old_closed_requests(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as conn:  # its closed request, as if it closed unposted
        conn.execute("DELETE FROM posts WHERE request_id = 4")
    conn.close()
    store = Store(path)
    try:
        assert store.requests.count(RequestState.CLOSED) == 1
        assert store.unseen.unlisted(10) == []
    finally:
        store.close()
