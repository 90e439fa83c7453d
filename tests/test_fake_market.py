"""Self-tests of the fake Market Partner API (tests/fakes/market/) over real HTTP."""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from bot.simulator.dto import MSK
from tests.fakes.market import DROP, FakeMarket, FakeMarketError

TODAY = date(2026, 7, 20)
BUSINESS = 77
CAMPAIGN = 1001
ORDERS = f"/v1/businesses/{BUSINESS}/orders"
RECENT = {  # the 30 days up to today, today included: what the desk sends
    "creationDateFrom": (TODAY - timedelta(days=29)).isoformat(),
    "creationDateTo": (TODAY + timedelta(days=1)).isoformat(),
}
PENDING = {"waitingForCancellationApprove": True, "programTypes": ["DBS"], "dates": RECENT}
DEFAULT_WINDOW = {"waitingForCancellationApprove": True, "programTypes": ["DBS"]}


def accept_path(order_id: int, campaign_id: int = CAMPAIGN) -> str:
    return f"/v2/campaigns/{campaign_id}/orders/{order_id}/cancellation/accept"


def created(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(12), MSK)


@pytest.fixture
def market() -> Iterator[FakeMarket]:
    with FakeMarket(today=TODAY).start() as fake:
        fake.add_campaign(CAMPAIGN, business_id=BUSINESS)
        yield fake


@pytest.fixture
def client(market: FakeMarket) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=market.url, headers={"Api-Key": "test-key"}, timeout=5) as c:
        yield c


def order_ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [o["orderId"] for o in response.json()["orders"]]


def error(response: httpx.Response) -> tuple[str, str]:
    body = response.json()
    assert body["status"] == "ERROR"
    return body["errors"][0]["code"], body["errors"][0]["message"]


def test_pending_listing_pages_50_50_20(market: FakeMarket, client: httpx.Client) -> None:
    for n in range(120):
        market.add_order(10_000 + n, CAMPAIGN, cancel_requested=True, created_at=created(n % 20))
    market.add_order(9_000, CAMPAIGN)  # no request: not listed
    seen: list[int] = []
    sizes = []
    token = None
    while True:
        params = {"limit": 50} | ({"page_token": token} if token else {})
        response = client.post(ORDERS, params=params, json=PENDING)
        ids = order_ids(response)
        seen += ids
        sizes.append(len(ids))
        token = response.json()["paging"].get("nextPageToken")
        if token is None:
            break
    assert sizes == [50, 50, 20]
    assert seen == [10_000 + n for n in range(120)]
    for header in ("Limit", "Remaining", "Until"):
        assert f"X-RateLimit-Resource-{header}" in response.headers
    assert int(response.headers["X-RateLimit-Resource-Remaining"]) == 10_000 - 3


def test_page_token_is_bound_to_filter_and_limit(market: FakeMarket, client: httpx.Client) -> None:
    for n in range(3):
        market.add_order(100 + n, CAMPAIGN, cancel_requested=True)
    first = client.post(ORDERS, params={"limit": 2}, json=PENDING)
    token = first.json()["paging"]["nextPageToken"]
    same = client.post(ORDERS, params={"limit": 2, "pageToken": token}, json=PENDING)
    assert order_ids(same) == [102]
    other_limit = client.post(ORDERS, params={"limit": 3, "page_token": token}, json=PENDING)
    other_filter = client.post(ORDERS, params={"limit": 2, "page_token": token}, json={})
    assert other_limit.status_code == other_filter.status_code == 400


def test_limit_over_50_is_truncated(market: FakeMarket, client: httpx.Client) -> None:
    for n in range(51):
        market.add_order(100 + n, CAMPAIGN)
    response = client.post(ORDERS, params={"limit": 500}, json={})
    assert len(order_ids(response)) == 50
    assert "nextPageToken" in response.json()["paging"]
    assert client.post(ORDERS, params={"limit": 0}, json={}).status_code == 400


def test_default_window_is_the_30_days_before_today(
    market: FakeMarket, client: httpx.Client
) -> None:
    market.add_order(1, CAMPAIGN, cancel_requested=True, created_at=created(45))
    market.add_order(2, CAMPAIGN, cancel_requested=True, created_at=created(30))
    market.add_order(3, CAMPAIGN, cancel_requested=True, created_at=created(0))
    # The spec: from = today - 30, to = today, the end not included: today's order is not
    # listed without dates.
    assert order_ids(client.post(ORDERS, json=DEFAULT_WINDOW)) == [2]
    only_from = {"creationDateFrom": (TODAY - timedelta(days=3)).isoformat()}
    assert order_ids(client.post(ORDERS, json=DEFAULT_WINDOW | {"dates": only_from})) == []
    assert order_ids(client.post(ORDERS, json=PENDING)) == [3]
    # The default window applies to orderIds too (the conservative reading).
    assert order_ids(client.post(ORDERS, json={"orderIds": [1, 3]})) == []
    window = {
        "creationDateFrom": (TODAY - timedelta(days=60)).isoformat(),
        "creationDateTo": (TODAY - timedelta(days=30)).isoformat(),  # exclusive
    }
    assert order_ids(client.post(ORDERS, json=PENDING | {"dates": window})) == [1]


