"""Posts, replies and keyboards as pure functions of stored state.

Every Market string passes through `html.escape`: item names contain `<`, `&` and quotes,
and a post Telegram cannot parse is a post staff never see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.callbacks import Callback, Tap
from bot.domain.deadlines import crossed_lead_times
from bot.domain.model import (
    Basis,
    Decision,
    DecisionRecord,
    DecisionResult,
    Order,
    OrderStatus,
    Problem,
    Request,
    RequestState,
    Stage,
)
from bot.domain.reconcile import INTERRUPTED
from bot.formatting import (
    CLIP_ERROR,
    CLIP_LABEL,
    CLIP_NAME,
    LATER_STATES_RESERVE,
    MESSAGE_LIMIT,
    Style,
    clip,
    label,
    left,
    mention,
    money,
    shown_len,
    span,
    status_text,
    when,
    who,
)


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: InlineKeyboardMarkup | None


def _closed_status(request: Request, style: Style) -> str:
    if not request.closed_status:
        return style.texts("post.resolved_unknown")
    status, _, substatus = request.closed_status.partition("/")
    return status_text(status, substatus, style)


def _order_lines(order: Order, shop: str, style: Style) -> list[str]:
    """What the Market says of the order, within the room the post's later states leave."""
    t = style.texts
    head = [t("post.title", order_id=order.order_id)]
    if order.fake:
        head.append(t("post.test_order"))
    head.append(t("post.shop", shop=escape(clip(shop, CLIP_LABEL))))
    head.append(t("post.status", status=status_text(order.status, order.substatus, style)))
    tail = [t("post.total", total=money(order.total))] if order.total else []
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
    tail += [
        "",
        t("post.delivery", delivery=", ".join(part for part in delivery if part)),
        t("post.payment", payment=", ".join(part for part in payment if part)),
    ]
    if not order.items:
        return head + tail
    room = MESSAGE_LIMIT - LATER_STATES_RESERVE - shown_len("\n".join([*head, "", *tail]))
    return [*head, "", *_item_lines(order, room, style), *tail]


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
    if not request.pending:  # settled: the time left no longer matters
        key = "post.deadline_settled_estimated" if rt.estimated else "post.deadline_settled"
        return ["", requested, t(key, when=when(deadline, style))]
    if now >= deadline:
        due = t("post.deadline_passed", when=when(deadline, style))
    else:
        key = "post.deadline_estimated" if rt.estimated else "post.deadline"
        due = t(key, when=when(deadline, style), left=left(deadline - now, style))
    lines = ["", requested, due]
    crossed = crossed_lead_times(deadline, style.lead_times, now)
    if request.pending and crossed and now < deadline:
        lines.append(t("post.urgent", lead=span(crossed[-1], style)))
    return lines


def decision_keyboard(request_id: int, style: Style) -> InlineKeyboardMarkup:
    """The three decisions, one per row; the team's buttons share a row below them."""
    t = style.texts
    buttons = [
        ("button.accept", Decision.ACCEPT),
        ("button.reject_delivered", Decision.REJECT_DELIVERED),
        ("button.reject_in_delivery", Decision.REJECT_IN_DELIVERY),
    ]
    rows = [
        [InlineKeyboardButton(t(key), callback_data=Callback(Tap.CHOOSE, request_id, d).encode())]
        for key, d in buttons
    ]
    team = [
        InlineKeyboardButton(t(key), callback_data=Callback(tap, request_id, None).encode())
        for key, tap, shown in (
            ("button.claim", Tap.CLAIM, style.claims),
            ("button.contact", Tap.CONTACT, style.buyer_contact),
        )
        if shown
    ]
    return InlineKeyboardMarkup([*rows, team] if team else rows)


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


def _error(*parts: object) -> str:
    return escape(clip(" ".join(str(part) for part in parts if part), CLIP_ERROR))


def _claim_lines(request: Request, style: Style) -> list[str]:
    """Who took the request and since when, while it waits for a decision."""
    claim = request.claim
    if claim is None or not style.claims:
        return []
    return [style.texts("post.claimed", who=who(claim.person), when=when(claim.claimed_at, style))]


def _closed_footer(
    request: Request, decision: DecisionRecord | None, action: str, style: Style
) -> list[str]:
    """What a closed request's post ends with: how it was settled."""
    t = style.texts
    if decision is not None and decision.result is DecisionResult.NOT_PENDING:
        status, who_ = _closed_status(request, style), who(decision.person)
        if decision.error_code == INTERRUPTED:  # the Market never answered it
            return [t("post.interrupted", action=action, who=who_, status=status)]
        error = _error(decision.error_code, decision.error_message)
        return [
            t("post.failed", action=action, who=who_, error=error),
            t("post.not_pending", status=status),
        ]
    status = _closed_status(request, style)
    if (
        request.closed_status
        and request.closed_status.startswith(OrderStatus.CANCELLED)
        and request.closed_at
        and request.closed_at >= request.deadline
    ):
        status = t("post.resolved_expired", status=status)
    return [t("post.resolved_elsewhere", status=status)]


