"""What the desk says to buyers, through the marketplace: a rejection's reason on Ozon.

Russian whatever `LANGUAGE` says: `LANGUAGE` is the staff's, while the buyer reads Ozon's
Russian storefront. These are the defaults of `OZON_REJECT_DELIVERED_COMMENT` and
`OZON_REJECT_IN_DELIVERY_COMMENT`; Ozon has no reason codes, so the words are all the
buyer learns of why the order stays.
"""

from __future__ import annotations

OZON_REJECT_DELIVERED = (
    "Заказ уже доставлен, поэтому отменить его нельзя. Если товар не подошёл, "
    "оформите возврат. Спасибо за понимание!"
)
OZON_REJECT_IN_DELIVERY = (
    "Заказ уже передан курьеру и скоро будет у вас, поэтому отменить его нельзя. "
    "Спасибо за понимание!"
)
