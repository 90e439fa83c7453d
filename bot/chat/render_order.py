"""The top of a post: what the marketplace says of the order, for the Market and for Ozon.

Every outside string is clipped and escaped: item names, Ozon's reason and the initiator's
own words contain `<`, `&` and quotes, and a post Telegram cannot parse is never seen.
"""

from __future__ import annotations

from html import escape

from bot.domain.model import Marketplace, Order
from bot.formatting import (
    CLIP_LABEL,
    CLIP_NAME,
    LATER_STATES_RESERVE,
    MESSAGE_LIMIT,
    Style,
    clip,
    label,
    money,
    shown_len,
    status_text,
)


def order_lines(order: Order, shop: str, style: Style) -> list[str]:
    """The order's lines, items within the room the post's later states leave."""
    if order.marketplace is Marketplace.OZON:
        head, tail = _ozon_head(order, shop, style), _ozon_tail(order, style)
    else:
        head, tail = _market_head(order, shop, style), _market_tail(order, style)
    if order.total:
        tail.insert(0, style.texts("post.total", total=money(order.total)))
    if not order.items:
        return head + tail
    room = MESSAGE_LIMIT - LATER_STATES_RESERVE - shown_len("\n".join([*head, "", *tail]))
    return [*head, "", *_item_lines(order, room, style), *tail]


def _market_head(order: Order, shop: str, style: Style) -> list[str]:
    t = style.texts
    title = "post.title_market" if style.names_marketplace else "post.title"
    head = [t(title, order_id=order.order_id)]
    if order.fake:
        head.append(t("post.test_order"))
    head.append(t("post.shop", shop=escape(clip(shop, CLIP_LABEL))))
    head.append(t("post.status", status=status_text(order.status, order.substatus, style)))
    return head


def _market_tail(order: Order, style: Style) -> list[str]:
    t = style.texts
    delivery = [label(t, f"delivery.{order.delivery_type}", order.delivery_type or "")]
    if order.region:
        delivery.append(escape(clip(order.region, CLIP_NAME)))
    if order.delivery_from:
        span = order.delivery_from.strftime("%d.%m")
        if order.delivery_to and order.delivery_to != order.delivery_from:
            span += "–" + order.delivery_to.strftime("%d.%m")
        delivery.append(span)
    payment = [label(t, f"payment.{order.payment_type}", order.payment_type or "")]
    if order.payment_method:
        payment.append(label(t, f"method.{order.payment_method}", order.payment_method))
    return [
        "",
        t("post.delivery", delivery=", ".join(part for part in delivery if part)),
        t("post.payment", payment=", ".join(part for part in payment if part)),
    ]


def _ozon_head(order: Order, shop: str, style: Style) -> list[str]:
    t = style.texts
    posting = escape(clip(order.posting_number or str(order.order_id), CLIP_LABEL))
    head = [t("ozon.title", posting=posting), t("post.shop", shop=escape(clip(shop, CLIP_LABEL)))]
    if order.substatus:
        status = label(t, f"ozon.posting.{order.substatus}", order.substatus)
        head.append(t("ozon.status", status=status))
    return head


def _ozon_tail(order: Order, style: Style) -> list[str]:
    """How it goes to the buyer, then who asked to cancel and why, in their own words."""
    t = style.texts
    lines = [""]
    if order.delivery_service:
        lines.append(t("ozon.delivery", method=escape(clip(order.delivery_service, CLIP_NAME))))
    if order.initiator:
        who = label(t, f"ozon.initiator.{order.initiator}", order.initiator)
        lines.append(t("ozon.initiator", who=who))
    if order.reason:
        lines.append(t("ozon.reason", reason=escape(clip(order.reason, CLIP_NAME))))
    if order.reason_message and order.reason_message.strip():
        message = escape(clip(order.reason_message.strip(), CLIP_NAME))
        lines.append(t("ozon.message", message=message))
    return lines if len(lines) > 1 else []


def _item_lines(order: Order, room: int, style: Style) -> list[str]:
    """The items that fit in `room`, then how many more there are (the total stays)."""
    t = style.texts
    lines = [t("post.items")]
    used = shown_len(lines[0])
    for shown, item in enumerate(order.items):
        key = "post.item" if item.price else "post.item_no_price"
        price = money(item.price) if item.price else ""
        line = t(key, name=escape(clip(item.name, CLIP_NAME)), count=item.count, price=price)
        more = t("post.items_more", count=len(order.items) - shown)
        last = shown == len(order.items) - 1
        if used + 1 + shown_len(line) + (0 if last else 1 + shown_len(more)) > room:
            return [*lines, more]
        lines.append(line)
        used += 1 + shown_len(line)
    return lines
