"""A strict fake of the Yandex Market Partner API, served over real HTTP on 127.0.0.1.

`FakeMarket` runs a Starlette app under uvicorn in a background thread with its own event
loop, so synchronous tests and async tests (in any loop) can both use it, and the
application under test talks real HTTP to it::

    with FakeMarket(today=date(2026, 7, 20)).start() as market:
        market.add_campaign(1001, business_id=77)
        market.add_order(5001, 1001, cancel_requested=True)
        ...  # point the app at market.url

Implemented operations (paths as in the official spec): getCampaign, getCampaigns,
getAuthTokenInfo, getBusinessOrders, acceptOrderCancellation.

Processing order of one request, first answer wins:

1. path unknown to the spec -> 404; method not in the spec for that path -> 405; an
   operation of the spec that the fake does not implement -> 404 and a fixture error;
2. authentication (Api-Key only) -> 401/403, then `x-auth-scopes` of the path -> 403;
3. request checks: 415 for a body without `Content-Type: application/json`, 400 for a
   body over 512 KB, malformed JSON, unknown query parameters, anything openapi-core
   rejects against the spec (unknown body fields included);
4. injected faults (`set_outage`, `set_rate_limited`, `fail_next`): they only ever hit
   requests that passed 1-3, so a fault never masks a client bug;
5. the hourly resource limit of the spec (`x-resource-limit-config`, tier `none`) -> 420;
6. the handler. Its answer is validated against the spec before it is sent; an invalid
   answer becomes a 500 and a fixture error.

Fixture errors (the fake's own bugs, unimplemented operations) make `stop()` raise.

Choices where the real API is undocumented (see MARKET_API.md §2.4, §3.2, §5.4, §9):

- Error codes: 400 `BAD_REQUEST`, 401 `UNAUTHORIZED`, 403 `FORBIDDEN`, 404 `NOT_FOUND` /
  `CAMPAIGN_NOT_FOUND`, 420 `REQUEST_LIMIT_EXCEEDED`, 500 `INTERNAL_ERROR`; unknown query
  parameters 400 `UNKNOWN_PARAMETER` (stricter than the real API, which probably ignores
  them). Messages follow the docs' error-codes page where it has one.
- getBusinessOrders: the default creation window [today-30, today) in Moscow dates, the
  end excluded as the spec words it (so today's orders are not listed by default), applies
  to every filter, `orderIds` and `waitingForCancellationApprove` included. An explicit
  window is [from, to); a span over 30 days -> 400; only `to` given -> from = to - 30 days;
  only `from` given -> to = today (excluded); to <= from -> to = from + 1 day. `fake`
  absent -> real and test orders; `waitingForCancellationApprove` false -> no filter.
  Campaign ids outside the business, and a business with no campaign in the fake -> 403
  "Access denied". Orders are sorted by orderId; the page token is
  keyset based (last orderId + a fingerprint of business, body and limit), so a token
  reused with another filter or limit -> 400, and orders leaving the filter between pages
  do not shift later pages. The last page has `"paging": {}`.
- acceptOrderCancellation: `accepted: false` without `reason` -> 400; campaign unknown ->
  404 `CAMPAIGN_NOT_FOUND`; campaign not AVAILABLE -> 403; campaign not DBS -> 400
  `CAMPAIGN_TYPE_NOT_SUPPORTED`; order unknown or of another campaign -> 404; order in
  CANCELLED/DELIVERED/(PARTIALLY_)RETURNED -> 400 `ORDER_IN_TERMINAL_STATE`; in another
  non-DELIVERY/PICKUP status -> 400 `INVALID_ORDER_STATUS`; DELIVERY/PICKUP without a
  pending request -> 400 `ACTION_FORBIDDEN`. So a repeated call is not idempotent: it
  gets a 400. `reason` with `accepted: true` is accepted and ignored. Confirmed ->
  CANCELLED / USER_CHANGED_MIND, cancelRequested false; rejected (either reason) ->
  status unchanged, cancelRequested false (a DBS seller sets DELIVERED itself). Both bump
  `updateDate`, as does `request_cancellation`.
- Authentication: no Api-Key -> 401 "Credentials are not specified" (403 "OAuth token is
  invalid" if only an Authorization header came: OAuth is not supported); "Bearer " prefix
  -> 401 "Api-Key token prefix invalid"; other key -> 401 "Api-Key token is invalid".
- Rate limits: every authenticated call counts against its operation's resource in
  fixed UTC-hour windows (`reset_calls` keeps the counters); the X-RateLimit-Resource-*
  headers report them. 420 answers carry `X-RateLimit-Resource-Until` rounded up to the
  second; `fail_next` with 420 and no `rate_limit_until` uses now + 2 s.
- Timestamps the fake writes (updateDate) use the wall clock, even with a fixed `today`;
  naive datetimes given to the setup methods are Moscow time.
- Every answer has `Connection: close`: the docs say Keep-Alive is not supported.
- `DROP` (0) as a status closes the connection without any response (the client sees a
  network error); it is recorded with status 0.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import logging
import math
import os
import re
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import RequestBodyValidationError
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from tests.fakes.market_orders import (
    CANCELLABLE_STATUSES,
    MSK,
    TERMINAL_STATUSES,
    build_campaign,
    build_order,
    deep_merge,
    msk_iso,
    msk_today,
    to_msk,
)

__all__ = ["DROP", "SPEC_ENV", "Call", "FakeMarket", "FakeMarketError", "spec_path"]

DROP = 0
"""Status for `fail_next`/`set_outage`: close the connection without a response."""

SPEC_ENV = "MARKET_OPENAPI_SPEC"
"""Environment variable overriding the path of the spec's openapi.yaml."""