def test_window_over_30_days_is_refused(client: httpx.Client) -> None:
    window = {
        "creationDateFrom": (TODAY - timedelta(days=31)).isoformat(),
        "creationDateTo": TODAY.isoformat(),
    }
    response = client.post(ORDERS, json={"dates": window})
    assert response.status_code == 400
    assert error(response) == ("BAD_REQUEST", "Too long time period. Maximum is '30' days")


def test_filters(market: FakeMarket, client: httpx.Client) -> None:
    market.add_campaign(1002, business_id=BUSINESS, placement="FBS")
    market.add_campaign(2001, business_id=88)
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.add_order(2, CAMPAIGN, status="PICKUP", substatus="PICKUP_SERVICE_RECEIVED")
    market.add_order(3, CAMPAIGN, status="PROCESSING", substatus="STARTED", cancel_requested=True)
    market.add_order(4, CAMPAIGN, cancel_requested=True, fake=True)
    market.add_order(5, 1002, programType="FBS", externalOrderId="EXT-5")
    market.add_order(6, 2001, cancel_requested=True)
    assert order_ids(client.post(ORDERS, json={"orderIds": [2, 4, 6]})) == [2, 4]
    assert order_ids(client.post(ORDERS, json={"waitingForCancellationApprove": True})) == [1, 4]
    assert order_ids(client.post(ORDERS, json={"fake": True})) == [4]
    assert order_ids(client.post(ORDERS, json={"fake": False, "statuses": ["PICKUP"]})) == [2]
    assert order_ids(client.post(ORDERS, json={"campaignIds": [1002]})) == [5]
    assert order_ids(client.post(ORDERS, json={"programTypes": ["FBS"]})) == [5]
    assert order_ids(client.post(ORDERS, json={"externalOrderIds": ["EXT-5"]})) == [5]
    foreign = client.post(ORDERS, json={"campaignIds": [2001]})
    assert foreign.status_code == 403
    assert client.post("/v1/businesses/999/orders", json={}).status_code == 403


def test_request_validation(client: httpx.Client) -> None:
    no_body = client.put(accept_path(1))
    assert no_body.status_code == 400
    assert error(no_body) == ("BAD_REQUEST", "Missing required request body")
    bad_enum = client.put(accept_path(1), json={"accepted": False, "reason": "ORDER_LOST"})
    assert bad_enum.status_code == 400
    assert "ORDER_LOST" in error(bad_enum)[1]
    no_reason = client.put(accept_path(1), json={"accepted": False})
    assert no_reason.status_code == 400
    # The query name of the deprecated getOrders, sent as a body field (MARKET_API.md §8.1).
    unknown = client.post(ORDERS, json={"onlyWaitingForCancellationApprove": True})
    assert unknown.status_code == 400
    assert "onlyWaitingForCancellationApprove" in error(unknown)[1]
    assert client.post(ORDERS, params={"status": "DELIVERY"}, json={}).status_code == 400
    assert client.get("/v2/campaigns/abc").status_code == 400
    text = client.put(accept_path(1), content=b'{"accepted": true}')
    assert text.status_code == 415
    assert client.get("/v2/nothing-here").status_code == 404
    assert client.delete(f"/v2/campaigns/{CAMPAIGN}").status_code == 405


def test_authentication(market: FakeMarket) -> None:
    def get(headers: dict[str, str]) -> httpx.Response:
        return httpx.get(f"{market.url}/v2/campaigns/{CAMPAIGN}", headers=headers)

    missing = get({})
    assert missing.status_code == 401
    assert error(missing) == ("UNAUTHORIZED", "Credentials are not specified")
    assert error(get({"Api-Key": "nope"})) == ("UNAUTHORIZED", "Api-Key token is invalid")
    bearer = get({"Api-Key": "Bearer test-key"})
    assert (bearer.status_code, error(bearer)[1]) == (401, "Api-Key token prefix invalid")
    assert get({"Api-Key": "test-key"}).status_code == 200
    assert [c.status for c in market.calls("getCampaign")] == [401, 401, 401, 200]


