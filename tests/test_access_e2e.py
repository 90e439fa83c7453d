"""Who may use the desk's commands (`python -m bot` over the fakes), and what one person's
flood of commands costs the staff chat: nothing the outbox needs, and one answer."""

from __future__ import annotations

from tests.chat import ANNA, BORIS, edited, post_of, posts, tap
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until

OWNER_COMMANDS = {  # the command, how the answer to it starts
    "/stats": "📊",
    "/history": "🗂",
    "/order 41": "📜",
    "/export": "Requests, 7d",
}


def from_bot(telegram, chat: int, start: int = 0) -> list:
    return [m for m in telegram.messages(chat)[start:] if m.from_bot]


def test_owner_commands_answer_listed_staff_only(market, telegram, start_desk):
    market.add_order(41, CAMPAIGN, cancel_requested=True)
    desk = start_desk(STAFF_USER_IDS=str(ANNA), COMMAND_COOLDOWN="0")
    post = post_of(telegram, 41)
    tap(telegram, post, ANNA, "Accept")
    tap(telegram, edited(telegram, post), ANNA, "Confirm")
    wait_until(lambda: market.accepted_decisions(), message="Anna's decision")
    seen = len(telegram.messages(STAFF_CHAT))

    for command in OWNER_COMMANDS:  # Boris is in the staff chat, not in STAFF_USER_IDS
        telegram.send_text(STAFF_CHAT, BORIS, command)
    wait_until(
        lambda: desk.log().count(f"Refused a command from user {BORIS}") == len(OWNER_COMMANDS),
        message="Boris's commands refused",
    )
    assert from_bot(telegram, STAFF_CHAT, seen) == []  # no data, and no message either

    for command, starts in OWNER_COMMANDS.items():
        before = len(telegram.messages(STAFF_CHAT))
        telegram.send_text(STAFF_CHAT, ANNA, command)
        wait_until(
            lambda b=before, s=starts: [
                m for m in from_bot(telegram, STAFF_CHAT, b) if m.text.startswith(s)
            ],
            message=f"the answer to {command}",
        )

    telegram.send_text(BORIS, BORIS, "/stats")  # in private: only the listed, as before
    telegram.send_text(ANNA, ANNA, "/stats")
    assert wait_until(lambda: telegram.messages(BORIS))[0].text == (
        "This bot serves the shop's staff only."
    )
    assert wait_until(lambda: telegram.messages(ANNA))[0].text.startswith("📊")


def test_a_flood_of_commands_waits_for_the_outbox_and_gets_one_answer(market, telegram, start_desk):
    for order_id in range(51, 57):
        market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    desk = start_desk(TELEGRAM_GROUP_RATE="3/2s")  # six posts take about four seconds
    [first, *_] = wait_until(lambda: posts(telegram), message="the first post")
    answer = tap(telegram, first, ANNA, "Accept")  # its Confirm keyboard is an edit due
    assert answer["text"]  # a pop-up is no message in the chat: answered at once

    for _ in range(10):
        telegram.send_text(STAFF_CHAT, BORIS, "/pending")

    for order_id in range(51, 57):
        post_of(telegram, order_id)
    wait_until(
        lambda: desk.log().count(f"Ignored /pending from user {BORIS}") == 9,
        message="nine repeats ignored",
    )
    [reply] = wait_until(
        lambda: [m for m in from_bot(telegram, STAFF_CHAT) if m.text.startswith("Waiting: 6")],
        message="the answer to /pending",
    )
    calls = [c for c in telegram.calls() if c.ok]
    reply_at = next(i for i, c in enumerate(calls) if "Waiting" in c.params.get("text", ""))
    edit_at = next(i for i, c in enumerate(calls) if c.method == "editMessageText")
    assert edit_at < reply_at, "the decision's edit goes first"
    assert reply.message_id > max(p.message_id for p in posts(telegram)), "posts go first"
    assert "not posted yet" not in reply.text  # read when its turn came, not before
    assert len([m for m in from_bot(telegram, STAFF_CHAT) if "Waiting" in m.text]) == 1