SERVER_URL = "https://api.partner.market.yandex.ru"
MAX_BODY = 512 * 1024
MAX_PERIOD_DAYS = 30
_PERIOD_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULT_ERRORS = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED", "Api-Key token is invalid"),
    403: ("FORBIDDEN", "Access denied"),
    404: ("NOT_FOUND", "Not found"),
    420: ("REQUEST_LIMIT_EXCEEDED", ""),  # message built from the operation's limit
    423: ("LOCKED", "Campaign is in business migration"),
    500: ("INTERNAL_ERROR", "Internal server error"),
    503: ("SERVICE_UNAVAILABLE", "Service temporarily unavailable. Please, try again later"),
}
_SCOPES = frozenset(
    {
        "ALL_METHODS",
        "ALL_METHODS_READ_ONLY",
        "INVENTORY_AND_ORDER_PROCESSING",
        "INVENTORY_AND_ORDER_PROCESSING_READ_ONLY",
        "PRICING",
        "PRICING_READ_ONLY",
        "OFFERS_AND_CARDS_MANAGEMENT",
        "OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY",
        "PROMOTION",
        "PROMOTION_READ_ONLY",
        "FINANCE_AND_ACCOUNTING",
        "COMMUNICATION",
        "SETTINGS_MANAGEMENT",
        "SUPPLIES_MANAGEMENT_READ_ONLY",
    }
)

log = logging.getLogger(__name__)
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FakeMarketError(AssertionError):
    """The fake met a bug of its own or a call it does not implement."""


class _ApiError(Exception):
    """Raised by handlers to answer with the Market error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Call:
    """One request the fake received, with the status it answered (0 = dropped)."""

    operation_id: str | None
    method: str
    path: str
    query: dict[str, Any]
    json: Any
    api_key: str | None
    status: int
    at: float


# --- the spec, loaded once per process -------------------------------------------------


def spec_path() -> Path:
    """Where openapi.yaml of the official spec is: $MARKET_OPENAPI_SPEC or ../shared."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[3]
    return root / "shared" / "market-openapi" / "openapi" / "openapi.yaml"


@dataclass(frozen=True)
class _Operation:
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


