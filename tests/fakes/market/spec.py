"""The Market Partner API contract (tests/contracts/market-openapi.json), loaded once per process.

The contract is the official spec (``../shared/market-openapi``) reduced by
``scripts/make_contracts.py`` to the operations the fake implements, so a plain clone has
it; $MARKET_OPENAPI_SPEC may point at another contract (.json) or at a full spec's
openapi.yaml, which is then reduced the same way on load.

openapi-core validates requests (unknown body fields rejected); answers and order DTOs are
checked by jsonschema validators built from bundled copies of the spec's schema files,
which is much faster. `MarketSpec` also routes paths to operations and reads their
metadata: scopes, resource limits, query parameters.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import RequestBodyValidationError
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from starlette.datastructures import Headers, QueryParams

from tests.fakes.paths import REPO

__all__ = [
    "CONTRACT",
    "SPEC_ENV",
    "MarketSpec",
    "OpenAPIRequest",
    "Operation",
    "describe_validation",
    "load_spec",
    "read_contract",
    "spec_path",
]

SPEC_ENV = "MARKET_OPENAPI_SPEC"
"""Environment variable overriding the contract: a .json contract or a spec's openapi.yaml."""

CONTRACT = REPO / "tests" / "contracts" / "market-openapi.json"
"""The committed contract, made by scripts/make_contracts.py."""

SERVER_URL = "https://api.partner.market.yandex.ru"
_PERIOD_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_SCHEMAS = "#/components/schemas/"


def spec_path() -> Path:
    """The contract the fake validates against: $MARKET_OPENAPI_SPEC or the committed one."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    return CONTRACT


def read_contract(path: Path) -> dict[str, Any]:
    """The document at `path`: a contract as it is, a full spec's openapi.yaml reduced."""
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    from scripts.contracts import market_openapi

    return market_openapi(path.parent)


def _pointer(document: Any, ref: str) -> Any:
    """The node a local ``#/a/b`` ref names."""
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@dataclass(frozen=True)
class Operation:
    operation_id: str
    template: str
    method: str
    scopes: frozenset[str]
    resource_id: int
    limit: int
    period: int
    responses: frozenset[int]
    query: frozenset[str]
    truncate: dict[str, int]
    has_body: bool


