"""The committed contracts are what scripts/make_contracts.py makes of the specs.

The specs are not part of the repository; without them beside the repository root the
currency check is skipped (the only test that needs them), and the committed contracts
are used as they are: the order schemas by the fuzz tests, market-openapi.json and
telegram-bot-api.json by the strict fakes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scripts import contracts as generator

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "tests" / "contracts"


def test_committed_contracts_match_the_spec(tmp_path: Path) -> None:
    specs = (generator.DEFAULT_SPEC / "openapi.yaml", generator.DEFAULT_TELEGRAM)
    absent = [str(path) for path in specs if not path.is_file()]
    if absent:
        pytest.skip(f"the specs are not beside the repository: {absent}")
    fresh = generator.generate(generator.DEFAULT_SPEC, tmp_path)
    assert sorted(path.name for path in fresh) == sorted(generator.FILES)
    stale = [
        path.name
        for path in fresh
        if not (CONTRACTS / path.name).is_file()
        or (CONTRACTS / path.name).read_bytes() != path.read_bytes()
    ]
    assert not stale, f"stale contracts, run `python scripts/make_contracts.py`: {stale}"


def test_committed_ozon_contracts_match_the_spec(tmp_path: Path) -> None:
    if not generator.DEFAULT_OZON.is_file():
        pytest.skip(f"Ozon's spec is not beside the repository: {generator.DEFAULT_OZON}")
    fresh = generator.generate_ozon(generator.DEFAULT_OZON, tmp_path)
    assert sorted(path.name for path in fresh) == sorted(generator.OZON_FILES)
    stale = [
        path.name
        for path in fresh
        if not (CONTRACTS / path.name).is_file()
        or (CONTRACTS / path.name).read_bytes() != path.read_bytes()
    ]
    assert not stale, f"stale contracts, run `python scripts/make_contracts.py`: {stale}"


def test_ozon_contracts_are_the_operations_of_the_spec() -> None:
    """Each served path's body and 200 answer are the contracts' roots in swagger.json, and
    the fake serves exactly those paths."""
    from tests.fakes.ozon.spec import OPERATIONS

    if not generator.DEFAULT_OZON.is_file():
        pytest.skip(f"Ozon's spec is not beside the repository: {generator.DEFAULT_OZON}")
    spec = json.loads(generator.DEFAULT_OZON.read_text(encoding="utf-8"))
    generator.check_operations(spec)
    assert OPERATIONS == generator.OZON_OPERATIONS
    named = {n for op in OPERATIONS.values() for n in (op.request, op.answer) if n}
    assert named | {generator.OZON_ERROR} == set(generator.OZON_FILES)


def test_contracts_are_self_contained() -> None:
    """Every ref is local and names a definition, so no spec file is needed to use them."""
    for name in (*generator.CONTRACTS, *generator.OZON_FILES):
        text = (CONTRACTS / name).read_text(encoding="utf-8")
        schema = json.loads(text)
        refs = _refs(schema)
        assert refs, name
        for ref in refs:
            assert ref.startswith("#/definitions/"), (name, ref)
            assert ref.removeprefix("#/definitions/") in schema["definitions"], (name, ref)


def test_the_fakes_use_the_committed_contracts() -> None:
    """By default (no override in the environment) the fakes read tests/contracts."""
    from tests.fakes.market.spec import CONTRACT as MARKET_CONTRACT
    from tests.fakes.market.spec import SPEC_ENV, spec_path
    from tests.fakes.telegram.spec import CONTRACT as TELEGRAM_CONTRACT
    from tests.fakes.telegram.spec import SPEC_PATH

    assert MARKET_CONTRACT == CONTRACTS / generator.MARKET_OPENAPI
    assert TELEGRAM_CONTRACT == CONTRACTS / generator.TELEGRAM_BOT_API
    if not os.environ.get(SPEC_ENV):
        assert spec_path() == MARKET_CONTRACT
    if not os.environ.get("TELEGRAM_API_SPEC"):
        assert SPEC_PATH == TELEGRAM_CONTRACT


def test_contracts_cover_what_the_fakes_implement() -> None:
    """The generator's lists of operations and methods are the fakes' own."""
    from tests.fakes.market import FakeMarket
    from tests.fakes.telegram import IMPLEMENTED_METHODS

    with FakeMarket() as market:
        assert set(market.handlers) == generator.MARKET_OPERATIONS
    assert IMPLEMENTED_METHODS == generator.TELEGRAM_METHODS
    market_doc = json.loads((CONTRACTS / generator.MARKET_OPENAPI).read_text(encoding="utf-8"))
    served = {
        op["operationId"]
        for item in market_doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op and "x-resource-id" in op
    }
    assert served == generator.MARKET_OPERATIONS
    assert _local_refs(market_doc, "#/components/")
    for ref in _local_refs(market_doc, "#/components/"):
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in market_doc["components"][kind], ref
    bot_api = json.loads((CONTRACTS / generator.TELEGRAM_BOT_API).read_text(encoding="utf-8"))
    for name in generator.TELEGRAM_METHODS:
        assert "fields" in bot_api["methods"][name], name


def _local_refs(node: object, prefix: str) -> list[str]:
    refs = _refs(node)
    assert all(ref.startswith(prefix) for ref in refs), [
        r for r in refs if not r.startswith(prefix)
    ]
    return refs


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