class _Spec:
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
        self._operations: dict[tuple[str, str], _Operation | None] = {}
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

    def operation(self, template: str, method: str) -> _Operation | None:
        """Metadata of one operation, or None when the path has no such method."""
        key = (template, method)
        with self.lock:
            if key not in self._operations:
                self._operations[key] = self._load_operation(template, method)
            return self._operations[key]

    def _load_operation(self, template: str, method: str) -> _Operation | None:
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
        return _Operation(
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

    def response_errors(self, op: _Operation, status: int, payload: Any) -> list[str]:
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


_spec: _Spec | None = None
_spec_lock = threading.Lock()


def _load_spec() -> _Spec:
    global _spec
    with _spec_lock:
        if _spec is None:
            path = spec_path()
            if not path.is_file():
                raise FileNotFoundError(f"Market OpenAPI spec not found at {path} (${SPEC_ENV})")
            _spec = _Spec(path)
        return _spec


def _schema_errors(exc: BaseException) -> str:
    errors = getattr(exc, "schema_errors", None) or ()
    return "; ".join(_format_error(error) for error in errors) or str(exc)


def _describe_validation(errors: list[Exception]) -> str:
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


class _OpenAPIRequest:
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


# --- request/answer plumbing ------------------------------------------------------------


@dataclass
class _Incoming:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Headers
    body: bytes
    json: Any


@dataclass
class _Outcome:
    status: int
    payload: Any = None
    operation: _Operation | None = None
    headers: dict[str, str] | None = None
    drop: bool = False


@dataclass
class _Fault:
    operation_id: str | None
    status: int
    times: int
    after: int
    code: str | None
    message: str | None
    until: datetime | None


@dataclass
class _Context:
    path: dict[str, Any]
    query: dict[str, Any]
    raw_query: dict[str, str]
    body: Any


def _error_body(code: str, message: str) -> dict[str, Any]:
    return {"status": "ERROR", "errors": [{"code": code, "message": message}]}


def _http_date(moment: datetime) -> str:
    """RFC 822 date in GMT, rounded up to the whole second."""
    stamp = math.ceil(moment.timestamp())
    return format_datetime(datetime.fromtimestamp(stamp, UTC), usegmt=True)


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _kebab_scope(scope: str) -> str:
    """ApiKeyScopeType (ALL_METHODS_READ_ONLY) -> x-auth-scopes (all-methods:read-only)."""
    name = scope.lower()
    suffix = ""
    if name.endswith("_read_only"):
        name, suffix = name[: -len("_read_only")], ":read-only"
    return name.replace("_", "-") + suffix


# --- the fake ---------------------------------------------------------------------------


class FakeMarket:
    """A strict fake Market Partner API on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        scopes: tuple[str, ...] | list[str] = ("INVENTORY_AND_ORDER_PROCESSING",),
        today: date | None = None,
    ) -> None:
        unknown = set(scopes) - _SCOPES
        if unknown:
            raise ValueError(f"unknown ApiKeyScopeType values: {sorted(unknown)}")
        self.api_key = api_key
        self.scopes = tuple(scopes)
        self._today = today
        self._spec = _load_spec()
        self._lock = threading.RLock()
        self._campaigns: dict[int, dict[str, Any]] = {}
        self._orders: dict[int, dict[str, Any]] = {}
        self._calls: list[Call] = []
        self._decisions: list[tuple[int, int, dict[str, Any]]] = []
        self._faults: list[_Fault] = []
        self._holds: list[tuple[str, float]] = []
        self._arrivals: list[str] = []
        self._outage: int | None = None
        self._rate_limited_until: datetime | None = None
        self._usage: dict[int, tuple[int, int]] = {}
        self._errors: list[str] = []
        self._handlers = {
            "getCampaign": self._get_campaign,
            "getCampaigns": self._get_campaigns,
            "getAuthTokenInfo": self._get_auth_token_info,
            "getBusinessOrders": self._get_business_orders,
            "acceptOrderCancellation": self._accept_order_cancellation,
        }
        self._transports: dict[Any, asyncio.Transport] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._start_error: BaseException | None = None
        self.url = ""
        self._app = Starlette(
            routes=[
                Route(
                    "/{path:path}",
                    self._endpoint,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                )
            ]
        )

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeMarket:
        """Serve on a free port of 127.0.0.1; return once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("FakeMarket already started")
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
        # without it Nagle + delayed ACK add 40 ms to every answer.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        # log_config=None: leave the test process's logging alone.
        config = uvicorn.Config(
            self._app, lifespan="off", log_config=None, log_level="warning", access_log=False
        )
        config.load()
        ready = threading.Event()
        thread = threading.Thread(
            target=asyncio.run,
            args=(self._serve(config, sock, ready),),
            name=f"FakeMarket-{port}",
            daemon=True,
        )
        self._thread = thread
        thread.start()
        if not ready.wait(10) or self._stop_event is None:
            thread.join(1)
            self._thread = None
            sock.close()
            raise RuntimeError(f"FakeMarket server did not start: {self._start_error!r}")
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def _serve(
        self, config: uvicorn.Config, sock: socket.socket, ready: threading.Event
    ) -> None:
        """The server thread: uvicorn's h11 protocol on a plain asyncio server.

        Not uvicorn.Server: its 0.1 s ticks and shutdown sleeps would make every stop()
        cost 0.2 s.
        """
        transports = self._transports

        class _Protocol(H11Protocol):
            """h11 protocol that lets the app find (and drop) its connection."""

            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                super().connection_made(transport)
                if self.client:
                    transports[tuple(self.client)] = transport

            def connection_lost(self, exc: Exception | None) -> None:
                if self.client:
                    transports.pop(tuple(self.client), None)
                super().connection_lost(exc)

        state = ServerState()
        try:
            loop = asyncio.get_running_loop()
            server = await loop.create_server(
                lambda: _Protocol(config=config, server_state=state, app_state={}), sock=sock
            )
            stop = asyncio.Event()
        except Exception as exc:
            self._start_error = exc
            ready.set()
            return
        self._loop, self._stop_event = loop, stop
        ready.set()
        try:
            await stop.wait()
        finally:
            server.close()
            for connection in list(state.connections):
                connection.shutdown()
            await asyncio.sleep(0)

    def stop(self) -> None:
        """Stop the server; raise FakeMarketError if the fake recorded fixture errors."""
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        if self._thread is not None:
            self._thread.join(10)
        self._thread = self._loop = self._stop_event = None
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise FakeMarketError("FakeMarket fixture errors:\n" + "\n".join(errors))

    def __enter__(self) -> FakeMarket:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            self.stop()
        except FakeMarketError as fixture_error:
            if exc is None:
                raise
            exc.add_note(str(fixture_error))

    @property
    def today(self) -> date:
        """The fake's current date in Moscow (fixed if given to the constructor)."""
        return self._today or msk_today()

    @property
    def fixture_errors(self) -> list[str]:
        """Bugs of the fake and unimplemented calls seen so far (stop() raises on them)."""
        with self._lock:
            return list(self._errors)

    # --- setup --------------------------------------------------------------------------

    def add_campaign(
        self,
        campaign_id: int,
        *,
        business_id: int,
        domain: str = "Shop",
        business_name: str = "Biz",
        placement: str = "DBS",
        api_availability: str = "AVAILABLE",
    ) -> None:
        """Add a campaign (store) of the business `business_id`."""
        campaign = build_campaign(
            campaign_id,
            business_id=business_id,
            domain=domain,
            business_name=business_name,
            placement=placement,
            api_availability=api_availability,
        )
        with self._lock:
            if campaign_id in self._campaigns:
                raise ValueError(f"campaign {campaign_id} already exists")
            self._campaigns[campaign_id] = campaign

    def add_order(
        self,
        order_id: int,
        campaign_id: int,
        *,
        status: str = "DELIVERY",
        substatus: str = "DELIVERY_SERVICE_RECEIVED",
        cancel_requested: bool = False,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        items: list[dict[str, Any]] | None = None,
        fake: bool = False,
        **overrides: Any,
    ) -> dict[str, Any]:
        """Add a valid DBS BusinessOrderDTO and return a copy of it.

        Naive datetimes are Moscow time. `overrides` are DTO fields deep-merged over the
        defaults; a None value removes the field (e.g. `cancelRequested=None`).
        """
        order = build_order(
            order_id,
            campaign_id,
            status=status,
            substatus=substatus,
            cancel_requested=cancel_requested,
            created_at=created_at,
            updated_at=updated_at,
            items=items,
            fake=fake,
            today=self.today,
            overrides=overrides,
        )
        self._spec.validate_order(order)
        with self._lock:
            if campaign_id not in self._campaigns:
                raise KeyError(f"campaign {campaign_id} not added")
            if order_id in self._orders:
                raise ValueError(f"order {order_id} already exists")
            self._orders[order_id] = order
            return copy.deepcopy(order)

    def request_cancellation(self, order_id: int) -> None:
        """The buyer asks to cancel: cancelRequested becomes true, updateDate now."""
        self.set_order(order_id, cancel_requested=True)

    def set_order(self, order_id: int, **fields: Any) -> None:
        """Change an order and bump its updateDate (unless `updated_at` is given).

        Shortcuts: status, substatus, cancel_requested, created_at, updated_at, fake; any
        other keyword is a DTO field deep-merged in (None removes it).
        """
        shortcuts = {
            "status": "status",
            "substatus": "substatus",
            "cancel_requested": "cancelRequested",
            "fake": "fake",
        }
        changes: dict[str, Any] = {}
        for key, value in fields.items():
            if key in ("created_at", "updated_at"):
                field_name = "creationDate" if key == "created_at" else "updateDate"
                changes[field_name] = msk_iso(value)
            else:
                changes[shortcuts.get(key, key)] = value
        changes.setdefault("updateDate", msk_iso(datetime.now(MSK)))
        with self._lock:
            order = self._orders[order_id]
            updated = deep_merge(order, changes)
            self._spec.validate_order(updated)
            self._orders[order_id] = updated

    def order(self, order_id: int) -> dict[str, Any]:
        """A copy of the order as the fake holds it."""
        with self._lock:
            return copy.deepcopy(self._orders[order_id])

    # --- fault injection ----------------------------------------------------------------

    def fail_next(
        self,
        operation_id: str | None,
        status: int,
        *,
        times: int = 1,
        after: int = 0,
        code: str | None = None,
        message: str | None = None,
        rate_limit_until: datetime | None = None,
    ) -> None:
        """Answer `times` valid calls of `operation_id` (None: any) with `status`, after
        letting the next `after` such calls through.

        `DROP` closes the connection without a response. A 420 carries
        X-RateLimit-Resource-Until = `rate_limit_until` (default now + 2 s).
        """
        if operation_id is not None and operation_id not in self._handlers:
            raise ValueError(f"FakeMarket does not implement operation {operation_id!r}")
        self._check_status(status)
        if times < 1 or after < 0:
            raise ValueError("times must be >= 1 and after >= 0")
        fault = _Fault(
            operation_id,
            status,
            times,
            after,
            code,
            message,
            _aware(rate_limit_until, "rate_limit_until"),
        )
        with self._lock:
            self._faults.append(fault)

    def hold_next(self, operation_id: str, seconds: float) -> None:
        """Let the next call of `operation_id` wait `seconds` before it is processed.

        `arrivals()` shows it at once, so a test can kill the client while it waits; with a
        `fail_next(..., DROP)` queued the held call is then dropped unapplied, otherwise it
        is applied after the wait as the real Market would.
        """
        with self._lock:
            self._holds.append((operation_id, seconds))

    def arrivals(self, operation_id: str | None = None) -> list[str]:
        """Operation ids of calls as they arrive, before any hold or processing."""
        with self._lock:
            return [op for op in self._arrivals if operation_id in (None, op)]

    def _take_hold(self, req: _Incoming) -> float:
        template = self._spec.match(req.path)
        op = self._spec.operation(template, req.method.lower()) if template else None
        if op is None:
            return 0.0
        with self._lock:
            self._arrivals.append(op.operation_id)
            for index, (operation_id, seconds) in enumerate(self._holds):
                if operation_id == op.operation_id:
                    del self._holds[index]
                    return seconds
        return 0.0

    def set_outage(self, status: int | None) -> None:
        """Answer every valid call with `status` (DROP: close the connection); None ends it."""
        if status is not None:
            self._check_status(status)
        with self._lock:
            self._outage = status

    def set_rate_limited(self, until: datetime | None) -> None:
        """Answer every valid call with 420 until the wall-clock time `until`."""
        with self._lock:
            self._rate_limited_until = _aware(until, "until")

    @staticmethod
    def _check_status(status: int) -> None:
        if status != DROP and not 400 <= status <= 599:
            raise ValueError(f"status must be DROP or 4xx/5xx, not {status}")

    # --- observation --------------------------------------------------------------------

    def calls(self, operation_id: str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally of one operation."""
        with self._lock:
            return [c for c in self._calls if operation_id in (None, c.operation_id)]

    def accepted_decisions(self) -> list[tuple[int, int, dict[str, Any]]]:
        """(campaignId, orderId, body) of every acceptOrderCancellation answered 200."""
        with self._lock:
            return copy.deepcopy(self._decisions)

    def reset_calls(self) -> None:
        """Forget recorded calls and decisions (not the hourly usage counters)."""
        with self._lock:
            self._calls.clear()
            self._decisions.clear()

    # --- HTTP ---------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        incoming = _Incoming(
            method=request.method.upper(),
            path=request.url.path,
            query=list(request.query_params.multi_items()),
            headers=request.headers,
            body=body,
            json=parsed,
        )
        hold = self._take_hold(incoming)
        if hold:
            await asyncio.sleep(hold)
        try:
            outcome = self._process(incoming)
        except Exception:  # a bug of the fake: make it loud
            trace = traceback.format_exc()
            self._fixture_error(f"{incoming.method} {incoming.path} crashed the fake:\n{trace}")
            outcome = _Outcome(500, _error_body("FAKE_MARKET_BUG", trace.strip().splitlines()[-1]))
        operation = outcome.operation
        query: dict[str, Any] = {}
        for key, value in incoming.query:
            if key in query:
                previous = query[key]
                query[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                query[key] = value
        call = Call(
            operation_id=operation.operation_id if operation else None,
            method=incoming.method,
            path=incoming.path,
            query=query,
            json=parsed,
            api_key=incoming.headers.get("api-key"),
            status=DROP if outcome.drop else outcome.status,
            at=time.time(),
        )
        with self._lock:
            self._calls.append(call)
        if outcome.drop:
            transport = self._transports.get(tuple(request.scope.get("client") or ()))
            if transport is not None:
                transport.abort()
            for _ in range(3):  # let uvicorn see the connection lost before we return
                await asyncio.sleep(0)
            return Response(status_code=500)
        data = json.dumps(outcome.payload, ensure_ascii=False).encode()
        headers = self._limit_headers(operation)
        headers.update(outcome.headers or {})
        headers["Connection"] = "close"  # "Keep-Alive is not supported" (docs, method-call)
        return Response(data, outcome.status, headers, media_type="application/json")

    def _process(self, req: _Incoming) -> _Outcome:
        template = self._spec.match(req.path)
        if template is None:
            return _Outcome(404, _error_body("NOT_FOUND", f"Resource not found: {req.path}"))
        op = self._spec.operation(template, req.method.lower())
        if op is None:
            return _Outcome(
                405,
                _error_body("METHOD_NOT_ALLOWED", f"Request method '{req.method}' not supported"),
            )
        handler = self._handlers.get(op.operation_id)
        if handler is None:
            self._fixture_error(f"{op.operation_id} ({req.method} {template}) is not implemented")
            message = f"{op.operation_id} is not implemented by FakeMarket"
            return _Outcome(404, _error_body("NOT_FOUND", message), op)
        try:
            self._authenticate(req, op)
            self._count_usage(op)
            context = self._validate_request(req, op)
        except _ApiError as err:
            return _Outcome(err.status, _error_body(err.code, err.message), op)
        fault = self._injected_fault(op)
        if fault is not None:
            return self._checked(fault)
        try:
            self._check_hourly_limit(op)
            status, payload = handler(context)
        except _ApiError as err:
            status, payload = err.status, _error_body(err.code, err.message)
        return self._checked(_Outcome(status, payload, op))

    def _checked(self, outcome: _Outcome) -> _Outcome:
        """Validate an answer against the spec; an invalid one becomes a 500."""
        op = outcome.operation
        if outcome.drop or op is None or outcome.status not in op.responses:
            return outcome
        errors = self._spec.response_errors(op, outcome.status, outcome.payload)
        if not errors:
            return outcome
        message = f"{op.operation_id} answered {outcome.status} with an invalid body: " + "; ".join(
            errors
        )
        self._fixture_error(message)
        return _Outcome(500, _error_body("FAKE_MARKET_BUG", message), op)

    def _fixture_error(self, message: str) -> None:
        log.error("FakeMarket: %s", message)
        with self._lock:
            self._errors.append(message)

    def _authenticate(self, req: _Incoming, op: _Operation) -> None:
        key = req.headers.get("api-key")
        if not key:
            if req.headers.get("authorization"):
                raise _ApiError(403, "FORBIDDEN", "OAuth token is invalid")
            raise _ApiError(401, "UNAUTHORIZED", "Credentials are not specified")
        if key.lower().startswith("bearer "):
            raise _ApiError(401, "UNAUTHORIZED", "Api-Key token prefix invalid")
        if key != self.api_key:
            raise _ApiError(401, "UNAUTHORIZED", "Api-Key token is invalid")
        if not {_kebab_scope(s) for s in self.scopes} & op.scopes:
            raise _ApiError(
                403, "FORBIDDEN", "Token does not have any of the scopes to access the API method"
            )

    def _validate_request(self, req: _Incoming, op: _Operation) -> _Context:
        if op.has_body and req.body:
            content_type = req.headers.get("content-type")
            if not content_type:
                raise _ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Missing Content-Type")
            if content_type.split(";")[0].strip().lower() != "application/json":
                raise _ApiError(
                    415, "UNSUPPORTED_MEDIA_TYPE", f"Content type '{content_type}' not supported"
                )
            if len(req.body) > MAX_BODY:
                raise _ApiError(400, "BAD_REQUEST", "The request is too big")
            try:
                json.loads(req.body)
            except ValueError as exc:
                raise _ApiError(400, "BAD_REQUEST", f"JSON: {exc}") from exc
        pairs: list[tuple[str, str]] = []
        for name, value in req.query:
            if name not in op.query:
                raise _ApiError(400, "UNKNOWN_PARAMETER", f"Unknown parameter: {name}")
            maximum = op.truncate.get(name)
            if maximum is not None and value.strip().lstrip("-").isdigit():
                value = str(min(int(value), maximum))  # x-transform: truncateLimit
            pairs.append((name, value))
        oreq = _OpenAPIRequest(req.method, req.path, QueryParams(pairs), req.headers, req.body)
        with self._spec.lock:
            result = self._spec.requests.unmarshal_request(oreq)
        if result.errors:
            raise _ApiError(400, "BAD_REQUEST", _describe_validation(result.errors))
        context = _Context(
            path=dict(result.parameters.path),
            query=dict(result.parameters.query),
            raw_query=dict(pairs),
            body=req.json if op.has_body else None,
        )
        return context

    # --- limits and faults --------------------------------------------------------------

    def _window(self, op: _Operation) -> int:
        return int(time.time() // op.period)

    def _count_usage(self, op: _Operation) -> None:
        window = self._window(op)
        with self._lock:
            last_window, count = self._usage.get(op.resource_id, (window, 0))
            self._usage[op.resource_id] = (window, count + 1 if last_window == window else 1)

    def _limit_headers(self, op: _Operation | None) -> dict[str, str]:
        if op is None:
            return {
                "X-RateLimit-Resource-Limit": "1000",
                "X-RateLimit-Resource-Remaining": "1000",
                "X-RateLimit-Resource-Until": _http_date(datetime.now(UTC) + timedelta(hours=1)),
            }
        window = self._window(op)
        with self._lock:
            last_window, count = self._usage.get(op.resource_id, (window, 0))
        used = count if last_window == window else 0
        until = datetime.fromtimestamp((window + 1) * op.period, UTC)
        return {
            "X-RateLimit-Resource-Limit": str(op.limit),
            "X-RateLimit-Resource-Remaining": str(max(op.limit - used, 0)),
            "X-RateLimit-Resource-Until": _http_date(until),
        }

    def _check_hourly_limit(self, op: _Operation) -> None:
        window = self._window(op)
        with self._lock:
            last_window, count = self._usage.get(op.resource_id, (window, 0))
        if last_window == window and count > op.limit:
            raise _ApiError(420, "REQUEST_LIMIT_EXCEEDED", self._limit_message(op))

    @staticmethod
    def _limit_message(op: _Operation) -> str:
        period = "hour" if op.period == 3600 else f"{op.period} seconds"
        return f"Hit rate limit of {op.limit} requests per {period} for resource {op.resource_id}"

    def _injected_fault(self, op: _Operation) -> _Outcome | None:
        now = datetime.now(UTC)
        with self._lock:
            if self._outage is not None:
                return self._fault_outcome(op, self._outage, None, None, None)
            if self._rate_limited_until is not None:
                if now < self._rate_limited_until:
                    return self._fault_outcome(op, 420, None, None, self._rate_limited_until)
                self._rate_limited_until = None
            for fault in self._faults:
                if fault.operation_id not in (None, op.operation_id):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return self._fault_outcome(op, fault.status, fault.code, fault.message, fault.until)
        return None

    def _fault_outcome(
        self,
        op: _Operation,
        status: int,
        code: str | None,
        message: str | None,
        until: datetime | None,
    ) -> _Outcome:
        if status == DROP:
            return _Outcome(0, None, op, drop=True)
        default_code, default_message = _DEFAULT_ERRORS.get(
            status, (f"HTTP_{status}", f"Injected HTTP {status}")
        )
        headers = None
        if status == 420:
            default_message = self._limit_message(op)
            headers = {
                "X-RateLimit-Resource-Limit": str(op.limit),
                "X-RateLimit-Resource-Remaining": "0",
                "X-RateLimit-Resource-Until": _http_date(
                    until or datetime.now(UTC) + timedelta(seconds=2)
                ),
            }
        body = _error_body(code or default_code, message or default_message)
        return _Outcome(status, body, op, headers=headers)

    # --- handlers -----------------------------------------------------------------------

    def _campaign_or_404(self, campaign_id: int) -> dict[str, Any]:
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            raise _ApiError(404, "CAMPAIGN_NOT_FOUND", f"Campaign not found: {campaign_id}")
        return campaign

    def _get_campaign(self, ctx: _Context) -> tuple[int, dict[str, Any]]:
        with self._lock:
            campaign = copy.deepcopy(self._campaign_or_404(ctx.path["campaignId"]))
        return 200, {"campaign": campaign}

    def _get_campaigns(self, ctx: _Context) -> tuple[int, dict[str, Any]]:
        with self._lock:
            campaigns = [copy.deepcopy(self._campaigns[cid]) for cid in sorted(self._campaigns)]
        limit = ctx.query.get("limit")
        token = ctx.raw_query.get("page_token") or ctx.raw_query.get("pageToken")
        if limit is not None or token:
            fingerprint = _fingerprint({"op": "getCampaigns", "limit": limit})
            after = _decode_token(token, fingerprint)["a"] if token else 0
            rest = [c for c in campaigns if c["id"] > after]
            page = rest[: limit or 50]
            paging = {}
            if len(rest) > len(page):
                paging["nextPageToken"] = _encode_token({"a": page[-1]["id"], "f": fingerprint})
            return 200, {"campaigns": page, "paging": paging}
        page_size = ctx.query.get("pageSize") or max(len(campaigns), 1)
        page_num = ctx.query.get("page") or 1
        if page_size < 1 or page_num < 1:
            raise _ApiError(400, "BAD_REQUEST", "page and pageSize must be positive")
        start = (page_num - 1) * page_size
        page = campaigns[start : start + page_size]
        pager = {
            "total": len(campaigns),
            "from": start + 1 if page else 0,
            "to": start + len(page),
            "currentPage": page_num,
            "pagesCount": math.ceil(len(campaigns) / page_size),
            "pageSize": page_size,
        }
        return 200, {"campaigns": page, "pager": pager}

    def _get_auth_token_info(self, ctx: _Context) -> tuple[int, dict[str, Any]]:
        api_key = {"name": "FakeMarket token", "authScopes": list(self.scopes)}
        return 200, {"status": "OK", "result": {"apiKey": api_key}}

    def _get_business_orders(self, ctx: _Context) -> tuple[int, dict[str, Any]]:
        business_id: int = ctx.path["businessId"]
        limit: int = ctx.query.get("limit") or 50
        body: dict[str, Any] = ctx.body or {}
        token = ctx.raw_query.get("page_token") or ctx.raw_query.get("pageToken")
        fingerprint = _fingerprint({"business": business_id, "limit": limit, "body": body})
        after = 0
        if token:  # later pages keep the first page's window, even past midnight
            state = _decode_token(token, fingerprint)
            after = state["a"]
            window = (date.fromisoformat(state["lo"]), date.fromisoformat(state["hi"]))
        else:
            window = _date_window(body.get("dates") or {}, "creationDate", today=self.today)
        shipment = _date_window(body.get("dates") or {}, "shipmentDate")
        with self._lock:
            business_campaigns = {
                cid for cid, c in self._campaigns.items() if c["business"]["id"] == business_id
            }
            if not business_campaigns:
                raise _ApiError(403, "FORBIDDEN", "Access denied")
            wanted = body.get("campaignIds")
            if wanted:
                foreign = sorted(set(wanted) - business_campaigns)
                if foreign:
                    raise _ApiError(403, "FORBIDDEN", f"Access denied for campaigns {foreign}")
                business_campaigns = set(wanted)
            selected = [
                order
                for oid, order in sorted(self._orders.items())
                if oid > after
                and order["campaignId"] in business_campaigns
                and _order_matches(order, body, window, shipment)
            ]
            page = copy.deepcopy(selected[:limit])
        paging: dict[str, str] = {}
        if len(selected) > limit:
            state = {
                "a": page[-1]["orderId"],
                "f": fingerprint,
                "lo": window[0].isoformat(),
                "hi": window[1].isoformat(),
            }
            paging["nextPageToken"] = _encode_token(state)
        return 200, {"orders": page, "paging": paging}

    def _accept_order_cancellation(self, ctx: _Context) -> tuple[int, dict[str, Any]]:
        campaign_id: int = ctx.path["campaignId"]
        order_id: int = ctx.path["orderId"]
        body: dict[str, Any] = ctx.body
        if body["accepted"] is False and "reason" not in body:
            raise _ApiError(
                400, "BAD_REQUEST", "Missing field: reason (required when accepted is false)"
            )
        with self._lock:
            campaign = self._campaign_or_404(campaign_id)
            if campaign["apiAvailability"] != "AVAILABLE":
                raise _ApiError(
                    403,
                    "FORBIDDEN",
                    f"Access denied for campaign {campaign_id} because it is not active",
                )
            if campaign["placementType"] != "DBS":
                raise _ApiError(400, "CAMPAIGN_TYPE_NOT_SUPPORTED", "Campaign type is not allowed")
            order = self._orders.get(order_id)
            if order is None or order["campaignId"] != campaign_id:
                raise _ApiError(404, "NOT_FOUND", f"Order not found: {order_id}")
            status = order["status"]
            if status in TERMINAL_STATUSES:
                raise _ApiError(
                    400,
                    "ORDER_IN_TERMINAL_STATE",
                    f"Order {order_id} is in terminal status {status}",
                )
            if status not in CANCELLABLE_STATUSES:
                raise _ApiError(400, "INVALID_ORDER_STATUS", f"Invalid status: '{status}'")
            if order.get("cancelRequested") is not True:
                raise _ApiError(
                    400,
                    "ACTION_FORBIDDEN",
                    f"Order {order_id} has no cancellation request awaiting a decision",
                )
            changes: dict[str, Any] = {
                "cancelRequested": False,
                "updateDate": msk_iso(datetime.now(MSK)),
            }
            if body["accepted"]:
                changes |= {"status": "CANCELLED", "substatus": "USER_CHANGED_MIND"}
            updated = deep_merge(order, changes)
            self._spec.validate_order(updated)
            self._orders[order_id] = updated
            self._decisions.append((campaign_id, order_id, copy.deepcopy(body)))
        return 200, {"status": "OK"}


# --- getBusinessOrders filtering and paging --------------------------------------------


def _fingerprint(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _encode_token(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        valid = isinstance(state, dict) and isinstance(state.get("a"), int)
    except ValueError:
        valid = False
    if not valid:
        raise _ApiError(400, "BAD_REQUEST", f"Invalid page token: {token}")
    if state.get("f") != fingerprint:
        raise _ApiError(400, "BAD_REQUEST", "Page token does not match the request filter or limit")
    return state


def _too_long() -> _ApiError:
    return _ApiError(
        400, "BAD_REQUEST", f"Too long time period. Maximum is '{MAX_PERIOD_DAYS}' days"
    )


def _date_window(
    dates: dict[str, Any], prefix: str, *, today: date | None = None
) -> tuple[date, date] | None:
    """[from, to) of a `dates.<prefix>From/To` filter; 400 when over 30 days.

    With `today` (the creation-date filter) the spec's defaults apply as worded: from =
    today - 30, to = today, and `to` is not included, so orders created today are listed
    only when `to` is sent. Without it, an absent filter is None and a missing bound lies
    30 days from the other one.
    """
    start, end = dates.get(f"{prefix}From"), dates.get(f"{prefix}To")
    lo = date.fromisoformat(start) if start else None
    hi = date.fromisoformat(end) if end else None
    period = timedelta(days=MAX_PERIOD_DAYS)
    if lo is None and hi is None:
        return None if today is None else (today - period, today)
    if lo is None:
        assert hi is not None
        lo = hi - period
    if hi is None:
        hi = lo + period if today is None else today
    if hi <= lo:  # "if the span is under a day, to = from + 1 day"
        hi = lo + timedelta(days=1)
    if (hi - lo).days > MAX_PERIOD_DAYS:
        raise _too_long()
    return lo, hi


def _msk_date(value: str) -> date:
    return to_msk(datetime.fromisoformat(value)).date()


def _order_matches(
    order: dict[str, Any],
    body: dict[str, Any],
    window: tuple[date, date],
    shipment: tuple[date, date] | None,
) -> bool:
    if not window[0] <= _msk_date(order["creationDate"]) < window[1]:
        return False
    filters = {
        "orderIds": order["orderId"],
        "externalOrderIds": order.get("externalOrderId"),
        "programTypes": order.get("programType"),
        "statuses": order["status"],
        "substatuses": order["substatus"],
        "sourcePlatforms": order.get("sourcePlatform", "MARKET"),
    }
    for name, value in filters.items():
        allowed = body.get(name)
        if allowed is not None and value not in allowed:
            return False
    if body.get("fake") is not None and order["fake"] != body["fake"]:
        return False
    if body.get("waitingForCancellationApprove") and not (
        order["status"] in CANCELLABLE_STATUSES and order.get("cancelRequested") is True
    ):
        return False
    if shipment is not None:
        shipment_date = order["delivery"].get("shipment", {}).get("shipmentDate")
        if shipment_date is None:
            return False
        if not shipment[0] <= date.fromisoformat(shipment_date) < shipment[1]:
            return False
    dates = body.get("dates") or {}
    updated = order.get("updateDate")
    if dates.get("updateDateFrom") or dates.get("updateDateTo"):
        if updated is None:
            return False
        moment = datetime.fromisoformat(updated)
        start, end = dates.get("updateDateFrom"), dates.get("updateDateTo")
        if start and moment < datetime.fromisoformat(start):
            return False
        if end and moment >= datetime.fromisoformat(end):
            return False
    return True
