"""`FakeTelegram`: the fake Bot API served over HTTP, with faults, a call log and long polling.

Wire format handled: ``POST|GET {url}/bot{token}/{method}`` with a query string, a
form-urlencoded body (what python-telegram-bot sends: strings as-is, everything else
JSON-encoded), a JSON body or multipart form data. Method names are case-insensitive.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import json
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer
from tests.fakes.observe import CallLog, Observed
from tests.fakes.telegram.errors import BAD_GATEWAY_HTML, CONFLICT, ApiError, bad_request
from tests.fakes.telegram.limits import BOT_LIMIT, Limit
from tests.fakes.telegram.media import UPLOADS, Upload
from tests.fakes.telegram.methods import IMPLEMENTED_METHODS, BotMethods
from tests.fakes.telegram.records import Arrival, Call
from tests.fakes.telegram.spec import SPEC_PATH, load_spec

__all__ = ["FakeTelegram"]

T = TypeVar("T")
log = logging.getLogger("tests.fakes.telegram")


@dataclass
class _Fault:
    method: str | None
    error_code: int
    description: str
    parameters: dict | None
    times: int
    text_contains: str | None = None


def _json_response(status: int, payload: dict) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


class FakeTelegram(BotMethods, Observed):
    """Strict fake Bot API server; see the package docstring and the public methods.

    `latency` (seconds, settable at any time) delays every answer after it is decided, as
    the real Bot API's round trip would; calls are logged before the delay.
    `bot_rate_limit` (max messages, window seconds; None: off) is the bot-wide flood limit.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_username: str = "desk_bot",
        callback_answer_timeout: float = 15.0,
        bot_first_name: str = "Cancellation Desk",
        privacy_mode: bool = True,
        strict_html_entities: bool = True,
        getupdates_conflict: Literal["terminate_old", "reject_new"] = "terminate_old",
        spec_path: Path | None = None,
        latency: float = 0.0,
        bot_rate_limit: Limit | None = BOT_LIMIT,
    ) -> None:
        super().__init__(
            spec=load_spec(spec_path or SPEC_PATH),
            bot_id=int(token.split(":", 1)[0]),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            privacy_mode=privacy_mode,
            strict_html_entities=strict_html_entities,
            callback_answer_timeout=callback_answer_timeout,
            bot_rate_limit=bot_rate_limit,
        )
        self.token = token
        self.getupdates_conflict = getupdates_conflict
        self.latency = latency
        self.internal_errors: list[str] = []  # tracebacks of fake bugs (answered with 500)
        self._log: CallLog[Arrival, Call] = CallLog()
        self._faults: list[_Fault] = []
        self._answer_holds: list[tuple[str, float]] = []
        self._down = False
        self._poll_seq = 0
        self._active_polls = 0
        self._stopping = False
        self._wake: asyncio.Event | None = None  # replaced on every wake; server loop only
        app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])])
        # grace: long polls are released at stop(), so in-flight answers finish at once
        self._server = LoopbackServer(
            app, name="fake-telegram", grace=2.0, on_crash=self.internal_errors.append
        )

    # ---- lifecycle ----

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot's base_url is ``url + "/bot"``."""
        if not self._server.port:
            raise RuntimeError("FakeTelegram is not started")
        return self._server.url

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url`` / TELEGRAM_API_URL."""
        return self.url + "/bot"

    def start(self, port: int = 0) -> FakeTelegram:
        """Bind `port` (0: an ephemeral one) and serve in a background thread; after a stop(),
        start(port=...) brings the same Bot API back where the bot expects it."""
        if self._server.running:
            raise RuntimeError("FakeTelegram already started")
        with self._lock:
            self._stopping = False
        self._server.start(port)
        return self

    def stop(self) -> None:
        """Release pending long polls and shut the server down (nothing if not running)."""
        with self._lock:
            self._stopping = True
        self._updates_changed()
        self._server.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- observing calls ----

    def calls(self, method: str | None = None, *, start: int = 0) -> list[Call]:
        """Every API call answered so far (optionally one method), in completion order.

        ``start`` skips the first calls of the log: a reader that remembers how many calls
        it has seen (``start += len(new)``, with no ``method``) copies only new ones.
        """
        return [copy.deepcopy(c) for c in self._log.calls(start) if method in (None, c.method)]

    def arrivals(self, method: str | None = None, *, since: float = 0.0) -> list[Arrival]:
        """API requests as they arrived (before checks, faults or long polling), optionally
        of one method and from ``since`` (time.monotonic()) on."""
        return [
            copy.deepcopy(a)
            for a in self._log.arrivals()
            if method in (None, a.method) and a.arrived_at >= since
        ]

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.02
    ) -> T:
        """`wait_until` re-checking at least every ``interval`` s (the older name).

        AssertionError/LookupError raised by the predicate count as "not yet".
        """
        return self.wait_until(predicate, timeout, interval=interval)

    def describe_calls(self, last: int = 20) -> str:
        """Human-readable tail of the call log, for assertion messages."""
        lines = []
        for call in self._log.calls()[-last:]:
            outcome = "ok" if call.ok else f"{call.error_code} {call.description}"
            params = {k: v for k, v in call.params.items() if k != "reply_markup"}
            lines.append(f"  {call.arrived_at:.3f} {call.method} {params!r:.160} -> {outcome}")
        return "\n".join(lines) or "  (none)"

    def _timeout_context(self) -> str:
        text = f"recent API calls:\n{self.describe_calls(20)}"
        if self.internal_errors:
            text += f"\nfake internal errors:\n{self.internal_errors}"
        return text

    @property
    def active_polls(self) -> int:
        """getUpdates requests currently waiting (long polling)."""
        with self._lock:
            return self._active_polls

    # ---- faults ----

    def fail_next(
        self,
        method: str | None,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        text_contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any method, getUpdates too)
        with this error; ``retry_after`` adds ``parameters.retry_after``; with
        ``text_contains`` only calls whose ``text`` holds it (one message Telegram refuses)."""
        canonical = None
        if method is not None:
            canonical = self.spec.method_name(method)
            if canonical is None:
                raise ValueError(f"unknown Bot API method {method!r}")
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._lock:
            self._faults.append(
                _Fault(canonical, error_code, description, parameters, times, text_contains)
            )

    def clear_faults(self) -> None:
        """Forget the faults still queued by `fail_next`."""
        with self._lock:
            self._faults.clear()

    def hold_answer_next(self, method: str, seconds: float) -> None:
        """Delay the answer to the next call of ``method`` by ``seconds`` after it took effect.

        The call is applied and logged at once (a message is in the chat), only the answer
        is late: a slow round trip, during which a test can stop the bot.
        """
        canonical = self.spec.method_name(method)
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        with self._lock:
            self._answer_holds.append((canonical, seconds))

    def _take_answer_hold(self, path: str) -> float:
        method = self.spec.method_name(path.rpartition("/")[2])
        with self._lock:
            for index, (held, seconds) in enumerate(self._answer_holds):
                if held == method:
                    del self._answer_holds[index]
                    return seconds
        return 0.0

    def set_down(self, down: bool) -> None:
        """While down every call gets nginx's HTML "502 Bad Gateway" page (PTB: NetworkError)."""
        with self._lock:
            self._down = down

    def _take_fault(self, method: str, raw: dict[str, Any]) -> None:
        with self._lock:
            for fault in self._faults:
                if fault.text_contains is not None and fault.text_contains not in str(
                    raw.get("text", "")
                ):
                    continue
                if fault.method in (None, method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    raise ApiError(fault.error_code, fault.description, fault.parameters)

    # ---- HTTP layer ----

    async def _endpoint(self, request: Request) -> Response:
        response = await self._answer(request)
        delay = self.latency + self._take_answer_hold(request.path_params["path"])
        if delay:
            await asyncio.sleep(delay)
        return response

    async def _answer(self, request: Request) -> Response:
        at = time.monotonic()
        path: str = request.path_params["path"]
        token, _, name = path.removeprefix("bot").rpartition("/")
        if not path.startswith("bot") or not token:
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        method = self.spec.method_name(name) or name
        try:
            raw = await self._read_params(request)
        except ApiError as exc:
            self._log.arrived(Arrival(method, {}, at))
            return self._finish(method, {}, at, exc)
        self._log.arrived(Arrival(method, {k: v for k, v in raw.items() if k != UPLOADS}, at))
        with self._lock:
            down = self._down
        if down:
            self._record(method, raw, at, 502, 502, "Bad Gateway", None)
            return Response(BAD_GATEWAY_HTML, status_code=502, media_type="text/html")
        try:
            result = await self._run(token, method, raw, request)
        except ApiError as exc:
            return self._finish(method, raw, at, exc)
        except Exception:
            tb = traceback.format_exc()
            self.internal_errors.append(tb)
            log.error("fake Telegram bug in %s:\n%s", method, tb)
            return self._finish(method, raw, at, ApiError(500, "Internal Server Error: fake bug"))
        self._record(method, raw, at, 200, None, None, result)
        return _json_response(200, {"ok": True, "result": result})

    async def _run(self, token: str, method: str, raw: dict[str, Any], request: Request) -> Any:
        """The result of one call, or ApiError: token, method, faults, parameters, method."""
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        if self.spec.method_name(method) is None:
            raise ApiError(404, "Not Found")
        self._take_fault(method, raw)
        if method not in IMPLEMENTED_METHODS:
            raise bad_request("method not implemented in fake")
        params = self.spec.decode_params(method, raw)
        if method == "getUpdates":
            return await self._get_updates(params, request)
        return self._call_method(method, params, raw)

    def _finish(self, method: str, raw: dict, at: float, exc: ApiError) -> Response:
        self._record(method, raw, at, exc.code, exc.code, exc.description, None)
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": exc.code,
            "description": exc.description,
        }
        if exc.parameters:
            payload["parameters"] = exc.parameters
        return _json_response(exc.code, payload)

    def _record(
        self,
        method: str,
        raw: dict,
        at: float,
        status: int,
        error_code: int | None,
        description: str | None,
        result: Any,
    ) -> None:
        canonical = self.spec.method_name(method)
        raw = {key: value for key, value in raw.items() if key != UPLOADS}  # bytes: on messages
        params = self.spec.decode_params_lenient(canonical, raw) if canonical else dict(raw)
        call = Call(canonical or method, params, status, error_code, description, result, at)
        self._log.answered(call)

    @staticmethod
    async def _read_params(request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if not body:
            return params
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(data, dict):
                raise bad_request("can't parse JSON object")
            params.update(data)
        elif ctype.startswith("multipart/form-data"):
            params.update(_multipart(ctype, body))
        else:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    # ---- getUpdates (long polling, runs on the server loop) ----

    def _updates_changed(self) -> None:
        self._server.call_soon(self._wake_all)

    def _wake_all(self) -> None:
        event, self._wake = self._wake, asyncio.Event()
        if event is not None:
            event.set()

    async def _get_updates(self, params: dict, request: Request) -> list[dict]:
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(params.get("timeout", 0), 0)
        with self._lock:
            if self.getupdates_conflict == "reject_new" and self._active_polls:
                raise ApiError(409, CONFLICT)
            self._poll_seq += 1
            ticket = self._poll_seq
            self._active_polls += 1
            allowed = params.get("allowed_updates")
            if allowed is not None:
                self._allowed = frozenset(allowed)
            self._confirm(params.get("offset"))
        self._wake_all()  # a waiting older poll notices it was superseded
        try:
            return await self._long_poll(ticket, limit, time.monotonic() + timeout, request)
        finally:
            with self._lock:
                self._active_polls -= 1

    async def _long_poll(
        self, ticket: int, limit: int, deadline: float, request: Request
    ) -> list[dict]:
        while True:
            with self._lock:
                if self.getupdates_conflict == "terminate_old" and self._poll_seq != ticket:
                    raise ApiError(409, CONFLICT)
                ready = self._deliverable(limit)
                if ready or self._stopping:
                    return ready
                event = self._wake
            remaining = deadline - time.monotonic()
            if remaining <= 0 or event is None or await request.is_disconnected():
                return []  # a vanished client (killed bot process) stops polling
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields of a multipart body; a file becomes ``"<file NAME>"`` and its bytes are
    kept under UPLOADS (see media.py)."""
    header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not parsed.is_multipart():
        raise bad_request("can't parse multipart form data")
    fields: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields[name] = f"<file {part.get_filename()}>"
            uploads[name] = Upload(part.get_filename(), part.get_content_type(), payload)
        else:
            fields[name] = payload.decode("utf-8", "replace")
    if uploads:
        fields[UPLOADS] = uploads
    return fields