def test_scopes() -> None:
    with FakeMarket(scopes=("INVENTORY_AND_ORDER_PROCESSING_READ_ONLY",)).start() as market:
        market.add_campaign(CAMPAIGN, business_id=BUSINESS)
        headers = {"Api-Key": "test-key"}
        with httpx.Client(base_url=market.url, headers=headers) as client:
            assert client.post(ORDERS, json={}).status_code == 200
            denied = client.put(accept_path(1), json={"accepted": True})
            assert denied.status_code == 403
            assert error(denied) == (
                "FORBIDDEN",
                "Token does not have any of the scopes to access the API method",
            )
            info = client.post("/v2/auth/token").json()
            assert info["result"]["apiKey"]["authScopes"] == [
                "INVENTORY_AND_ORDER_PROCESSING_READ_ONLY"
            ]


def test_fail_next_420_carries_until(market: FakeMarket, client: httpx.Client) -> None:
    until = datetime.now(UTC) + timedelta(minutes=5)
    market.fail_next("getBusinessOrders", 420, rate_limit_until=until)
    limited = client.post(ORDERS, json={})
    assert limited.status_code == 420
    assert error(limited)[0] == "REQUEST_LIMIT_EXCEEDED"
    header = parsedate_to_datetime(limited.headers["X-RateLimit-Resource-Until"])
    assert until <= header < until + timedelta(seconds=1)
    assert limited.headers["X-RateLimit-Resource-Remaining"] == "0"
    assert client.post(ORDERS, json={}).status_code == 200
    assert [c.status for c in market.calls("getBusinessOrders")] == [420, 200]


def test_faults(market: FakeMarket, client: httpx.Client) -> None:
    market.fail_next(None, 500, times=2, message="boom")
    assert error(client.get(f"/v2/campaigns/{CAMPAIGN}")) == ("INTERNAL_ERROR", "boom")
    assert client.post(ORDERS, json={}).status_code == 500
    assert client.post(ORDERS, json={}).status_code == 200
    market.fail_next("getBusinessOrders", 500, after=2)
    statuses = [client.post(ORDERS, json={}).status_code for _ in range(4)]
    assert statuses == [200, 200, 500, 200]
    market.fail_next("getCampaign", DROP)
    with pytest.raises(httpx.TransportError):
        client.get(f"/v2/campaigns/{CAMPAIGN}")
    assert market.calls("getCampaign")[-1].status == DROP
    market.set_outage(503)
    assert client.post(ORDERS, json={}).status_code == 503
    assert client.post(ORDERS, json={"bad": 1}).status_code == 400  # faults never mask bugs
    market.set_outage(None)
    market.set_rate_limited(datetime.now(UTC) + timedelta(seconds=30))
    assert client.post(ORDERS, json={}).status_code == 420
    market.set_rate_limited(datetime.now(UTC) - timedelta(seconds=1))
    assert client.post(ORDERS, json={}).status_code == 200


def test_accept_changes_order_and_it_leaves_the_list(
    market: FakeMarket, client: httpx.Client
) -> None:
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.add_order(2, CAMPAIGN, status="PICKUP", substatus="PICKUP_SERVICE_RECEIVED")
    market.request_cancellation(2)
    assert order_ids(client.post(ORDERS, json=PENDING)) == [1, 2]
    response = client.put(accept_path(1), json={"accepted": True})
    assert (response.status_code, response.json()) == (200, {"status": "OK"})
    order = market.order(1)
    assert (order["status"], order["substatus"], order["cancelRequested"]) == (
        "CANCELLED",
        "USER_CHANGED_MIND",
        False,
    )
    rejected = client.put(accept_path(2), json={"accepted": False, "reason": "ORDER_DELIVERED"})
    assert rejected.status_code == 200
    assert (market.order(2)["status"], market.order(2)["cancelRequested"]) == ("PICKUP", False)
    assert order_ids(client.post(ORDERS, json=PENDING)) == []
    assert market.accepted_decisions() == [
        (CAMPAIGN, 1, {"accepted": True}),
        (CAMPAIGN, 2, {"accepted": False, "reason": "ORDER_DELIVERED"}),
    ]
    again = client.put(accept_path(1), json={"accepted": True})
    assert (again.status_code, error(again)[0]) == (400, "ORDER_IN_TERMINAL_STATE")


def test_accept_refusals(market: FakeMarket, client: httpx.Client) -> None:
    market.add_campaign(1002, business_id=BUSINESS)
    market.add_order(1, CAMPAIGN)
    market.add_order(2, CAMPAIGN, status="PROCESSING", substatus="STARTED")
    market.add_order(3, 1002, cancel_requested=True)
    body = {"accepted": True}
    assert error(client.put(accept_path(1), json=body)) == (
        "ACTION_FORBIDDEN",
        "Order 1 has no cancellation request awaiting a decision",
    )
    assert error(client.put(accept_path(2), json=body))[0] == "INVALID_ORDER_STATUS"
    assert client.put(accept_path(3), json=body).status_code == 404  # other campaign
    assert client.put(accept_path(3, campaign_id=5), json=body).status_code == 404
    assert market.accepted_decisions() == []


