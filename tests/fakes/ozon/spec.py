"""The Ozon contracts (tests/contracts/ozon_*.schema.json) read as the gateway writes them.

The committed contracts are facts of swagger.json only. Ozon's gRPC gateway writes some
values differently from what the schemas type, and the fake follows the gateway:

- int64 (``"type": "integer", "format": "int64"``) is a decimal JSON string, as protojson
  writes int64 (the spec's own example has ``"counter": "1"``); requests may send either a
  number or such a string, which protojson reads both.
- a message-typed field (an object) and a time (``"format": "date-time"``, a protobuf
  Timestamp) may be ``null`` when unset: the spec's examples have ``"customer": null``,
  ``"addressee": null``, ``"delivering_date": null``, ``"barcodes": null``.

`WireSpec` builds jsonschema validators from the contracts with those readings, and with
``additionalProperties: false`` on every object, so a misspelt field of the fake's answers
or of a client's request is caught (the request side is stricter than the real gateway,
which may ignore unknown fields). `encode_int64` writes the int64 fields of an answer as
strings.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from scripts.contracts.ozon import OZON_CONTRACTS, OZON_ERROR, OZON_OPERATIONS, OzonOperation
from tests.fakes.paths import REPO

__all__ = ["CONTRACTS", "OPERATIONS", "WireSpec", "encode_int64", "load_spec", "read_contract"]

CONTRACTS = REPO / "tests" / "contracts"
OPERATIONS: dict[str, OzonOperation] = OZON_OPERATIONS
_DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+$"}


def read_contract(name: str, directory: Path = CONTRACTS) -> dict[str, Any]:
    """One committed contract, as generated from swagger.json."""
    return json.loads((directory / name).read_text(encoding="utf-8"))


def _is_int64(node: dict[str, Any]) -> bool:
    return node.get("type") == "integer" and node.get("format") == "int64"


def _wire(node: Any, *, answer: bool) -> Any:
    """`node` with the gateway's readings (see the module docstring)."""
    if isinstance(node, list):
        return [_wire(item, answer=answer) for item in node]
    if not isinstance(node, dict):
        return node
    if _is_int64(node):
        return {"anyOf": [{"type": "integer"}, _DECIMAL]}
    out = {key: _wire(value, answer=answer) for key, value in node.items()}
    if "properties" in node:
        out["properties"] = {
            name: _nullable(_wire(sub, answer=answer)) if answer else _wire(sub, answer=answer)
            for name, sub in node["properties"].items()
        }
        out.setdefault("additionalProperties", False)
    return out


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """A message or a Timestamp may be null; scalars and repeated fields never are."""
    if "$ref" in node or node.get("format") == "date-time":
        return {"anyOf": [node, {"type": "null"}]}
    return node


def wire_schema(contract: dict[str, Any], *, answer: bool) -> dict[str, Any]:
    """The contract as the gateway reads (answer=False) or writes (answer=True) it."""
    return _wire(copy.deepcopy(contract), answer=answer)


def encode_int64(contract: dict[str, Any], payload: Any) -> Any:
    """`payload` with every int64 field of `contract` written as a decimal string."""
    definitions = contract.get("definitions", {})

    def walk(schema: dict[str, Any], value: Any) -> Any:
        while "$ref" in schema:
            schema = definitions[schema["$ref"].removeprefix("#/definitions/")]
        if _is_int64(schema) and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, dict):
            props = schema.get("properties", {})
            return {k: walk(props[k], v) if k in props else v for k, v in value.items()}
        if isinstance(value, list) and "items" in schema:
            return [walk(schema["items"], item) for item in value]
        return value

    return walk(contract, payload)


def _format_error(error: Any) -> str:
    where = ".".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


class WireSpec:
    """Validators of the fake's operations: requests as read, answers as written."""

    def __init__(self, directory: Path = CONTRACTS) -> None:
        self.contracts = {name: read_contract(name, directory) for name in OZON_CONTRACTS}
        self._lock = threading.Lock()
        self._requests = {name: self._validator(name, answer=False) for name in OZON_CONTRACTS}
        self._answers = {name: self._validator(name, answer=True) for name in OZON_CONTRACTS}

    def _validator(self, name: str, *, answer: bool) -> Draft7Validator:
        schema = wire_schema(self.contracts[name], answer=answer)
        return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)

    def request_errors(self, contract: str, body: Any) -> list[str]:
        """Why `body` is not a valid request of `contract` (empty: it is valid)."""
        with self._lock:
            return [_format_error(e) for e in self._requests[contract].iter_errors(body)]

    def answer_errors(self, contract: str | None, status: int, payload: Any) -> list[str]:
        """Why `payload` is not a valid `status` answer (a 200 of `contract`, or else the
        spec's `rpcStatus`); a 200 without a contract must be the empty object."""
        if status != 200:
            contract = OZON_ERROR
        if contract is None:
            return [] if payload == {} else [f"expected {{}}, got {payload!r}"]
        with self._lock:
            return [_format_error(e) for e in self._answers[contract].iter_errors(payload)]

    def encode(self, contract: str | None, payload: Any) -> Any:
        """A 200 answer as the gateway writes it (int64 as strings)."""
        return payload if contract is None else encode_int64(self.contracts[contract], payload)


_spec: WireSpec | None = None
_spec_lock = threading.Lock()


def load_spec() -> WireSpec:
    """The committed contracts, parsed once per process."""
    global _spec
    with _spec_lock:
        if _spec is None:
            _spec = WireSpec()
        return _spec
