"""Amounts of money in a customer's words: symbols, codes, pence, number words and slang
("a tenner"), in the operator's currency."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from assistant.local.slots import strip_phone_numbers
from switchboard.currency import CURRENCY_SIGN, MoneyFormat, current
from switchboard.number_words import TENS, UNITS

_SLANG = {"fiver": 5, "tenner": 10, "score": 20, "pony": 25, "ton": 100}
_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|"
    r"three|four|five|six|seven|eight|nine))?|one hundred|a hundred|hundred|"
    + "|".join(UNITS)
    + r")"
)
_NUM = r"(\d{1,4}(?:[.,]\d{1,2})?)"
_CURRENCY_WORDS = {
    "\N{POUND SIGN}": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "pound sterling": "GBP",
    "p": "GBP",
    "pence": "GBP",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "\N{EURO SIGN}": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
}
_SYMBOL_AMOUNT = re.compile(rf"({CURRENCY_SIGN})\s?" + _NUM + r"(?!\s*(?:gb|mb|g\b|%))")
# The pence after pounds: "twelve pounds fifty", "12 pounds 50", "ten pounds and five p".
_PENCE_AFTER = (
    r"(?:\s+(?:and\s+)?(" + _NUMBER_WORD + r"|\d{1,2})(?:\s?(?:p|pence)\b)?(?![\d.:])"
    r"(?!\s*(?:times?|x\b|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|gb|mb|am|pm|"
    r"o'?clock|percent|%)))?"
)
_AMOUNT_WORD = re.compile(
    _NUM + r"\s?(gbp|pounds?|quid|usd|dollars?|bucks|eur|euros?|pence|p)\b" + _PENCE_AFTER,
    re.IGNORECASE,
)
_CODE_AMOUNT = re.compile(r"\b(gbp|usd|eur)\s?" + _NUM, re.IGNORECASE)
_WORD_AMOUNT = re.compile(
    r"\b(" + _NUMBER_WORD + r")\s+(pounds?|quid|quids|pound|dollars?|euros?)\b" + _PENCE_AFTER,
    re.IGNORECASE,
)
_SLANG_AMOUNT = re.compile(r"\b(?:a |one )?(fiver|tenner|score|pony)\b", re.IGNORECASE)
_BARE = re.compile(
    rf"(?<![\d.:+/{CURRENCY_SIGN[1:-1]}-])\b(\d{{1,3}}(?:\.\d{{1,2}})?)\b(?!\s*(?:gb|mb|g\b|%|th|st|nd|"
    r"rd|am|pm|min|day|days|month|months|year|years|[./:-]\d))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str = field(default_factory=lambda: current().currency)  # the operator's

    def __str__(self) -> str:
        try:
            return MoneyFormat(self.currency, current().locale).format(self.value)
        except ValueError:  # a sign or code Babel does not know
            return f"{self.currency} {self.value:.2f}".removesuffix(".00")


def words_to_number(text: str) -> int | None:
    """'twenty five' -> 25, 'a hundred' -> 100, 'ten' -> 10; None if not a number."""
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    if words[-1] == "hundred":
        return 100
    total = 0
    for w in words:
        if w in TENS:
            total += TENS[w]
        elif w in UNITS:
            total += UNITS[w]
        else:
            return None
    return total


def _pence(raw: str | None) -> Decimal:
    """The pence part after the pounds ('fifty' or '50' -> 0.50), 0 when there is none."""
    if not raw:
        return Decimal(0)
    number = int(raw) if raw.isdigit() else words_to_number(raw)
    if number is None or not 0 < number < 100:
        return Decimal(0)
    return Decimal(number) / 100


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


def extract_amount(text: str, *, bare: bool = False) -> Amount | None:
    """The money amount in `text` ('10 quid', 'twenty pounds', 'a tenner', 'GBP 5', a sign and 10).

    With `bare=True` a lone number also counts as pounds ('top up 20'), but not one that is
    part of a phone number, a data size, a time or a date.
    """
    m = _SYMBOL_AMOUNT.search(text)
    if m:
        value = _decimal(m.group(2))
        # "XXX" (ISO 4217's "no currency") for a sign not in the table: never read as the operator's
        code = _CURRENCY_WORDS.get(m.group(1), "XXX")
        return Amount(value, code) if value is not None else None
    m = _CODE_AMOUNT.search(text)
    if m:
        value = _decimal(m.group(2))
        return Amount(value, _CURRENCY_WORDS[m.group(1).lower()]) if value is not None else None
    m = _AMOUNT_WORD.search(text)
    if m:
        value = _decimal(m.group(1))
        unit = m.group(2).lower()
        if value is not None:
            if unit in {"p", "pence"}:
                return Amount(value / 100, "GBP")
            return Amount(
                value + _pence(m.group(3)),
                _CURRENCY_WORDS[
                    unit.rstrip("s")
                    if unit.endswith("s") and unit.rstrip("s") in _CURRENCY_WORDS
                    else unit
                ],
            )
    m = _WORD_AMOUNT.search(text)
    if m:
        number = words_to_number(m.group(1).removeprefix("a ").removeprefix("one "))
        if m.group(1).lower() in {"a hundred", "one hundred"}:
            number = 100
        if number is not None:
            unit = m.group(2).lower().rstrip("s")
            return Amount(Decimal(number) + _pence(m.group(3)), _CURRENCY_WORDS.get(unit, "GBP"))
    m = _SLANG_AMOUNT.search(text)
    if m:
        return Amount(Decimal(_SLANG[m.group(1).lower()]), "GBP")
    if bare:
        stripped = strip_phone_numbers(text)
        m = _BARE.search(stripped)
        if m:
            value = _decimal(m.group(1))
            return Amount(value, "GBP") if value is not None else None
        m = re.search(r"\b(" + _NUMBER_WORD + r")\b", stripped, re.IGNORECASE)
        if m and (number := words_to_number(m.group(1))) is not None and number > 0:
            return Amount(Decimal(number), "GBP")
    return None
