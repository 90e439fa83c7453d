"""`python -m bot demo` with `DEMO_OZON=true`, as staff meet it: Market and Ozon requests in
one chat on a Bot API over loopback, with no Market and no Ozon at all."""

from __future__ import annotations

import pytest

from bot.demo.ozon_world import OZON_SELLER
from tests.chat import ANNA, edited, tap
from tests.conftest import STAFF_CHAT
from tests.fakes.world import desk_env as wired_env
from tests.harness import DeskProcess, wait_until

pytestmark = pytest.mark.process

MARK = "🎭 Demo · neither the Market nor Ozon is touched"
OZON_TITLE = "🛑 Cancellation request · Ozon · posting "
MARKET_TITLE = "🛑 Cancellation request · Market · order #"


@pytest.fixture
def demo(market, telegram, tmp_path):
    """The demo with its Ozon cabinet in STAFF_CHAT; MARKET_* point at the idle fake Market."""
    env = {
        **wired_env(market, telegram, database=tmp_path / "real.db"),
        "DEMO_DATABASE_PATH": str(tmp_path / "demo.db"),
        "REMINDER_LEAD_TIMES": "6h,1h",
        "LANGUAGE": "en",
        "DEMO_OZON": "true",
    }
    process = DeskProcess(env, tmp_path, name="demo").start("demo")
    yield process
    if process.running:
        process.kill()


def posts(telegram, title: str) -> list:
    return [
        m
        for m in telegram.messages(STAFF_CHAT)
        if m.reply_to_message_id is None and m.text.startswith(f"{MARK}\n{title}")
    ]


def test_the_demo_posts_ozon_requests_beside_the_markets_and_ozon_takes_an_approval(
    demo, market, telegram
):
    # each marketplace starts with one fresh request and one about to cross each lead time
    ozon = wait_until(
        lambda: len(found := posts(telegram, OZON_TITLE)) >= 3 and found, 30, message="Ozon's"
    )
    wait_until(lambda: len(posts(telegram, MARKET_TITLE)) >= 3, 30, message="the Market's posts")
    post = ozon[-1]
    assert OZON_SELLER.name in post.text, "a chat with two cabinets names each post's"
    assert "📞" not in str(post.buttons)

    answer = tap(telegram, post, ANNA, "✅ Approve cancellation")
    assert answer["text"].startswith("🎭 Demo: ")
    tap(telegram, edited(telegram, post), ANNA, "✔️ Confirm")
    approved = wait_until(
        lambda: (
            (m := telegram.message(STAFF_CHAT, post.message_id))
            and ("Cancellation approved" in m.text or "⚠️" in m.text)
            and m
        ),
        15,
        message="the simulated Ozon's answer on the post",
    )
    assert "Cancellation approved" in approved.text and approved.buttons == [], approved.text
    assert demo.terminate() == 0
    assert market.calls() == [], "the demo called a Market"
    assert "the Market and Ozon are simulated in this process" in demo.log().splitlines()[0]
