"""The Ozon Seller API contracts: the schemas of the operations the desk calls, from swagger.json.

Ozon publishes one OpenAPI 3.0 document (``../shared/ozon-openapi/swagger.json``) whose refs
are all ``#/components/schemas/<name>``. Each contract is one root schema with every schema it
reaches as a draft-07 ``definitions`` entry of the same name, keeping only the constraints
(``schemas.FACTS``), as the Market's order schemas are made. ``OZON_OPERATIONS`` names the
request and 200 schemas of each operation; generating fails when the spec no longer says so.

Two spec defects are mended, and only these (a fact-preserving reading, not an invention):

- ``v3PostingProductDetail.jw_uin`` has ``"type": "array of strings"``, which is not a JSON
  Schema type: it becomes an array of strings.
- ``v3Addressee.phone`` has ``"pattern": " +7(XXX)XXX-XX-XX"``, a display mask rather than a
  regular expression (no real number matches it): the pattern is dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from .schemas import DRAFT, FACTS, PROSE, SUBSCHEMA, SUBSCHEMA_LISTS

_SCHEMAS = "#/components/schemas/"


class OzonOperation(NamedTuple):
    """One operation of the fake: its id, and its request and 200 answer contracts."""

    operation_id: str
    request: str | None  # contract file of the JSON body; None: the spec defines no body
    answer: str | None  # contract file of the 200 body; None: the spec defines no body


#: Contract file -> the root schema in swagger.json.
OZON_CONTRACTS = {
    "ozon_conditional_cancellation_list_request.schema.json": (
        "v2GetConditionalCancellationListV2Request"
    ),
    "ozon_conditional_cancellation_list.schema.json": "v2GetConditionalCancellationListV2Response",
    "ozon_conditional_cancellation_move_request.schema.json": (
        "v2ConditionalCancellationMoveV2Request"
    ),
    "ozon_fbs_posting_request.schema.json": "postingv3GetFbsPostingRequest",
    "ozon_fbs_posting.schema.json": "v3GetFbsPostingResponseV3",
    "ozon_roles.schema.json": "v1RolesByTokenResponse",
    "ozon_rpc_status.schema.json": "rpcStatus",
}
#: The error body of every non-200 answer (the spec's ``default`` and 4xx/5xx responses).
OZON_ERROR = "ozon_rpc_status.schema.json"
_MOVE = "ozon_conditional_cancellation_move_request.schema.json"
#: Path -> the operation tests/fakes/ozon serves there (all POST).
OZON_OPERATIONS = {
    "/v2/conditional-cancellation/list": OzonOperation(
        "CancellationAPI_GetConditionalCancellationListV2",
        "ozon_conditional_cancellation_list_request.schema.json",
        "ozon_conditional_cancellation_list.schema.json",
    ),
    "/v2/conditional-cancellation/approve": OzonOperation(
        "CancellationAPI_ConditionalCancellationApproveV2", _MOVE, None
    ),
    "/v2/conditional-cancellation/reject": OzonOperation(
        "CancellationAPI_ConditionalCancellationRejectV2", _MOVE, None
    ),
    "/v3/posting/fbs/get": OzonOperation(
        "PostingAPI_GetFbsPostingV3",
        "ozon_fbs_posting_request.schema.json",
        "ozon_fbs_posting.schema.json",
    ),
    "/v1/roles": OzonOperation("AccessAPI_RolesByToken", None, "ozon_roles.schema.json"),
}
_MENDED = {
    ("v3PostingProductDetail", "jw_uin"): {"type": "array", "items": {"type": "string"}},
    ("v3Addressee", "phone"): {"type": "string"},
}


def ozon_contracts(swagger: Path) -> dict[str, dict[str, Any]]:
    """Contract file name -> its draft-07 schema, made from Ozon's swagger.json."""
    document = json.loads(swagger.read_text(encoding="utf-8"))
    check_operations(document)
    schemas = document["components"]["schemas"]
    return {name: _contract(schemas, root) for name, root in OZON_CONTRACTS.items()}


def check_operations(document: dict[str, Any]) -> None:
    """Fail unless each operation's body and 200 schemas are still the contracts' roots."""
    for path, op in OZON_OPERATIONS.items():
        raw = document["paths"][path]["post"]
        if raw["operationId"] != op.operation_id:
            raise ValueError(f"{path}: operationId is now {raw['operationId']!r}")
        if _body_root(document, raw) != _root_of(op.request):
            raise ValueError(f"{path}: the request body schema changed")
        answer = raw["responses"]["200"].get("content", {}).get("application/json", {})
        if _ref_name(answer.get("schema")) != _root_of(op.answer):
            raise ValueError(f"{path}: the 200 answer schema changed")
        for status, response in raw["responses"].items():
            if status != "200" and _ref_name(_json_schema(response)) != "rpcStatus":
                raise ValueError(f"{path}: answer {status} is not rpcStatus")


def _root_of(contract: str | None) -> str | None:
    return None if contract is None else OZON_CONTRACTS[contract]


def _body_root(document: dict[str, Any], raw: dict[str, Any]) -> str | None:
    body = raw.get("requestBody")
    if body is None:
        return None
    if "$ref" in body:
        body = document["components"]["requestBodies"][body["$ref"].rsplit("/", 1)[-1]]
    return _ref_name(body["content"]["application/json"]["schema"])


def _json_schema(response: dict[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema")


def _ref_name(schema: Any) -> str | None:
    if not isinstance(schema, dict) or not schema.get("$ref", "").startswith(_SCHEMAS):
        return None
    return schema["$ref"].removeprefix(_SCHEMAS)


def _contract(schemas: dict[str, Any], root: str) -> dict[str, Any]:
    definitions: dict[str, Any] = {}

    def reference(name: str) -> dict[str, str]:
        if name not in definitions:
            definitions[name] = {}  # placeholder: a recursive ref stops here
            definitions[name] = convert(schemas[name], name)
        return {"$ref": f"#/definitions/{name}"}

    def convert(node: Any, owner: str) -> Any:
        if not isinstance(node, dict):
            raise ValueError(f"{owner}: a schema must be an object, got {node!r}")
        if "$ref" in node:
            name = _ref_name(node)
            if name is None:
                raise ValueError(f"{owner}: unsupported $ref {node['$ref']!r}")
            return reference(name)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in PROSE or key.startswith("x-"):
                continue
            if key not in FACTS:
                raise ValueError(f"{owner}: unknown schema keyword {key!r}")
            if key == "properties":
                out[key] = {
                    prop: _MENDED.get((owner, prop)) or convert(sub, owner)
                    for prop, sub in value.items()
                }
            elif key in SUBSCHEMA:
                out[key] = convert(value, owner)
            elif key in SUBSCHEMA_LISTS:
                out[key] = [convert(sub, owner) for sub in value]
            else:
                out[key] = value
        return out

    ref = reference(root)
    return {"$schema": DRAFT, **ref, "definitions": dict(sorted(definitions.items()))}
