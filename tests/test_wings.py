"""The wings of bot/: each says in its docstring what it may import, and imports no more.

A new dependency between wings is a decision, made by changing the wing's docstring (and
so this rule) in the same commit, never a side effect of a merge.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.source_tree import ROOT, imports, report, sources

WINGS = ("domain", "market", "ozon", "intake", "chat", "team", "owner", "ops")
ROOT_MODULES = "the root modules"


def _wing(module: str) -> str | None:
    """The wing a module of bot/ belongs to; "root" for bot/*.py; None outside bot/."""
    parts = module.split(".")
    if parts[0] != "bot":
        return None
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / "bot" / parts[1]).is_dir()):
        return parts[1]
    return "root"


def _allowed(wing: str) -> set[str]:
    """What the wing's docstring lets it import, from its `May import:` sentence."""
    tree = ast.parse((ROOT / "bot" / wing / "__init__.py").read_text())
    text = " ".join((ast.get_docstring(tree) or "").split())
    said = re.search(r"May import: (.*?)\.(?: |$)", text)
    assert said, f"bot/{wing}/__init__.py must say what the wing may import ('May import: ...')"
    if said.group(1).startswith("nothing else of the desk"):
        return {wing}
    allowed = {wing}
    for word in re.findall(r"[a-z][a-z ]*[a-z]", re.sub(r"\(.*?\)", "", said.group(1))):
        allowed.add("root" if word == ROOT_MODULES else word)
    unknown = allowed - {*WINGS, "root"}
    assert not unknown, f"bot/{wing}/__init__.py names no wing {sorted(unknown)}"
    return allowed


@pytest.mark.parametrize("wing", WINGS)
def test_a_wing_imports_only_what_its_docstring_allows(wing: str) -> None:
    allowed = _allowed(wing)
    broken = [
        f"{source.name}:{found.line}: imports {found.target} ({_wing(found.target)})"
        for source in sources(f"bot/{wing}")
        for found in imports(source)
        if _wing(found.target) not in (None, *allowed)
    ]
    assert not broken, report(
        f"bot/{wing} may import {sorted(allowed)} (its docstring); pass the value in, move the "
        "module, or change the docstring deliberately",
        broken,
    )


def test_every_folder_of_bot_is_a_wing_with_its_rule() -> None:
    folders = {path.name for path in (ROOT / "bot").iterdir() if (path / "__init__.py").exists()}
    assert folders - {"demo"} == set(WINGS), "a new wing needs a line in WINGS and a docstring"


@pytest.mark.parametrize("wing", WINGS)
def test_no_wing_is_a_crowd(wing: str) -> None:
    modules = [path for path in (ROOT / "bot" / wing).glob("*.py") if path.name != "__init__.py"]
    assert len(modules) <= 20, (
        f"bot/{wing} holds {len(modules)} modules: split it by what they serve"
    )
