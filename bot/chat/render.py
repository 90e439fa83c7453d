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
from bot.chat.render_order import order_lines
from bot.domain.deadlines import crossed_lead_times
from bot.domain.model import (
    Basis,
    Decision,
    DecisionRecord,
    DecisionResult,
    Marketplace,
    OrderStatus,
    Problem,
    Request,
    RequestState,
    Stage,
)
from bot.domain.reconcile import INTERRUPTED
from bot.formatting import (
    CLIP_ERROR,
    MESSAGE_LIMIT,
    Style,
    chat_worded,
    clip,
    closed_text,
    left,
    mention,
    order_number,
    shop_shown,
    shown_len,
    span,
    when,
    who,
    worded,
)


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: InlineKeyboardMarkup | None


def _closed_status(request: Request, style: Style) -> str:
    return closed_text(request.closed_status, request.order.marketplace, style)


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


def decision_keyboard(
    request_id: int, style: Style, marketplace: Marketplace = Marketplace.YANDEX
) -> InlineKeyboardMarkup:
    """The three decisions, one per row, in the marketplace's words; the team's buttons
    share a row below them (no 📞 on Ozon's: the desk reaches no Ozon buyer)."""
    t = style.texts
    rows = [
        [
            InlineKeyboardButton(
                t(worded(f"button.{d.value}", marketplace)),
                callback_data=Callback(Tap.CHOOSE, request_id, d).encode(),
            )
        ]
        for d in Decision
    ]
    contact = style.buyer_contact and marketplace is not Marketplace.OZON
    team = [
        InlineKeyboardButton(t(key), callback_data=Callback(tap, request_id, None).encode())
        for key, tap, shown in (
            ("button.claim", Tap.CLAIM, style.claims),
            ("button.contact", Tap.CONTACT, contact),
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
    t, marketplace = style.texts, request.order.marketplace
    if decision is not None and decision.result is DecisionResult.NOT_PENDING:
        status, who_ = _closed_status(request, style), who(decision.person)
        if decision.error_code == INTERRUPTED:  # the marketplace never answered it
            key = worded("post.interrupted", marketplace)
            return [t(key, action=action, who=who_, status=status)]
        error = _error(decision.error_code, decision.error_message)
        return [
            t(worded("post.failed", marketplace), action=action, who=who_, error=error),
            t(worded("post.not_pending", marketplace), status=status),
        ]
    if marketplace is Marketplace.OZON and (ozon := _ozon_resolved(request)):
        return [t(ozon)]
    status = _closed_status(request, style)
    if (
        request.closed_status
        and request.closed_status.startswith(OrderStatus.CANCELLED)
        and request.closed_at
        and request.closed_at >= request.deadline
    ):
        status = t("post.resolved_expired", status=status)
    return [t("post.resolved_elsewhere", status=status)]


def _ozon_resolved(request: Request) -> str | None:
    """Ozon says how a request left ON_APPROVAL: approved (by the seller, or by itself once
    the deadline passed) or rejected; None when the desk does not know how it ended."""
    status = (request.closed_status or "").partition("/")[0]
    if status == OrderStatus.REJECTED:
        return "ozon.resolved_rejected"
    if status != OrderStatus.CANCELLED:
        return None
    expired = request.closed_at is not None and request.closed_at >= request.deadline
    return "ozon.resolved_auto" if expired else "ozon.resolved_approved"


def _footer(
    request: Request, decision: DecisionRecord | None, now: datetime, style: Style
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    t, marketplace = style.texts, request.order.marketplace
    if decision is not None and decision.result is DecisionResult.OK:
        finished = decision.finished_at or decision.started_at
        outcome = t(worded(f"outcome.{decision.decision.value}", marketplace))
        return [
            t("post.decided", outcome=outcome, who=who(decision.person), when=when(finished, style))
        ], None
    action = t(worded(f"action.{decision.decision.value}", marketplace)) if decision else ""
    if request.state is RequestState.CLOSED:
        return _closed_footer(request, decision, action, style), None
    if decision is not None and decision.result is None:
        return [t("post.sending", who=who(decision.person), action=action)], None
    lines = _claim_lines(request, style)
    if decision is not None and decision.result is DecisionResult.FAILED:
        error = _error(decision.http_status, decision.error_code, decision.error_message)
        key = worded("post.failed", marketplace)
        lines.append(t(key, action=action, who=who(decision.person), error=error))
        if decision.retry_at and decision.retry_at > now:
            lines.append(t("post.failed_retry_at", when=when(decision.retry_at, style)))
        else:
            lines.append(t("post.failed_retry"))
    elif decision is not None and decision.result is DecisionResult.UNKNOWN:
        key = worded("post.unknown", marketplace)
        lines.append(t(key, action=action, who=who(decision.person)))
    confirming = request.post.confirming if request.post else None
    if confirming is not None and style.confirm_decisions:
        chosen = t(worded(f"action.{confirming.value}", marketplace))
        lines.append(t(worded("post.confirm_prompt", marketplace), action=chosen))
        return lines, confirm_keyboard(request.id, confirming, style)
    return lines, decision_keyboard(request.id, style, marketplace)


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
    lines = order_lines(request.order, shop, style) + _deadline_lines(request, now, style)
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
            order_id=order_number(request.order),
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
    problem: Problem,
    request: Request | None,
    shop: str,
    now: datetime,
    style: Style,
    marketplace: Marketplace = Marketplace.YANDEX,
) -> str:
    """Staff are told of a request the desk cannot show them, with what to do about it;
    an Ozon request by its posting number."""
    t = style.texts
    lines = [
        t(
            worded(f"problem.{problem.stage}", marketplace),
            order_id=escape(problem.order_ref),
            detail=escape(clip(problem.detail, CLIP_ERROR)),
        ),
        t("post.shop", shop=shop_shown(shop, marketplace, style)),
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
        name = shops.get(request.campaign_id, str(request.campaign_id))
        shop = shop_shown(name, request.order.marketplace, style)
        link = post_link(request.post.chat_id, request.post.message_id) if request.post else None
        number = order_number(request.order)
        key = "pending.line" if link else "pending.line_nolink"
        lines.append(t(key, n=n, link=link, order_id=number, shop=shop, left=remaining))
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
    """In the words of the marketplaces the chat serves: the Market's, Ozon's, or both."""
    t, served = style.texts, style.marketplaces
    leads = ", ".join(span(lead, style) for lead in style.lead_times) or t("help.no_reminders")
    note = t("help.confirm" if style.confirm_decisions else chat_worded("help.no_confirm", served))
    team = (t("help.claims") if style.claims else "") + (
        t("help.contact") if style.buyer_contact else ""
    )
    about = t(chat_worded("help", served), confirm_note=note, team_note=team, leads=leads)
    return about + "\n" + t("help.owner")
