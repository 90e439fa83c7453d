"""Self-tests of the fake Market's getOrderBuyerInfo (GET v2/campaigns/{c}/orders/{o}/buyer)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.market import FakeMarket
from tests.test_fake_market import BUSINESS, CAMPAIGN, TODAY, error


def buyer_path(order_id: int, campaign_id: int = CAMPAIGN) -> str:
    return f"/v2/campaigns/{campaign_id}/orders/{order_id}/buyer"


@pytest.fixture
def market() -> Iterator[FakeMarket]:
    with FakeMarket(today=TODAY).start() as fake:
        fake.add_campaign(CAMPAIGN, business_id=BUSINESS)
        yield fake


@pytest.fixture
def client(market: FakeMarket) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=market.url, headers={"Api-Key": "test-key"}, timeout=5) as c:
        yield c


def test_the_buyer_of_an_order_in_delivery(market: FakeMarket, client: httpx.Client) -> None:
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    market.set_buyer(1, firstName="Ирина", lastName="Петрова", phone="+79161234567", trusted=True)
    answer = client.get(buyer_path(1))
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "OK",
        "result": {
            "type": "PERSON",
            "firstName": "Ирина",
            "lastName": "Петрова",
            "phone": "+79161234567",
            "trusted": True,
        },
    }
    assert [c.status for c in market.calls("getOrderBuyerInfo")] == [200]


def test_refusals(market: FakeMarket, client: httpx.Client) -> None:
    market.add_campaign(1002, business_id=BUSINESS)
    market.add_order(1, CAMPAIGN, status="DELIVERED", substatus="DELIVERY_SERVICE_DELIVERED")
    market.add_order(2, 1002)
    assert error(client.get(buyer_path(1)))[0] == "INVALID_ORDER_STATUS"
    assert client.get(buyer_path(2)).status_code == 404  # another campaign's order
    assert client.get(buyer_path(99)).status_code == 404
    with pytest.raises(ValueError, match="OrderBuyerInfoDTO"):
        market.set_buyer(2, phone=79161234567)  # a number where the spec says string


def test_a_read_only_key_may_read_the_buyer() -> None:
    with FakeMarket(scopes=("INVENTORY_AND_ORDER_PROCESSING_READ_ONLY",)).start() as market:
        market.add_campaign(CAMPAIGN, business_id=BUSINESS)
        market.add_order(1, CAMPAIGN)
        with httpx.Client(base_url=market.url, headers={"Api-Key": "test-key"}) as client:
            assert client.get(buyer_path(1)).status_code == 200
    with FakeMarket(scopes=("OFFERS_AND_CARDS_MANAGEMENT",)).start() as market:
        market.add_campaign(CAMPAIGN, business_id=BUSINESS)
        market.add_order(1, CAMPAIGN)
        with httpx.Client(base_url=market.url, headers={"Api-Key": "test-key"}) as client:
            assert client.get(buyer_path(1)).status_code == 403
