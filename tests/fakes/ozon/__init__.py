"""A strict fake of the Ozon Seller API methods the desk calls, over real HTTP on 127.0.0.1.

`FakeOzon` runs a Starlette app in a background thread with its own event loop
(`tests.fakes.loopback`), like the fake Market, so synchronous and async tests and child
processes all talk real HTTP to it::

    with FakeOzon(keys={"key-a": 101, "key-b": 202}) as ozon:
        request = ozon.add_request(101, products=[{"sku": 1, "name": "Чайник", "price": "990"}])
        ...  # POST ozon.url + "/v2/conditional-cancellation/list" with Client-Id 101, key-a
        ozon.approve_elsewhere(request.cancellation_id)  # as in Ozon's cabinet

Sources: [S] Ozon's swagger.json (``../shared/ozon-openapi``; the contracts
tests/contracts/ozon_*.schema.json are made from it by scripts/make_contracts.py), [V] the
newer copy of the spec and the brief ``../shared/ozon-api/OZON_API.md`` (§ below), which
quotes both. "The fake's choice" marks what no source states.

Served (all POST): `/v2/conditional-cancellation/list`, `/approve`, `/reject`,
`/v3/posting/fbs/get`, `/v1/roles` [S paths]. Rules, in the order a request meets them:

1. A path it does not serve -> 404 `method is not allowed` (the message of [S tag:Errors];
   the status the fake's choice) and a fixture error, so a desk calling anything else
   fails its test; a method other than POST -> 405, same message (the fake's choice).
2. `Client-Id` and `Api-Key` headers on every call ([S components.parameters], required;
   the v2 cancellation operations do not reference them, a quirk of [S] (§3 "Auth"), yet
   Ozon authenticates every call). Missing, unknown, or a key of another Client-Id ->
   "Invalid Api-Key, please check the key and try again"; a deactivated key (`deactivate_key`)
   -> "Api-key is deactivated, use another one or generate a new one" ([S tag:Errors],
   §3). Both are HTTP 403, the spec's documented "Доступ запрещён" answer, with gRPC code 7
   PERMISSION_DENIED (the fake's choice: the spec gives no status for these messages).
   Several Client-Ids, each with its own keys (`add_key`, `keys_of`); roles and
   `expires_at` are reported by `/v1/roles`, not enforced (the spec maps no method to a
   role).
3. At most 50 calls a second per Client-Id across all methods ([S tag:Process]): the 51st
   within any sliding second -> 429 with `Retry-After` in whole seconds ([V tag:Limits],
   §3) and "You have reached request rate limit per second" ([S tag:Errors]), gRPC code 8.
   A refused call does not count.
4. The request: `Content-Type: application/json`, a JSON object valid against the
   operation's request contract -> else 400, gRPC 3 INVALID_ARGUMENT (messages the
   fake's). Required fields (`limit`; `cancellation_id`; `posting_number`), enums
   (`filters.state` ALL/ON_APPROVAL/APPROVED/REJECTED, `filters.cancellation_initiator`),
   `limit` at most 500 [S schemas]; `limit` under 1 is refused too (the fake's choice; the
   spec states no minimum); unknown fields are refused (stricter than the gateway, to
   catch typos). int64 fields may be numbers or decimal strings, as protojson reads them.
   `/v1/roles` has no request body in [S]: none or `{}`.
5. Injected faults, per Client-Id or for all (`set_outage` 500/DROP/..., `set_delay` a
   hang before step 1, `set_rate_limited` 429 with Retry-After, `fail_next`): only ever
   for calls that passed 1-4, so a fault never masks a client bug.
6. The operation:
   - list: `filters.state` (default ALL), `filters.posting_number[]`,
     `filters.cancellation_initiator[]`; `last_id` paging, pages in `cancellation_id`
     order after `last_id`, `last_id` of the answer the last item's id; the page after the
     last is empty (the spec's only end signal, §1) and carries the request's `last_id`
     (the fake's choice); `with.counter` adds `counter`, the seller's requests in
     ON_APPROVAL whatever the filters (omitted when not asked: the fake's choice).
   - approve / reject: `cancellation_id` required, `comment` optional (whether Ozon
     refuses an empty reject comment is not stated, §2: accepted). Only a request in
     ON_APPROVAL moves [S paths]; otherwise 400, gRPC 9 FAILED_PRECONDITION "cancellation
     is not in ON_APPROVAL state" (the fake's choice: the spec states no error, §2). An
     unknown id, or another seller's -> 404 NOT_FOUND "cancellation not found" (the fake's
     choice). 200 is `{}` (the spec gives no body). Approving cancels the posting
     (status `cancelled`, substatus `posting_canceled`, its `cancellation` block filled),
     rejecting leaves it as it was [S tag:Process]; `approve_date` is set either way
     ("подтверждения или отклонения", §1).
   - fbs/get: `posting_number` required; another seller's or unknown -> 404 NOT_FOUND
     "posting not found" (the fake's choice among [S]'s documented 400/403/404/409/500).
     `customer`/`addressee` are null unless a test gives them, as in [S]'s example.
   - roles: the key's `roles` and `expires_at` (default now + 6 months, [S tag:Auth]).
7. Every answer is validated before it is sent against the contracts as the gateway writes
   them (`spec`): a 200 against the operation's answer schema, any other status against
   `rpcStatus` {code, message, details} (§3). An invalid answer becomes a 500 and a
   fixture error. `stop()` raises `FakeOzonError` on fixture errors.

Wire format (`spec`): int64 fields are JSON strings (`"counter": "1"` in [S]'s example;
`FakeOzon(int64_as_strings=False)` writes numbers instead, as most of [S]'s examples show
them: a client must read both, §1); times RFC 3339 UTC with `Z` ("Seller API работает по
UTC", [S tag:Getting started]); unset times and message fields are `null` (`approve_date`
until decided, `delivering_date`). `state.id`/`state.name`, the default 48 h before
auto-approval and the sample products are the fake's choices.

The world (`world.OzonWorld`): `add_request` (its posting with products, initiator,
reason, message, `auto_approve_date`), `approve_elsewhere`, `reject_elsewhere`,
`auto_approve` (decisions made outside the desk), `request`/`posting` (what Ozon would
show). Observing: `arrivals()` (before any wait), `calls()` (answered: Client-Id and
Api-Key headers as sent, path, body, status, answer, added headers), `wait_until()`.
"""

from tests.fakes.observe import WaitTimeout
from tests.fakes.ozon.keys import INVALID_KEY, KEY_DEACTIVATED
from tests.fakes.ozon.limits import RATE_MESSAGE
from tests.fakes.ozon.records import DROP, Arrival, Call, FakeOzonError
from tests.fakes.ozon.server import FakeOzon
from tests.fakes.ozon.world import NOT_ON_APPROVAL, CancellationState, Initiator

__all__ = [
    "DROP",
    "INVALID_KEY",
    "KEY_DEACTIVATED",
    "NOT_ON_APPROVAL",
    "RATE_MESSAGE",
    "Arrival",
    "Call",
    "CancellationState",
    "FakeOzon",
    "FakeOzonError",
    "Initiator",
    "WaitTimeout",
]
