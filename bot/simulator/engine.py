"""The simulated Market: its shops and orders, how they are set up, and the operations on them.

`MarketEngine` knows nothing of HTTP. The demo reaches it through `bot.simulator.transport`;
the tests' strict `FakeMarket` authenticates and validates each request against the
official spec, runs the same handlers (``handlers``) and validates every order it holds,
so the demo and the tests cannot drift apart.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.simulator.api import ApiError, Context
from bot.simulator.dto import (
    CANCELLABLE_STATUSES,
    MSK,
    TERMINAL_STATUSES,
    build_campaign,
    build_order,
    deep_merge,
    msk_iso,
    msk_today,
)
from bot.simulator.listing import (
    date_window,
    decode_token,
    encode_token,
    fingerprint,
    order_matches,
)

__all__ = ["Check", "Handler", "MarketEngine"]

Handler = Callable[[Context], tuple[int, dict[str, Any]]]
Check = Callable[[str, dict[str, Any]], None]
"""Raises unless the value is a valid instance of the named schema; the tests check it
against the spec (the demo trusts its own builders)."""


class MarketEngine:
    """Campaigns and orders (BusinessOrderDTOs, each passed through `check`). Thread-safe."""

    def __init__(
        self,
        *,
        scopes: tuple[str, ...],
        today: date | None,
        check: Check = lambda schema, value: None,
    ) -> None:
        self._check = check
        self.scopes = scopes
        self._today = today
        self._lock = threading.RLock()
        self._campaigns: dict[int, dict[str, Any]] = {}
        self._orders: dict[int, dict[str, Any]] = {}
        self._decisions: list[tuple[int, int, dict[str, Any]]] = []
        self.handlers: dict[str, Handler] = {
            "getCampaign": self._get_campaign,
            "getCampaigns": self._get_campaigns,
            "getAuthTokenInfo": self._get_auth_token_info,
            "getBusinessOrders": self._get_business_orders,
            "acceptOrderCancellation": self._accept_order_cancellation,
            "getOrderBuyerInfo": self._get_order_buyer_info,
        }
        self._buyers: dict[int, dict[str, Any]] = {}

    @property
    def today(self) -> date:
        """The fake's current date in Moscow (fixed if given to the constructor)."""
        return self._today or msk_today()

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
        self._check("BusinessOrderDTO", order)
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
            self._check("BusinessOrderDTO", updated)
            self._orders[order_id] = updated

    def set_buyer(self, order_id: int, **fields: Any) -> None:
        """The order's buyer as getOrderBuyerInfo returns it (OrderBuyerInfoDTO fields:
        firstName, lastName, middleName, phone, trusted...); validated against the spec."""
        buyer = {"type": "PERSON", **fields}
        self._check("OrderBuyerInfoDTO", buyer)
        with self._lock:
            if order_id not in self._orders:
                raise KeyError(f"order {order_id} not added")
            self._buyers[order_id] = buyer

    def order(self, order_id: int) -> dict[str, Any]:
        """A copy of the order as the fake holds it."""
        with self._lock:
            return copy.deepcopy(self._orders[order_id])

    def campaign_business(self, campaign_id: int) -> int | None:
        """The business a campaign belongs to; None for a campaign the engine does not have."""
        with self._lock:
            campaign = self._campaigns.get(campaign_id)
            return None if campaign is None else campaign["business"]["id"]

    def accepted_decisions(self) -> list[tuple[int, int, dict[str, Any]]]:
        """(campaignId, orderId, body) of every acceptOrderCancellation answered 200."""
        with self._lock:
            return copy.deepcopy(self._decisions)

    # --- handlers -----------------------------------------------------------------------

    def _campaign_or_404(self, campaign_id: int) -> dict[str, Any]:
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            raise ApiError(404, "CAMPAIGN_NOT_FOUND", f"Campaign not found: {campaign_id}")
        return campaign

    def _get_campaign(self, ctx: Context) -> tuple[int, dict[str, Any]]:
        with self._lock:
            campaign = copy.deepcopy(self._campaign_or_404(ctx.path["campaignId"]))
        return 200, {"campaign": campaign}

    def _get_campaigns(self, ctx: Context) -> tuple[int, dict[str, Any]]:
        """An Api-Key lists "the stores of the token's cabinet" only (MARKET_API.md §4.1)."""
        with self._lock:
            campaigns = [
                copy.deepcopy(self._campaigns[cid])
                for cid in sorted(self._campaigns)
                if ctx.business_id in (None, self._campaigns[cid]["business"]["id"])
            ]
        limit = ctx.query.get("limit")
        token = ctx.raw_query.get("page_token") or ctx.raw_query.get("pageToken")
        if limit is not None or token:  # a token serves only the key and limit it was made for
            mark = fingerprint({"op": "getCampaigns", "limit": limit, "key": ctx.business_id})
            after = decode_token(token, mark)["a"] if token else 0
            rest = [c for c in campaigns if c["id"] > after]
            page = rest[: limit or 50]
            paging = {}
            if len(rest) > len(page):
                paging["nextPageToken"] = encode_token({"a": page[-1]["id"], "f": mark})
            return 200, {"campaigns": page, "paging": paging}
        page_size = ctx.query.get("pageSize") or max(len(campaigns), 1)
        page_num = ctx.query.get("page") or 1
        if page_size < 1 or page_num < 1:
            raise ApiError(400, "BAD_REQUEST", "page and pageSize must be positive")
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

    def _get_auth_token_info(self, ctx: Context) -> tuple[int, dict[str, Any]]:
        api_key = {"name": "FakeMarket token", "authScopes": list(self.scopes)}
        return 200, {"status": "OK", "result": {"apiKey": api_key}}

    def _get_business_orders(self, ctx: Context) -> tuple[int, dict[str, Any]]:
        business_id: int = ctx.path["businessId"]
        limit: int = ctx.query.get("limit") or 50
        body: dict[str, Any] = ctx.body or {}
        token = ctx.raw_query.get("page_token") or ctx.raw_query.get("pageToken")
        mark = fingerprint({"business": business_id, "limit": limit, "body": body})
        after = 0
        if token:  # later pages keep the first page's window, even past midnight
            state = decode_token(token, mark)
            after = state["a"]
            window = (date.fromisoformat(state["lo"]), date.fromisoformat(state["hi"]))
        else:
            window = date_window(body.get("dates") or {}, "creationDate", today=self.today)
        shipment = date_window(body.get("dates") or {}, "shipmentDate")
        with self._lock:
            campaigns = self._business_campaigns(business_id, body.get("campaignIds"))
            selected = [
                order
                for oid, order in sorted(self._orders.items())
                if oid > after
                and order["campaignId"] in campaigns
                and order_matches(order, body, window, shipment)
            ]
            page = copy.deepcopy(selected[:limit])
        paging: dict[str, str] = {}
        if len(selected) > limit:
            state = {
                "a": page[-1]["orderId"],
                "f": mark,
                "lo": window[0].isoformat(),
                "hi": window[1].isoformat(),
            }
            paging["nextPageToken"] = encode_token(state)
        return 200, {"orders": page, "paging": paging}

    def _business_campaigns(self, business_id: int, wanted: list[int] | None) -> set[int]:
        """The campaigns a listing covers: the business's, or the wanted ones of them."""
        campaigns = {
            cid for cid, c in self._campaigns.items() if c["business"]["id"] == business_id
        }
        if not campaigns:
            raise ApiError(403, "FORBIDDEN", "Access denied")
        if not wanted:
            return campaigns
        foreign = sorted(set(wanted) - campaigns)
        if foreign:
            raise ApiError(403, "FORBIDDEN", f"Access denied for campaigns {foreign}")
        return set(wanted)

    def _accept_order_cancellation(self, ctx: Context) -> tuple[int, dict[str, Any]]:
        campaign_id: int = ctx.path["campaignId"]
        order_id: int = ctx.path["orderId"]
        body: dict[str, Any] = ctx.body
        if body["accepted"] is False and "reason" not in body:
            raise ApiError(
                400, "BAD_REQUEST", "Missing field: reason (required when accepted is false)"
            )
        with self._lock:
            self._decidable_campaign(campaign_id)
            order = self._pending_order(campaign_id, order_id)
            changes: dict[str, Any] = {
                "cancelRequested": False,
                "updateDate": msk_iso(datetime.now(MSK)),
            }
            if body["accepted"]:
                changes |= {"status": "CANCELLED", "substatus": "USER_CHANGED_MIND"}
            updated = deep_merge(order, changes)
            self._check("BusinessOrderDTO", updated)
            self._orders[order_id] = updated
            self._decisions.append((campaign_id, order_id, copy.deepcopy(body)))
        return 200, {"status": "OK"}

    def _get_order_buyer_info(self, ctx: Context) -> tuple[int, dict[str, Any]]:
        """Only in PROCESSING, DELIVERY and PICKUP, as the operation's description says."""
        campaign_id: int = ctx.path["campaignId"]
        order_id: int = ctx.path["orderId"]
        with self._lock:
            self._decidable_campaign(campaign_id)
            order = self._orders.get(order_id)
            if order is None or order["campaignId"] != campaign_id:
                raise ApiError(404, "NOT_FOUND", f"Order not found: {order_id}")
            if order["status"] not in ("PROCESSING", "DELIVERY", "PICKUP"):
                raise ApiError(400, "INVALID_ORDER_STATUS", f"Invalid status: '{order['status']}'")
            buyer = self._buyers.get(order_id) or {"type": "PERSON", "firstName": "Покупатель"}
            return 200, {"status": "OK", "result": copy.deepcopy(buyer)}

    def _decidable_campaign(self, campaign_id: int) -> None:
        campaign = self._campaign_or_404(campaign_id)
        if campaign["apiAvailability"] != "AVAILABLE":
            raise ApiError(
                403,
                "FORBIDDEN",
                f"Access denied for campaign {campaign_id} because it is not active",
            )
        if campaign["placementType"] != "DBS":
            raise ApiError(400, "CAMPAIGN_TYPE_NOT_SUPPORTED", "Campaign type is not allowed")

    def _pending_order(self, campaign_id: int, order_id: int) -> dict[str, Any]:
        """The order of this campaign with a cancellation request awaiting a decision."""
        order = self._orders.get(order_id)
        if order is None or order["campaignId"] != campaign_id:
            raise ApiError(404, "NOT_FOUND", f"Order not found: {order_id}")
        status = order["status"]
        if status in TERMINAL_STATUSES:
            raise ApiError(
                400,
                "ORDER_IN_TERMINAL_STATE",
                f"Order {order_id} is in terminal status {status}",
            )
        if status not in CANCELLABLE_STATUSES:
            raise ApiError(400, "INVALID_ORDER_STATUS", f"Invalid status: '{status}'")
        if order.get("cancelRequested") is not True:
            raise ApiError(
                400,
                "ACTION_FORBIDDEN",
                f"Order {order_id} has no cancellation request awaiting a decision",
            )
        return order
