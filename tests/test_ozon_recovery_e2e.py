"""An Ozon decision cut off by a crash (the desk killed while its call is on the way) is
recovered from Ozon's state at the next start, as a Market one is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat.callbacks import parse_callback
from bot.domain.model import Decision, DecisionResult
from storage.store import Store
from tests.chat import ANNA
from tests.fakes.ozon import DROP
from tests.harness import wait_until
from tests.ozon_desk_world import APPROVE, REJECT, SELLER, decide, ozon_post, settled


@pytest.mark.parametrize(
    ("decision", "path", "elsewhere", "result"),
    [
        # rejected; the call was lost and the buyer's cancellation went through instead
        (Decision.REJECT_IN_DELIVERY, REJECT, True, DecisionResult.NOT_PENDING),
        # approved; the call was lost and nothing else happened: staff decide again
        (Decision.ACCEPT, APPROVE, False, DecisionResult.UNKNOWN),
    ],
)
def test_a_decision_cut_off_by_a_crash_is_settled_from_ozons_state(
    telegram, fake_ozon, start_ozon_desk, tmp_path: Path, decision, path, elsewhere, result
):
    request = fake_ozon.add_request(SELLER)
    desk = start_ozon_desk(CONFIRM_DECISIONS="false")
    post = ozon_post(telegram, request)
    request_id = parse_callback(post.buttons[0]["callback_data"]).request_id
    fake_ozon.fail_next(path, DROP)  # the call never takes effect
    fake_ozon.set_delay(1.0, client_id=SELLER)  # and is on its way when the desk dies

    decide(telegram, post, ANNA, decision)
    wait_until(lambda: fake_ozon.arrivals(path), message="the decision's call")
    desk.kill()
    fake_ozon.set_delay(None, client_id=SELLER)
    wait_until(lambda: fake_ozon.calls(path), message="the call dropped")
    if elsewhere:
        fake_ozon.approve_elsewhere(request.cancellation_id)
    restarted = start_ozon_desk(CONFIRM_DECISIONS="false")

    wait_until(lambda: "was interrupted" in restarted.log(), message="the recovery")
    if elsewhere:
        settled(telegram, post)
    else:  # the buttons are back: nothing reached Ozon
        wait_until(lambda: telegram.message(post.chat_id, post.message_id).buttons)
    restarted.terminate()
    store = Store(tmp_path / "data" / "desk.db")
    try:
        record = store.decisions.last(request_id)
    finally:
        store.close()
    assert record is not None and record.result is result
    assert len(fake_ozon.arrivals(path)) == 1
    assert [call.status for call in fake_ozon.calls(path)] == [0]
