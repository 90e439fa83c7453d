"""Every write goes through `Store`: the table objects are read-only outside storage/.

A write made straight on a table object skips the transaction and the journal entry the
`Store` method gives it, and a reader of `Store` cannot see every way the desk changes
its data. Read from the source with `ast`, so the rule holds wherever the modules move.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b|\.(insert|upsert|delete)\(")
OUTSIDE_STORAGE = ("bot", "bench", "scripts")


def _trees(*tops: str) -> Iterator[tuple[Path, ast.Module]]:
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            yield path, ast.parse(path.read_text(), str(path))


def _writing_methods(tree: ast.Module, source: str) -> dict[str, set[str]]:
    """Per class: the methods that write, directly or through another method of theirs."""
    found: dict[str, set[str]] = {}
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        writing = {
            name for name, f in methods.items() if WRITES.search(ast.get_source_segment(source, f))
        }
        while True:  # a method calling a writing one writes too
            more = {
                name
                for name, f in methods.items()
                for call in ast.walk(f)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == "self"
                and call.func.attr in writing
            } - writing
            if not more:
                break
            writing |= more
        found[cls.name] = writing
    return found


def _table_writes() -> dict[str, set[str]]:
    """Attribute of the store (`posts`, `reminders`, ...) -> the writing methods of its table."""
    by_class: dict[str, set[str]] = {}
    trees = list(_trees("storage"))
    for path, tree in trees:
        by_class |= _writing_methods(tree, path.read_text())
    tables: dict[str, set[str]] = {}
    for _, tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in by_class
                and len(node.targets) == 1
                and isinstance(target := node.targets[0], ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                tables[target.attr] = by_class[node.value.func.id]
    return tables


def test_the_rule_sees_the_table_objects() -> None:
    tables = _table_writes()
    assert {"mark_clean", "forget"} <= tables["posts"]
    assert {"claim", "release"} <= tables["reminders"]
    assert "get" not in tables["summaries"] and "save" in tables["summaries"]


def test_no_module_outside_storage_writes_to_a_table_object() -> None:
    tables = _table_writes()
    offenders = []
    for path, tree in _trees(*OUTSIDE_STORAGE):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if (
                isinstance(owner, ast.Attribute)
                and owner.attr in tables
                and node.func.attr in tables[owner.attr]
            ):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                offenders.append(f"{where} {owner.attr}.{node.func.attr}()")
    assert not offenders, "write through a Store method instead:\n" + "\n".join(sorted(offenders))


def test_the_desk_never_reaches_past_the_store_to_the_database() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _trees("bot")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "db"
        and (
            (isinstance(node.value, ast.Name) and node.value.id == "store")
            or (isinstance(node.value, ast.Attribute) and node.value.attr == "store")
        )
    ]
    assert not offenders, "add a Store method for it:\n" + "\n".join(offenders)
