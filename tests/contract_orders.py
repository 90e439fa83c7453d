"""Market orders drawn from the committed contract of the official spec, for hypothesis.

``tests/contracts/business_order.schema.json`` is made from the OpenAPI spec by
``scripts/make_contracts.py``, so a plain clone draws the same orders. hypothesis-jsonschema's
``from_schema`` draws every leaf (enums, strings with their format or pattern, numbers,
booleans); objects and arrays are composed here from the same contract, because
``from_schema`` re-canonicalises each nested object on every draw (about 0.3 s an order) and
cannot follow recursive refs (``RegionDTO.parent``). OpenAPI's ``int32``/``int64`` formats
bound integers, as the spec means them to.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from bot.domain.model import Order
from bot.market.orders import OrderFormatError, parse_business_order

CONTRACT = json.loads(
    (Path(__file__).parent / "contracts" / "business_order.schema.json").read_text("utf-8")
)

_INT_FORMATS = {"int32": 2**31, "int64": 2**63}
_OBJECT_KEYS = frozenset({"type", "properties", "required", "additionalProperties"})
_ARRAY_KEYS = frozenset({"type", "items", "minItems", "maxItems", "uniqueItems"})
_SUBSCHEMA_KEYS = frozenset({"properties", "items", "additionalProperties", "allOf", "oneOf"})
# Any JSON value, kept small: an unknown field's value is never read, only skipped.
_JSON = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just({"x": [1]})


def schema_strategy(schema: Any) -> st.SearchStrategy[Any]:
    """Values valid under `schema`, a node of the contract."""
    if schema is True or schema == {}:
        return _JSON
    if schema is False:
        return st.nothing()
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/definitions/")
        return st.deferred(lambda: _definition(name))
    if set(schema) == {"anyOf"}:
        return st.one_of([schema_strategy(branch) for branch in schema["anyOf"]])
    kind = schema.get("type")
    if isinstance(kind, list) and "enum" not in schema:
        return st.one_of([schema_strategy({**schema, "type": one}) for one in kind])
    if kind == "null":
        return st.none()
    if kind == "object":
        return _object(schema)
    if kind == "array":
        return _array(schema)
    if _SUBSCHEMA_KEYS & set(schema) or "anyOf" in schema:
        raise NotImplementedError(f"compose this schema here: {schema}")
    bound = _INT_FORMATS.get(schema.get("format", "")) if kind == "integer" else None
    if bound:
        schema = {
            **schema,
            "minimum": max(schema.get("minimum", -bound), -bound),
            "maximum": min(schema.get("maximum", bound - 1), bound - 1),
        }
    return from_schema(schema)


@functools.cache
def _definition(name: str) -> st.SearchStrategy[Any]:
    return schema_strategy(CONTRACT["definitions"][name])


def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    if set(schema) - _OBJECT_KEYS:
        raise NotImplementedError(f"object keywords: {sorted(set(schema) - _OBJECT_KEYS)}")
    properties = {name: schema_strategy(sub) for name, sub in schema["properties"].items()}
    required = schema.get("required", [])
    known = st.fixed_dictionaries(
        {name: properties[name] for name in required},
        optional={name: value for name, value in properties.items() if name not in required},
    )
    additional = schema.get("additionalProperties", True)
    if additional is False:
        return known
    names = st.text(max_size=12).filter(lambda name: name not in properties)
    unknown = st.dictionaries(names, schema_strategy(additional), max_size=2)
    return st.builds(lambda extra, present: {**extra, **present}, unknown, known)


def _array(schema: dict[str, Any]) -> st.SearchStrategy[list[Any]]:
    if set(schema) - _ARRAY_KEYS:
        raise NotImplementedError(f"array keywords: {sorted(set(schema) - _ARRAY_KEYS)}")
    return st.lists(
        schema_strategy(schema.get("items", True)),
        min_size=schema.get("minItems", 0),
        max_size=schema.get("maxItems"),
        unique_by=(lambda v: json.dumps(v, sort_keys=True)) if schema.get("uniqueItems") else None,
    )


ORDERS = schema_strategy({"$ref": CONTRACT["$ref"]})
VALIDATOR = jsonschema.Draft7Validator(CONTRACT)  # structure only: formats are drawn right


_POSITIVE_INT64 = st.integers(min_value=1, max_value=2**63 - 1)
# Orders with positive ids, as the Market gives them; the contract allows zero and negative
# ids too (no `minimum`): `test_any_valid_order_parses_with_its_ids` draws those.
STORABLE_ORDERS = st.builds(
    lambda data, order_id, campaign_id: {**data, "orderId": order_id, "campaignId": campaign_id},
    ORDERS,
    _POSITIVE_INT64,
    _POSITIVE_INT64,
)
# `items` and `offerName` have no upper bound in the contract, and shops do list dozens of
# long names; random draws seldom get that big, so this asks for it, cheaply: a few drawn
# items repeated, each name a drawn piece repeated. Every order is still valid.
_LONG_NAMES = st.builds(
    lambda piece, size: (piece * size)[:size],
    st.text(st.sampled_from("🧸&<>\"' Жw"), min_size=1, max_size=8) | st.text(min_size=1),
    st.integers(min_value=150, max_value=400),
)
_LONG_ITEMS = st.builds(
    lambda item, name: {**item, "offerName": name},
    _definition("BusinessOrderItemDTO"),
    _LONG_NAMES,
)
BIG_ORDERS = st.builds(
    lambda data, items, count: {**data, "items": [items[n % len(items)] for n in range(count)]},
    STORABLE_ORDERS,
    st.lists(_LONG_ITEMS, min_size=1, max_size=3),
    st.integers(min_value=20, max_value=100),
)


def parsed(data: dict[str, Any]) -> Order:
    """The order as the desk keeps it; one the parser refuses is never shown, so skip it.

    `test_any_valid_order_parses_with_its_ids` is the test that fails for such orders.
    """
    try:
        order = parse_business_order(data)
    except OrderFormatError:
        reject()
    assert (order.order_id, order.campaign_id) == (data["orderId"], data["campaignId"])
    return order
