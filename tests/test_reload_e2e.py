"""SIGHUP reads the cabinets file again (`python -m bot` over the fakes): cabinets come, go,
are renamed and move chats without a restart, and a wrong file changes nothing.

Two businesses with a key each: "Уют" (business UYUT, chat UYUT_CHAT) and "Сад" (SAD,
SAD_CHAT); MOVED_TO is a third chat a cabinet can move to.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cabinets import cabinets_toml, with_keys
from tests.harness import DeskProcess, Desks, wait_until

pytestmark = pytest.mark.process

UYUT, SAD = 7101, 7202
UYUT_SHOP, SAD_SHOP = 21100001, 21200001
UYUT_CHAT, SAD_CHAT, MOVED_TO = -1001000000011, -1001000000022, -1001000000033
KEYS = {"uyut-secret-key": UYUT, "sad-secret-key": SAD}
ANNA = 111
UYUT_CABINET = {
    "name": "Уют",
    "business_id": UYUT,
    "api_key_env": "MARKET_KEY_UYUT",
    "campaign_ids": [UYUT_SHOP],
    "staff_chat_id": UYUT_CHAT,
    "staff_user_ids": [ANNA],
}
SAD_CABINET = {
    "name": "Сад",
    "business_id": SAD,
    "api_key_env": "MARKET_KEY_SAD",
    "staff_chat_id": SAD_CHAT,  # its campaigns discovered from the key
    "staff_user_ids": [ANNA],
}
RELOADED = "Cabinets reloaded"
REFUSED = "Reload refused"


@pytest.fixture
def market() -> Iterator:
    from tests.fakes.market import FakeMarket

    with FakeMarket(keys=KEYS).start() as fake:
        fake.add_campaign(UYUT_SHOP, business_id=UYUT, domain="Уют")
        fake.add_campaign(SAD_SHOP, business_id=SAD, domain="Сад")
        yield fake


@pytest.fixture
def telegram() -> Iterator:
    from tests.fakes.telegram import FakeTelegram

    fake = FakeTelegram().start()
    for chat in (UYUT_CHAT, SAD_CHAT, MOVED_TO):
        fake.add_group(chat, title=f"Склад {chat}")
    fake.add_user(ANNA, first_name="Анна", member_of=[UYUT_CHAT, SAD_CHAT, MOVED_TO])
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def cabinets_file(tmp_path: Path) -> Callable[..., None]:
    def write(*cabinets: dict[str, object], text: str | None = None) -> None:
        path = tmp_path / "cabinets.toml"
        path.write_text(text if text is not None else cabinets_toml(*cabinets), encoding="utf-8")

    return write


@pytest.fixture
def start(market, telegram, tmp_path: Path, cabinets_file) -> Iterator[Callable[..., DeskProcess]]:
    desks = Desks(tmp_path)

    def start_desk(*cabinets: dict[str, object], **more: str) -> DeskProcess:
        cabinets_file(*cabinets)
        env = {
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.base_url,
            "MARKET_API_URL": market.url,
            "DATABASE_PATH": str(tmp_path / "data" / "desk.db"),
            "CABINETS_FILE": str(tmp_path / "cabinets.toml"),
            "MARKET_KEY_UYUT": "uyut-secret-key",
            "MARKET_KEY_SAD": "sad-secret-key",
            "POLL_INTERVAL": "1",
            "LANGUAGE": "en",
            **more,
        }
        desk = desks.start(env)
        wait_until(lambda: "Desk started" in desk.log(), message="the desk's start")
        return desk

    yield start_desk
    assert all(code == 0 for code in desks.stop())


def reload(desk: DeskProcess, expect: str = RELOADED) -> str:
    """SIGHUP, and the one line the desk logs for it."""
    seen = desk.log().count(expect)
    assert desk.proc is not None
    desk.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: desk.log().count(expect) > seen, message=f"{expect!r} in the log")
    [line] = [line for line in desk.log().splitlines() if expect in line][seen:]
    return line


def posts_of(telegram, chat: int, order_id: int) -> list:
    """The desk's posts of the order in the chat, in either language."""
    title = re.compile(rf"🛑 .*[#№]{order_id}$")
    return [m for m in telegram.messages(chat) if title.match(m.text.splitlines()[0])]


