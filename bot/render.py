"""Posts, replies and keyboards as pure functions of stored state.

Every Market string passes through `html.escape`: item names contain `<`, `&` and quotes,
and a post Telegram cannot parse is a post staff never see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback, Tap
from bot.deadlines import Basis, crossed_lead_times
from bot.decisions import Decision
from bot.durations import format_duration
from bot.orders import Money, Order
from bot.texts import Texts
from storage.store import DecisionRecord, Request

MESSAGE_LIMIT = 4096
ROUTINE_SUBSTATUSES = {"UNKNOWN", "DELIVERY_SERVICE_RECEIVED", "PICKUP_SERVICE_RECEIVED"}
CURRENCY_SIGNS = {"RUR": "₽", "RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br"}


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: InlineKeyboardMarkup | None


@dataclass(frozen=True)
class Style:
    """How to show things: language, zone, and the settings that change the wording."""

    texts: Texts
    timezone: ZoneInfo
    lead_times: tuple[timedelta, ...]
    confirm_decisions: bool


def money(value: Money) -> str:
    amount = value.amount.quantize(Decimal("0.01"))
    whole, _, cents = f"{amount:,.2f}".replace(",", "\u00a0").partition(".")
    number = whole if cents == "00" else f"{whole},{cents}"
    return f"{number}\u00a0{CURRENCY_SIGNS.get(value.currency, value.currency)}"


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


def who(name: str, username: str | None) -> str:
    label = escape(name)
    return f"{label} (@{escape(username)})" if username else label


def status_text(status: str, substatus: str | None, style: Style) -> str:
    shown = escape(style.texts.get(f"status.{status}", status))
    if substatus and substatus not in ROUTINE_SUBSTATUSES:
        shown += f" ({escape(substatus)})"
    return shown


def _closed_status(request: Request, style: Style) -> str:
    if not request.closed_status:
        return style.texts("post.resolved_unknown")
    status, _, substatus = request.closed_status.partition("/")
    return status_text(status, substatus, style)


def _order_lines(order: Order, shop: str, style: Style) -> list[str]:
    t = style.texts
    lines = [t("post.title", order_id=order.order_id)]
    if order.fake:
        lines.append(t("post.test_order"))
    lines.append(t("post.shop", shop=escape(shop)))
    lines.append(t("post.status", status=status_text(order.status, order.substatus, style)))
    if order.items:
        lines += ["", t("post.items")]
        for item in order.items:
            key = "post.item" if item.price else "post.item_no_price"
            price = money(item.price) if item.price else ""
            lines.append(t(key, name=escape(item.name), count=item.count, price=price))
    if order.total:
        lines.append(t("post.total", total=money(order.total)))
    delivery = [escape(t.get(f"delivery.{order.delivery_type}", order.delivery_type or ""))]
    if order.region:
        delivery.append(escape(order.region))
    if order.delivery_from:
        span = order.delivery_from.strftime("%d.%m")
        if order.delivery_to and order.delivery_to != order.delivery_from:
            span += "–" + order.delivery_to.strftime("%d.%m")
        delivery.append(span)
    payment = [escape(t.get(f"payment.{order.payment_type}", order.payment_type or ""))]
    if order.payment_method:
        payment.append(escape(t.get(f"method.{order.payment_method}", order.payment_method)))
    lines += [
        "",
        t("post.delivery", delivery=", ".join(part for part in delivery if part)),
        t("post.payment", payment=", ".join(part for part in payment if part)),
    ]
    return lines


def _deadline_lines(request: Request, now: datetime, style: Style) -> list[str]:
    t, rt = style.texts, request.request_time
    if rt.basis is Basis.NOTIFICATION:
        requested = t("post.requested", when=when(rt.at, style))
    elif rt.basis is Basis.POLL:
        requested = t(
            "post.requested_poll", earliest=when(rt.at, style), when=when(request.first_seen, style)
        )
    else:
        requested = t("post.requested_estimated", when=when(rt.at, style))
    deadline = request.deadline
    if request.state != "pending":  # settled: the time left no longer matters
        key = "post.deadline_settled_estimated" if rt.estimated else "post.deadline_settled"
        return ["", requested, t(key, when=when(deadline, style))]
    if now >= deadline:
        due = t("post.deadline_passed", when=when(deadline, style))
    else:
        key = "post.deadline_estimated" if rt.estimated else "post.deadline"
        due = t(key, when=when(deadline, style), left=left(deadline - now, style))
    lines = ["", requested, due]
    crossed = crossed_lead_times(deadline, style.lead_times, now)
    if request.state == "pending" and crossed and now < deadline:
        lines.append(t("post.urgent", lead=format_duration(crossed[-1])))
    return lines


def decision_keyboard(request_id: int, style: Style) -> InlineKeyboardMarkup:
    t = style.texts
    buttons = [
        ("button.accept", Decision.ACCEPT),
        ("button.reject_delivered", Decision.REJECT_DELIVERED),
        ("button.reject_in_delivery", Decision.REJECT_IN_DELIVERY),
    ]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(key), callback_data=Callback(Tap.CHOOSE, request_id, d).encode()
                )
            ]
            for key, d in buttons
        ]
    )


def confirm_keyboard(request_id: int, decision: Decision, style: Style) -> InlineKeyboardMarkup:
    t = style.texts
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button.confirm"),
                    callback_data=Callback(Tap.CONFIRM, request_id, decision).encode(),
                ),
                InlineKeyboardButton(
                    t("button.back"), callback_data=Callback(Tap.BACK, request_id, None).encode()
                ),
            ]
        ]
    )


def _decision_who(record: DecisionRecord) -> str:
    return who(record.user_name, record.username)


def _footer(
    request: Request, decision: DecisionRecord | None, now: datetime, style: Style
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    t = style.texts
    if decision is not None and decision.result == "ok":
        finished = decision.finished_at or decision.started_at
        outcome = t(f"outcome.{decision.decision.value}")
        return [
            t(
                "post.decided",
                outcome=outcome,
                who=_decision_who(decision),
                when=when(finished, style),
            )
        ], None
    action = t(f"action.{decision.decision.value}") if decision else ""
    if request.state == "closed":
        if decision is not None and decision.result == "not_pending":
            error = escape(" ".join(p for p in (decision.error_code, decision.error_message) if p))
            return [
                t("post.failed", action=action, who=_decision_who(decision), error=error),
                t("post.not_pending", status=_closed_status(request, style)),
            ], None
        status = _closed_status(request, style)
        if (
            request.closed_status
            and request.closed_status.startswith("CANCELLED")
            and request.closed_at
            and request.closed_at >= request.deadline
        ):
            status = t("post.resolved_expired", status=status)
        return [t("post.resolved_elsewhere", status=status)], None
    buttons = decision_keyboard(request.id, style)
    if decision is not None and decision.result is None:
        return [t("post.sending", who=_decision_who(decision), action=action)], None
    lines: list[str] = []
    if decision is not None and decision.result == "failed":
        error = escape(
            " ".join(
                str(p)
                for p in (decision.http_status, decision.error_code, decision.error_message)
                if p
            )
        )
        lines.append(t("post.failed", action=action, who=_decision_who(decision), error=error))
        if decision.retry_at and decision.retry_at > now:
            lines.append(t("post.failed_retry_at", when=when(decision.retry_at, style)))
        else:
            lines.append(t("post.failed_retry"))
    elif decision is not None and decision.result == "unknown":
        lines.append(t("post.unknown", action=action, who=_decision_who(decision)))
    confirming = request.post.confirming if request.post else None
    if confirming is not None and style.confirm_decisions:
        lines.append(t("post.confirm_prompt", action=t(f"action.{confirming.value}")))
        return lines, confirm_keyboard(request.id, confirming, style)
    return lines, buttons


def render_post(
    request: Request, decision: DecisionRecord | None, shop: str, now: datetime, style: Style
) -> Rendered:
    """The post for a request in its current state; `decision` is its latest one."""
    lines = _order_lines(request.order, shop, style) + _deadline_lines(request, now, style)
    footer, keyboard = _footer(request, decision, now, style)
    if footer:
        lines += ["", *footer]
    return Rendered("\n".join(lines), keyboard)


def render_reminder(request: Request, now: datetime, style: Style) -> str:
    key = "reminder.estimated" if request.request_time.estimated else "reminder"
    return style.texts(
        key,
        order_id=request.order_id,
        left=left(request.deadline - now, style),
        when=when(request.deadline, style),
    )


def post_link(chat_id: int, message_id: int) -> str | None:
    """A t.me link to a post; only supergroups (ids starting -100) have them."""
    text = str(chat_id)
    return f"https://t.me/c/{text[4:]}/{message_id}" if text.startswith("-100") else None


def render_pending(
    requests: Sequence[Request], shops: dict[int, str], now: datetime, style: Style
) -> list[str]:
    """The /pending reply, split into messages within Telegram's length limit."""
    t = style.texts
    if not requests:
        return [t("pending.empty")]
    lines = [t("pending.title", count=len(requests))]
    for n, request in enumerate(requests, start=1):
        remaining = (
            left(request.deadline - now, style) if now < request.deadline else t("pending.expired")
        )
        if request.request_time.estimated:
            remaining += t("pending.estimated")
        shop = escape(shops.get(request.campaign_id, str(request.campaign_id)))
        link = post_link(request.post.chat_id, request.post.message_id) if request.post else None
        if link:
            line = t(
                "pending.line", n=n, link=link, order_id=request.order_id, shop=shop, left=remaining
            )
        else:
            line = t(
                "pending.line_nolink", n=n, order_id=request.order_id, shop=shop, left=remaining
            )
        lines.append(line)
    return split_lines(lines)


def split_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as fit, never splitting a line."""
    messages: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            messages.append(current)
            candidate = line
        current = candidate
    if current:
        messages.append(current)
    return messages


def render_help(style: Style) -> str:
    t = style.texts
    leads = ", ".join(format_duration(lead) for lead in style.lead_times) or t("help.no_reminders")
    note = t("help.confirm") if style.confirm_decisions else t("help.no_confirm")
    return t("help", confirm_note=note, leads=leads)
