"""Self-tests of the fake Ozon Seller API (tests/fakes/ozon/) over real HTTP: its checks,
its listing, decisions and postings (limits and faults: tests/test_fake_ozon_limits.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes.ozon import (
    INVALID_KEY,
    KEY_DEACTIVATED,
    NOT_ON_APPROVAL,
    CancellationState,
    FakeOzon,
    FakeOzonError,
    Initiator,
)
from tests.ozon_calls import (
    APPROVE,
    DEADLINE,
    LIST,
    OTHER,
    POSTING,
    REJECT,
    ROLES,
    SELLER,
    client,
    listed,
    ozon,
    refusal,
    seller,
)

__all__ = ["ozon", "seller"]  # fixtures


# --- authentication --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Api-Key": "key-a"},
        {"Client-Id": str(SELLER)},
        {"Client-Id": str(SELLER), "Api-Key": "wrong"},
        {"Client-Id": str(SELLER), "Api-Key": "key-b"},  # a real key, of another seller
        {"Client-Id": "seller", "Api-Key": "key-a"},
    ],
    ids=["none", "no-client-id", "no-key", "wrong-key", "foreign-key", "bad-client-id"],
)
def test_a_call_without_its_sellers_key_is_refused(ozon: FakeOzon, headers: dict) -> None:
    ozon.add_request(SELLER)
    for path, body in [(LIST, {"limit": 1}), (POSTING, {"posting_number": "1-1-1"})]:
        response = httpx.post(ozon.url + path, json=body, headers=headers)
        assert refusal(response, 403) == (7, INVALID_KEY)
    assert all(call.status == 403 for call in ozon.calls())


def test_a_deactivated_key_is_told_so_and_the_sellers_other_key_still_works(
    ozon: FakeOzon,
) -> None:
    ozon.deactivate_key("key-a")
    with client(ozon) as old, client(ozon, key="key-a2") as other:
        assert refusal(old.post(ROLES), 403) == (7, KEY_DEACTIVATED)
        assert other.post(ROLES).status_code == 200
        ozon.deactivate_key("key-a", deactivated=False)
        assert old.post(ROLES).status_code == 200
    assert ozon.keys_of(SELLER) == ["key-a", "key-a2"]


def test_roles_tell_the_keys_roles_and_expiry(ozon: FakeOzon) -> None:
    expires = datetime(2026, 9, 1, 12, tzinfo=UTC)
    ozon.add_key(
        SELLER, "key-read", roles=[{"name": "Read", "methods": [LIST]}], expires_at=expires
    )
    with client(ozon, key="key-read") as c:
        answer = c.post(ROLES).json()
        assert answer == {
            "expires_at": "2026-09-01T12:00:00Z",
            "roles": [{"name": "Read", "methods": [LIST]}],
        }
        assert c.post(ROLES, json={}).status_code == 200
        assert refusal(c.post(ROLES, json={"key": "x"}), 400)[0] == 3


# --- the request checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"limit": 501},
        {"limit": 0},
        {"limit": "many"},
        {"limit": 10, "filters": {"state": "WAITING"}},
        {"limit": 10, "filters": {"cancellation_initiator": ["BUYER"]}},
        {"limit": 10, "last_id": "ten"},
        {"limit": 10, "lastId": 5},
    ],
    ids=["no-limit", "over-500", "zero", "not-a-number", "state", "initiator", "last-id", "typo"],
)
def test_a_list_the_spec_does_not_allow_is_refused(seller: httpx.Client, body: dict) -> None:
    code, message = refusal(seller.post(LIST, json=body), 400)
    assert code == 3 and message


def test_limit_500_and_int64_as_strings_are_accepted(seller: httpx.Client) -> None:
    assert listed(seller, last_id="0", limit=500)["result"] == []


def test_a_body_that_is_not_json_is_refused(seller: httpx.Client) -> None:
    response = seller.post(LIST, content=b'{"limit": 1}', headers={"Content-Type": "text/plain"})
    assert refusal(response, 400)[0] == 3
    assert (
        refusal(
            seller.post(LIST, content=b"[1", headers={"Content-Type": "application/json"}), 400
        )[0]
        == 3
    )


def test_a_decision_needs_a_cancellation_id(seller: httpx.Client) -> None:
    assert refusal(seller.post(APPROVE, json={"comment": "ok"}), 400)[0] == 3
    assert refusal(seller.post(POSTING, json={}), 400)[0] == 3


def test_an_unknown_path_or_method_is_refused_and_an_unknown_path_fails_the_test() -> None:
    fake = FakeOzon(keys={"key-a": SELLER}).start()
    with client(fake) as c:
        assert refusal(c.get(LIST), 405) == (12, "method is not allowed")
        assert refusal(c.post("/v1/posting/fbs/get", json={}), 404)[1] == "method is not allowed"
    with pytest.raises(FakeOzonError, match="/v1/posting/fbs/get"):
        fake.stop()


# --- listing ---------------------------------------------------------------------------


def test_pages_follow_cancellation_ids_until_an_empty_page(
    ozon: FakeOzon, seller: httpx.Client
) -> None:
    for cancellation_id in (30, 10, 70, 50, 20, 60, 40):  # added out of order
        ozon.add_request(SELLER, cancellation_id=cancellation_id)
    ozon.add_request(OTHER, cancellation_id=35)  # another seller's: never listed
    pages, last_id = [], None
    while True:
        body = {"limit": 3, "filters": {"state": "ON_APPROVAL"}} | (
            {"last_id": last_id} if last_id else {}
        )
        page = listed(seller, **body)
        pages.append([int(item["cancellation_id"]) for item in page["result"]])
        if not page["result"]:
            break
        last_id = page["last_id"]
        assert last_id == page["result"][-1]["cancellation_id"]  # a string: int64
    assert pages == [[10, 20, 30], [40, 50, 60], [70], []]


def test_counter_counts_what_waits_when_asked(ozon: FakeOzon, seller: httpx.Client) -> None:
    first, second, third = (ozon.add_request(SELLER) for _ in range(3))
    ozon.reject_elsewhere(third.cancellation_id, "Доставлен")
    assert listed(seller, **{"with": {"counter": True}})["counter"] == "2"
    assert "counter" not in listed(seller)
    answer = listed(
        seller, filters={"posting_number": [first.posting_number]}, **{"with": {"counter": True}}
    )
    assert [item["posting_number"] for item in answer["result"]] == [first.posting_number]
    assert answer["counter"] == "2"  # whatever the filters
    assert second.state is CancellationState.ON_APPROVAL


def test_filters_by_state_posting_and_initiator(ozon: FakeOzon, seller: httpx.Client) -> None:
    buyer = ozon.add_request(SELLER, initiator=Initiator.CLIENT)
    courier = ozon.add_request(SELLER, initiator=Initiator.DELIVERY)
    ozon.approve_elsewhere(courier.cancellation_id)

    def ids(**filters: Any) -> list[int]:
        return [int(i["cancellation_id"]) for i in listed(seller, filters=filters)["result"]]

    both = [buyer.cancellation_id, courier.cancellation_id]
    assert ids() == ids(state="ALL") == both
    assert ids(state="ON_APPROVAL") == [buyer.cancellation_id]
    assert ids(state="APPROVED") == [courier.cancellation_id]
    assert ids(state="REJECTED") == []
    assert ids(cancellation_initiator=["DELIVERY", "OZON"]) == [courier.cancellation_id]
    assert ids(posting_number=[buyer.posting_number, "none"]) == [buyer.cancellation_id]


def test_a_request_reads_as_ozon_writes_it(ozon: FakeOzon, seller: httpx.Client) -> None:
    asked = datetime(2026, 8, 18, 9, 30, 15, 250_000, tzinfo=UTC)
    request = ozon.add_request(
        SELLER,
        "12345678-0001-1",
        reason=(507, "Передумал"),
        message="Нашёл дешевле",
        cancelled_at=asked,
        auto_approve_date=DEADLINE,
    )
    (item,) = listed(seller)["result"]
    assert item["cancellation_id"] == str(request.cancellation_id)
    assert item["posting_number"] == "12345678-0001-1"
    assert item["cancellation_initiator"] == Initiator.CLIENT
    assert item["cancellation_reason"] == {"id": "507", "name": "Передумал"}
    assert item["cancellation_reason_message"] == "Нашёл дешевле"
    assert item["cancelled_at"] == "2026-08-18T09:30:15.250Z"
    assert item["auto_approve_date"] == "2026-08-20T09:30:00Z"
    assert item["state"]["state"] == CancellationState.ON_APPROVAL
    assert item["approve_date"] is None and item["approve_comment"] == ""


# --- deciding --------------------------------------------------------------------------


def test_approve_moves_a_waiting_request_once_and_cancels_its_posting(
    ozon: FakeOzon, seller: httpx.Client
) -> None:
    request = ozon.add_request(SELLER)
    body = {"cancellation_id": str(request.cancellation_id)}
    assert seller.post(APPROVE, json=body).json() == {}
    (item,) = listed(seller)["result"]
    assert item["state"]["state"] == CancellationState.APPROVED
    assert item["approve_date"] is not None
    assert refusal(seller.post(APPROVE, json=body), 400) == (9, NOT_ON_APPROVAL)
    assert refusal(seller.post(REJECT, json=body), 400) == (9, NOT_ON_APPROVAL)
    posting = seller.post(POSTING, json={"posting_number": request.posting_number}).json()
    assert posting["result"]["status"] == "cancelled"


def test_reject_keeps_the_comment_and_the_posting(ozon: FakeOzon, seller: httpx.Client) -> None:
    request = ozon.add_request(SELLER)
    body = {"cancellation_id": request.cancellation_id, "comment": "Заказ уже доставлен"}
    assert seller.post(REJECT, json=body).status_code == 200
    item = ozon.request(request.cancellation_id)
    assert item["state"]["state"] == CancellationState.REJECTED
    assert item["approve_comment"] == "Заказ уже доставлен"
    assert ozon.posting(request.posting_number)["status"] == "delivering"
    assert refusal(seller.post(APPROVE, json={"cancellation_id": 1}), 404)[0] == 5


def test_decisions_made_elsewhere_show_in_the_list(ozon: FakeOzon, seller: httpx.Client) -> None:
    cabinet, silence = (
        ozon.add_request(SELLER),
        ozon.add_request(SELLER, auto_approve_date=DEADLINE),
    )
    ozon.reject_elsewhere(cabinet.cancellation_id, "В пути")
    ozon.auto_approve(silence.cancellation_id)
    assert listed(seller, filters={"state": "ON_APPROVAL"})["result"] == []
    rejected, approved = listed(seller)["result"]
    assert (rejected["state"]["state"], rejected["approve_comment"]) == (
        CancellationState.REJECTED,
        "В пути",
    )
    assert approved["state"]["state"] == CancellationState.APPROVED
    assert approved["approve_date"] == "2026-08-20T09:30:00Z"
    with pytest.raises(ValueError):
        ozon.approve_elsewhere(silence.cancellation_id)


def test_another_sellers_request_and_posting_are_not_found(ozon: FakeOzon) -> None:
    theirs = ozon.add_request(OTHER)
    with client(ozon) as mine:
        assert (
            refusal(mine.post(APPROVE, json={"cancellation_id": theirs.cancellation_id}), 404)[0]
            == 5
        )
        assert (
            refusal(mine.post(POSTING, json={"posting_number": theirs.posting_number}), 404)[0] == 5
        )
    assert ozon.request(theirs.cancellation_id)["state"]["state"] == CancellationState.ON_APPROVAL


# --- the posting -----------------------------------------------------------------------


def test_a_posting_shows_products_delivery_and_null_buyer(
    ozon: FakeOzon, seller: httpx.Client
) -> None:
    products = [
        {
            "sku": 100 + n,
            "name": "Очень длинное название " * 20 + str(n),
            "price": f"{n}99.5000",
            "quantity": n,
        }
        for n in range(1, 31)
    ]
    request = ozon.add_request(
        SELLER, products=products, delivery_method={"id": 7, "name": "Курьер"}
    )
    result = seller.post(POSTING, json={"posting_number": request.posting_number}).json()["result"]
    assert len(result["products"]) == 30
    assert result["products"][2] | {"name": ""} == {
        "sku": "103",
        "name": "",
        "price": "399.5000",
        "quantity": 3,
        "offer_id": "",
        "currency_code": "RUB",
    }
    assert result["delivery_method"] == {"id": "7", "name": "Курьер"}
    assert result["customer"] is None and result["addressee"] is None
    assert result["order_id"].isdigit()


def test_int64_as_numbers_when_asked() -> None:
    with FakeOzon(keys={"key-a": SELLER}, int64_as_strings=False) as fake, client(fake) as c:
        request = fake.add_request(SELLER)
        answer = listed(c, **{"with": {"counter": True}})
        assert answer["counter"] == 1 and answer["last_id"] == request.cancellation_id


def test_an_answer_outside_the_spec_is_a_500_and_fails_the_test() -> None:
    fake = FakeOzon(keys={"key-a": SELLER}).start()
    request = fake.add_request(SELLER, products=[{"sku": 1, "name": "x", "price": "1", "qty": 2}])
    with client(fake) as c:
        assert (
            refusal(c.post(POSTING, json={"posting_number": request.posting_number}), 500)[0] == 13
        )
    with pytest.raises(FakeOzonError, match="qty"):
        fake.stop()
