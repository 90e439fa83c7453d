"""The three answers staff can give to a cancellation request."""

from enum import Enum
from typing import Any


class Decision(Enum):
    """Value is the one-letter code used in callback data and storage."""

    ACCEPT = "a"
    REJECT_DELIVERED = "d"
    REJECT_IN_DELIVERY = "c"

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body of `PUT .../cancellation/accept`."""
        if self is Decision.ACCEPT:
            return {"accepted": True}
        reason = "ORDER_DELIVERED" if self is Decision.REJECT_DELIVERED else "ORDER_IN_DELIVERY"
        return {"accepted": False, "reason": reason}
