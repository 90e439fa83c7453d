"""Versioned schema: each migration is one SQL script run atomically, in order.

The version lives in `PRAGMA user_version`; SQLite's DDL is transactional, so a crash in
the middle of a migration leaves the previous version intact.
"""

import sqlite3
from functools import cache

import sqlite_utils

V1 = """
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    business_id INTEGER NOT NULL,
    state TEXT NOT NULL,                -- pending | decided | closed
    order_json TEXT NOT NULL,           -- what staff see, as last fetched
    order_created_on TEXT,              -- Moscow date: which listing window covers the order
    first_seen TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    request_basis TEXT NOT NULL,        -- notification | poll | estimated
    deadline TEXT NOT NULL,
    closed_at TEXT,
    closed_status TEXT                  -- STATUS/SUBSTATUS when it left the pending set
);
CREATE INDEX requests_by_state ON requests(state, deadline);
CREATE UNIQUE INDEX one_open_request ON requests(campaign_id, order_id) WHERE state != 'closed';

CREATE TABLE posts (
    request_id INTEGER PRIMARY KEY REFERENCES requests(id),
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    posted_at TEXT NOT NULL,
    confirming TEXT,                    -- decision code waiting for Confirm
    dirty INTEGER NOT NULL DEFAULT 0    -- >0: staff see an outdated post; counts changes
);
CREATE INDEX posts_dirty ON posts(dirty);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    decision TEXT NOT NULL,             -- a | d | c (bot.decisions.Decision)
    user_id INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    username TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT,                        -- null in flight; ok | failed | not_pending | unknown
    http_status INTEGER,
    error_code TEXT,
    error_message TEXT,
    retry_at TEXT
);
CREATE INDEX decisions_by_request ON decisions(request_id, id);
CREATE UNIQUE INDEX one_decision_in_flight ON decisions(request_id) WHERE result IS NULL;
CREATE UNIQUE INDEX one_decision_accepted ON decisions(request_id) WHERE result = 'ok';

CREATE TABLE reminders (
    request_id INTEGER NOT NULL REFERENCES requests(id),
    lead_seconds INTEGER NOT NULL,
    kind TEXT NOT NULL,                 -- sent | shown_in_post | merged
    created_at TEXT NOT NULL,
    sent_at TEXT,                       -- null: claimed, not yet confirmed by Telegram
    message_id INTEGER,
    PRIMARY KEY (request_id, lead_seconds)
);

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    covered_from TEXT,                  -- creation dates listed, from inclusive
    covered_to TEXT,                    -- to exclusive
    found INTEGER,
    new INTEGER,
    resolved INTEGER,
    error TEXT
);
CREATE INDEX polls_by_time ON polls(ok, started_at);

CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# A request Telegram refused to post is retried later without holding up the others, and
# what could not be read, stored, posted or updated is told to staff once per order.
V2 = """
ALTER TABLE requests ADD COLUMN post_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN post_retry_at TEXT;  -- refused by Telegram: not before this
CREATE INDEX requests_unposted ON requests(state, post_retry_at);

CREATE TABLE order_problems (
    campaign_ref TEXT NOT NULL,         -- ids as the Market sent them, perhaps not valid ones
    order_ref TEXT NOT NULL,
    stage TEXT NOT NULL,                -- read | store | post | edit | remind
    detail TEXT NOT NULL,
    noted_at TEXT NOT NULL,
    reported_at TEXT,                   -- null: staff have not been told yet
    PRIMARY KEY (campaign_ref, order_ref)
);
"""

# The kv table held three unrelated things; each gets a table of its own.
V3 = """
CREATE TABLE shops (campaign_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE chat_moves (                -- the staff group became a supergroup
    old_chat_id INTEGER PRIMARY KEY,
    new_chat_id INTEGER NOT NULL
);
CREATE TABLE notified_requests (         -- a notification's exact time, kept for the poll
    campaign_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, order_id)
);
INSERT INTO shops SELECT CAST(substr(key, 6) AS INTEGER), value FROM kv WHERE key LIKE 'shop:%';
INSERT INTO chat_moves
    SELECT CAST(substr(key, 20) AS INTEGER), CAST(value AS INTEGER)
    FROM kv WHERE key LIKE 'chat_migrated_from:%';
INSERT INTO notified_requests
    SELECT CAST(substr(ids, 1, instr(ids, ':') - 1) AS INTEGER),
           CAST(substr(ids, instr(ids, ':') + 1) AS INTEGER), value
    FROM (SELECT substr(key, 10) AS ids, value FROM kv WHERE key LIKE 'notified:%');
