"""A strict fake of the Yandex Market Partner API, served over real HTTP on 127.0.0.1.

`FakeMarket` runs a Starlette app in a background thread with its own event loop
(`tests.fakes.loopback`), so synchronous tests and async tests (in any loop) can both use
it, and the application under test talks real HTTP to it::

    with FakeMarket(today=date(2026, 7, 20)).start() as market:
        market.add_campaign(1001, business_id=77)
        market.add_order(5001, 1001, cancel_requested=True)
        ...  # point the app at market.url

Several businesses, each with its own keys (a real Api-Key is bound to the cabinet where it
was created and reaches every store in it: MARKET_API.md §1.2)::

    with FakeMarket(keys={"key-a": 7101, "key-b": 7102}).start() as market:
        market.add_campaign(21100001, business_id=7101)
        market.add_campaign(21200001, business_id=7102)
        market.set_outage(500, business=7102)  # 7101 still answers

`add_key` binds one more key to a business while the fake runs, `keys_of` lists a
business's keys.

Implemented operations (paths as in the official spec): getCampaign, getCampaigns,
getAuthTokenInfo, getBusinessOrders, acceptOrderCancellation. "The spec" below is
tests/contracts/market-openapi.json: the official spec reduced by
scripts/make_contracts.py to these operations (the others kept as stubs, by operationId).

Processing order of one request, first answer wins:

1. path unknown to the spec -> 404; method not in the spec for that path -> 405; an
   operation of the spec that the fake does not implement -> 404 and a fixture error;
2. authentication (Api-Key only) -> 401/403, then `x-auth-scopes` of the path -> 403,
   then the key's business: a key of one business asking about another's
   (`v1/businesses/{businessId}/...`, or `v2/campaigns/{campaignId}/...` of another
   business's campaign) -> 403 FORBIDDEN "Access denied", the answer MARKET_API.md §5.2
   lists for a resource the token has no access to (docs concepts/error-codes, 403);
3. request checks: 415 for a body without `Content-Type: application/json`, 400 for a
   body over 512 KB, malformed JSON, unknown query parameters, anything openapi-core
   rejects against the spec (unknown body fields included);
4. injected faults (`set_outage`, `set_rate_limited`, `fail_next`; `hold_next` and
   `set_delay` wait before step 1): they only ever hit requests that passed 1-3, so a
   fault never masks a client bug. Each takes `business=` to hit only the calls
   addressing one business, so one business can fail (500, DROP, a hang, 420) while the
   others answer; `revoke_key` makes one key answer 401 "Api-Key token is revoked";
5. the hourly resource limit of the spec (`x-resource-limit-config`, tier `none`) -> 420,
   counted per resource and cabinet (the key's business: "resource limits count per
   cabinet or store", MARKET_API.md §5.3);
6. the handler. Its answer is validated against the spec before it is sent; an invalid
   answer becomes a 500 and a fixture error.

Fixture errors (the fake's own bugs, unimplemented operations) make `stop()` raise.

Observing: `arrivals()` (requests as they come, before any hold or processing), `calls()`
(answered, in that order), both with ``arrived_at = time.monotonic()`` and the business
they addressed (``business_id``, a filter of both; a call also keeps its ``api_key``), and
`wait_until()`, which wakes on every request. The package, by job: `spec` (the contract
and validation), `keys` (the keys and the business each reaches), `checks`
(authentication, request checks), `faults` (injected faults, hourly limits), `server`
(`FakeMarket`: HTTP and the call log). The shops, orders and operations are the
demo's Market simulator, `bot.simulator` (`engine`, `dto`, `listing`): the fake adds the
spec's strictness around the same engine.

Choices where the real API is undocumented (see MARKET_API.md §2.4, §3.2, §5.4, §9):

- Error codes: 400 `BAD_REQUEST`, 401 `UNAUTHORIZED`, 403 `FORBIDDEN`, 404 `NOT_FOUND` /
  `CAMPAIGN_NOT_FOUND`, 420 `REQUEST_LIMIT_EXCEEDED`, 500 `INTERNAL_ERROR`; unknown query
  parameters 400 `UNKNOWN_PARAMETER` (stricter than the real API, which probably ignores
  them). Messages follow the docs' error-codes page where it has one.
- getBusinessOrders: the default creation window [today-30, today) in Moscow dates, the
  end excluded as the spec words it (so today's orders are not listed by default), applies
  to every filter, `orderIds` and `waitingForCancellationApprove` included. An explicit
  window is [from, to); a span over 30 days -> 400; only `to` given -> from = to - 30 days;
  only `from` given -> to = today (excluded); to <= from -> to = from + 1 day. `fake`
  absent -> real and test orders; `waitingForCancellationApprove` false -> no filter.
  Campaign ids outside the business, and a business with no campaign in the fake -> 403
  "Access denied". Orders are sorted by orderId; the page token is
  keyset based (last orderId + a fingerprint of business, body and limit), so a token
  reused with another filter or limit -> 400, and orders leaving the filter between pages
  do not shift later pages. The last page has `"paging": {}`.
- acceptOrderCancellation: `accepted: false` without `reason` -> 400; campaign unknown ->
  404 `CAMPAIGN_NOT_FOUND`; campaign not AVAILABLE -> 403; campaign not DBS -> 400
  `CAMPAIGN_TYPE_NOT_SUPPORTED`; order unknown or of another campaign -> 404; order in
  CANCELLED/DELIVERED/(PARTIALLY_)RETURNED -> 400 `ORDER_IN_TERMINAL_STATE`; in another
  non-DELIVERY/PICKUP status -> 400 `INVALID_ORDER_STATUS`; DELIVERY/PICKUP without a
  pending request -> 400 `ACTION_FORBIDDEN`. So a repeated call is not idempotent: it
  gets a 400. `reason` with `accepted: true` is accepted and ignored. Confirmed ->
  CANCELLED / USER_CHANGED_MIND, cancelRequested false; rejected (either reason) ->
  status unchanged, cancelRequested false (a DBS seller sets DELIVERED itself). Both bump
  `updateDate`, as does `request_cancellation`.
- Authentication: no Api-Key -> 401 "Credentials are not specified" (403 "OAuth token is
  invalid" if only an Authorization header came: OAuth is not supported); "Bearer " prefix
  -> 401 "Api-Key token prefix invalid"; other key -> 401 "Api-Key token is invalid".
- Keys and businesses: `api_key` is an unscoped key that reaches every business (the
  single-business tests' convenience; the Market issues no such key). A business-bound key
  asking about a campaign the fake does not have gets the handler's 404, not a 403; one
  asking about another business gets the 403 before its request is validated.
  `GET v2/campaigns` lists only the key's business's campaigns, and a page token serves
  only the key's business and the limit it was made with (400 otherwise).
- Rate limits: every authenticated call counts against its operation's resource in
  fixed UTC-hour windows (`reset_calls` keeps the counters); the X-RateLimit-Resource-*
  headers report them. 420 answers carry `X-RateLimit-Resource-Until` rounded up to the
  second; `fail_next` with 420 and no `rate_limit_until` uses now + 2 s.
- Timestamps the fake writes (updateDate) use the wall clock, even with a fixed `today`;
  naive datetimes given to the setup methods are Moscow time.
- Every answer has `Connection: close`: the docs say Keep-Alive is not supported.
- `DROP` (0) as a status closes the connection without any response (the client sees a
  network error); it is recorded with status 0.
"""

from tests.fakes.market.records import DROP, Arrival, Call, FakeMarketError
from tests.fakes.market.server import FakeMarket
from tests.fakes.market.spec import SPEC_ENV, spec_path
from tests.fakes.observe import WaitTimeout

__all__ = [
    "DROP",
    "SPEC_ENV",
    "Arrival",
    "Call",
    "FakeMarket",
    "FakeMarketError",
    "WaitTimeout",
    "spec_path",
]
