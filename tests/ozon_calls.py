"""The fake Ozon's self-tests' shared parts: its sellers, a client, and checking answers.

Every answer the fake sends in those tests is checked twice: by the fake itself against the
contracts as the gateway writes them (a fixture error fails `stop()`), and by the `ozon`
fixture here against the committed contracts as they are, once the gateway's readings
(int64 as strings, null for unset) are undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator

from tests.fakes.ozon import DROP, FakeOzon
from tests.fakes.ozon.spec import OPERATIONS, read_contract

SELLER, OTHER = 101, 202
LIST = "/v2/conditional-cancellation/list"
APPROVE = "/v2/conditional-cancellation/approve"
REJECT = "/v2/conditional-cancellation/reject"
POSTING = "/v3/posting/fbs/get"
ROLES = "/v1/roles"
DEADLINE = datetime(2026, 8, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def ozon() -> Iterator[FakeOzon]:
    with FakeOzon(keys={"key-a": SELLER, "key-a2": SELLER, "key-b": OTHER}) as fake:
        yield fake
        for call in fake.calls():
            assert_facts(call.path, call.status, call.answer)


def client(fake: FakeOzon, client_id: int | str = SELLER, key: str = "key-a") -> httpx.Client:
    headers = {"Client-Id": str(client_id), "Api-Key": key}
    return httpx.Client(base_url=fake.url, headers=headers, timeout=5)


@pytest.fixture
def seller(ozon: FakeOzon) -> Iterator[httpx.Client]:
    with client(ozon) as c:
        yield c


def assert_facts(path: str, status: int, answer: Any) -> None:
    """`answer` is valid against the committed contract, the gateway's readings undone."""
    name = OPERATIONS[path].answer if status == 200 else "ozon_rpc_status.schema.json"
    if name is None or status == DROP:
        assert status == DROP or answer == {}
        return
    contract = read_contract(name)
    validator = Draft7Validator(contract, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(undo_wire(contract, contract, answer))]
    assert not errors, (path, errors)


def undo_wire(contract: dict, schema: dict, value: Any) -> Any:
    while "$ref" in schema:
        schema = contract["definitions"][schema["$ref"].removeprefix("#/definitions/")]
    if schema.get("format") == "int64" and schema.get("type") == "integer":
        assert isinstance(value, str) and value.lstrip("-").isdigit(), value
        return int(value)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        return {
            k: undo_wire(contract, props.get(k, {}), v) for k, v in value.items() if v is not None
        }
    if isinstance(value, list):
        return [undo_wire(contract, schema.get("items", {}), item) for item in value]
    return value


def listed(c: httpx.Client, **body: Any) -> dict[str, Any]:
    response = c.post(LIST, json={"limit": 500, **body})
    assert response.status_code == 200, response.text
    return response.json()


def refusal(response: httpx.Response, status: int) -> tuple[int, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["details"] == []
    return body["code"], body["message"]
