"""Write desk_27e9b31.db: a small database as the desk at commit 27e9b31 left it (schema v1).

Run it with the code of 27e9b31 on the path, not the current code, so the OLD Store writes
the file; later versions test that they upgrade such a database in place and keep every row:

    git worktree add ../old27 27e9b31
    PYTHONPATH=../old27 .venv/bin/python tests/data/make_db_27e9b31.py tests/data/desk_27e9b31.db
    git worktree remove --force ../old27

Only the public Store API of that commit is used, with fixed timestamps, so the content is
the same on every run. The story (UTC, 2025-03-10):

  id campaign order     state    basis         post  decisions / reminders
  1  21001    51000001  pending  notification  101   confirming 'a' (Confirm not pressed)
  2  21001    51000002  pending  estimated     102   reminders 86400 shown_in_post,
                                                     3600 sent (message 106), 21600 merged
  3  21002    52000003  decided  poll          103   decision 2: 'a' ok 200, Анна Петрова
  4  21002    52000004  closed   poll          104   CANCELLED/USER_CHANGED_MIND
  5  21001    51000005  pending  notification  105   decision 1: 'c' failed 500, retry_at;
                                                     post dirty=1
  6  21002    52000006  pending  estimated     -     not posted yet

polls: 1 ok (full sweep), 2 failed, 3 ok (3 new), 4 ok (1 new, 1 resolved).
kv: notified:21002:52000007, shop:21001, shop:21002, chat_migrated_from:-987654321.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bot.deadlines import Basis, RequestTime
from bot.decisions import Decision
from bot.market_time import MOSCOW
from bot.orders import Money, Order, OrderItem
from storage.store import NewRequest, PollRecord, Request, Store

BUSINESS = 9100001
SHOP_A, SHOP_B = 21001, 21002
OLD_CHAT, CHAT = -987654321, -1002233445566  # the group became a supergroup


def utc(hour: int, minute: int, second: int = 0, micro: int = 0, day: int = 10) -> datetime:
    return datetime(2025, 3, day, hour, minute, second, micro, tzinfo=UTC)


def msk(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, second, tzinfo=MOSCOW)


def rub(amount: str) -> Money:
    return Money(Decimal(amount), "RUR")


def order(
    campaign_id: int,
    order_id: int,
    items: list[tuple[str, str, int, str]],
    delivery: str,
    *,
    status: str = "DELIVERY",
    substatus: str = "DELIVERY_SERVICE_RECEIVED",
    created: datetime,
    updated: datetime,
    delivery_type: str = "DELIVERY",
    delivery_service: str = "Яндекс Доставка",
    region: str = "Москва",
    dates: tuple[date, date],
    payment: tuple[str, str] = ("PREPAID", "YANDEX"),
    cancel_requested: bool = True,
) -> Order:
    lines = tuple(OrderItem(name, offer, count, rub(price)) for name, offer, count, price in items)
    total = rub(delivery)
    for line in lines:
        assert line.price is not None
        total += line.price
    return Order(
        order_id=order_id,
        campaign_id=campaign_id,
        status=status,
        substatus=substatus,
        created_at=created,
        updated_at=updated,
        items=lines,
        total=total,
        delivery_type=delivery_type,
        delivery_service=delivery_service,
        region=region,
        delivery_from=dates[0],
        delivery_to=dates[1],
        payment_type=payment[0],
        payment_method=payment[1],
        cancel_requested=cancel_requested,
        external_id=f"EXT-{order_id}",
    )


def build(path: Path) -> None:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    store = Store(path)

    # --- shops and the chat ---
    store.save_shop_name(SHOP_A, "Ромашка — электроника")
    store.save_shop_name(SHOP_B, "Дом и сад «Берёзка»")
    assert store.move_chat(OLD_CHAT, CHAT) == []  # before anything was posted

    # --- orders ---
    o1 = order(
        SHOP_A,
        51000001,
        [
            ("Наушники беспроводные TWS Pro", "TWS-PRO-01", 1, "3499.90"),
            ("Чехол силиконовый для наушников", "CASE-TWS-BLK", 2, "598.00"),
        ],
        "249.00",
        created=msk(9, 21, 14, 5),
        updated=msk(10, 9, 3, 10),
        dates=(date(2025, 3, 12), date(2025, 3, 13)),
    )
    o2 = order(
        SHOP_A,
        51000002,
        [("Электрический чайник 1,7 л, стекло", "KETTLE-17-GL", 1, "2199.50")],
        "0.00",
        status="PICKUP",
        substatus="PICKUP_SERVICE_RECEIVED",
        created=msk(6, 14, 22),
        updated=msk(9, 2, 30),
        delivery_type="PICKUP",
        delivery_service="ПВЗ Яндекс Маркета",
        region="Санкт-Петербург",
        dates=(date(2025, 3, 9), date(2025, 3, 9)),
        payment=("POSTPAID", "CARD_ON_DELIVERY"),
    )
    o3 = order(
        SHOP_B,
        52000003,
        [
            ("Семена томата «Бычье сердце», 0,1 г", "SEED-TOM-BS", 3, "134.70"),
            ("Грунт универсальный, 10 л", "SOIL-10L", 1, "289.99"),
        ],
        "149.00",
        created=msk(10, 8, 40),
        updated=msk(10, 9, 2, 30),
        region="Казань",
        dates=(date(2025, 3, 14), date(2025, 3, 15)),
    )
    o4 = order(
        SHOP_B,
        52000004,
        [("Секатор садовый с храповым механизмом", "PRUNER-R2", 1, "1250.05")],
        "199.00",
        created=msk(10, 7, 15),
        updated=msk(10, 9, 3, 45),
        region="Екатеринбург",
        dates=(date(2025, 3, 13), date(2025, 3, 13)),
        payment=("PREPAID", "SBP"),
    )
    o4_cancelled = order(
        SHOP_B,
        52000004,
        [("Секатор садовый с храповым механизмом", "PRUNER-R2", 1, "1250.05")],
        "199.00",
        status="CANCELLED",
        substatus="USER_CHANGED_MIND",
        created=msk(10, 7, 15),
        updated=msk(10, 11, 58, 40),
        region="Екатеринбург",
        dates=(date(2025, 3, 13), date(2025, 3, 13)),
        payment=("PREPAID", "SBP"),
        cancel_requested=False,
    )
    o5 = order(
        SHOP_A,
        51000005,
        [("Робот-пылесос «Чистюля» X7", "ROBOT-X7", 1, "18990.99")],
        "0.00",
        created=msk(8, 12, 1),
        updated=msk(10, 10, 10),
        region="Новосибирск",
        dates=(date(2025, 3, 11), date(2025, 3, 12)),
    )
    o6 = order(
        SHOP_B,
        52000006,
        [
            ("Лейка пластиковая, 5 л", "CAN-5L-GRN", 2, "398.80"),
            ("Перчатки садовые, размер M", "GLOVES-M", 1, "99.90"),
        ],
        "99.00",
        created=msk(9, 19, 0),
        updated=msk(10, 11, 20),
        region="Нижний Новгород",
        dates=(date(2025, 3, 15), date(2025, 3, 17)),
        payment=("POSTPAID", "CASH_ON_DELIVERY"),
    )

    # --- poll 1: a full sweep, nothing to do yet ---
    store.apply_sync(
        new=[],
        refreshed=[],
        closed=[],
        poll=PollRecord(
            started_at=utc(6, 0),
            finished_at=utc(6, 0, 4, 250000),
            ok=True,
            covered_from=date(2025, 1, 9),
            covered_to=date(2025, 3, 11),
        ),
    )
    # --- poll 2 failed ---
    store.record_failed_poll(
        PollRecord(
            started_at=utc(6, 1),
            finished_at=utc(6, 1, 30),
            ok=False,
            error="Market API: 503 Service Unavailable",
        )
    )

    # --- request 1: came by notification, posted, Accept pressed (waiting for Confirm) ---
    r1 = store.add_request(
        NewRequest(
            business_id=BUSINESS,
            order=o1,
            first_seen=utc(6, 3, 13, 1000),
            request_time=RequestTime(utc(6, 3, 12, 345678), Basis.NOTIFICATION),
        )
    )
    store.save_post(r1, CHAT, 101, utc(6, 3, 14, 500000), [])

    # --- poll 3: three new requests ---
    ids = store.apply_sync(
        new=[
            NewRequest(  # listed late: the request time is a guess
                business_id=BUSINESS,
                order=o2,
                first_seen=utc(6, 5),
                request_time=RequestTime(utc(23, 30, day=8), Basis.ESTIMATED),
            ),
            NewRequest(
                business_id=BUSINESS,
                order=o3,
                first_seen=utc(6, 5),
                request_time=RequestTime(utc(6, 0), Basis.POLL),
            ),
            NewRequest(
                business_id=BUSINESS,
                order=o4,
                first_seen=utc(6, 5),
                request_time=RequestTime(utc(6, 0), Basis.POLL),
            ),
        ],
        refreshed=[(store_request(store, r1), o1)],
        closed=[],
        poll=PollRecord(
            started_at=utc(6, 5),
            finished_at=utc(6, 5, 6, 800000),
            ok=True,
            covered_from=date(2025, 2, 8),
            covered_to=date(2025, 3, 11),
            found=4,
            new=3,
        ),
    )
    r2, r3, r4 = ids
    # request 2's deadline (03-10 23:30) is less than 24h away: the post shows it
    store.save_post(r2, CHAT, 102, utc(6, 5, 8), [timedelta(hours=24)])
    store.save_post(r3, CHAT, 103, utc(6, 5, 9), [])
    store.save_post(r4, CHAT, 104, utc(6, 5, 10), [])

    # --- request 5: by notification, posted; the reject fails with a 500 ---
    r5 = store.add_request(
        NewRequest(
            business_id=BUSINESS,
            order=o5,
            first_seen=utc(7, 10, 1),
            request_time=RequestTime(utc(7, 10, 0, 500000), Basis.NOTIFICATION),
        )
    )
    store.save_post(r5, CHAT, 105, utc(7, 10, 3), [])
    store.set_confirming(r5, Decision.REJECT_IN_DELIVERY)
    clean(store, r5)
    failed = store.begin_decision(
        r5,
        Decision.REJECT_IN_DELIVERY,
        user_id=700002,
        user_name="Игорь",
        username=None,
        now=utc(7, 30, 0, 120000),
    )
    assert failed is not None
    store.finish_decision(
        failed.id,
        "failed",
        utc(7, 30, 1, 640000),
        http_status=500,
        error_code="INTERNAL_SERVER_ERROR",
        error_message="Внутренняя ошибка сервера",
        retry_at=utc(7, 31, 1, 640000),
    )  # the post still has to show the failure: dirty stays 1

    # --- request 1: Accept pressed, Confirm not yet ---
    store.set_confirming(r1, Decision.ACCEPT)
    clean(store, r1)

    # --- poll 4: request 6 is new, request 4 was cancelled by the buyer ---
    listed = {r: store_request(store, r) for r in (r1, r2, r3, r5)}
    (r6,) = store.apply_sync(
        new=[
            NewRequest(
                business_id=BUSINESS,
                order=o6,
                first_seen=utc(9, 0),
                request_time=RequestTime(utc(8, 20), Basis.ESTIMATED),
            )
        ],
        refreshed=[(request, request.order) for request in listed.values()],
        closed=[(store_request(store, r4), o4_cancelled)],
        poll=PollRecord(
            started_at=utc(9, 0),
            finished_at=utc(9, 0, 5, 500000),
            ok=True,
            covered_from=date(2025, 2, 8),
            covered_to=date(2025, 3, 11),
            found=5,
            new=1,
            resolved=1,
        ),
    )
    clean(store, r4)  # the post now says the buyer cancelled

    # --- request 3: accepted ---
    store.set_confirming(r3, Decision.ACCEPT)
    clean(store, r3)
    accepted = store.begin_decision(
        r3,
        Decision.ACCEPT,
        user_id=700001,
        user_name="Анна Петрова",
        username="anna_petrova",
        now=utc(9, 10, 5, 250000),
    )
    assert accepted is not None
    store.finish_decision(accepted.id, "ok", utc(9, 10, 6, 10000), http_status=200)
    clean(store, r3)

    # --- request 2: the desk was down at 6h; at 22:35 one reminder stands for 6h and 1h ---
    assert store.claim_reminder(r2, 3600, [21600], utc(22, 35))
    store.reminder_sent(r2, 3600, 106, utc(22, 35, 0, 900000))

    # --- a notification the Market does not list yet ---
    store.remember_notification(SHOP_B, 52000007, utc(22, 50, 0, 123456))

    assert (r1, r2, r3, r4, r5, r6) == (1, 2, 3, 4, 5, 6)
    store.close()
    compact(path)


def store_request(store: Store, request_id: int) -> Request:
    request = store.request(request_id)
    assert request is not None
    return request


def clean(store: Store, request_id: int) -> None:
    """What the publisher does after editing the post."""
    post = store_request(store, request_id).post
    assert post is not None
    assert store.mark_clean(request_id, post)


def compact(path: Path) -> None:
    """One self-contained file: WAL folded in, rollback journal, vacuumed."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        assert mode == "delete", mode
        conn.execute("VACUUM")
    finally:
        conn.close()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        assert not leftover.exists(), leftover


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: PYTHONPATH=<checkout of 27e9b31> {sys.argv[0]} OUT.db")
    build(Path(sys.argv[1]))