def test_campaigns_and_token(market: FakeMarket, client: httpx.Client) -> None:
    market.add_campaign(1002, business_id=BUSINESS, domain="Other", placement="FBS")
    campaign = client.get(f"/v2/campaigns/{CAMPAIGN}").json()["campaign"]
    assert campaign == {
        "id": CAMPAIGN,
        "domain": "Shop",
        "business": {"id": BUSINESS, "name": "Biz"},
        "placementType": "DBS",
        "apiAvailability": "AVAILABLE",
    }
    missing = client.get("/v2/campaigns/5")
    assert (missing.status_code, error(missing)[1]) == (404, "Campaign not found: 5")
    first = client.get("/v2/campaigns", params={"limit": 1}).json()
    token = first["paging"]["nextPageToken"]
    second = client.get("/v2/campaigns", params={"limit": 1, "page_token": token}).json()
    assert [c["id"] for c in first["campaigns"] + second["campaigns"]] == [CAMPAIGN, 1002]
    assert second["paging"] == {}
    token_info = client.post("/v2/auth/token").json()
    assert token_info["status"] == "OK"


def test_add_order_builds_valid_dto(market: FakeMarket) -> None:
    order = market.add_order(
        1,
        CAMPAIGN,
        created_at=datetime(2026, 7, 1, 9, 30),
        items=[{"offerName": "Kettle", "count": 2}],
        notes="ring twice",
    )
    assert order["creationDate"] == "2026-07-01T09:30:00+03:00"
    assert order["items"][0]["prices"]["payment"] == {"value": 3980.0, "currencyId": "RUR"}
    assert order["programType"] == "DBS" and order["notes"] == "ring twice"
    assert "cancelRequested" not in market.add_order(2, CAMPAIGN, cancelRequested=None)
    with pytest.raises(ValueError, match="cancelRequest"):
        market.add_order(3, CAMPAIGN, cancelRequest=True)  # typo: unknown field
    with pytest.raises(ValueError):
        market.add_order(4, CAMPAIGN, status="SHIPPED_SOMEWHERE")


def test_unimplemented_operation_fails_the_fixture() -> None:
    market = FakeMarket().start()
    response = httpx.get(f"{market.url}/v2/campaigns/1/orders", headers={"Api-Key": "test-key"})
    assert response.status_code == 404
    with pytest.raises(FakeMarketError, match="getOrders"):
        market.stop()


async def test_usable_from_another_event_loop(market: FakeMarket) -> None:
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    headers = {"Api-Key": "test-key"}
    async with httpx.AsyncClient(base_url=market.url, headers=headers) as client:
        response = await client.post(ORDERS, json=PENDING)
        assert order_ids(response) == [1]
        accepted = await client.put(accept_path(1), json={"accepted": True})
        assert accepted.status_code == 200


def test_arrivals_calls_and_waiting_for_them(market: FakeMarket) -> None:
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.hold_next("acceptOrderCancellation", 0.3)
    put = threading.Thread(
        target=httpx.put,
        args=(market.url + accept_path(1),),
        kwargs={"json": {"accepted": True}, "headers": {"Api-Key": "test-key"}, "timeout": 5},
    )
    put.start()
    [arrival] = market.wait_until(lambda: market.arrivals("acceptOrderCancellation"), 5, "PUT")
    assert (arrival.method, arrival.path, arrival.json) == (
        "PUT",
        accept_path(1),
        {"accepted": True},
    )
    assert market.calls("acceptOrderCancellation") == []  # held, not answered yet
    [call] = market.wait_until(lambda: market.calls("acceptOrderCancellation"), 5, "the answer")
    put.join(5)
    assert call.status == 200 and call.arrived_at == arrival.arrived_at
    assert clock.monotonic() - call.arrived_at >= 0.3
    assert market.calls(start=len(market.calls()) - 1) == [call]

    httpx.get(market.url + "/nowhere?x=1&x=2", timeout=5)
    unknown = market.arrivals(since=call.arrived_at)[-1]
    assert (unknown.operation_id, unknown.query) == (None, {"x": ["1", "2"]})
    market.reset_calls()
    assert market.arrivals() == [] and market.calls() == [] and market.accepted_decisions() == []
    with pytest.raises(TimeoutError, match="waiting for a second PUT"):
        market.wait_until(lambda: market.arrivals(), 0.05, "a second PUT")
