"""One transport for the demo's shared HTTP client, answering each simulated API by host.

Every cabinet's client, Market or Ozon, sends through the one `httpx.AsyncClient` the app
builds; the demo hands it this transport, so a call reaches the simulator of the host its
cabinet's API URL names, and the cabinets' sides need not know they are in a demo.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

__all__ = ["ByHost"]


class ByHost(httpx.AsyncBaseTransport):
    """`transports` by host name; a host no simulator answers is refused as unreachable,
    so nothing of the demo ever leaves the process."""

    def __init__(self, transports: Mapping[str, httpx.AsyncBaseTransport]) -> None:
        self.transports = dict(transports)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.transports.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(f"no simulator answers {request.url.host}", request=request)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self.transports.values():
            await transport.aclose()