class MarketSpec:
    """The parsed spec: openapi-core for requests, a router, operation metadata and fast
    jsonschema validators for answers and order DTOs.

    `document` is one self-contained OpenAPI 3.0 document whose refs are all
    ``#/components/...``: the committed contract, or the full spec reduced the same way.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        # The document is generated from the official spec; skipping its self-validation
        # makes loading faster. Unknown request body fields are rejected ("forbid" policy).
        self.requests = OpenAPI.from_dict(
            document,
            config=Config(spec_validator_cls=None, additional_properties_default_policy="forbid"),
        )
        self.lock = threading.RLock()
        self._document = document
        self._paths: dict[str, Any] = document["paths"]
        self._operations: dict[tuple[str, str], Operation | None] = {}
        self._validators: dict[tuple[str, str, int], Any] = {}
        self._routes: list[tuple[int, re.Pattern[str], str]] = []
        for template in self._paths:
            segments = template.strip("/").split("/")
            pattern = "/".join(
                "([^/]+)" if seg.startswith("{") else re.escape(seg) for seg in segments
            )
            params = sum(seg.startswith("{") for seg in segments)
            self._routes.append((params, re.compile(f"/{pattern}"), template))
        self._routes.sort(key=lambda route: route[0])
        self._order_validator = self._bundle({"$ref": f"{_SCHEMAS}BusinessOrderDTO"})

    def _deref(self, node: Any) -> Any:
        """Follow a (non-schema) ``#/components/...`` $ref."""
        while isinstance(node, dict) and "$ref" in node:
            node = _pointer(self._document, node["$ref"])
        return node

    def _bundle(self, schema: Any) -> Any:
        """A jsonschema validator for an OAS 3.0 schema with its component schemas.

        Every referenced component schema becomes a local definition. Definitions with
        `properties`, no composition and no allOf use anywhere get
        `additionalProperties: false`, catching misspelt fields of the fake's DTOs.
        """
        definitions: dict[str, Any] = {}
        composed: set[str] = set()

        def walk(node: Any, in_all_of: bool = False) -> Any:
            if isinstance(node, list):
                return [walk(item, in_all_of) for item in node]
            if not isinstance(node, dict):
                return node
            if "$ref" in node:
                ref = node["$ref"]
                if not ref.startswith(_SCHEMAS):
                    raise RuntimeError(f"not a component schema: {ref}")
                key = ref.removeprefix(_SCHEMAS)
                if in_all_of:
                    composed.add(key)
                if key not in definitions:
                    definitions[key] = {}  # recursion guard (RegionDTO.parent)
                    definitions[key] = walk(_pointer(self._document, ref))
                return {"$ref": f"#/definitions/{key}"}
            return {key: walk(value, key == "allOf") for key, value in node.items()}

        root = walk(schema)
        for key, definition in definitions.items():
            if (
                key not in composed
                and "properties" in definition
                and not {"allOf", "anyOf", "oneOf", "additionalProperties"} & definition.keys()
            ):
                definition["additionalProperties"] = False
        document = {"definitions": definitions, "allOf": [root]}
        return OAS30ReadValidator(document, format_checker=oas30_format_checker)

    def match(self, path: str) -> str | None:
        """The spec path template matching `path`, literal segments winning."""
        for _, regex, template in self._routes:
            if regex.fullmatch(path):
                return template
        return None

    def operation(self, template: str, method: str) -> Operation | None:
        """Metadata of one operation, or None when the path has no such method."""
        key = (template, method)
        with self.lock:
            if key not in self._operations:
                self._operations[key] = self._load_operation(template, method)
            return self._operations[key]

    def _load_operation(self, template: str, method: str) -> Operation | None:
        path_item = self._paths[template]
        raw = path_item.get(method)
        if raw is None:
            return None
        limits = raw.get("x-resource-limit-config", {}).get("none", {})
        period = _PERIOD_SECONDS[limits.get("period", "hours")] * int(
            limits.get("period-duration", 1)
        )
        query: set[str] = set()
        truncate: dict[str, int] = {}
        for ref in [*path_item.get("parameters", ()), *raw.get("parameters", ())]:
            param = self._deref(ref)
            if param["in"] != "query":
                continue
            query.add(param["name"])
            query.update(param.get("x-aliases", ()))
            if param.get("x-transform") == "truncateLimit":
                truncate[param["name"]] = int(param["schema"]["maximum"])
        return Operation(
            operation_id=raw["operationId"],
            template=template,
            method=method,
            scopes=frozenset(raw.get("x-auth-scopes", ())),
            resource_id=int(raw.get("x-resource-id", 0)),
            limit=int(limits.get("amount", 1000)),
            period=period,
            responses=frozenset(int(code) for code in raw["responses"] if str(code).isdigit()),
            query=frozenset(query),
            truncate=truncate,
            has_body="requestBody" in raw,
        )

    def response_errors(self, op: Operation, status: int, payload: Any) -> list[str]:
        """Why `payload` is not a valid `status` answer of `op` (empty: it is valid)."""
        key = (op.template, op.method, status)
        with self.lock:
            validator = self._validators.get(key)
            if validator is None:
                responses = self._paths[op.template][op.method]["responses"]
                response = self._deref(responses[str(status)])
                schema = response["content"]["application/json"]["schema"]
                validator = self._validators[key] = self._bundle(schema)
        return _jsonschema_errors(validator, payload)

    def validate_schema(self, name: str, value: dict[str, Any]) -> None:
        """Raise ValueError unless `value` is a valid instance of component schema `name`."""
        with self.lock:
            errors = _jsonschema_errors(self._bundle({"$ref": f"{_SCHEMAS}{name}"}), value)
        if errors:
            raise ValueError(f"invalid {name}: {'; '.join(errors)}")

    def validate(self, name: str, value: dict[str, Any]) -> None:
        """The simulator engine's check: orders strictly, other schemas as the spec has them."""
        if name == "BusinessOrderDTO":
            self.validate_order(value)
        else:
            self.validate_schema(name, value)

    def validate_order(self, order: dict[str, Any]) -> None:
        """Raise ValueError unless `order` is a valid BusinessOrderDTO (no unknown fields)."""
        with self.lock:
            errors = _jsonschema_errors(self._order_validator, order)
        if errors:
            raise ValueError(
                f"invalid BusinessOrderDTO {order.get('orderId')}: {'; '.join(errors)}"
            )


def _format_error(error: Any) -> str:
    """`a.b.0: message` for a jsonschema ValidationError."""
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def _jsonschema_errors(validator: Any, value: Any) -> list[str]:
    return [_format_error(error) for error in validator.iter_errors(value)]


_spec: MarketSpec | None = None
_spec_lock = threading.Lock()


def load_spec() -> MarketSpec:
    global _spec
    with _spec_lock:
        if _spec is None:
            path = spec_path()
            if not path.is_file():
                raise FileNotFoundError(f"Market contract not found at {path} (${SPEC_ENV})")
            _spec = MarketSpec(read_contract(path))
        return _spec


def _schema_errors(exc: BaseException) -> str:
    errors = getattr(exc, "schema_errors", None) or ()
    return "; ".join(_format_error(error) for error in errors) or str(exc)


def describe_validation(errors: list[Exception]) -> str:
    """A readable message for openapi-core request errors."""
    messages = []
    for exc in errors:
        head = (
            "Request body validation error"
            if isinstance(exc, RequestBodyValidationError) and exc.__cause__ is not None
            else str(exc)
        )
        cause = exc.__cause__
        if isinstance(cause, InvalidSchemaValue):
            messages.append(f"{head}: {_schema_errors(cause)}")
        elif isinstance(cause, CastError):
            messages.append(f"{head}: cannot cast {cause.value!r} to {cause.type}")
        elif cause is not None:
            messages.append(f"{head}: {cause}")
        else:
            messages.append(head)
    return "; ".join(messages)


class OpenAPIRequest:
    """The openapi-core Request protocol over a request to the fake."""

    def __init__(
        self, method: str, path: str, query: QueryParams, headers: Headers, body: bytes
    ) -> None:
        self.host_url = SERVER_URL
        self.path = path
        self.method = method.lower()
        self.parameters = RequestParameters(query=query, header=headers)
        self.body = body or None
        self.content_type = (headers.get("content-type") or "application/json").lower()
