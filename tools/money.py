"""Money as customers read it, in the operator's currency and locale (switchboard/currency.py)."""

from __future__ import annotations

from switchboard.currency import current, money, to_decimal
from switchboard.settings import Settings
from tools.failures import BSS_MESSAGES, ToolRefusal

__all__ = ["currency_of", "money", "to_decimal"]


def currency_of(settings: Settings, asked: str | None = None) -> str:
    """The operator's currency (ISO 4217); a different one `asked` for is refused."""
    own = settings.currency or current().currency
    if asked is not None and asked.upper() != own:
        raise ToolRefusal("INVALID_CURRENCY", BSS_MESSAGES["INVALID_CURRENCY"])
    return own
