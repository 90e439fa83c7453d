"""What the desk did, for Prometheus: `GET /metrics` on the HTTP port.

Counters live in this module's own registry (one desk per process) and are bumped where
things happen (a counter labelled with one wing's vocabulary is made there, from that
vocabulary, as `desk_notifications` in bot.intake.http); the state of the requests (how
many pending, the nearest deadline, the age of the last good poll) is read from the
database at each scrape, and so is each cabinet's, labelled with its name. The cabinets
are the running set, asked at each scrape: a cabinet a reload removes has no series from
the next scrape on, and no label value ever comes from outside the cabinets file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from http import HTTPStatus

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.domain.model import DecisionResult, RequestState
from bot.ops.cabinet_watch import Cabinets, Watched
from storage.store import Store

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Every label value comes from a fixed set, whatever the Market or a caller sends: a
# value from outside would be a new series kept for the life of the process.
OTHER = "other"
STATUSES = frozenset({str(status.value) for status in HTTPStatus} | {"420"})  # 420: the Market's
POLL_RESULTS = frozenset({"ok", "failed", "rate_limited"})
MARKET_OPERATIONS = frozenset(
    {
        "getCampaign",
        "getCampaigns",
        "getAuthTokenInfo",
        "getBusinessOrders",
        "acceptOrderCancellation",
        "getOrderBuyerInfo",
    }
)


class Labelled:
    """A counter whose label values outside their fixed sets are counted as `other`."""

    def __init__(self, counter: Counter, *allowed: frozenset[str]) -> None:
        self.counter, self.allowed = counter, allowed

    def labels(self, *values: str) -> Counter:
        return self.counter.labels(
            *(
                value if value in known else OTHER
                for value, known in zip(values, self.allowed, strict=True)
            )
        )


POLLS = Labelled(
    Counter("desk_polls", "Polls of the Market by result", ["result"], registry=REGISTRY),
    POLL_RESULTS,
)
MARKET_CALLS = Labelled(
    Counter(
        "desk_market_calls",
        "Market API calls by operation and HTTP status (network: no answer)",
        ["operation", "status"],
        registry=REGISTRY,
    ),
    MARKET_OPERATIONS,
    STATUSES | {"network"},
)
MARKET_420 = Counter("desk_market_rate_limited", "Market 420 answers", registry=REGISTRY)
POSTS = Counter("desk_telegram_posts", "Requests posted to the staff chat", registry=REGISTRY)
EDITS = Counter("desk_telegram_edits", "Posts edited in the staff chat", registry=REGISTRY)
TELEGRAM_429 = Counter("desk_telegram_429", "Telegram 429 (flood) answers", registry=REGISTRY)
TELEGRAM_RETRIES = Counter(
    "desk_telegram_retries", "Telegram requests sent again after a 429", registry=REGISTRY
)
DECISIONS = Labelled(
    Counter("desk_decisions", "Decisions finished, by result", ["result"], registry=REGISTRY),
    frozenset(result.value for result in DecisionResult),
)


class StoredState(Collector):
    """Gauges read from the database when scraped."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store, self.clock = store, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        pending = self.store.requests.count(RequestState.PENDING)
        yield GaugeMetricFamily(
            "desk_pending_requests", "Requests waiting for staff", value=pending
        )
        for nearest in self.store.requests.nearest(1):  # read once per scrape, not every row
            yield GaugeMetricFamily(
                "desk_nearest_deadline_seconds",
                "Seconds to the nearest deadline of a pending request (negative: passed)",
                value=(nearest.deadline - now).total_seconds(),
            )
        last = self.store.polls.latest().good
        if last is not None:
            yield GaugeMetricFamily(
                "desk_last_poll_age_seconds",
                "Seconds since the last successful poll (of any cabinet)",
                value=(now - last).total_seconds(),
            )


def _cabinet_gauge(name: str, documentation: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=["cabinet"])


class CabinetStates(Collector):
    """Each running cabinet's gauges, labelled with its configured name."""

    def __init__(self, cabinets: Cabinets, clock: Callable[[], datetime]) -> None:
        self.cabinets, self.clock = cabinets, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        age = _cabinet_gauge(
            "desk_cabinet_last_poll_age_seconds",
            "Seconds since the cabinet's last successful poll (none: never polled well)",
        )
        failures = _cabinet_gauge(
            "desk_cabinet_failed_polls", "The cabinet's failed polls since its last good one"
        )
        trouble = _cabinet_gauge(
            "desk_cabinet_in_trouble", "1 while the cabinet is in trouble (told to its chat)"
        )
        open_ = _cabinet_gauge(
            "desk_cabinet_open_requests", "The cabinet's requests pending or decided, not closed"
        )
        pending = _cabinet_gauge(
            "desk_cabinet_pending_requests", "The cabinet's requests waiting for staff"
        )
        for cabinet in self.cabinets():
            _add(cabinet, now, age, failures, trouble, open_, pending)
        yield from (age, failures, trouble, open_, pending)


def _add(cabinet: Watched, now: datetime, *gauges: GaugeMetricFamily) -> None:
    age, failures, trouble, open_, pending = gauges
    label, polls = [cabinet.name], cabinet.polls
    last = cabinet.last_good_poll()
    if last is not None:
        age.add_metric(label, (now - last).total_seconds())
    failures.add_metric(label, polls.failures)
    trouble.add_metric(label, 1 if polls.trouble_since is not None else 0)
    open_requests, pending_requests = cabinet.requests()
    open_.add_metric(label, open_requests)
    pending.add_metric(label, pending_requests)


def watch(store: Store, clock: Callable[[], datetime], cabinets: Cabinets) -> None:
    """Expose the state of `store` and of the running cabinets (once per process)."""
    REGISTRY.register(StoredState(store, clock))
    REGISTRY.register(CabinetStates(cabinets, clock))


def exposition() -> bytes:
    return generate_latest(REGISTRY)
