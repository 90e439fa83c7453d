"""The Market client on answers the strict fake cannot give: odd shapes, new enum values.

httpx's MockTransport stands in for the Market here; the client itself runs unchanged.
"""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from bot.domain.model import Decision
from bot.market.client import MarketClient
from bot.market.errors import (
    MarketHTTPError,
    MarketNetworkError,
    MarketRateLimited,
    MarketResponseError,
)
from bot.market.records import DateWindow

WINDOW = DateWindow(date(2026, 11, 1), date(2026, 12, 1))


def client_answering(handler) -> MarketClient:
    return MarketClient("https://market.test", "key", transport=httpx.MockTransport(handler))


def orders_page(*orders, token=None) -> httpx.Response:
    paging = {"nextPageToken": token} if token else {}
    return httpx.Response(200, json={"orders": list(orders), "paging": paging})


async def test_unknown_enum_values_and_missing_optional_fields_are_kept_not_fatal():
    order = {
        "orderId": 5,
        "campaignId": 9,
        "status": "BRAND_NEW_STATUS",
        "substatus": "SOMETHING_ELSE",
        "creationDate": "2026-11-20T10:00:00+03:00",
        "paymentType": "CRYPTO",
        "paymentMethod": "MOON",
        "fake": False,
        "items": [{"id": 1, "offerId": "A", "offerName": "Thing", "count": 1}],
        "delivery": {"type": "TELEPORT"},
    }
    client = client_answering(lambda request: orders_page(order))
    [parsed] = (await client.list_pending(1, [9], WINDOW)).orders
    await client.close()
    assert parsed.status == "BRAND_NEW_STATUS" and parsed.delivery_type == "TELEPORT"
    assert parsed.items[0].price is None and parsed.total is None and parsed.region is None


async def test_orders_without_ids_are_skipped_and_others_kept():
    good = {"orderId": 1, "campaignId": 9, "status": "DELIVERY", "substatus": "X"}
    huge = {"orderId": 2**70, "campaignId": 9}
    client = client_answering(lambda request: orders_page({"campaignId": 9}, "junk", huge, good))
    listing = await client.list_pending(1, [9], WINDOW)
    await client.close()
    assert [o.order_id for o in listing.orders] == [1]
    # each is kept to be told to staff, with the ids as the Market sent them
    assert [(u.campaign_ref, u.order_ref) for u in listing.unreadable] == [
        ("9", "?"),
        ("?", "?"),
        ("9", str(2**70)),
    ]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html>maintenance</html>"),
        httpx.Response(200, json={"result": []}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"orders": "none"}),
    ],
)
async def test_unexpected_shapes_are_a_typed_error(answer):
    client = client_answering(lambda request: answer)
    with pytest.raises(MarketResponseError) as raised:
        await client.list_pending(1, [9], WINDOW)
    await client.close()
    assert "getBusinessOrders" in str(raised.value)


async def test_paging_follows_tokens_and_sends_the_same_limit():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        token = request.url.params.get("page_token")
        if token is None:
            return orders_page({"orderId": 1, "campaignId": 9}, token="t2")
        return orders_page({"orderId": 2, "campaignId": 9})

    client = client_answering(handler)
    orders = (await client.list_pending(1, [9], WINDOW)).orders
    await client.close()
    assert [o.order_id for o in orders] == [1, 2]
    assert seen == [{"limit": "50"}, {"limit": "50", "page_token": "t2"}]


async def test_error_answers_carry_status_code_and_message():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            420,
            json={"status": "ERROR", "errors": [{"code": "LIMIT", "message": "Hit rate limit"}]},
            headers={"X-RateLimit-Resource-Until": "Thu, 26 Nov 2026 20:00:00 GMT"},
        )

    client = client_answering(handler)
    with pytest.raises(MarketRateLimited) as raised:
        await client.send_decision(9, 5, Decision.REJECT_DELIVERED)
    await client.close()
    error = raised.value
    assert (error.status, error.code, error.message) == (420, "LIMIT", "Hit rate limit")
    assert error.retry_at is not None and error.retry_at.hour == 20


async def test_error_body_that_is_not_json_still_gives_the_status():
    client = client_answering(lambda request: httpx.Response(502, content=b"Bad Gateway"))
    with pytest.raises(MarketHTTPError) as raised:
        await client.get_campaign(9)
    await client.close()
    assert raised.value.status == 502 and raised.value.describe() == "502 Bad Gateway"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            httpx.Response(
                420,
                text="Hit rate limit of 2 parallel requests",
                headers={"Content-Type": "text/plain"},
            ),
            "Hit rate limit of 2 parallel requests",
        ),
        (
            httpx.Response(503, html="<html><body>\n  Service   down\n</body></html>"),
            "<html><body> Service down </body></html>",
        ),
        (httpx.Response(500, json={"status": "ERROR"}), '{"status":"ERROR"}'),
        (httpx.Response(502, content=b""), "Bad Gateway"),
        (httpx.Response(500, text="x" * 5000), "x" * 500),
    ],
)
async def test_an_error_body_of_any_shape_gives_staff_its_words(answer, message):
    client = client_answering(lambda request: answer)
    with pytest.raises(MarketHTTPError) as raised:
        await client.send_decision(9, 5, Decision.ACCEPT)
    await client.close()
    assert raised.value.message == message
    assert message in raised.value.describe()


async def test_the_decision_body_and_headers_are_what_the_market_expects():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(
            (request.method, request.url.path, json.loads(request.content), request.headers)
        )
        return httpx.Response(200, json={"status": "OK"})

    client = client_answering(handler)
    await client.send_decision(9, 5, Decision.REJECT_IN_DELIVERY)
    await client.close()
    [(method, path, body, headers)] = sent
    assert (method, path) == ("PUT", "/v2/campaigns/9/orders/5/cancellation/accept")
    assert body == {"accepted": False, "reason": "ORDER_IN_DELIVERY"}
    assert headers["Api-Key"] == "key" and headers["Content-Type"] == "application/json"


async def test_connection_failures_are_network_errors():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = client_answering(handler)
    with pytest.raises(MarketNetworkError):
        await client.token_info()
    await client.close()
