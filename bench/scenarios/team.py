"""#16: group messages per request settled by one decision, each team feature on and off.

Telegram allows about 20 messages a minute per group, sends and edits alike, so every
message a feature adds is counted: a post, its edits (Confirm keyboard, outcome, a claim)
and what the feature sends itself (the pinned summary and its pin). Failed calls (a probe
answered "not modified") are counted apart. Confirm is on, as by default: the floor is
post + Confirm keyboard + outcome = 3 per request.
"""

from __future__ import annotations

from collections import Counter

from bench.scenarios import Config
from bench.stats import Row
from bench.world import ANNA, STAFF_CHAT, World

IDS = ("16",)
FIRST_ORDER = 120_000
GROUP_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "pinChatMessage")
VARIANTS = {  # name -> settings, and what staff tap before deciding
    "off": ({}, ()),
    "claims": ({"CLAIMS": "true"}, ("🙋",)),
    "summary": ({"PIN_SUMMARY": "true"}, ()),
    "contact": ({"BUYER_CONTACT": "true", "STAFF_USER_IDS": str(ANNA)}, ("📞",)),
    "all": (
        {
            "CLAIMS": "true",
            "PIN_SUMMARY": "true",
            "BUYER_CONTACT": "true",
            "STAFF_USER_IDS": str(ANNA),
            "ESCALATE_TO": str(ANNA),
            "QUIET_HOURS": "00:00-23:59",
        },
        ("🙋", "📞"),
    ),
}


def run(config: Config) -> list[Row]:
    count = config.reps(5, 3)
    return [_variant(name, count) for name in VARIANTS]


def _tap(world: World, message_id: int, label: str) -> None:
    """Tap the button whose text contains `label`; wait for its answer."""
    message = world.telegram.message(STAFF_CHAT, message_id)
    data = message.callback_data(label)
    callback = world.telegram.tap(STAFF_CHAT, message_id, ANNA, data)
    world.telegram.wait_until(lambda: world.telegram.callback_answer(callback), 15, "an answer")


def _edited(world: World, message_id: int, edits: int) -> None:
    world.telegram.wait_until(
        lambda: world.telegram.message(STAFF_CHAT, message_id).edits >= edits, 15, "an edit"
    )


def _variant(name: str, count: int) -> Row:
    settings, extra_taps = VARIANTS[name]
    orders = [FIRST_ORDER + i for i in range(count)]
    with World() as world:
        world.telegram.set_member_status(STAFF_CHAT, world.telegram.bot_id, "administrator")
        for order_id in orders:
            world.market.add_order(order_id, world.campaigns[0], cancel_requested=True)
        world.start_desk(POLL_INTERVAL="2", **settings)
        posts = world.telegram.wait_until(
            lambda: len(found := world.posts()) >= count and found, 30, f"{count} posts"
        )
        for post in posts:
            assert post.message_id is not None
            for label in extra_taps:
                _tap(world, post.message_id, label)
                if label == "🙋":
                    _edited(world, post.message_id, 1)
            edits = world.telegram.message(STAFF_CHAT, post.message_id).edits
            _tap(world, post.message_id, "✅")
            _edited(world, post.message_id, edits + 1)
            _tap(world, post.message_id, "✔️")
            _edited(world, post.message_id, edits + 2)
        if "PIN_SUMMARY" in settings:  # its first showing, made once the posts are out
            world.telegram.wait_until(lambda: world.sent_by("pinChatMessage"), 15, "the pin")
        sent = [s for s in world.sent() if s.chat_id == STAFF_CHAT]
    messages = Counter(s.method for s in sent if s.ok and s.method in GROUP_METHODS)
    failed = Counter(f"{s.method} {s.status}" for s in sent if not s.ok)
    per_request = sum(messages.values()) / count
    return Row(
        id=f"16/{name}",
        measure=f"group messages per settled request, {name}",
        target="off 3; claims <= 4; summary <= 3 + 1 per 5 min",
        unit="msg",
        verdict="info",
        median=per_request,
        p95=per_request,
        n=count,
        floor=3.0,
        ratio=per_request / 3.0,
        note=f"{count} requests; {dict(messages)}; failed calls: {dict(failed) or 'none'}",
        samples=[per_request],
    )