def _footer(
    request: Request, decision: DecisionRecord | None, now: datetime, style: Style
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    t = style.texts
    if decision is not None and decision.result is DecisionResult.OK:
        finished = decision.finished_at or decision.started_at
        outcome = t(f"outcome.{decision.decision.value}")
        return [
            t(
                "post.decided",
                outcome=outcome,
                who=who(decision.person),
                when=when(finished, style),
            )
        ], None
    action = t(f"action.{decision.decision.value}") if decision else ""
    if request.state is RequestState.CLOSED:
        return _closed_footer(request, decision, action, style), None
    buttons = decision_keyboard(request.id, style)
    if decision is not None and decision.result is None:
        return [t("post.sending", who=who(decision.person), action=action)], None
    lines = _claim_lines(request, style)
    if decision is not None and decision.result is DecisionResult.FAILED:
        error = _error(decision.http_status, decision.error_code, decision.error_message)
        lines.append(t("post.failed", action=action, who=who(decision.person), error=error))
        if decision.retry_at and decision.retry_at > now:
            lines.append(t("post.failed_retry_at", when=when(decision.retry_at, style)))
        else:
            lines.append(t("post.failed_retry"))
    elif decision is not None and decision.result is DecisionResult.UNKNOWN:
        lines.append(t("post.unknown", action=action, who=who(decision.person)))
    confirming = request.post.confirming if request.post else None
    if confirming is not None and style.confirm_decisions:
        lines.append(t("post.confirm_prompt", action=t(f"action.{confirming.value}")))
        return lines, confirm_keyboard(request.id, confirming, style)
    return lines, buttons


def render_post(
    request: Request,
    decision: DecisionRecord | None,
    shop: str,
    now: datetime,
    style: Style,
    escalate: str = "",
) -> Rendered:
    """The post for a request in its current state; `decision` is its latest one.

    `escalate` is the line calling ESCALATE_TO when no reminder is left to carry it.
    """
    lines = _order_lines(request.order, shop, style) + _deadline_lines(request, now, style)
    footer, keyboard = _footer(request, decision, now, style)
    if footer:
        lines += ["", *footer]
    if escalate and request.pending:
        lines += ["", escalate]
    return Rendered("\n".join(lines), keyboard)


def render_reminder(request: Request, now: datetime, style: Style, escalate: str = "") -> str:
    """A reply to the post; it rings the claimer, and ESCALATE_TO on the last one."""
    key = "reminder.estimated" if request.request_time.estimated else "reminder"
    lines = [
        style.texts(
            key,
            order_id=request.order_id,
            left=left(request.deadline - now, style),
            when=when(request.deadline, style),
        )
    ]
    if request.claim is not None and style.claims:
        claimer = mention(request.claim.person)
        lines.append(style.texts("reminder.claimed", who=claimer))
    if escalate:
        lines.append(escalate)
    return "\n".join(lines)


def render_problem(
    problem: Problem, request: Request | None, shop: str, now: datetime, style: Style
) -> str:
    """Staff are told of a request the desk cannot show them, with what to do about it."""
    t = style.texts
    lines = [
        t(
            f"problem.{problem.stage}",
            order_id=escape(problem.order_ref),
            detail=escape(clip(problem.detail, CLIP_ERROR)),
        ),
        t("post.shop", shop=escape(clip(shop, CLIP_LABEL))),
    ]
    if request is not None and request.pending:
        key = "post.deadline_estimated" if request.request_time.estimated else "post.deadline"
        lines.append(
            t(key, when=when(request.deadline, style), left=left(request.deadline - now, style))
        )
    if problem.stage not in (Stage.EDIT, Stage.REMIND):
        lines.append(t("problem.act"))
    return "\n".join(lines)


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
        shop = escape(clip(shops.get(request.campaign_id, str(request.campaign_id)), CLIP_LABEL))
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
    messages: list[list[str]] = []
    used = 0
    for line in lines:
        size = shown_len(line)
        if messages and used + 1 + size <= limit:
            messages[-1].append(line)
            used += 1 + size
        else:
            messages.append([line])
            used = size
    return ["\n".join(message) for message in messages]


def render_help(style: Style) -> str:
    t = style.texts
    leads = ", ".join(span(lead, style) for lead in style.lead_times) or t("help.no_reminders")
    note = t("help.confirm") if style.confirm_decisions else t("help.no_confirm")
    team = (t("help.claims") if style.claims else "") + (
        t("help.contact") if style.buyer_contact else ""
    )
    return t("help", confirm_note=note, team_note=team, leads=leads) + "\n" + t("help.owner")
