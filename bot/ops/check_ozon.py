"""`check`'s Ozon side for one cabinet: its key, read through `POST /v1/roles`.

Ozon's spec maps no method to a role, so the key is judged by what `/v1/roles` lists: every
method the desk calls for a cabinet must be among its roles' methods. And an Ozon key
expires (`expires_at`): a desk whose key lapses stops seeing requests, which silence then
approves, so an expiry within two weeks is worth a warning.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.ops.check_line import CheckLine
from bot.ozon.client import LIST, OzonClient
from bot.ozon.errors import OzonError, OzonHTTPError
from bot.ozon.records import OzonKeyInfo

#: What the desk calls for an Ozon cabinet: finding requests, deciding them, and reading
#: the posting each is about.
NEEDED_METHODS = (
    LIST,
    "/v2/conditional-cancellation/approve",
    "/v2/conditional-cancellation/reject",
    "/v3/posting/fbs/get",
)
EXPIRY_WARNING = timedelta(days=14)
KEY = "Ozon Api-Key"
EXPIRY = "Ozon key expiry"


async def check_ozon(settings: Settings, client_id: int) -> list[CheckLine]:
    """An Ozon cabinet's key lines; `settings` as the cabinets file built them."""
    ozon = OzonClient(settings.market_api_url, client_id, settings.market_api_key)
    try:
        info = await ozon.roles()
    except OzonHTTPError as error:
        hint = "the key is wrong, deactivated, or not of client_id " + str(client_id)
        return [CheckLine(False, KEY, f"{error.describe()}; {hint}")]
    except OzonError as error:
        return [CheckLine(False, KEY, f"{error}; check OZON_API_URL")]
    finally:
        await ozon.close()
    return [_roles(info), _expiry(info.expires_at, settings)]


def _roles(info: OzonKeyInfo) -> CheckLine:
    names = ", ".join(role.name for role in info.roles) or "none"
    missing = [method for method in NEEDED_METHODS if not info.allows(method)]
    if not missing:
        return CheckLine(True, KEY, f"roles: {names}")
    return CheckLine(
        False,
        KEY,
        f"its roles ({names}) do not allow {', '.join(missing)}; give the key a role that "
        "lists them (Seller API keys in Ozon's seller cabinet), or make a new key with one",
    )


def _expiry(expires_at: datetime | None, settings: Settings) -> CheckLine:
    if expires_at is None:
        return CheckLine.warn(EXPIRY, "Ozon did not say when the key expires; note its date")
    left = expires_at - datetime.now(UTC)
    when = f"{expires_at.astimezone(settings.timezone):%Y-%m-%d %H:%M} ({settings.timezone.key})"
    renew = "make a new key in Ozon's seller cabinet and put it in the cabinet's api_key_env"
    if left <= timedelta(0):
        return CheckLine(False, EXPIRY, f"the key expired on {when}; {renew}")
    if left <= EXPIRY_WARNING:
        return CheckLine.warn(EXPIRY, f"the key expires on {when}, {_within(left)}; {renew}")
    return CheckLine(True, EXPIRY, f"the key works until {when}")


def _within(left: timedelta) -> str:
    days = round(left / timedelta(days=1))
    return "within a day" if days < 1 else f"in {days} day{'s' if days > 1 else ''}"
