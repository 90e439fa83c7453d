"""`FakeMarket`: the fake Market Partner API served over HTTP, with faults and a call log.

Processing order of one request is in the package docstring; `_process` follows it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from bot.simulator.engine import MarketEngine
from tests.fakes.loopback import LoopbackServer
from tests.fakes.market.checks import SCOPES, authenticate, validate_request
from tests.fakes.market.faults import Faults, Usage
from tests.fakes.market.keys import Keys, addressed_business, check_access, path_ids
from tests.fakes.market.records import DROP, Arrival, Call, FakeMarketError
from tests.fakes.market.spec import load_spec
from tests.fakes.market.wire import ApiError, Incoming, Outcome, error_body, parse_query
from tests.fakes.observe import CallLog, Observed

__all__ = ["FakeMarket"]

T = TypeVar("T")
log = logging.getLogger("tests.fakes.market")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class FakeMarket(MarketEngine, Observed):
    """A strict fake Market Partner API on 127.0.0.1; see the package docstring."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        keys: Mapping[str, int] | None = None,
        scopes: tuple[str, ...] | list[str] = ("INVENTORY_AND_ORDER_PROCESSING",),
        today: date | None = None,
    ) -> None:
        """`api_key` reaches every business; `keys` maps more keys to the one business
        each belongs to (several keys may share a business)."""
        unknown = set(scopes) - SCOPES
        if unknown:
            raise ValueError(f"unknown ApiKeyScopeType values: {sorted(unknown)}")
        spec = load_spec()
        super().__init__(scopes=tuple(scopes), today=today, check=spec.validate)
        self._spec = spec
        self.api_key = api_key
        self._keys = Keys(api_key, keys or {})
        self.url = ""
        self._log: CallLog[Arrival, Call] = CallLog()
        self._faults = Faults()
        self._usage = Usage()
        self._errors: list[str] = []
        app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=_METHODS)])
        # grace 0: a call still held or in flight at stop() is dropped, not waited for
        self._server = LoopbackServer(app, name="fake-market", grace=0.0)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeMarket:
        """Serve on `port` of 127.0.0.1 (0: a free one); return once it accepts connections."""
        if self._server.running:
            raise RuntimeError("FakeMarket already started")
        self._server.start(port)
        self.url = self._server.url
        return self

    def stop(self) -> None:
        """Stop the server; raise FakeMarketError if the fake recorded fixture errors."""
        self._server.stop()
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise FakeMarketError("FakeMarket fixture errors:\n" + "\n".join(errors))

    def __enter__(self) -> FakeMarket:
        if not self._server.running:
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
    def fixture_errors(self) -> list[str]:
        """Bugs of the fake and unimplemented calls seen so far (stop() raises on them)."""
        with self._lock:
            return list(self._errors)

    # --- keys ---------------------------------------------------------------------------

    def add_key(self, key: str, business_id: int) -> None:
        """Accept `key` from now on, for `business_id` only."""
        self._keys.add(key, business_id)

    def keys_of(self, business_id: int) -> list[str]:
        """The keys bound to the business, in the order they were given."""
        return self._keys.of_business(business_id)

    def revoke_key(self, key: str, *, revoked: bool = True) -> None:
        """Answer 401 "Api-Key token is revoked" to `key` (revoked=False: accept it again)."""
        self._keys.revoke(key, revoked)

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
        business: int | None = None,
    ) -> None:
        """Answer `times` valid calls of `operation_id` (None: any) with `status`, after
        letting the next `after` such calls through; with `business`, only calls addressing
        that business (`Call.business_id`) count.

        `DROP` closes the connection without a response. A 420 carries
        X-RateLimit-Resource-Until = `rate_limit_until` (default now + 2 s).
        """
        if operation_id is not None and operation_id not in self.handlers:
            raise ValueError(f"FakeMarket does not implement operation {operation_id!r}")
        self._faults.fail_next(
            operation_id,
            status,
            times=times,
            after=after,
            code=code,
            message=message,
            rate_limit_until=rate_limit_until,
            business=business,
        )

    def hold_next(self, operation_id: str, seconds: float, *, business: int | None = None) -> None:
        """Let the next call of `operation_id` (addressing `business`, if given) wait
        `seconds` before it is processed.

        `arrivals()` shows it at once, so a test can kill the client while it waits; with a
        `fail_next(..., DROP)` queued the held call is then dropped unapplied, otherwise it
        is applied after the wait as the real Market would.
        """
        self._faults.hold_next(operation_id, seconds, business)

    def set_delay(self, seconds: float | None, *, business: int | None = None) -> None:
        """Let every call (addressing `business`, if given) wait `seconds` before it is
        processed: a Market that hangs, and times out a client that waits less. A call
        already waiting keeps its wait; None ends it for calls to come."""
        self._faults.set_delay(seconds, business)

    def set_outage(self, status: int | None, *, business: int | None = None) -> None:
        """Answer every valid call (addressing `business`, if given) with `status` (DROP:
        close the connection); None ends it."""
        self._faults.set_outage(status, business)

    def set_rate_limited(self, until: datetime | None, *, business: int | None = None) -> None:
        """Answer every valid call (addressing `business`, if given) with 420 until the
        wall-clock time `until`; None ends it."""
        self._faults.set_rate_limited(until, business)

    # --- observation --------------------------------------------------------------------

    def calls(
        self, operation_id: str | None = None, *, start: int = 0, business: int | None = None
    ) -> list[Call]:
        """Recorded calls in the order they were answered, optionally of one operation and
        addressing one business (`Call.business_id`; `Call.api_key` tells the key used).

        ``start`` skips the first calls of the log (since the last `reset_calls`).
        """
        return [
            c
            for c in self._log.calls(start)
            if operation_id in (None, c.operation_id) and business in (None, c.business_id)
        ]

    def arrivals(
        self, operation_id: str | None = None, *, since: float = 0.0, business: int | None = None
    ) -> list[Arrival]:
        """Requests as they arrived, before any hold or processing, optionally of one
        operation, addressing one business, and from ``since`` (time.monotonic()) on."""
        return [
            a
            for a in self._log.arrivals()
            if operation_id in (None, a.operation_id)
            and business in (None, a.business_id)
            and a.arrived_at >= since
        ]

    def reset_calls(self) -> None:
        """Forget arrivals, calls and decisions (not the hourly usage counters)."""
        self._log.clear()
        with self._lock:
            self._decisions.clear()

    def _timeout_context(self) -> str:
        calls = self._log.calls()[-20:]
        lines = [
            f"  {c.arrived_at:.3f} {c.method} {c.path} {c.query or ''} -> {c.status}" for c in calls
        ]
        text = "recent Market calls:\n" + ("\n".join(lines) or "  (none)")
        if self.fixture_errors:
            text += f"\nfixture errors:\n{self.fixture_errors}"
        return text

    # --- HTTP ---------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        arrived_at = time.monotonic()
        try:
            incoming = await _read(request)
        except ClientDisconnect:  # the caller went away (a desk killed mid-request)
            return Response(status_code=400)
        operation_id = self._operation_id(incoming)
        query = parse_query(incoming.query)
        key_business, business = self._addressing(incoming)
        self._log.arrived(
            Arrival(
                operation_id,
                incoming.method,
                incoming.path,
                query,
                incoming.json,
                arrived_at,
                business,
            )
        )
        hold = self._faults.take_hold(operation_id, business) if operation_id else 0.0
        if hold:
            await asyncio.sleep(hold)
        try:
            outcome = self._process(incoming, key_business, business)
        except Exception:  # a bug of the fake: make it loud
            trace = traceback.format_exc()
            self._fixture_error(f"{incoming.method} {incoming.path} crashed the fake:\n{trace}")
            outcome = Outcome(500, error_body("FAKE_MARKET_BUG", trace.strip().splitlines()[-1]))
        operation = outcome.operation
        call = Call(
            operation_id=operation.operation_id if operation else None,
            method=incoming.method,
            path=incoming.path,
            query=query,
            json=incoming.json,
            api_key=incoming.headers.get("api-key"),
            status=DROP if outcome.drop else outcome.status,
            at=time.time(),
            arrived_at=arrived_at,
            business_id=business,
        )
        self._log.answered(call)
        if outcome.drop:
            self._server.abort(request.scope)
            for _ in range(3):  # let uvicorn see the connection lost before we return
                await asyncio.sleep(0)
            return Response(status_code=500)
        data = json.dumps(outcome.payload, ensure_ascii=False).encode()
        headers = self._usage.headers(operation, key_business)
        headers.update(outcome.headers or {})
        headers["Connection"] = "close"  # "Keep-Alive is not supported" (docs, method-call)
        return Response(data, outcome.status, headers, media_type="application/json")

    def _addressing(self, req: Incoming) -> tuple[int | None, int | None]:
        """(the business of the caller's key, the business the request addresses)."""
        key_business = self._keys.business_of(req.headers.get("api-key"))
        template = self._spec.match(req.path)
        ids = path_ids(template, req.path) if template else {}
        addressed = addressed_business(ids, self._campaign_business)
        return key_business, key_business if addressed is None else addressed

    def _campaign_business(self, campaign_id: int) -> int | None:
        with self._lock:
            campaign = self._campaigns.get(campaign_id)
            return None if campaign is None else campaign["business"]["id"]

    def _operation_id(self, req: Incoming) -> str | None:
        template = self._spec.match(req.path)
        op = self._spec.operation(template, req.method.lower()) if template else None
        return op.operation_id if op else None

    def _process(self, req: Incoming, key_business: int | None, business: int | None) -> Outcome:
        template = self._spec.match(req.path)
        if template is None:
            return Outcome(404, error_body("NOT_FOUND", f"Resource not found: {req.path}"))
        op = self._spec.operation(template, req.method.lower())
        if op is None:
            return Outcome(
                405,
                error_body("METHOD_NOT_ALLOWED", f"Request method '{req.method}' not supported"),
            )
        handler = self.handlers.get(op.operation_id)
        if handler is None:
            self._fixture_error(f"{op.operation_id} ({req.method} {template}) is not implemented")
            message = f"{op.operation_id} is not implemented by FakeMarket"
            return Outcome(404, error_body("NOT_FOUND", message), op)
        try:
            authenticate(req, op, self._keys, self.scopes)
            check_access(key_business, business)
            self._usage.count(op, key_business)
            context = validate_request(self._spec, req, op, key_business)
        except ApiError as err:
            return Outcome(err.status, error_body(err.code, err.message), op)
        fault = self._faults.injected(op, business)
        if fault is not None:
            return self._checked(fault)
        try:
            self._usage.check(op, key_business)
            status, payload = handler(context)
        except ApiError as err:
            status, payload = err.status, error_body(err.code, err.message)
        return self._checked(Outcome(status, payload, op))

    def _checked(self, outcome: Outcome) -> Outcome:
        """Validate an answer against the spec; an invalid one becomes a 500."""
        op = outcome.operation
        if outcome.drop or op is None or outcome.status not in op.responses:
            return outcome
        errors = self._spec.response_errors(op, outcome.status, outcome.payload)
        if not errors:
            return outcome
        message = f"{op.operation_id} answered {outcome.status} with an invalid body: "
        message += "; ".join(errors)
        self._fixture_error(message)
        return Outcome(500, error_body("FAKE_MARKET_BUG", message), op)

    def _fixture_error(self, message: str) -> None:
        log.error("FakeMarket: %s", message)
        with self._lock:
            self._errors.append(message)


async def _read(request: Request) -> Incoming:
    body = await request.body()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return Incoming(
        method=request.method.upper(),
        path=request.url.path,
        query=list(request.query_params.multi_items()),
        headers=request.headers,
        body=body,
        json=parsed,
    )
