"""Self-tests of the fake Ozon Seller API: its per-second limit, injected faults, records."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.ozon import DROP, RATE_MESSAGE, FakeOzon
from tests.ozon_calls import LIST, OTHER, REJECT, ROLES, SELLER, client, ozon, refusal, seller

__all__ = ["ozon", "seller"]  # fixtures

# --- limits, faults and records --------------------------------------------------------


def test_the_51st_call_in_a_second_is_refused_for_that_seller_only(ozon: FakeOzon) -> None:
    with client(ozon) as mine, client(ozon, key="key-a2") as same_seller:
        statuses = [mine.post(ROLES).status_code for _ in range(50)]
        refused = same_seller.post(ROLES)  # every key of the Client-Id counts
        with client(ozon, OTHER, "key-b") as other:
            assert other.post(ROLES).status_code == 200  # its own 50 a second
    arrivals = [a.arrived_at for a in ozon.arrivals(ROLES, client_id=SELLER)]
    assert arrivals[-1] - arrivals[0] < 1.0, "51 calls took over a second: machine too slow"
    assert statuses == [200] * 50
    assert refusal(refused, 429) == (8, RATE_MESSAGE)
    assert refused.headers["Retry-After"] == "1"


def test_an_outage_a_hang_and_a_limit_hit_one_seller(ozon: FakeOzon) -> None:
    ozon.add_request(OTHER)
    with client(ozon) as mine, client(ozon, OTHER, "key-b") as theirs:
        ozon.set_outage(500, client_id=SELLER)
        assert refusal(mine.post(LIST, json={"limit": 1}), 500) == (13, "Internal error")
        assert theirs.post(LIST, json={"limit": 1}).status_code == 200
        ozon.set_outage(None, client_id=SELLER)
        ozon.set_rate_limited(5, client_id=SELLER)
        limited = mine.post(ROLES)
        assert refusal(limited, 429)[1] == RATE_MESSAGE and limited.headers["Retry-After"] == "5"
        assert theirs.post(ROLES).status_code == 200
        ozon.set_rate_limited(None, client_id=SELLER)
        ozon.set_delay(30, client_id=SELLER)
        with pytest.raises(httpx.TimeoutException):
            mine.post(ROLES, timeout=0.3)
        assert theirs.post(ROLES).status_code == 200
        ozon.set_delay(None, client_id=SELLER)
        assert mine.post(ROLES).status_code == 200


def test_injected_faults_never_mask_a_bad_request(ozon: FakeOzon, seller: httpx.Client) -> None:
    ozon.fail_next(LIST, DROP)
    ozon.fail_next(LIST, 429, retry_after=7)
    assert refusal(seller.post(LIST, json={"limit": 501}), 400)[0] == 3
    with pytest.raises(httpx.TransportError):
        seller.post(LIST, json={"limit": 1})
    assert seller.post(LIST, json={"limit": 1}).headers["Retry-After"] == "7"
    assert seller.post(LIST, json={"limit": 1}).status_code == 200


def test_every_call_is_recorded(ozon: FakeOzon, seller: httpx.Client) -> None:
    request = ozon.add_request(SELLER)
    seller.post(REJECT, json={"cancellation_id": request.cancellation_id, "comment": "В пути"})
    (call,) = ozon.calls(REJECT, client_id=SELLER)
    assert (call.client_id, call.api_key, call.path, call.status) == ("101", "key-a", REJECT, 200)
    assert call.json == {"cancellation_id": request.cancellation_id, "comment": "В пути"}
    assert ozon.calls(client_id=OTHER) == []
    assert ozon.wait_until(lambda: ozon.arrivals(REJECT), timeout=1)
