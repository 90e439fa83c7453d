"""How the desk names a marketplace and an order where no staff text does: the English
logs, and the problems table."""

from __future__ import annotations

from bot.domain.model import Marketplace, Order


def logged(marketplace: Marketplace) -> str:
    """The marketplace as the English logs name it."""
    return "Ozon" if marketplace is Marketplace.OZON else "the Market"


def problem_ref(order: Order) -> str:
    """How a problem names its order: Ozon's posting number (staff know a request by it,
    not by its cancellation id), or the Market's order id."""
    if order.marketplace is Marketplace.OZON and order.posting_number:
        return order.posting_number
    return str(order.order_id)
