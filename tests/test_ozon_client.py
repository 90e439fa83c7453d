"""The Ozon client as Ozon sees it: pages until an empty one, its limits per Client-Id,
its words when it refuses, and the two headers on every call.

Served by a strict stand-in on loopback (tests/ozon_stand_in.py) through the `ozon`
fixture; arrival times are the server's own. Odd answers no server of ours would give go
through httpx's MockTransport, the client itself unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.ozon.client import PAGE_LIMIT, OzonClient
from bot.ozon.errors import OzonHTTPError, OzonNetworkError, OzonRateLimited, OzonResponseError
from bot.ozon.limits import PER_SECOND, Gates
from bot.ozon.records import CancellationState
from tests.ozon_stand_in import INVALID_KEY, LIST, RATE_LIMIT, OzonStandIn

SHOP, OTHER_SHOP = 1001, 2002
KEYS = {str(SHOP): "key-1001", str(OTHER_SHOP): "key-2002"}


@pytest.fixture
def ozon() -> Iterator[OzonStandIn]:
    server = OzonStandIn(dict(KEYS)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as shared:
        yield shared


@pytest.fixture
def gates() -> Gates:
    """Limits of this test's own, so no hold of another test reaches it."""
    return Gates()


def client(ozon: OzonStandIn, http: httpx.AsyncClient, gates: Gates, shop: int = SHOP):
    return OzonClient(ozon.url, shop, KEYS[str(shop)], http=http, gates=gates)


async def test_every_waiting_request_is_read_page_by_page_until_an_empty_page(
    ozon: OzonStandIn, http: httpx.AsyncClient, gates: Gates
) -> None:
    for number in range(1, 1104):
        ozon.add(number, f"{10000000 + number}-0001-1")
    ozon.add(5000, "10005000-0001-1", state="APPROVED")
    ozon.extra_items = [{"cancellation_id": "12abc", "posting_number": "1-1-1"}, "junk"]

    listing = await client(ozon, http, gates).list_on_approval()

    assert [r.cancellation_id for r in listing.requests] == list(range(1, 1104))
    assert all(r.state is CancellationState.ON_APPROVAL for r in listing.requests)
    # each odd item costs itself only, told with its keys as sent
    assert [(u.cancellation_ref, u.posting_ref) for u in listing.unreadable] == [
        ("12abc", "1-1-1"),
        ("?", "?"),
    ]
    bodies = [call.body for call in ozon.calls]
    assert [body.get("last_id") for body in bodies] == [None, 498, 998, 1103]  # 2 odd items
    assert {body["limit"] for body in bodies} == {PAGE_LIMIT}
    assert {body["filters"]["state"] for body in bodies} == {"ON_APPROVAL"}


async def test_every_call_carries_the_client_id_and_its_key(
    ozon: OzonStandIn, http: httpx.AsyncClient, gates: Gates
) -> None:
    ozon.add(7, "10000007-0001-1")
    await client(ozon, http, gates).list_on_approval()
    await client(ozon, http, gates, OTHER_SHOP).approve(7)
    assert [(c.client_id, c.api_key) for c in ozon.calls] == [
        (str(SHOP), "key-1001"),
        (str(SHOP), "key-1001"),
        (str(OTHER_SHOP), "key-2002"),
    ]
    wrong = OzonClient(ozon.url, SHOP, "key-2002", http=http, gates=gates)
    with pytest.raises(OzonHTTPError) as refused:
        await wrong.list_on_approval()
    assert (refused.value.status, refused.value.message) == (401, INVALID_KEY)
    assert "key-2002" not in repr(wrong)


async def test_a_refusal_reaches_staff_in_ozons_words_and_the_request_is_read_again(
    ozon: OzonStandIn, http: httpx.AsyncClient, gates: Gates
) -> None:
    ozon.add(7, "10000007-0001-1")
    ozon.add(8, "10000008-0001-1")
    desk = client(ozon, http, gates)
    await desk.reject(8, "Заказ уже передан курьеру")
    assert ozon.calls[-1].body == {"cancellation_id": 8, "comment": "Заказ уже передан курьеру"}
    ozon.requests[7]["state"] = {"state": "APPROVED"}  # approved in Ozon's cabinet meanwhile

    with pytest.raises(OzonHTTPError) as refused:
        await desk.approve(7)
    assert ozon.calls[-1].body == {"cancellation_id": 7}
    error = refused.value
    assert (error.status, error.code) == (400, "9")
    assert error.message == "Заявка уже обработана: <APPROVED> & закрыта"  # verbatim
    assert error.describe() == "400 9 Заявка уже обработана: <APPROVED> & закрыта"

    [ended] = (await desk.list_by_posting("10000007-0001-1")).requests
    assert ended.state is CancellationState.APPROVED
    assert ozon.calls[-2].body["filters"] == {
        "state": "ALL",
        "posting_number": [ended.posting_number],
    }
    [rejected] = (await desk.list_by_posting("10000008-0001-1")).requests
    assert rejected.state is CancellationState.REJECTED
    assert rejected.approve_comment == "Заказ уже передан курьеру"


