"""An Ozon cabinet's trouble is its own: a 429 holds every call of its Client-Id until
Retry-After and is no trouble when short; a deactivated key is told once, and the desk
(the Market's cabinet beside it) goes on."""

from __future__ import annotations

from tests.chat import post_of
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.fakes.ozon import KEY_DEACTIVATED
from tests.harness import wait_until
from tests.ozon_desk_world import KEY, SELLER, ozon_post
from tests.two_cabinets import said

HOLD_MARGIN = 0.05  # seconds: the 429 reaches the desk after the fake records its arrival


def alerts(telegram) -> list[str]:
    return said(telegram, STAFF_CHAT, "⚠️ Cannot", "✅ Back")


def test_a_429_holds_every_call_of_the_client_id_until_retry_after(
    market, telegram, fake_ozon, start_ozon_desk
):
    request = fake_ozon.add_request(SELLER)
    fake_ozon.set_rate_limited(2.0, client_id=SELLER)
    market.add_order(3, CAMPAIGN, cancel_requested=True)
    start_ozon_desk()

    ozon_post(telegram, request)
    post_of(telegram, 3)
    calls = fake_ozon.calls(client_id=SELLER)
    limited = [call for call in calls if call.status == 429]
    assert limited, [call.status for call in calls]
    arrivals = [arrival.arrived_at for arrival in fake_ozon.arrivals(client_id=SELLER)]
    for call in limited:
        held_until = call.arrived_at + int(call.headers["Retry-After"]) - HOLD_MARGIN
        following = [at for at in arrivals if at > call.arrived_at]
        assert following and min(following) >= held_until
    assert alerts(telegram) == []  # shorter than three poll intervals: no trouble


def test_a_deactivated_key_is_the_cabinets_trouble_told_once(
    market, telegram, fake_ozon, start_ozon_desk
):
    first = fake_ozon.add_request(SELLER)
    desk = start_ozon_desk()
    ozon_post(telegram, first)

    fake_ozon.deactivate_key(KEY)
    [alert] = wait_until(lambda: alerts(telegram), message="the trouble alert")
    assert KEY_DEACTIVATED in alert and "Ozon shop" in alert
    assert "of the cabinet “Ozon shop” from Ozon" in alert and "Market" not in alert
    assert "; Ozon, cabinet Ozon shop): list: HTTP 403" in desk.log()  # whose poll failed
    market.add_order(3, CAMPAIGN, cancel_requested=True)
    post_of(telegram, 3)  # the Market's cabinet is not held up
    refused = len(fake_ozon.calls(client_id=SELLER))
    wait_until(lambda: len(fake_ozon.calls(client_id=SELLER)) >= refused + 3, message="retries")
    assert len(alerts(telegram)) == 1
    assert desk.running

    fake_ozon.deactivate_key(KEY, deactivated=False)
    second = fake_ozon.add_request(SELLER)
    ozon_post(telegram, second)
    wait_until(lambda: len(alerts(telegram)) == 2, message="the end of the trouble")
    assert alerts(telegram)[1].startswith("✅")
