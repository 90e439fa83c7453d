"""The one message listing requests that came and went while staff could not see them."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.domain.model import Request
from bot.formatting import CLIP_LABEL, Style, clip, status_text, when

UNSEEN_PER_MESSAGE = 30  # lines of about 100 characters: well within one message


def render_unseen(requests: Sequence[Request], shops: dict[int, str], style: Style) -> str:
    """Not actionable any more (no buttons): what each became, and when its deadline was."""
    t = style.texts
    lines = [t("unseen.title", count=len(requests))]
    for request in requests:
        shop = escape(clip(shops.get(request.campaign_id, str(request.campaign_id)), CLIP_LABEL))
        status = t("post.resolved_unknown")
        if request.closed_status:
            code, _, substatus = request.closed_status.partition("/")
            status = status_text(code, substatus, style)
        deadline = when(request.deadline, style)
        lines.append(
            t("unseen.line", order_id=request.order_id, shop=shop, status=status, when=deadline)
        )
    return "\n".join(lines)