def post_in(telegram, chat: int, order_id: int):
    def find():
        found = posts_of(telegram, chat, order_id)
        return found[0] if found else None

    return wait_until(find, 15, message=f"the post of order {order_id} in chat {chat}")


def decide(
    telegram,
    chat: int,
    post,
    labels: tuple[str, str] = ("Accept", "Confirm"),
    outcome: str = "Cancellation accepted",
) -> str:
    """Accept and Confirm as Анна; the post's text once the Market took it."""
    for label in labels:
        post = telegram.message(chat, post.message_id)
        edits = post.edits
        telegram.tap(chat, post.message_id, ANNA, post.callback_data(label))
        wait_until(
            lambda p=post, e=edits: telegram.message(chat, p.message_id).edits > e,
            message=f"the post edited after {label}",
        )
    return wait_until(
        lambda: outcome in (text := telegram.message(chat, post.message_id).text) and text,
        message="the decision's outcome on the post",
    )


def listings(market, business: int) -> int:
    return len(market.calls("getBusinessOrders", business=business))


def test_a_cabinet_added_to_the_file_is_polled_and_posts_to_its_chat(
    market, telegram, start, cabinets_file
):
    market.add_order(501, SAD_SHOP, cancel_requested=True)
    desk = start(UYUT_CABINET)
    wait_until(lambda: listings(market, UYUT) >= 2, message="two polls of Уют")
    assert listings(market, SAD) == 0

    cabinets_file(UYUT_CABINET, SAD_CABINET)
    line = reload(desk)

    assert "added: Сад" in line and "removed: none" in line
    assert "#501" in post_in(telegram, SAD_CHAT, 501).text
    assert {call.api_key for call in market.calls(business=SAD)} == {"sad-secret-key"}


def test_a_removed_cabinet_is_not_polled_and_keeps_its_history_under_a_new_name(
    market, telegram, start, cabinets_file
):
    market.add_order(502, SAD_SHOP, cancel_requested=True)
    desk = start(UYUT_CABINET, SAD_CABINET)
    assert "Cancellation accepted" in decide(telegram, SAD_CHAT, post_in(telegram, SAD_CHAT, 502))

    cabinets_file(UYUT_CABINET)
    assert "removed: Сад" in reload(desk)
    stopped, polled = listings(market, SAD), listings(market, UYUT)
    wait_until(lambda: listings(market, UYUT) >= polled + 3, message="three more polls of Уют")
    assert listings(market, SAD) == stopped

    cabinets_file(UYUT_CABINET, with_keys(SAD_CABINET, name="Сад и огород"))
    assert "added: Сад и огород" in reload(desk)
    # campaigns not listed in the file are known (and shown) from the cabinet's first poll
    wait_until(lambda: listings(market, SAD) > stopped, message="a poll of Сад и огород")
    before = len(telegram.messages(SAD_CHAT))
    telegram.send_text(SAD_CHAT, ANNA, "/order 502")
    story = wait_until(
        lambda: [m.text for m in telegram.messages(SAD_CHAT)[before:] if m.text.startswith("📜")],
        message="the answer to /order",
    )
    assert "Outcome: cancellation accepted" in story[0]
    assert len(posts_of(telegram, SAD_CHAT, 502)) == 1


def test_a_cabinet_moved_to_another_chat_posts_there_and_its_open_post_stays_decidable(
    market, telegram, start, cabinets_file
):
    market.add_order(503, UYUT_SHOP, cancel_requested=True)
    desk = start(UYUT_CABINET)
    left_behind = post_in(telegram, UYUT_CHAT, 503)

    cabinets_file(with_keys(UYUT_CABINET, staff_chat_id=MOVED_TO))
    line = reload(desk)
    assert "changed: Уют" in line and f"open posts still answered in chat(s) {UYUT_CHAT}" in line
    market.add_order(504, UYUT_SHOP, cancel_requested=True)

    post_in(telegram, MOVED_TO, 504)
    assert "Cancellation accepted" in decide(telegram, UYUT_CHAT, left_behind)
    assert posts_of(telegram, UYUT_CHAT, 504) == [] and posts_of(telegram, MOVED_TO, 503) == []