DROP TABLE kv;
"""

# The journal: every step of a request, append-only. Requests from before it get what the
# tables still know (first seen, the last post, sent reminders, decisions, the end), marked
# as such; what was overwritten (deadline corrections, earlier posts, taps) is not known.
V4 = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- bot.domain.journal.Kind
    user_id INTEGER,
    user_name TEXT,
    detail TEXT NOT NULL                -- JSON
);
CREATE INDEX events_by_request ON events(request_id);  -- a story is a few rows: sorted when read
CREATE INDEX events_posted ON events(request_id, at) WHERE kind IN ('posted', 'reposted');
CREATE INDEX decisions_by_time ON decisions(started_at);
CREATE INDEX requests_by_first_seen ON requests(first_seen);
CREATE INDEX requests_by_order ON requests(order_id);
CREATE INDEX requests_closed ON requests(closed_at) WHERE state = 'closed';
CREATE TABLE daily_runs (job TEXT PRIMARY KEY, day TEXT NOT NULL);  -- digest, prune: last day
INSERT INTO events (request_id, at, kind, user_id, user_name, detail)
SELECT request_id, at, kind, user_id, user_name, detail FROM (
    SELECT id AS request_id, first_seen AS at, 'seen' AS kind, NULL AS user_id,
           NULL AS user_name, 0 AS step,
           json_object('requested_at', requested_at, 'basis', request_basis,
                       'deadline', deadline, 'before_journal', 1) AS detail
    FROM requests
    UNION ALL
    SELECT request_id, posted_at, 'posted', NULL, NULL, 1,
           json_object('chat_id', chat_id, 'message_id', message_id, 'before_journal', 1)
    FROM posts
    UNION ALL
    SELECT request_id, sent_at, 'reminder', NULL, NULL, 2,
           json_object('lead_seconds', lead_seconds, 'before_journal', 1)
    FROM reminders WHERE kind = 'sent' AND sent_at IS NOT NULL
    UNION ALL
    SELECT request_id, started_at, 'sent', user_id, user_name, 3,
           json_object('decision', decision, 'before_journal', 1)
    FROM decisions
    UNION ALL
    SELECT request_id, finished_at, 'answer', user_id, user_name, 4,
           json_object('decision', decision, 'result', result, 'http_status', http_status,
                       'error_code', error_code, 'error_message', error_message,
                       'retry_at', retry_at, 'before_journal', 1)
    FROM decisions WHERE finished_at IS NOT NULL
    UNION ALL
    SELECT id, closed_at, 'closed', NULL, NULL, 5,
           json_object('status', closed_status, 'before_journal', 1)
    FROM requests WHERE closed_at IS NOT NULL
) ORDER BY at, step;
"""

# The team's day (issue 12): who took a request, which topics are refused, the summary.
V5 = """
CREATE TABLE claims (                    -- "I'm on it": one person per request
    request_id INTEGER PRIMARY KEY REFERENCES requests(id),
    user_id INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    username TEXT,
    claimed_at TEXT NOT NULL
);
ALTER TABLE posts ADD COLUMN thread_id INTEGER;  -- the forum topic it is in; null: general
CREATE TABLE refused_topics (            -- a topic the desk cannot post to: general instead
    topic_id INTEGER PRIMARY KEY,
    detail TEXT NOT NULL,
    noted_at TEXT NOT NULL,
    reported_at TEXT                     -- null: staff have not been told yet
);
CREATE TABLE summaries (                 -- the pinned live summary, one per chat
    chat_id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL,
    text TEXT NOT NULL,                  -- as last shown: edited only when it changes
    shown_at TEXT NOT NULL
);
"""

# requests that came and went without a post (a long Telegram outage) are listed once
V6 = """
ALTER TABLE requests ADD COLUMN unseen_listed_at TEXT;
UPDATE requests SET unseen_listed_at = closed_at WHERE state = 'closed';
"""

# several cabinets (issue 20): each poller reads its own poll records; NULL is the one
# cabinet a desk configured from the environment has, as every earlier record was
V7 = """
ALTER TABLE polls ADD COLUMN scope TEXT;
CREATE INDEX polls_by_scope ON polls(scope, ok, started_at);
"""

# a refused forum topic is its chat's (issue 20): forums reuse small topic ids; an earlier
# desk had one chat, the one its posts are in
V8 = """
ALTER TABLE refused_topics RENAME TO refused_topics_v7;
CREATE TABLE refused_topics (
    chat_id INTEGER NOT NULL,            -- 0: a reader not scoped to one chat
    topic_id INTEGER NOT NULL,
    detail TEXT NOT NULL,
    noted_at TEXT NOT NULL,
    reported_at TEXT,                    -- null: staff have not been told yet
    PRIMARY KEY (chat_id, topic_id)
);
INSERT INTO refused_topics (chat_id, topic_id, detail, noted_at, reported_at)
    SELECT coalesce((SELECT chat_id FROM posts ORDER BY posted_at DESC LIMIT 1), 0),
           topic_id, detail, noted_at, reported_at
    FROM refused_topics_v7;
DROP TABLE refused_topics_v7;
"""

MIGRATIONS: list[str] = [V1, V2, V3, V4, V5, V6, V7, V8]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the database to the latest version; returns that version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"the database is version {version}, newer than this desk knows ({len(MIGRATIONS)})"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    missing = sorted(_expected_columns() - _columns(db.conn))
    if missing:
        table, column = missing[0]
        raise RuntimeError(
            f"the schema is not the desk's ({table}.{column} is missing"
            f"{f' and {len(missing) - 1} more' if len(missing) > 1 else ''})"
        )
    return len(MIGRATIONS)


@cache
def _expected_columns() -> frozenset[tuple[str, str]]:
    """What the migrations make, read from a scratch database rather than written twice."""
    scratch = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS:
            scratch.executescript(script)
        return _columns(scratch)
    finally:
        scratch.close()


def _columns(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    """Every (table, column) of the database: a table dropped or edited by hand shows here."""
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return frozenset(
        (table, row[0])
        for table in tables
        for row in conn.execute("SELECT name FROM pragma_table_info(?)", [table])
    )
