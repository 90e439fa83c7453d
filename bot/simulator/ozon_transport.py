"""The simulated Ozon as an httpx transport: the desk's own `OzonClient`, no socket, no Ozon.

Answers the five methods the desk calls, all `POST`, in Ozon's JSON; every refusal is an
`rpcStatus` {code, message, details}. Each call must carry a `Client-Id` and the `Api-Key`
issued for it: a missing, unknown or foreign key is refused as Ozon refuses it (403,
"Invalid Api-Key", the tests' fake's status among those the spec documents). Bodies are
read loosely; the tests' fake (tests/fakes/ozon) is the strict one.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bot.simulator.ozon_dto import State
from bot.simulator.ozon_engine import Grpc, OzonEngine, Refusal

__all__ = ["OPERATIONS", "OzonTransport"]

log = logging.getLogger(__name__)

#: Path → the operation's name (as `fails` is asked it, and as the desk's client counts it).
OPERATIONS = {
    "/v2/conditional-cancellation/list": "list",
    "/v2/conditional-cancellation/approve": "approve",
    "/v2/conditional-cancellation/reject": "reject",
    "/v3/posting/fbs/get": "posting",
    "/v1/roles": "roles",
}
INVALID_KEY = "Invalid Api-Key, please check the key and try again"  # tag:Errors


class OzonTransport(httpx.AsyncBaseTransport):
    """Answers the desk's Ozon calls from `engine`.

    `keys` maps each Api-Key the simulated Ozon issued to its Client-Id; `fails(operation)`
    says whether this call meets a simulated server error (the demo's `DEMO_FAULTS`);
    `latency` is how long every answer takes, as the Market simulator's does.
    """

    def __init__(
        self,
        engine: OzonEngine,
        *,
        keys: Mapping[str, int],
        fails: Callable[[str], bool] = lambda operation: False,
        latency: float = 0.0,
    ) -> None:
        self.engine = engine
        self._handlers: dict[str, Callable[[int, dict[str, Any]], dict[str, Any]]] = {
            "list": engine.list_requests,
            "approve": functools.partial(engine.decide, state=State.APPROVED),
            "reject": functools.partial(engine.decide, state=State.REJECTED),
            "posting": engine.fbs_posting,
            "roles": lambda client_id, body: engine.roles(),
        }
        self.keys = dict(keys)
        self.fails = fails
        self.latency = latency

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.latency:
            await asyncio.sleep(self.latency)
        status, payload = self.answer(request)
        return httpx.Response(status, json=payload, headers={"Connection": "close"})

    def answer(self, request: httpx.Request) -> tuple[int, dict[str, Any]]:
        """The status and body the simulated Ozon gives this request."""
        try:
            return 200, self._serve(request)
        except Refusal as refusal:
            return refusal.status, _status(refusal.code, refusal.message)
        except Exception:  # a bug of the simulator: Ozon's own words for its failures
            log.exception("The simulated Ozon failed on %s", request.url.path)
            return 500, _status(Grpc.INTERNAL, "Internal error")

    def _serve(self, request: httpx.Request) -> dict[str, Any]:
        operation = OPERATIONS.get(request.url.path)
        if operation is None:
            raise Refusal(404, Grpc.NOT_FOUND, "Not Found")
        if request.method != "POST":
            raise Refusal(405, Grpc.UNIMPLEMENTED, "method is not allowed")
        client_id = self._client_id(request.headers)
        body = _body(request.content)
        if self.fails(operation):
            raise Refusal(500, Grpc.INTERNAL, "Internal error")
        return self._handlers[operation](client_id, body)

    def _client_id(self, headers: httpx.Headers) -> int:
        """The Client-Id of the call, if its Api-Key was issued for it."""
        issued = self.keys.get(headers.get("Api-Key") or "")
        if issued is None or headers.get("Client-Id") != str(issued):
            raise Refusal(403, Grpc.PERMISSION_DENIED, INVALID_KEY)
        return issued


def _body(content: bytes) -> dict[str, Any]:
    """The JSON object sent; none at all is `{}` (`/v1/roles` defines no body)."""
    if not content.strip():
        return {}
    try:
        body = json.loads(content)
    except ValueError as error:
        raise Refusal(400, Grpc.INVALID_ARGUMENT, f"invalid JSON: {error}") from error
    if not isinstance(body, dict):
        raise Refusal(400, Grpc.INVALID_ARGUMENT, "the body must be a JSON object")
    return body


def _status(code: int, message: str) -> dict[str, Any]:
    """An `rpcStatus`; `details` is always a list, as the gateway writes it."""
    return {"code": code, "message": message, "details": []}
