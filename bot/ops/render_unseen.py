"""The one message listing requests that came and went while staff could not see them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.model import Request
from bot.formatting import Style, closed_text, order_number, shop_shown, when

UNSEEN_PER_MESSAGE = 30  # lines of about 100 characters: well within one message


def render_unseen(requests: Sequence[Request], shops: dict[int, str], style: Style) -> str:
    """Not actionable any more (no buttons): what each became, and when its deadline was."""
    t = style.texts
    lines = [t("unseen.title", count=len(requests))]
    for request in requests:
        marketplace = request.order.marketplace
        name = shops.get(request.campaign_id, str(request.campaign_id))
        shop = shop_shown(name, marketplace, style)
        status = closed_text(request.closed_status, marketplace, style)
        deadline = when(request.deadline, style)
        number = order_number(request.order)
        lines.append(t("unseen.line", order_id=number, shop=shop, status=status, when=deadline))
    return "\n".join(lines)
