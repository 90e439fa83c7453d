"""Who is asking: one rule for every HTTP endpoint that admits callers by address.

The peer is the socket's address. A peer in `TRUSTED_PROXIES` must say whom it forwards in
`X-Forwarded-For`, and the client is the right-most address there that no trusted proxy
vouches for. Any other peer is the client itself, and one that carries a forwarded header
is refused: a proxy nobody listed in `TRUSTED_PROXIES` would otherwise lend every internet
client its own, often private, address. Either way fails closed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.setting_values import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

FORWARDED_FOR = "x-forwarded-for"
# headers by which proxies name the client; any of them from an untrusted peer is refused
FORWARDING_HEADERS = (FORWARDED_FOR, "forwarded", "x-real-ip")


class Headers(Protocol):
    """Request headers by lowercase name, every occurrence (as Starlette's `Headers`)."""

    def getlist(self, key: str) -> list[str]: ...


class Refusal(Enum):
    """Why a caller is refused before its address is held against any network."""

    UNREADABLE = "no readable client address"
    FORWARDED_BY_STRANGER = "a forwarded header from a peer not in TRUSTED_PROXIES"
    PROXY_NAMES_NOBODY = "a request from a trusted proxy without X-Forwarded-For"


@dataclass(frozen=True)
class Caller:
    """The peer of a request and the client it stands for (None: refused, see `refusal`)."""

    peer: str | None
    client: Address | None
    refusal: Refusal | None = None

    def refused(self, allowed: Sequence[Network], setting: str) -> str | None:
        """Why this caller may not be answered (for the log line), or None when it may."""
        if self.refusal is not None:
            return self.refusal.value
        if self.client is None or not within(self.client, allowed):
            return f"not in {setting}"
        return None

    def __str__(self) -> str:
        peer = self.peer or "an unknown peer"
        if self.client is None:
            return peer
        return str(self.client) if str(self.client) == peer else f"{self.client} (peer {peer})"


def parse_address(text: str | None) -> Address | None:
    """An address as written by a peer or a proxy: `1.2.3.4`, `::1`, `[::1]:80`, `1.2.3.4:80`."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def within(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def identify(peer: str | None, headers: Headers, trusted_proxies: Sequence[Network]) -> Caller:
    """Who sent a request with these headers over a connection from `peer`."""
    address = parse_address(peer)
    if address is None:
        return Caller(peer, None, Refusal.UNREADABLE)
    if not within(address, trusted_proxies):
        if any(headers.getlist(name) for name in FORWARDING_HEADERS):
            return Caller(peer, None, Refusal.FORWARDED_BY_STRANGER)
        return Caller(peer, address)
    hops = [hop for header in headers.getlist(FORWARDED_FOR) for hop in header.split(",")]
    hops = [hop.strip() for hop in hops if hop.strip()]
    if not hops:
        return Caller(peer, None, Refusal.PROXY_NAMES_NOBODY)
    client = _first_untrusted(hops, trusted_proxies)
    return Caller(peer, client, None if client is not None else Refusal.UNREADABLE)


def _first_untrusted(hops: Sequence[str], trusted_proxies: Sequence[Network]) -> Address | None:
    """The right-most hop no trusted proxy is: each proxy appends the address it saw, so
    that is the first one no trusted party vouches for. An unreadable hop yields None."""
    address = None
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None or not within(address, trusted_proxies):
            return address
    return address  # only trusted proxies all along: the left-most one asked itself