async def test_a_429_holds_every_call_of_that_client_id_until_retry_after(
    ozon: OzonStandIn, http: httpx.AsyncClient, gates: Gates
) -> None:
    ozon.add(7, "10000007-0001-1")
    ozon.retry_after = "1"
    before = datetime.now(UTC)
    with pytest.raises(OzonRateLimited) as limited:
        await client(ozon, http, gates).list_on_approval()
    error = limited.value
    assert (error.status, error.code, error.message) == (429, "8", RATE_LIMIT)
    assert (
        before + timedelta(seconds=1) <= error.retry_at <= datetime.now(UTC) + timedelta(seconds=1)
    )
    refused_at = ozon.calls[-1].arrived

    # another client object of the same Client-Id, and a cabinet of another Client-Id
    await asyncio.gather(
        client(ozon, http, gates).approve(7),
        client(ozon, http, gates, OTHER_SHOP).list_on_approval(),
    )
    arrivals = {call.client_id: call.arrived - refused_at for call in ozon.calls[1:]}
    assert arrivals[str(SHOP)] >= 1.0, "a call of the held Client-Id went out early"
    assert arrivals[str(OTHER_SHOP)] < 0.5, "another Client-Id waited for a hold not its own"


async def test_no_more_than_fifty_calls_a_second_reach_ozon_from_one_client_id(
    ozon: OzonStandIn, http: httpx.AsyncClient, gates: Gates
) -> None:
    clients = [client(ozon, http, gates) for _ in range(3)]  # e.g. poller, decider, check
    await asyncio.gather(*(clients[n % 3].list_on_approval() for n in range(PER_SECOND + 15)))
    arrived = sorted(call.arrived for call in ozon.calls)
    assert len(arrived) == PER_SECOND + 15
    windows = [arrived[n + PER_SECOND] - arrived[n] for n in range(len(arrived) - PER_SECOND)]
    assert min(windows) >= 1.0, f"{PER_SECOND + 1} calls within {min(windows):.3f} s"
    assert arrived[-1] - arrived[0] < 2.5, "the cap is not a crawl"


# --------------------------------------------------------------------------------------------
# answers no server of ours gives
# --------------------------------------------------------------------------------------------


def answering(handler, gates: Gates) -> OzonClient:
    return OzonClient(
        "https://ozon.test", SHOP, "key", transport=httpx.MockTransport(handler), gates=gates
    )


@pytest.mark.parametrize(
    ("header", "wait"),
    [("120", 120), ("99999999999", 300), (None, 1), ("soon", 1), ("0", 1)],
)
async def test_retry_after_is_believed_within_reason(header, wait, gates: Gates) -> None:
    headers = {"Retry-After": header} if header else {}
    desk = answering(lambda request: httpx.Response(429, text="Too Many", headers=headers), gates)
    before = datetime.now(UTC)
    with pytest.raises(OzonRateLimited) as limited:
        await desk.approve(1)
    await desk.close()
    assert limited.value.message == "Too Many"
    expected = before + timedelta(seconds=wait)
    assert expected <= limited.value.retry_at <= expected + timedelta(seconds=1)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html>maintenance</html>"),
        httpx.Response(200, json={"result": "none"}),
        httpx.Response(200, json=[1, 2]),
        # a page that never moves on would be read forever
        httpx.Response(200, json={"result": [{"cancellation_id": 1}], "last_id": None}),
        httpx.Response(200, json={"result": [{"cancellation_id": 1}], "last_id": "0"}),
    ],
)
async def test_a_200_that_makes_no_sense_is_a_response_error(answer, gates: Gates) -> None:
    desk = answering(lambda request: answer, gates)
    with pytest.raises(OzonResponseError):
        await desk.list_on_approval()
    await desk.close()


async def test_no_answer_is_a_network_error(gates: Gates) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    desk = answering(handler, gates)
    with pytest.raises(OzonNetworkError):
        await desk.reject(1, "Доставлен")
    await desk.close()


async def test_a_posting_and_the_keys_roles_are_read(gates: Gates) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/roles":
            roles = [{"name": "Posting FBS", "methods": [LIST]}]
            return httpx.Response(200, json={"roles": roles, "expires_at": "2027-01-01T00:00:00Z"})
        product = {"name": "Плойка", "quantity": 2, "price": "1530.0000", "currency_code": "RUB"}
        result = {"posting_number": "1-1-1", "products": [product], "customer": None}
        return httpx.Response(200, json={"result": result})

    desk = answering(handler, gates)
    posting, info = await desk.posting("1-1-1"), await desk.roles()
    await desk.close()
    assert [(p.name, p.quantity, str(p.price)) for p in posting.products] == [
        ("Плойка", 2, "1530.0000")
    ]
    assert info.allows(LIST) and info.expires_at == datetime(2027, 1, 1, tzinfo=UTC)
