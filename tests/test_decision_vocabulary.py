"""One name for a decision inside the desk, spelt otherwise only at its three edges.

`Decision` is the desk's word; the callback data (bot/chat/callbacks.py), the Market's body
(bot/market/client.py) and the stored letter (storage/) each translate it. A module between them
that knew a spelling would break when an edge changes it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from bot.domain.model import Decision, Person
from storage.store import Store
from tests.builders import CHAT, NOW, new

ROOT = Path(__file__).resolve().parents[1]
MARKET_REASONS = {"ORDER_DELIVERED", "ORDER_IN_DELIVERY"}
ANNA = Person(42, "Анна", "anna_k")


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text()))
        for top in ("bot", "storage")
        for path in sorted((ROOT / top).rglob("*.py"))
    ]


def _is_storage(path: Path) -> bool:
    return path.relative_to(ROOT).parts[0] == "storage"


def test_the_market_s_reasons_are_spelt_only_by_the_market_client() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _modules()
        if path.relative_to(ROOT).as_posix() != "bot/market/client.py"
        and "simulator" not in path.parts
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in MARKET_REASONS
    ]
    assert not offenders, "translate a Decision in bot/market/client.py:\n" + "\n".join(offenders)


def test_a_decision_is_read_from_its_stored_spelling_only_in_storage() -> None:
    """`Decision(<value>)` turns a stored letter back into a decision: storage's job."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _modules()
        if not _is_storage(path)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Decision"
    ]
    assert not offenders, "let storage/ read the stored letter:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("decision", "letter"),
    [
        (Decision.ACCEPT, "a"),
        (Decision.REJECT_DELIVERED, "d"),
        (Decision.REJECT_IN_DELIVERY, "c"),
    ],
)
def test_the_stored_letters_are_those_of_every_earlier_version(
    store: Store, decision: Decision, letter: str
) -> None:
    """No migration: databases written before keep their meaning, and are written alike."""
    request_id = store.add_request(new())
    store.save_post(request_id, CHAT, 321, NOW, ())
    store.confirming(request_id, decision, ANNA, NOW)
    assert store.db.value("SELECT confirming FROM posts") == letter
    assert store.requests.get(request_id).post.confirming is decision
    record = store.begin_decision(request_id, decision, ANNA, NOW)
    assert store.db.value("SELECT decision FROM decisions") == letter
    assert record is not None and record.decision is decision and record.person == ANNA
    details = [json.loads(d) for (d,) in store.db.execute("SELECT detail FROM events")]
    assert [d["decision"] for d in details if "decision" in d] == [letter, letter]
    assert [
        e.detail["decision"] for e in store.events.of(request_id) if "decision" in e.detail
    ] == [
        decision,
        decision,
    ]
