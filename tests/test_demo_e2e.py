"""`python -m bot demo` as staff meet it: on a Bot API over loopback, with no Market at all."""

from __future__ import annotations

import sqlite3

import pytest

from bot.demo.world import BUSINESSES
from tests.chat import ANNA, edited, tap
from tests.conftest import STAFF_CHAT
from tests.fakes.world import desk_env as wired_env
from tests.harness import DeskProcess, wait_until

#: every test here starts `python -m bot` (some through a helper, not start_desk)
pytestmark = pytest.mark.process

MARK = "🎭 Demo · the Market is not touched"
HOME, ZOO = BUSINESSES
SECOND_CHAT = -1009876543210


@pytest.fixture
def demo_env(market, telegram, tmp_path) -> dict[str, str]:
    """A demo on the fake Bot API. MARKET_* point at the fake Market, which must stay idle."""
    return {
        **wired_env(market, telegram, database=tmp_path / "real.db"),
        "DEMO_DATABASE_PATH": str(tmp_path / "demo.db"),
        "POLL_INTERVAL": "1",
        "REMINDER_LEAD_TIMES": "6h,1h",
        "LANGUAGE": "en",
    }


@pytest.fixture
def spawn(tmp_path):
    """Start `python -m bot <args>`; whatever still runs when the test ends is killed."""
    started: list[DeskProcess] = []

    def start(env: dict[str, str], name: str, *args: str) -> DeskProcess:
        started.append(DeskProcess(env, tmp_path, name=name).start(*args))
        return started[-1]

    yield start
    for process in started:
        if process.running:
            process.kill()


def demo_posts(telegram, chat: int = STAFF_CHAT) -> list:
    return [
        m
        for m in telegram.messages(chat)
        if m.reply_to_message_id is None and m.text.startswith(f"{MARK}\n🛑")
    ]


def settled(telegram, message_id: int, outcome: str, chat: int = STAFF_CHAT):
    return wait_until(
        lambda: outcome in (m := telegram.message(chat, message_id)).text and m,
        15,
        message=f"'{outcome}' on message {message_id}",
    )


def shop_line(message) -> str:
    return next(line for line in message.text.splitlines() if line.startswith("Shop: "))


def accept(telegram, chat: int, post) -> str:
    """Accept and confirm as Anna; the post's text once the simulated Market answered."""

    def press(label: str) -> None:
        message = telegram.message(chat, post.message_id)
        callback = telegram.tap(chat, post.message_id, ANNA, message.callback_data(label))
        wait_until(lambda: telegram.callback_answer(callback), 10, message=f"'{label}' answered")

    press("✅ Accept cancellation")
    wait_until(lambda: "✔️ Confirm" in str(telegram.message(chat, post.message_id).buttons))
    press("✔️ Confirm")
    return wait_until(
        lambda: (
            (text := telegram.message(chat, post.message_id).text)
            and ("Cancellation accepted" in text or "⚠️" in text)
            and text
        ),
        15,
        message=f"the outcome on message {post.message_id}",
    )


def test_the_demo_rehearses_posts_decisions_reminders_and_pending(
    spawn, market, telegram, demo_env, tmp_path
):
    demo = spawn(demo_env, "demo", "demo")
    # one request 3 min old and one about to cross each lead time (6 min and 1 min)
    first = wait_until(lambda: len(demo_posts(telegram)) >= 3 and demo_posts(telegram), 20)
    assert all(m.buttons for m in first)

    urgent, soon, fresh = first[:3]  # nearest deadline first
    answer = tap(telegram, fresh, ANNA, "✅ Accept cancellation")
    assert answer["text"].startswith("🎭 Demo: ")
    tap(telegram, edited(telegram, fresh), ANNA, "✔️ Confirm")
    accepted = settled(telegram, fresh.message_id, "Cancellation accepted")
    assert accepted.buttons == [] and accepted.text.startswith(MARK)

    tap(telegram, soon, ANNA, "📦 Reject — already delivered")
    tap(telegram, edited(telegram, soon), ANNA, "✔️ Confirm")
    rejected = settled(telegram, soon.message_id, "Cancellation rejected: already delivered")
    assert rejected.buttons == []

    reminder = wait_until(
        lambda: [m for m in telegram.messages(STAFF_CHAT) if m.reply_to_message_id], 40
    )[0]
    assert reminder.reply_to_message_id == urgent.message_id
    assert reminder.text.startswith(f"{MARK}\n⏰")

    telegram.send_text(STAFF_CHAT, ANNA, "/help")
    help_text = wait_until(
        lambda: [m.text for m in telegram.messages(STAFF_CHAT) if "This is a demo" in m.text]
    )[0]
    assert "48 minutes to answer" in help_text and "6 min, 1 min" in help_text
    assert demo.terminate() == 0
    assert market.calls() == [], "the demo called a Market"
    assert "Demo: the Market is simulated in this process" in demo.log().splitlines()[0]
    assert "MARKET_API_URL, DATABASE_PATH, POLL_INTERVAL)" in (demo.log())
    assert not (tmp_path / "real.db").exists()


