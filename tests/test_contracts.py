"""The committed Market contracts are what scripts/make_contracts.py makes of the spec.

The spec is not part of the repository; without it beside the repository root the check
is skipped, and the committed contracts are used as they are.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "tests" / "contracts"
SCRIPT = ROOT / "scripts" / "make_contracts.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_contracts", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_contracts_match_the_spec(tmp_path: Path) -> None:
    generator = _generator()
    if not (generator.DEFAULT_SPEC / "openapi.yaml").is_file():
        pytest.skip(f"the Market spec is not at {generator.DEFAULT_SPEC}")
    fresh = generator.generate(generator.DEFAULT_SPEC, tmp_path)
    assert sorted(path.name for path in fresh) == sorted(generator.CONTRACTS)
    stale = [
        path.name
        for path in fresh
        if not (CONTRACTS / path.name).is_file()
        or (CONTRACTS / path.name).read_bytes() != path.read_bytes()
    ]
    assert not stale, f"stale contracts, run `python scripts/make_contracts.py`: {stale}"


def test_contracts_are_self_contained() -> None:
    """Every ref is local and names a definition, so no spec file is needed to use them."""
    for name in _generator().CONTRACTS:
        text = (CONTRACTS / name).read_text(encoding="utf-8")
        schema = json.loads(text)
        refs = _refs(schema)
        assert refs, name
        for ref in refs:
            assert ref.startswith("#/definitions/"), (name, ref)
            assert ref.removeprefix("#/definitions/") in schema["definitions"], (name, ref)


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
