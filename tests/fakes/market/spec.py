"""The official Market Partner API spec (openapi.yaml), loaded once per process.

openapi-core validates requests (unknown body fields rejected); answers and order DTOs are
checked by jsonschema validators built from bundled copies of the spec's schema files,
which is much faster. `MarketSpec` also routes paths to operations and reads their
metadata: scopes, resource limits, query parameters.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import RequestBodyValidationError
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from starlette.datastructures import Headers, QueryParams

from tests.fakes.paths import SHARED

__all__ = [
    "SPEC_ENV",
    "MarketSpec",
    "OpenAPIRequest",
    "Operation",
    "describe_validation",
    "load_spec",
    "spec_path",
]

SPEC_ENV = "MARKET_OPENAPI_SPEC"
"""Environment variable overriding the path of the spec's openapi.yaml."""

SERVER_URL = "https://api.partner.market.yandex.ru"
_PERIOD_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def spec_path() -> Path:
    """Where openapi.yaml of the official spec is: $MARKET_OPENAPI_SPEC or ../shared."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    return SHARED / "market-openapi" / "openapi" / "openapi.yaml"


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
    jsonschema validators for answers and order DTOs."""

    def __init__(self, path: Path) -> None:
        # The spec is official; skipping its self-validation makes loading ~50x faster.
        # Unknown request body fields are rejected ("forbid" policy).
        self.requests = OpenAPI.from_file_path(
            str(path),
            config=Config(spec_validator_cls=None, additional_properties_default_policy="forbid"),
        )
        self.lock = threading.RLock()
        self._yaml: dict[Path, Any] = {}
        self._root = path.resolve()
        self._paths: dict[str, Any] = self._load(self._root)["paths"]
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
        order_file = self._root.parent / "components" / "schemas" / "BusinessOrderDTO.yaml"
        self._order_validator = self._bundle({"$ref": order_file.name}, order_file.parent)

    def _load(self, path: Path) -> Any:
        with self.lock:
            if path not in self._yaml:
                with path.open(encoding="utf-8") as fh:
                    self._yaml[path] = yaml.load(fh, Loader=_YamlLoader)
            return self._yaml[path]

    def _deref(self, node: Any, base: Path) -> tuple[Any, Path]:
        """Follow a (non-schema) $ref to another file: (content, its directory)."""
        while isinstance(node, dict) and "$ref" in node:
            target = (base / node["$ref"]).resolve()
            node, base = self._load(target), target.parent
        return node, base

    def _bundle(self, schema: Any, base: Path) -> Any:
        """A jsonschema validator for an OAS 3.0 schema whose file $refs are bundled.

        Every referenced file becomes a local definition, so validation needs no file
        lookups. Definitions with `properties`, no composition and no allOf use anywhere
        get `additionalProperties: false`, catching misspelt fields of the fake's DTOs.
        """
        definitions: dict[str, Any] = {}
        files: dict[str, Path] = {}
        composed: set[str] = set()

        def walk(node: Any, where: Path, in_all_of: bool = False) -> Any:
            if isinstance(node, list):
                return [walk(item, where, in_all_of) for item in node]
            if not isinstance(node, dict):
                return node
            if "$ref" in node:
                target = (where / node["$ref"]).resolve()
                key = target.stem
                if files.setdefault(key, target) != target:
                    raise RuntimeError(f"two schema files named {key}: {target}")
                if in_all_of:
                    composed.add(key)
                if key not in definitions:
                    definitions[key] = {}  # recursion guard (RegionDTO.parent)
                    definitions[key] = walk(self._load(target), target.parent)
                return {"$ref": f"#/definitions/{key}"}
            return {key: walk(value, where, key == "allOf") for key, value in node.items()}

        root = walk(schema, base)
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
        path_item, base = self._deref(self._paths[template], self._root.parent)
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
            param, _ = self._deref(ref, base)
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
                path_item, base = self._deref(self._paths[op.template], self._root.parent)
                response = path_item[op.method]["responses"].get(str(status))
                if response is None:
                    response = path_item[op.method]["responses"][status]
                response, base = self._deref(response, base)
                schema = response["content"]["application/json"]["schema"]
                validator = self._validators[key] = self._bundle(schema, base)
        return _jsonschema_errors(validator, payload)

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
                raise FileNotFoundError(f"Market OpenAPI spec not found at {path} (${SPEC_ENV})")
            _spec = MarketSpec(path)
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
