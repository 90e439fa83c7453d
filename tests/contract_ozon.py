"""Ozon's answers drawn from the committed contracts of its spec, as its gateway sends them.

``tests/contracts/ozon_*.schema.json`` are made from swagger.json by
``scripts/contracts/ozon.py`` (tests/fakes/ozon's contracts; the spec's examples by
``scripts/contracts/ozon_examples.py``). The
spec describes protobuf messages; Ozon's gRPC-gateway JSON differs from it in two ways the
desk must read, so the drawing adds them: an int64 may come as a JSON string of digits (the
spec's own example sends `counter` as "1"), and any field may be `null` (the examples send
`customer`, `addressee` and `delivering_date` as null although no schema says nullable).
Leaves come from hypothesis-jsonschema's ``from_schema``; objects and arrays are composed
here, as tests/contract_orders.py does for the Market.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

CONTRACTS = Path(__file__).parent / "contracts"
INT64 = (-(2**63), 2**63 - 1)
_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": INT64}
_UNKNOWN = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just({"x": [1]})


def load(name: str) -> Any:
    return json.loads((CONTRACTS / name).read_text("utf-8"))


EXAMPLES = load("ozon_examples.json")


class Drawing:
    """Values of one contract as the gateway may send them."""

    def __init__(self, contract: dict[str, Any]) -> None:
        self.contract = contract
        self._definitions: dict[str, st.SearchStrategy[Any]] = {}
        self.root = self._value({"$ref": contract["$ref"]})  # an object, never null

    def definition(self, name: str) -> st.SearchStrategy[Any]:
        """Values of one component (never null), drawn lazily so recursion stays finite."""
        if name not in self._definitions:
            self._definitions[name] = st.deferred(
                lambda: self._value(self.contract["definitions"][name])
            )
        return self._definitions[name]

    def node(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        """A value of `schema`, or the null the gateway sends for an unset field."""
        return st.none() | self._value(schema)

    def _value(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in schema:
            return self.definition(schema["$ref"].removeprefix("#/definitions/"))
        kind = schema.get("type")
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object(schema)
        if kind == "array" or (kind is None and "items" in schema):
            return st.lists(self.node(schema.get("items", {})), max_size=4)
        if kind is None:
            return _UNKNOWN
        if kind == "integer" and schema.get("format") in _BOUNDS:
            low, high = _BOUNDS[schema["format"]]
            numbers = st.integers(min_value=low, max_value=high)
            return numbers | numbers.map(str) if schema["format"] == "int64" else numbers
        return from_schema(schema)

    def _object(self, schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        properties = {name: self.node(sub) for name, sub in schema.get("properties", {}).items()}
        known = st.fixed_dictionaries({}, optional=properties)
        names = st.text(max_size=12).filter(lambda name: name not in properties)
        unknown = st.dictionaries(names, _UNKNOWN, max_size=2)
        return st.builds(lambda extra, present: {**extra, **present}, unknown, known)


LISTS = Drawing(load("ozon_conditional_cancellation_list.schema.json"))
POSTINGS = Drawing(load("ozon_fbs_posting.schema.json"))
ROLES = Drawing(load("ozon_roles.schema.json")).root
REQUEST = LISTS.definition("GetConditionalCancellationListV2ResponseResult")  # a listed item
POSTING = POSTINGS.definition("v3FbsPostingDetail")  # the answer's `result`
PRODUCT = POSTINGS.definition("v3PostingProductDetail")
