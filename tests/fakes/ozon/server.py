"""`FakeOzon`: the fake Ozon Seller API served over HTTP, with faults and a call log.

Processing order of one request is in the package docstring; `_process` follows it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import traceback
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer
from tests.fakes.observe import CallLog, Observed
from tests.fakes.ozon.keys import DEFAULT_ROLES, Key, Keys
from tests.fakes.ozon.limits import Fault, Faults, RateLimiter
from tests.fakes.ozon.records import DROP, Arrival, Call, FakeOzonError
from tests.fakes.ozon.spec import OPERATIONS, load_spec
from tests.fakes.ozon.wire import Grpc, Incoming, Outcome, OzonError, error_body, rfc3339
from tests.fakes.ozon.world import CancellationState, OzonWorld

__all__ = ["FakeOzon"]

log = logging.getLogger("tests.fakes.ozon")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NO_METHOD = "method is not allowed"  # tag:Errors: the method does not exist
MAX_BODY = 512 * 1024  # the fake's choice: the spec states no limit


class FakeOzon(OzonWorld, Observed):
    """A strict fake Ozon Seller API on 127.0.0.1; see the package docstring."""

    def __init__(
        self, keys: dict[str, int] | None = None, *, int64_as_strings: bool = True
    ) -> None:
        """`keys` maps Api-Keys to the Client-Id each belongs to. `int64_as_strings=False`
        writes int64 fields as JSON numbers (as the spec's examples mostly show them)."""
        super().__init__()
        self._spec = load_spec()
        self._keys = Keys()
        for key, client_id in (keys or {}).items():
            self.add_key(client_id, key)
        self.int64_as_strings = int64_as_strings
        self.limiter = RateLimiter()
        self.url = ""
        self._log: CallLog[Arrival, Call] = CallLog()
        self._faults = Faults()
        self._errors: list[str] = []
        self._errors_lock = threading.Lock()
        app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=_METHODS)])
        self._server = LoopbackServer(app, name="fake-ozon", grace=0.0)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeOzon:
        """Serve on `port` of 127.0.0.1 (0: a free one); return once it accepts connections."""
        self._server.start(port)
        self.url = self._server.url
        return self

    def stop(self) -> None:
        """Stop the server; raise FakeOzonError if the fake recorded fixture errors."""
        self._server.stop()
        with self._errors_lock:
            errors, self._errors = self._errors, []
        if errors:
            raise FakeOzonError("FakeOzon fixture errors:\n" + "\n".join(errors))

    def __enter__(self) -> FakeOzon:
        if not self._server.running:
            self.start()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            self.stop()
        except FakeOzonError as fixture_error:
            if exc is None:
                raise
            exc.add_note(str(fixture_error))

    @property
    def fixture_errors(self) -> list[str]:
        """Bugs of the fake and unknown paths seen so far (stop() raises on them)."""
        with self._errors_lock:
            return list(self._errors)

    # --- keys ---------------------------------------------------------------------------

    def add_key(
        self,
        client_id: int,
        key: str,
        *,
        roles: list[dict[str, Any]] | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        """Accept `key` from now on, with `client_id` only (a seller may have several)."""
        given = {"roles": tuple(roles if roles is not None else DEFAULT_ROLES)}
        if expires_at is not None:
            rfc3339(expires_at)  # refuses a naive datetime
            given["expires_at"] = expires_at
        self._keys.add(key, Key(client_id, **given))

    def keys_of(self, client_id: int) -> list[str]:
        """The keys of a seller, in the order they were given."""
        return self._keys.of_client(client_id)

    def deactivate_key(self, key: str, *, deactivated: bool = True) -> None:
        """Answer "Api-key is deactivated" to `key` (deactivated=False: accept it again)."""
        self._keys.deactivate(key, deactivated)

    # --- fault injection (client_id None: every seller) ----------------------------------

    def fail_next(
        self,
        path: str | None,
        status: int,
        *,
        times: int = 1,
        message: str | None = None,
        client_id: int | None = None,
        retry_after: int = 1,
    ) -> None:
        """Answer the next `times` valid calls of `path` (None: any) with `status` (DROP:
        close the connection; 429: with `Retry-After: retry_after`)."""
        if path is not None and path not in OPERATIONS:
            raise ValueError(f"FakeOzon does not serve {path}")
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.fail_next(Fault(path, status, times, message, client_id, retry_after))

    def set_outage(self, status: int | None, *, client_id: int | None = None) -> None:
        """Answer every valid call with `status` (500, DROP, ...); None ends it."""
        self._faults.set_outage(status, client_id)

    def set_rate_limited(self, seconds: float | None, *, client_id: int | None = None) -> None:
        """Answer every valid call 429 for `seconds` from now (Retry-After: what is left,
        rounded up); None ends it."""
        self._faults.set_rate_limited(seconds, client_id)

    def set_delay(self, seconds: float | None, *, client_id: int | None = None) -> None:
        """Let every call wait `seconds` before it is processed: a hang, timing out a client
        that waits less. None ends it for calls to come."""
        self._faults.set_delay(seconds, client_id)

    # --- observation --------------------------------------------------------------------

    def calls(self, path: str | None = None, *, client_id: int | None = None) -> list[Call]:
        """Answered calls in order, optionally of one path and one Client-Id header."""
        return [
            c
            for c in self._log.calls()
            if path in (None, c.path) and client_id in (None, _int(c.client_id))
        ]

    def arrivals(self, path: str | None = None, *, client_id: int | None = None) -> list[Arrival]:
        """Requests as they arrived, before any wait or check."""
        return [
            a
            for a in self._log.arrivals()
            if path in (None, a.path) and client_id in (None, _int(a.client_id))
        ]

    def reset_calls(self) -> None:
        """Forget arrivals and calls (not the rate limiter's window)."""
        self._log.clear()

    def _timeout_context(self) -> str:
        calls = self._log.calls()[-20:]
        lines = [f"  {c.arrived_at:.3f} {c.client_id} {c.path} -> {c.status}" for c in calls]
        return "recent Ozon calls:\n" + ("\n".join(lines) or "  (none)")

    # --- HTTP ---------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        arrived_at = time.monotonic()
        try:
            incoming = await _read(request)
        except ClientDisconnect:  # the caller went away mid-request
            return Response(status_code=400)
        self._log.arrived(
            Arrival(incoming.path, incoming.client_id, incoming.api_key, incoming.json, arrived_at)
        )
        delay = self._faults.delay(_int(incoming.client_id))
        if delay:
            await asyncio.sleep(delay)
        try:
            outcome = self._process(incoming)
        except Exception:  # a bug of the fake: make it loud
            trace = traceback.format_exc()
            self._fixture_error(f"{incoming.path} crashed the fake:\n{trace}")
            outcome = Outcome(500, error_body(Grpc.INTERNAL, trace.strip().splitlines()[-1]))
        self._log.answered(
            Call(
                incoming.path,
                incoming.client_id,
                incoming.api_key,
                incoming.json,
                DROP if outcome.drop else outcome.status,
                outcome.payload,
                dict(outcome.headers),
                time.time(),
                arrived_at,
            )
        )
        if outcome.drop:
            self._server.abort(request.scope)
            for _ in range(3):  # let uvicorn see the connection lost before we return
                await asyncio.sleep(0)
            return Response(status_code=500)
        data = json.dumps(outcome.payload, ensure_ascii=False).encode()
        return Response(data, outcome.status, outcome.headers, media_type="application/json")

    def _process(self, req: Incoming) -> Outcome:
        operation = OPERATIONS.get(req.path)
        if operation is None:
            self._fixture_error(f"{req.method} {req.path}: not a path FakeOzon serves")
            return Outcome(404, error_body(Grpc.NOT_FOUND, NO_METHOD))
        try:
            if req.method != "POST":
                raise OzonError(405, Grpc.UNIMPLEMENTED, NO_METHOD)
            key = self._keys.authenticate(req.client_id, req.api_key)
            self.limiter.admit(key.client_id)
            body = self._checked_request(req, operation.request)
        except OzonError as error:
            return self._answer(operation.answer, Outcome.of(error))
        fault = self._faults.injected(req.path, key.client_id)
        if fault is not None:
            return self._answer(operation.answer, fault)
        try:
            payload = self._handle(req.path, key, body)
        except OzonError as error:
            return self._answer(operation.answer, Outcome.of(error))
        return self._answer(operation.answer, Outcome(200, payload))

    def _handle(self, path: str, key: Key, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/v2/conditional-cancellation/list":
            return self.list_requests(key.client_id, body)
        if path == "/v2/conditional-cancellation/approve":
            return self.decide(key.client_id, body, CancellationState.APPROVED)
        if path == "/v2/conditional-cancellation/reject":
            return self.decide(key.client_id, body, CancellationState.REJECTED)
        if path == "/v3/posting/fbs/get":
            return self.fbs_posting(key.client_id, body)
        return {"expires_at": rfc3339(key.expires_at), "roles": [dict(r) for r in key.roles]}

    def _checked_request(self, req: Incoming, contract: str | None) -> dict[str, Any]:
        """The JSON body, or a 400 INVALID_ARGUMENT (the messages are the fake's)."""
        content_type = (req.headers.get("content-type") or "").split(";")[0].strip().lower()
        if len(req.body) > MAX_BODY:
            raise OzonError(400, Grpc.INVALID_ARGUMENT, "request body is too large")
        if contract is None:  # /v1/roles: the spec defines no body; `{}` or none at all
            if req.body.strip() and req.json != {}:
                raise OzonError(400, Grpc.INVALID_ARGUMENT, "this method takes no body")
            return {}
        if content_type != "application/json":
            raise OzonError(400, Grpc.INVALID_ARGUMENT, "Content-Type must be application/json")
        if not isinstance(req.json, dict):
            raise OzonError(400, Grpc.INVALID_ARGUMENT, "the body must be a JSON object")
        errors = self._spec.request_errors(contract, req.json)
        if errors:
            raise OzonError(400, Grpc.INVALID_ARGUMENT, "invalid request: " + "; ".join(errors))
        return req.json

    def _answer(self, contract: str | None, outcome: Outcome) -> Outcome:
        """Write a 200 as the gateway does, and validate every answer against the spec; an
        invalid one becomes a 500 and a fixture error."""
        if outcome.drop:
            return outcome
        if outcome.status == 200 and self.int64_as_strings:
            outcome.payload = self._spec.encode(contract, outcome.payload)
        errors = self._spec.answer_errors(contract, outcome.status, outcome.payload)
        if not errors:
            return outcome
        message = f"answered {outcome.status} with an invalid body: " + "; ".join(errors)
        self._fixture_error(message)
        return Outcome(500, error_body(Grpc.INTERNAL, message))

    def _fixture_error(self, message: str) -> None:
        log.error("FakeOzon: %s", message)
        with self._errors_lock:
            self._errors.append(message)


def _int(text: str | None) -> int | None:
    """A Client-Id header as a number (None when absent or not one)."""
    return int(text) if text and text.isdigit() else None


async def _read(request: Request) -> Incoming:
    body = await request.body()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return Incoming(request.method.upper(), request.url.path, request.headers, body, parsed)
