"""A refused forum topic is its own chat's: forums reuse small topic ids, and one cabinet's
closed topic must not send another chat's posts to its general topic."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.scope import Scope

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
CHAT_A, CHAT_B, TOPIC = -1001000000011, -1001000000022, 5


def test_a_topic_refused_in_one_chat_is_not_refused_in_another(store):
    in_a = store.scoped(Scope(chat=lambda: CHAT_A))
    in_b = store.scoped(Scope(chat=lambda: CHAT_B))

    assert in_a.topic_refused(TOPIC, "TOPIC_CLOSED", NOW)

    assert in_a.topics.unreported() == [(TOPIC, "TOPIC_CLOSED")]
    assert in_b.topics.unreported() == []
    assert not in_b.topic_works(TOPIC)  # B's topic 5 was never refused
    assert in_b.topic_refused(TOPIC, "TOPIC_DELETED", NOW)  # told there on its own
    assert in_a.topic_works(TOPIC)
    assert in_b.topics.unreported() == [(TOPIC, "TOPIC_DELETED")]
