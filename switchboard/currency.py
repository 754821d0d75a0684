"""Money as the operator's customers read it: the currency and the locale are settings
(`SWITCHBOARD_CURRENCY`, `SWITCHBOARD_LOCALE`), formatted by Babel (CLDR data shipped with the
package, nothing downloaded).

Like the clock (switchboard/clock.py), the format is one per process: `configure` sets it from the
settings where the runtime is composed, and `money` reads it, so the dozens of places that quote an
amount need no settings threaded through them. Whole amounts drop their minor units ("$10",
"10 €"), others keep them ("$10.50"). Reading money in customers' text is currency-agnostic:
`CURRENCY_SIGN` is every currency sign Unicode knows, `MONEY_WORDS` the common names and slang.
(ADR 0043)"""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, get_currency_symbol, is_currency

# Every currency sign of the Basic Multilingual Plane (Unicode category Sc), as a regex
# character class: "[$¢¤¥…€…₹…]"
CURRENCY_SIGN = (
    "["
    + "".join(
        "\\" + c if c == "$" else c
        for c in map(chr, range(0x10000))
        if unicodedata.category(c) == "Sc"
    )
    + "]"
)
# Currency codes written before an amount ("GBP 10", "EUR 5"): the common ones, upper case only
CURRENCY_CODE = r"(?:GBP|EUR|USD|CAD|AUD|NZD|INR|ZAR|CHF|SEK|NOK|DKK|PLN|IEP)"
# Words customers use for money, whatever the operator's currency ("ten quid", "5 bucks")
MONEY_WORDS = r"(?:pounds?|quid|euros?|dollars?|bucks|rupees?|pence|cents?|gbp|eur|usd|inr)"


@dataclass(frozen=True, slots=True)
class MoneyFormat:
    currency: str  # ISO 4217, e.g. "GBP"
    locale: str  # a CLDR locale, e.g. "en_GB"

    def __post_init__(self) -> None:
        validate(self.currency, self.locale)

    @property
    def symbol(self) -> str:
        return str(get_currency_symbol(self.currency, locale=self.locale))

    @property
    def name(self) -> str:
        """The currency's name in the plural ("British pounds")."""
        return str(get_currency_name(self.currency, count=2, locale=self.locale))

    def format(self, value: object) -> str:
        amount = to_decimal(value)
        whole = amount == amount.to_integral_value()
        return str(
            _pattern(self.locale, whole).apply(
                amount, _locale(self.locale), currency=self.currency, currency_digits=whole is False
            )
        )


def validate(currency: str, locale: str) -> None:
    """ValueError unless `currency` is an ISO 4217 code and `locale` a locale Babel knows."""
    try:
        _locale(locale)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale {locale!r} (e.g. en_GB, de_DE, fr_FR)") from exc
    if not is_currency(currency):
        raise ValueError(f"unknown currency {currency!r} (an ISO 4217 code, e.g. GBP, EUR)")


def to_decimal(value: object) -> Decimal:
    """A figure (float, int, str or Decimal) as an exact two-decimal amount."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@cache
def _pattern(locale: str, whole: bool):  # type: ignore[no-untyped-def]
    pattern = _locale(locale).currency_formats["standard"]
    if whole:
        pattern = copy.copy(pattern)
        pattern.frac_prec = (0, 0)
    return pattern


_current = MoneyFormat("GBP", "en_GB")


def configure(currency: str, locale: str) -> MoneyFormat:
    """Set the process's money format (from the settings, where the runtime is composed)."""
    global _current
    _current = MoneyFormat(currency, locale)
    return _current


def current() -> MoneyFormat:
    return _current


def money(value: object) -> str:
    """`value` in the operator's currency as customers read it: "$10", "$10.50", "10,50 €"."""
    return _current.format(value)
