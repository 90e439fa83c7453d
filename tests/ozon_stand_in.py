"""A small strict stand-in for Ozon's Seller API on loopback, for the client's own tests.

Only until tests/fakes/ozon (the strict fake built from the spec) lands: tests/
test_ozon_client.py reaches it through one fixture and asserts what any Ozon would show
(pages, refusals, arrival times), so it can move to that fake unchanged. The stand-in's
choices where the spec is silent are marked so.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer

PER_SECOND = 50  # OZON_API.md §3: per Client-Id, across all methods
LIST = "/v2/conditional-cancellation/list"
INVALID_KEY = "Invalid Api-Key, please check the key and try again"  # OZON_API.md §3
RATE_LIMIT = "You have reached request rate limit per second"  # OZON_API.md §3


@dataclass(frozen=True)
class Call:
    arrived: float  # time.monotonic() on arrival: the client shares the clock
    client_id: str | None
    api_key: str | None
    path: str
    body: Any


@dataclass
class OzonStandIn:
    """`keys`: Client-Id -> Api-Key. `requests`: the raw list items, by cancellation_id."""

    keys: dict[str, str]
    requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    extra_items: list[Any] = field(default_factory=list)  # odd items added to the first page
    calls: list[Call] = field(default_factory=list)
    retry_after: str | None = None  # the next call of anyone is a 429 with this header
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> OzonStandIn:
        app = Starlette(routes=[Route("/{path:path}", self._serve, methods=["POST"])])
        self.server = LoopbackServer(app, name="ozon-stand-in").start()
        self.url = self.server.url
        return self

    def stop(self) -> None:
        self.server.stop()

    def add(self, cancellation_id: int, posting_number: str, state: str = "ON_APPROVAL") -> None:
        self.requests[cancellation_id] = {
            "cancellation_id": str(cancellation_id),  # int64 as the gateway writes it
            "posting_number": posting_number,
            "cancellation_initiator": "CLIENT",
            "state": {"state": state},
            "auto_approve_date": "2026-11-27T12:31:43.621Z",
            "approve_date": None,
        }

    async def _serve(self, request: Request) -> Response:
        body = json.loads(await request.body() or b"null")
        client_id, key = request.headers.get("Client-Id"), request.headers.get("Api-Key")
        path = "/" + request.path_params["path"]
        with self._lock:
            now = time.monotonic()
            self.calls.append(Call(now, client_id, key, path, body))
            if client_id not in self.keys or self.keys[client_id] != key:
                return error(401, 16, INVALID_KEY)  # the stand-in's choice of status and code
            if self._over_limit(client_id, now) or self.retry_after is not None:
                headers = {"Retry-After": self.retry_after or "1"}
                self.retry_after = None
                return error(429, 8, RATE_LIMIT, headers)
            return self._answer(path, body)

    def _over_limit(self, client_id: str, now: float) -> bool:
        recent = self._recent.setdefault(client_id, deque())
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        recent.append(now)
        return len(recent) > PER_SECOND

    def _answer(self, path: str, body: dict[str, Any]) -> Response:
        if path == LIST:
            return self._list(body)
        if path in ("/v2/conditional-cancellation/approve", "/v2/conditional-cancellation/reject"):
            item = self.requests.get(int(body["cancellation_id"]))
            if item is None or item["state"]["state"] != "ON_APPROVAL":
                # the stand-in's choice: the spec states no error for this
                return error(400, 9, "Заявка уже обработана: <APPROVED> & закрыта")
            item["state"] = {"state": "APPROVED" if path.endswith("approve") else "REJECTED"}
            item["approve_comment"] = body.get("comment", "")
            return JSONResponse({})
        return error(404, 5, "method is not allowed")  # the stand-in serves only the list

    def _list(self, body: dict[str, Any]) -> Response:
        limit, last_id = body["limit"], int(body.get("last_id") or 0)
        if not 1 <= limit <= 500:
            return error(400, 3, "limit must be at most 500")
        filters = body.get("filters") or {}
        wanted, postings = filters.get("state", "ALL"), filters.get("posting_number")
        page = [
            item
            for number, item in sorted(self.requests.items())
            if number > last_id
            and wanted in ("ALL", item["state"]["state"])
            and (not postings or item["posting_number"] in postings)
        ][:limit]
        if not last_id and page:
            page = [*self.extra_items, *page][:limit]
        last = page[-1]["cancellation_id"] if page else str(last_id)
        return JSONResponse({"result": page, "last_id": last})


def error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"code": code, "message": message, "details": []}, status, headers)
