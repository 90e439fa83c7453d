"""The fake Market's Api-Keys: which business each belongs to, and what a key may reach.

A real Api-Key is "bound to the cabinet (business) where it was created" and reaches "every
store in that cabinet" (MARKET_API.md §1.2), so a key of one business is refused for another
business's `v1/businesses/{businessId}/...` and for its campaigns' `v2/campaigns/{campaignId}/...`.
The fake also has one unscoped key (the `api_key` of the single-business tests), which
reaches every business: a convenience of the fake, not something the Market issues.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping

from tests.fakes.market.wire import ApiError

__all__ = ["Keys", "addressed_business", "check_access", "path_ids"]

_PARAM = re.compile(r"\{(\w+)\}")


def path_ids(template: str, path: str) -> dict[str, int]:
    """The numeric path parameters of `path` by name (a non-numeric one is left out, for
    the request checks to refuse)."""
    names = _PARAM.findall(template)
    pattern = re.escape(template)
    for name in names:
        pattern = pattern.replace(re.escape(f"{{{name}}}"), "([^/]+)")
    match = re.fullmatch(pattern, path)
    if match is None:
        return {}
    pairs = zip(names, match.groups(), strict=True)
    return {name: int(value) for name, value in pairs if value.isdigit()}


class Keys:
    """The accepted keys: the unscoped one and the business-bound ones; thread-safe."""

    def __init__(self, unscoped: str, scoped: Mapping[str, int]) -> None:
        if unscoped in scoped:
            raise ValueError("the unscoped api_key cannot also be a business's key")
        self.unscoped = unscoped
        self._lock = threading.Lock()
        self._business: dict[str, int] = dict(scoped)
        self._revoked: set[str] = set()

    def add(self, key: str, business_id: int) -> None:
        with self._lock:
            if key == self.unscoped or key in self._business:
                raise ValueError("key already known to the fake")
            self._business[key] = business_id

    def revoke(self, key: str, revoked: bool) -> None:
        with self._lock:
            if key != self.unscoped and key not in self._business:
                raise KeyError("key unknown to the fake")
            if revoked:
                self._revoked.add(key)
            else:
                self._revoked.discard(key)

    def of_business(self, business_id: int) -> list[str]:
        with self._lock:
            return [key for key, owner in self._business.items() if owner == business_id]

    def business_of(self, key: str | None) -> int | None:
        """The business a known key belongs to; None for the unscoped key or an unknown one."""
        with self._lock:
            return self._business.get(key or "")

    def check(self, key: str) -> None:
        """401 for a key the fake does not know or one revoked; the texts are the error-codes
        page's (MARKET_API.md §5.2, docs concepts/error-codes, 401 table)."""
        with self._lock:
            known = key == self.unscoped or key in self._business
            revoked = key in self._revoked
        if not known:
            raise ApiError(401, "UNAUTHORIZED", "Api-Key token is invalid")
        if revoked:
            raise ApiError(401, "UNAUTHORIZED", "Api-Key token is revoked")


def addressed_business(
    ids: Mapping[str, int], campaign_business: Callable[[int], int | None]
) -> int | None:
    """The business a path names: its businessId, or its campaign's business (None when
    the path names neither, or a campaign the fake does not have)."""
    if "businessId" in ids:
        return ids["businessId"]
    if "campaignId" in ids:
        return campaign_business(ids["campaignId"])
    return None


def check_access(key_business: int | None, addressed: int | None) -> None:
    """403 when a business-bound key asks about another business.

    The answer is the one MARKET_API.md §5.2 lists for "no access" (403 FORBIDDEN, "Access
    denied"; docs concepts/error-codes, 403 table: "Check that the resource is specified
    correctly, as well as whether the user whose authorization token is used in the request
    has access rights to it").
    """
    if key_business is not None and addressed is not None and addressed != key_business:
        raise ApiError(403, "FORBIDDEN", "Access denied")
