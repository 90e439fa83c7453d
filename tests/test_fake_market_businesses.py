"""The fake Market with several businesses: each key reaches its own business only, and one
business's trouble leaves the others answering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.fakes.market import DROP, FakeMarket

UYUT, DACHA = 7101, 7102
UYUT_SHOPS = (21100001, 21100002, 21100003)
DACHA_SHOPS = (21200001, 21200002)
KEYS = {"key-uyut": UYUT, "key-dacha": DACHA}
UYUT_ORDER, DACHA_ORDER = 501, 601
DENIED = {"status": "ERROR", "errors": [{"code": "FORBIDDEN", "message": "Access denied"}]}


@pytest.fixture
def market() -> Iterator[FakeMarket]:
    with FakeMarket(keys=KEYS).start() as fake:
        for campaign_id in UYUT_SHOPS:
            fake.add_campaign(campaign_id, business_id=UYUT)
        for campaign_id in DACHA_SHOPS:
            fake.add_campaign(campaign_id, business_id=DACHA)
        fake.add_order(UYUT_ORDER, UYUT_SHOPS[0], cancel_requested=True)
        fake.add_order(DACHA_ORDER, DACHA_SHOPS[0], cancel_requested=True)
        yield fake


def client(market: FakeMarket, key: str, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url=market.url, headers={"Api-Key": key}, timeout=timeout)


def pending(api: httpx.Client, business_id: int) -> httpx.Response:
    return api.post(f"/v1/businesses/{business_id}/orders", json={"programTypes": ["DBS"]})


def decide(api: httpx.Client, campaign_id: int, order_id: int) -> httpx.Response:
    path = f"/v2/campaigns/{campaign_id}/orders/{order_id}/cancellation/accept"
    return api.put(path, json={"accepted": True})


def campaign_ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["campaigns"]]


def test_a_key_is_refused_for_another_business(market: FakeMarket) -> None:
    foreign_shop = DACHA_SHOPS[0]
    with client(market, "key-uyut") as uyut:
        refused = [
            pending(uyut, DACHA),
            uyut.get(f"/v2/campaigns/{foreign_shop}"),
            decide(uyut, foreign_shop, DACHA_ORDER),
            uyut.get(f"/v2/campaigns/{foreign_shop}/orders/{DACHA_ORDER}/buyer"),
        ]
        assert [(r.status_code, r.json()) for r in refused] == [(403, DENIED)] * 4
        own_listing = pending(uyut, UYUT)
        assert [o["orderId"] for o in own_listing.json()["orders"]] == [UYUT_ORDER]
        mixed = uyut.post(
            f"/v1/businesses/{UYUT}/orders", json={"campaignIds": [UYUT_SHOPS[0], foreign_shop]}
        )
        assert mixed.status_code == 403
        assert decide(uyut, UYUT_SHOPS[0], UYUT_ORDER).status_code == 200
    assert market.order(DACHA_ORDER)["cancelRequested"] is True  # the refused decision
    assert market.accepted_decisions() == [(UYUT_SHOPS[0], UYUT_ORDER, {"accepted": True})]
    to_dacha = market.calls(business=DACHA)
    assert [(c.api_key, c.status) for c in to_dacha] == [("key-uyut", 403)] * 4
    assert {c.api_key for c in market.calls(business=UYUT)} == {"key-uyut"}


def test_campaign_listing_shows_only_the_keys_business(market: FakeMarket) -> None:
    with client(market, "key-uyut") as uyut, client(market, "key-dacha") as dacha:
        first = uyut.get("/v2/campaigns", params={"limit": 2})
        token = first.json()["paging"]["nextPageToken"]
        second = uyut.get("/v2/campaigns", params={"limit": 2, "page_token": token})
        assert campaign_ids(first) + campaign_ids(second) == list(UYUT_SHOPS)
        assert second.json()["paging"] == {}
        assert campaign_ids(dacha.get("/v2/campaigns", params={"limit": 100})) == list(DACHA_SHOPS)
        assert dacha.get("/v2/campaigns", params={"limit": 101}).status_code == 400
        legacy = dacha.get("/v2/campaigns").json()
        assert (legacy["pager"]["total"], len(legacy["campaigns"])) == (2, 2)
    with client(market, market.api_key) as unscoped:  # the fake's own, every business
        assert campaign_ids(unscoped.get("/v2/campaigns")) == [*UYUT_SHOPS, *DACHA_SHOPS]


def test_a_page_token_of_one_key_is_refused_to_another(market: FakeMarket) -> None:
    with client(market, "key-uyut") as uyut, client(market, "key-dacha") as dacha:
        token = uyut.get("/v2/campaigns", params={"limit": 1}).json()["paging"]["nextPageToken"]
        stolen = dacha.get("/v2/campaigns", params={"limit": 1, "page_token": token})
        assert stolen.status_code == 400


@pytest.mark.parametrize(
    "trouble",
    [
        pytest.param(lambda m: m.set_outage(500, business=DACHA), id="outage"),
        pytest.param(
            lambda m: m.set_rate_limited(datetime.now(UTC) + timedelta(minutes=1), business=DACHA),
            id="420",
        ),
        pytest.param(lambda m: m.revoke_key("key-dacha"), id="revoked"),
        pytest.param(lambda m: m.fail_next(None, 500, times=3, business=DACHA), id="fail_next"),
    ],
)
def test_one_business_in_trouble_leaves_the_other_answering(
    market: FakeMarket, trouble: Callable[[FakeMarket], None]
) -> None:
    trouble(market)
    with client(market, "key-uyut") as uyut, client(market, "key-dacha") as dacha:
        for _ in range(3):
            assert pending(uyut, UYUT).status_code == 200
            assert decide(uyut, UYUT_SHOPS[0], UYUT_ORDER).status_code in (200, 400)
            assert pending(dacha, DACHA).status_code in (401, 420, 500)
        assert market.order(UYUT_ORDER)["status"] == "CANCELLED"


def test_a_revoked_key_says_so_until_restored(market: FakeMarket) -> None:
    market.revoke_key("key-dacha")
    with client(market, "key-dacha") as dacha:
        revoked = pending(dacha, DACHA)
        assert (revoked.status_code, revoked.json()["errors"][0]["message"]) == (
            401,
            "Api-Key token is revoked",
        )
        market.revoke_key("key-dacha", revoked=False)
        assert pending(dacha, DACHA).status_code == 200


def test_one_business_hanging_or_dropping_leaves_the_other_answering(market: FakeMarket) -> None:
    market.set_delay(3.0, business=DACHA)
    with client(market, "key-uyut") as uyut, client(market, "key-dacha", timeout=0.3) as dacha:
        with pytest.raises(httpx.TimeoutException):
            pending(dacha, DACHA)
        answered = pending(uyut, UYUT)
        assert answered.status_code == 200
        assert answered.elapsed < timedelta(seconds=1)
        market.set_delay(None, business=DACHA)
        market.set_outage(DROP, business=DACHA)
        with pytest.raises(httpx.TransportError):
            pending(dacha, DACHA)
        assert pending(uyut, UYUT).status_code == 200
        market.set_outage(None, business=DACHA)
        assert pending(dacha, DACHA).status_code == 200


def test_hourly_limits_count_per_cabinet(market: FakeMarket) -> None:
    with client(market, "key-uyut") as uyut, client(market, "key-dacha") as dacha:
        for _ in range(3):
            uyut.get("/v2/campaigns")
        remaining = dacha.get("/v2/campaigns").headers["X-RateLimit-Resource-Remaining"]
        mine = uyut.get("/v2/campaigns").headers["X-RateLimit-Resource-Remaining"]
    assert (int(remaining), int(mine)) == (999, 996)


def test_keys_added_later_and_listed(market: FakeMarket) -> None:
    market.add_key("key-uyut-2", UYUT)
    assert market.keys_of(UYUT) == ["key-uyut", "key-uyut-2"]
    with client(market, "key-uyut-2") as second:
        assert campaign_ids(second.get("/v2/campaigns")) == list(UYUT_SHOPS)
        assert pending(second, DACHA).status_code == 403
    with pytest.raises(ValueError):
        market.add_key("key-dacha", UYUT)  # a key belongs to one business
