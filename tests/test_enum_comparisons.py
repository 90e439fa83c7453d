"""States and results are compared as enums, never as bare strings.

`request.state == "pending"` holds only while the enum's value is that word: a renamed
member makes it silently false. Read from the source (nothing imported).
"""

from __future__ import annotations

import ast

import pytest

from tests.source_tree import Source, cases, report, sources

#: Names that hold one of the desk's enums (RequestState, DecisionResult, Decision, Basis,
#: Outcome, Kind, Stage, Effect, Tap, Audience, Lane, Listing, Refusal, Admission), as an
#: attribute, a variable or a key: `request.state`, `result`, `detail["result"]`. A
#: `status` is left out: it is the Market's order status or Telegram's member status,
#: strings in their APIs that the desk reads at the edge.
ENUM_NAMES = frozenset(
    {
        "state", "result", "outcome", "decision", "basis", "kind", "stage", "effect",
        "tap", "audience", "lane", "listing", "refusal", "admission",
    }
)  # fmt: skip


def _named(node: ast.expr) -> str | None:
    """The name `node` reads a value by: an attribute, a variable, a key or .get(key)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    key = None
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        key = node.args[0] if node.func.attr == "get" and node.args else None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _holds_an_enum(node: ast.expr) -> bool:
    name = (_named(node) or "").lower()
    return any(name == word or name.endswith(f"_{word}") for word in ENUM_NAMES)


def _strings(node: ast.expr | ast.pattern) -> bool:
    """A string literal, or a tuple, list or set of them (`in ("ok", "failed")`)."""
    if isinstance(node, ast.MatchValue):
        node = node.value
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_strings(element) for element in node.elts)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _compared_with_strings(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        return any(_holds_an_enum(s) for s in sides) and any(_strings(s) for s in sides)
    if isinstance(node, ast.Match):
        patterns = [case.pattern for case in node.cases]
        return _holds_an_enum(node.subject) and any(_strings(p) for p in patterns)
    return False


@pytest.mark.parametrize("files", cases(sources("bot", "storage")))
def test_states_and_results_are_compared_as_enums(files: list[Source]) -> None:
    broken = [
        f"{source.name}:{node.lineno}: {ast.unparse(node).splitlines()[0][:80]}"
        for source in files
        for node in source.nodes
        if _compared_with_strings(node)
    ]
    assert not broken, report(
        "a state or result compared with a bare string; compare with the enum's member "
        "(RequestState.PENDING, DecisionResult.OK, ...), typing the field as the enum where "
        "it is read",
        broken,
    )