def test_a_renamed_cabinet_keeps_its_posts_and_its_new_settings_apply(
    market, telegram, start, cabinets_file
):
    market.add_order(507, UYUT_SHOP, cancel_requested=True)
    desk = start(UYUT_CABINET)
    earlier = post_in(telegram, UYUT_CHAT, 507)
    assert "Cancellation request" in earlier.text

    cabinets_file(with_keys(UYUT_CABINET, name="Уютный дом", language="ru"))
    assert "changed: Уютный дом" in reload(desk)
    market.add_order(508, UYUT_SHOP, cancel_requested=True)

    assert "Запрос на отмену" in post_in(telegram, UYUT_CHAT, 508).text
    # its buttons were drawn in English; the edits after a tap speak the new language
    decide(telegram, UYUT_CHAT, earlier, ("Accept", "Подтвердить"), "Отмена подтверждена")
    assert len(posts_of(telegram, UYUT_CHAT, 507)) == 1  # the new outbox did not post it again


def test_an_open_post_left_by_a_move_made_while_stopped_stays_decidable(market, telegram, start):
    market.add_order(505, UYUT_SHOP, cancel_requested=True)
    desk = start(UYUT_CABINET)
    left_behind = post_in(telegram, UYUT_CHAT, 505)
    assert desk.terminate() == 0

    start(with_keys(UYUT_CABINET, staff_chat_id=MOVED_TO))
    assert "Cancellation accepted" in decide(telegram, UYUT_CHAT, left_behind)
    assert posts_of(telegram, MOVED_TO, 505) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[[cabinet]\nname = ", "is not valid TOML"),
        (
            cabinets_toml(UYUT_CABINET, with_keys(SAD_CABINET, api_key_env="MARKET_KEY_NEW")),
            'cabinet "Сад": api_key_env: MARKET_KEY_NEW is not set',
        ),
    ],
    ids=["broken TOML", "a new key variable"],
)
def test_a_file_the_desk_would_not_start_with_is_refused_and_the_running_set_kept(
    market, telegram, start, cabinets_file, text: str, said: str
):
    desk = start(UYUT_CABINET)
    cabinets_file(text=text)

    line = reload(desk, REFUSED)
    assert said in line and "the running cabinets are kept" in line
    market.add_order(506, UYUT_SHOP, cancel_requested=True)
    post_in(telegram, UYUT_CHAT, 506)
    assert desk.log().count(REFUSED) == 1 and RELOADED not in desk.log()
    assert "secret" not in desk.log()
    assert listings(market, SAD) == 0


def test_without_a_cabinets_file_a_sighup_says_there_is_nothing_to_reload(start_desk):
    desk = start_desk()
    wait_until(lambda: "Desk started" in desk.log(), message="the desk's start")

    reload(desk, "nothing to reload")
    assert desk.running


def test_trouble_told_before_a_reload_is_told_to_have_ended_once(start, market, telegram):
    """A cabinet rebuilt by a reload keeps its trouble: no second alert, and its end told."""
    market.set_outage(500, business=SAD)
    desk = start(UYUT_CABINET, SAD_CABINET)
    alerts = lambda: [m.text for m in telegram.messages(SAD_CHAT) if m.text[:1] in "⚠✅"]  # noqa: E731
    wait_until(lambda: alerts(), 15, message="the trouble alert in Сад's chat")

    reload_with = {**SAD_CABINET, "language": "ru"}  # its chat's settings change: rebuilt
    Path(desk.env["CABINETS_FILE"]).write_text(cabinets_toml(UYUT_CABINET, reload_with))
    reload(desk)
    market.set_outage(None, business=SAD)

    wait_until(lambda: len(alerts()) >= 2, 15, message="the end of the trouble told")
    told = alerts()
    assert told[0].startswith("⚠️") and told[1].startswith("✅") and len(told) == 2
