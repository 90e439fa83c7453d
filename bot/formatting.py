"""How the desk writes things for Telegram: lengths as Telegram counts them, cut texts,
money, times, people, the Market's words. Pure; every Market string is escaped here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Context, Decimal, InvalidOperation
from html import escape, unescape
from zoneinfo import ZoneInfo

from bot.domain.model import Marketplace, Money, Order, Person
from bot.texts import Texts

MESSAGE_LIMIT = 4096  # UTF-16 code units after entity parsing, as Telegram counts
# Room kept in every post for what a later state adds below the order: the deadline lines
# with the urgency line a reminder brings, and the longest footer (a failed decision with a
# Market error and a Confirm prompt). The order lines get the rest, so no edit of a post
# that could be sent can be refused for its length. tests/test_render_limits.py checks it.
LATER_STATES_RESERVE = 1200
# Free texts from the Market and Telegram are cut to these lengths (UTF-16 units).
CLIP_NAME = 300  # an item, a region
CLIP_LABEL = 100  # a shop, a status, a payment or delivery kind not in our texts
CLIP_ERROR = 300  # the Market's error message
CLIP_PERSON = 100  # a person's name as Telegram gives it
CLIP_USERNAME = 40  # Telegram's usernames have at most 32 characters
_TAG = re.compile(r"<[^>]*>")
CENTS = Decimal("0.01")
MONEY_CONTEXT = Context(prec=40)  # quantize() refuses numbers wider than the precision
ROUTINE_SUBSTATUSES = {"UNKNOWN", "DELIVERY_SERVICE_RECEIVED", "PICKUP_SERVICE_RECEIVED"}
CURRENCY_SIGNS = {"RUR": "₽", "RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br"}


@dataclass(frozen=True)
class Style:
    """How to show things: language, zone, and the settings that change the wording."""

    texts: Texts
    timezone: ZoneInfo
    lead_times: tuple[timedelta, ...]
    confirm_decisions: bool
    claims: bool = False  # the "I'm on it" button
    buyer_contact: bool = False  # the 📞 button
    # the marketplaces of the chat's cabinets: once Ozon is among them, every post names
    # its marketplace, and /stats and the digest count each one apart when there are two
    marketplaces: frozenset[Marketplace] = frozenset({Marketplace.YANDEX})

    @property
    def names_marketplace(self) -> bool:
        return Marketplace.OZON in self.marketplaces

    @property
    def splits_marketplaces(self) -> bool:
        return len(self.marketplaces) > 1


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters beyond the BMP take two units."""
    return len(text.encode("utf-16-le")) // 2


def shown_len(html: str) -> int:
    """Length of our HTML as Telegram counts it, after its tags and entities are parsed.

    Every `<` and `&` of a Market text is escaped, so each tag here is one of ours.
    """
    return utf16_len(unescape(_TAG.sub("", html)))


def clip(text: str, limit: int) -> str:
    """Cut a free text to `limit` UTF-16 units, marking the cut."""
    if utf16_len(text) <= limit:
        return text
    kept, used = [], 1  # the ellipsis
    for char in text:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def money(value: Money) -> str:
    """Escaped HTML; an amount too large to show in full is shown as the Market wrote it."""
    sign = escape(clip(CURRENCY_SIGNS.get(value.currency, value.currency), 10))
    try:
        amount = value.amount.quantize(CENTS, context=MONEY_CONTEXT)
    except InvalidOperation:
        return f"{escape(clip(str(value.amount), 30))}\u00a0{sign}"
    whole, _, cents = f"{amount:,.2f}".replace(",", "\u00a0").partition(".")
    number = whole if cents == "00" else f"{whole},{cents}"
    return f"{number}\u00a0{sign}"


def when(moment: datetime, style: Style) -> str:
    return moment.astimezone(style.timezone).strftime("%d.%m %H:%M")


def left(delta: timedelta, style: Style) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return style.texts("left.days", d=days, h=hours)
    if hours:
        return style.texts("left.hours", h=hours, m=mins)
    return style.texts("left.minutes", m=mins)


def span(delta: timedelta, style: Style) -> str:
    """A duration in words of the staff's language, in hours and smaller units."""
    total, parts = int(delta.total_seconds()), []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(style.texts(f"span.{unit}", n=total // size))
            total %= size
    return " ".join(parts) or style.texts("span.s", n=0)


def order_number(order: Order) -> str:
    """How staff know the order: the Market's number, or Ozon's posting number (escaped)."""
    if order.marketplace is Marketplace.OZON and order.posting_number:
        return escape(clip(order.posting_number, CLIP_LABEL))
    return str(order.order_id)


def marketplace_name(marketplace: Marketplace, style: Style) -> str:
    return style.texts(f"marketplace.{marketplace.value}")


def shop_shown(shop: str, marketplace: Marketplace, style: Style) -> str:
    """A shop's name for our HTML, after its marketplace's once the chat has two kinds."""
    name = escape(clip(shop, CLIP_LABEL))
    if not style.names_marketplace:
        return name
    return f"{marketplace_name(marketplace, style)} · {name}"


def worded(key: str, marketplace: Marketplace) -> str:
    """A text's key in the marketplace's own words (see bot.texts_ozon)."""
    return f"{key}.ozon" if marketplace is Marketplace.OZON else key


def chat_worded(key: str, marketplaces: frozenset[Marketplace]) -> str:
    """A chat-wide text's key in the words of the marketplaces the chat serves: the
    Market's alone as ever, Ozon's alone (`.ozon`), or both (`.both`)."""
    if Marketplace.OZON not in marketplaces:
        return key
    return f"{key}.both" if len(marketplaces) > 1 else f"{key}.ozon"


def closed_text(code: str | None, marketplace: Marketplace, style: Style) -> str:
    """What a `STATUS/SUBSTATUS` a request kept says; Ozon's is the request's state, then
    the posting's status."""
    if not code:
        return style.texts("post.resolved_unknown")
    status, _, substatus = code.partition("/")
    if marketplace is not Marketplace.OZON:
        return status_text(status, substatus, style)
    shown = label(style.texts, f"ozon.state.{status}", status)
    if substatus:
        shown += f" ({label(style.texts, f'ozon.posting.{substatus}', substatus)})"
    return shown


def who_text(person: Person) -> str:
    """Who acted, as staff see it everywhere: `name (@username)`; plain text, unescaped."""
    return f"{person.name} (@{person.username})" if person.username else person.name


def who(person: Person) -> str:
    """`who_text` for our HTML: each part cut to its limit, then escaped."""
    username = clip(person.username, CLIP_USERNAME) if person.username else None
    return escape(who_text(Person(person.user_id, clip(person.name, CLIP_PERSON), username)))


def person_name(person: Person) -> str:
    """Just the name, cut and escaped for our HTML (lists, the journal, mentions)."""
    return escape(clip(person.name, CLIP_PERSON))


def mention(person: Person) -> str:
    """A mention that notifies the person, shown with the name the chat knows them by."""
    return f'<a href="tg://user?id={int(person.user_id)}">{person_name(person)}</a>'


def label(texts: Texts, key: str, raw: str) -> str:
    """Our words for a Market enum value, or the value itself (cut and escaped)."""
    return escape(texts.get(key, clip(raw, CLIP_LABEL)))


def status_text(status: str, substatus: str | None, style: Style) -> str:
    shown = label(style.texts, f"status.{status}", status)
    if substatus and substatus not in ROUTINE_SUBSTATUSES:
        shown += f" ({label(style.texts, f'substatus.{substatus}', substatus)})"
    return shown