def test_the_demo_stops_when_another_process_polls_its_token(spawn, telegram, demo_env, tmp_path):
    telegram.fail_next(
        "getUpdates",
        error_code=409,
        description="Conflict: terminated by other getUpdates request; make sure that only"
        " one bot instance is running",
    )
    demo = spawn(demo_env, "demo", "demo")
    assert demo.wait(20) == 0
    stop_lines = [line for line in demo.log().splitlines() if "Stopping the demo" in line]
    assert len(stop_lines) == 1 and "another process polls this bot token" in stop_lines[0]


def test_the_desk_names_who_may_hold_its_token_on_a_conflict(telegram, start_desk):
    telegram.fail_next("getUpdates", error_code=409, description="Conflict: terminated")
    desk = start_desk()
    wait_until(lambda: "409 Conflict" in desk.log(), 15, message="the conflict logged")
    assert "python -m bot demo" in desk.log()
    assert desk.running, "the desk keeps polling: the other process may be the one to stop"


def test_the_desk_and_the_demo_refuse_each_others_database(
    spawn, telegram, demo_env, desk_env, tmp_path
):
    demo_db = tmp_path / "demo.db"
    demo = spawn(demo_env, "demo", "demo")
    wait_until(lambda: demo_posts(telegram), 15, message="the demo's first post")
    assert demo.terminate() == 0

    desk = spawn({**desk_env, "DATABASE_PATH": str(demo_db)}, "desk")
    assert desk.wait(15) == 2
    assert desk.log().strip().splitlines() == [
        f"Cannot open DATABASE_PATH={demo_db}: it is the demo's database"
        " (python -m bot demo); the desk keeps its own"
    ]

    real_db = tmp_path / "data" / "desk.db"
    real_db.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(real_db).executescript("CREATE TABLE requests (id INTEGER);")
    again = spawn({**demo_env, "DEMO_DATABASE_PATH": str(real_db)}, "d2", "demo")
    assert again.wait(15) == 2
    assert again.log().strip().splitlines()[-1] == (
        f"Cannot open DEMO_DATABASE_PATH={real_db}: it holds a real desk's requests;"
        " the demo keeps its own (DEMO_DATABASE_PATH)"
    )


@pytest.mark.parametrize("missing", ["TELEGRAM_BOT_TOKEN", "STAFF_CHAT_ID"])
def test_the_demo_needs_a_token_and_a_chat(spawn, demo_env, tmp_path, missing):
    env = {key: value for key, value in demo_env.items() if key != missing}
    demo = spawn(env, "demo", "demo")
    assert demo.wait(15) == 2
    assert demo.log().strip().splitlines() == [
        f"Setting error: {missing}: is required but not set (see .env.example)"
    ]


def test_two_demo_cabinets_in_one_chat_post_each_named_and_decide_with_their_own_key(
    spawn, market, telegram, demo_env
):
    demo = spawn({**demo_env, "DEMO_CABINETS": "2"}, "demo", "demo")
    # each business starts with one fresh request and one about to cross each lead time
    posts = wait_until(
        lambda: len(demo_posts(telegram)) >= 6 and demo_posts(telegram), 30, message="six posts"
    )
    shops = [shop_line(post) for post in posts]
    home = [post for post, shop in zip(posts, shops, strict=True) if f": {HOME.name} · " in shop]
    zoo = [post for post, shop in zip(posts, shops, strict=True) if f": {ZOO.name} · " in shop]
    assert len(home) == len(zoo) == 3, shops
    for post in (home[-1], zoo[-1]):  # the Market refuses a key used for the other business
        outcome = accept(telegram, STAFF_CHAT, post)
        assert "Cancellation accepted" in outcome and outcome.startswith(MARK), outcome
    assert demo.terminate() == 0
    assert market.calls() == [], "the demo called a Market"


def test_two_demo_cabinets_in_two_chats_each_chat_gets_only_its_own(
    spawn, market, telegram, demo_env
):
    telegram.add_group(SECOND_CHAT, title="Зоомир")
    telegram.set_member_status(SECOND_CHAT, ANNA, "member")
    env = {**demo_env, "DEMO_CABINETS": "2", "DEMO_SECOND_CHAT_ID": str(SECOND_CHAT)}
    demo = spawn(env, "demo", "demo")
    for chat in (STAFF_CHAT, SECOND_CHAT):
        wait_until(lambda c=chat: len(demo_posts(telegram, c)) >= 3, 30, message=f"{chat}")
    first, second = demo_posts(telegram), demo_posts(telegram, SECOND_CHAT)
    assert {shop_line(post) for post in first} <= {f"Shop: {n}" for n in HOME.shops.values()}
    assert {shop_line(post) for post in second} == {f"Shop: {n}" for n in ZOO.shops.values()}
    assert len(first) == len(second) == 3
    outcome = accept(telegram, SECOND_CHAT, second[-1])
    assert "Cancellation accepted" in outcome, outcome
    assert demo.terminate() == 0
    assert market.calls() == [], "the demo called a Market"
