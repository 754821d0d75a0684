"""Slot extraction: amounts and currencies, phone numbers, on/off, yes/no, dates, postcodes,
call features, bill ids. Catalog names (plans, add-ons) are matched in `catalog.py`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers

from switchboard.currency import CURRENCY_SIGN, MoneyFormat, current

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SLANG = {"fiver": 5, "tenner": 10, "score": 20, "pony": 25, "ton": 100}
_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|"
    r"three|four|five|six|seven|eight|nine))?|one hundred|a hundred|hundred|"
    + "|".join(_UNITS)
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
        if w in _TENS:
            total += _TENS[w]
        elif w in _UNITS:
            total += _UNITS[w]
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
        stripped = _strip_phone_numbers(text)
        m = _BARE.search(stripped)
        if m:
            value = _decimal(m.group(1))
            return Amount(value, "GBP") if value is not None else None
        m = re.search(r"\b(" + _NUMBER_WORD + r")\b", stripped, re.IGNORECASE)
        if m and (number := words_to_number(m.group(1))) is not None and number > 0:
            return Amount(Decimal(number), "GBP")
    return None


def extract_phone_numbers(text: str, *, region: str = "GB") -> list[str]:
    """UK (or international) phone numbers in `text`, as E.164, in order, without repeats."""
    found: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.POSSIBLE
    ):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in found:
            found.append(e164)
    return found


def _strip_phone_numbers(text: str) -> str:
    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(
            text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
        )
    ]
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return re.sub(r"\+?\d[\d ]{8,}\d", " ", text)


_ON = re.compile(
    r"\b((switch|turn|put)( \w+){0,2} on|turn(ed)? (it )?on|switch(ed)? (it )?on|enable|"
    r"activate|start|set up|"
    r"setup|put (it )?on|want .{0,20}\bon|back on|(\w+ )?on please|on$|^on\b|"
    r"turn on|switch on)\b",
    re.IGNORECASE,
)
_OFF = re.compile(
    r"\b((switch|turn)( \w+){0,2} off|turn of|turn(ed)? (it )?off|switch(ed)? (it )?off|disable|"
    r"deactivate|stop|cancel|"
    r"remove|get rid of|take off|don'?t want|no longer|off|block|withhold|hide)\b",
    re.IGNORECASE,
)


_TRAVEL_OFF = re.compile(
    r"\b(off to|off on (holiday|a trip)|off abroad|day off|set off|head(ing)? off)\b", re.IGNORECASE
)


def extract_on_off(text: str) -> bool | None:
    """True for on/enable, False for off/disable, None when the message says neither."""
    text = _TRAVEL_OFF.sub(" ", text)  # "I'm off to France" is travel, not "turn it off"
    off = _OFF.search(text)
    on = _ON.search(text)
    if off and not on:
        return False
    if on and not off:
        return True
    if on and off:
        return on.start() > off.start() if "back on" in text.lower() else off.start() > on.start()
    return None


_YES = re.compile(
    r"^\s*(yes|yeah|yep|yup|ya|yea|aye|sure|ok|okay|go ahead|do it|please do|"
    r"confirm(ed)?|correct|that'?s right|absolutely|definitely|sounds good|"
    r"y)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(no|nope|nah|don'?t|do not|cancel|stop|never mind|nevermind|"
    r"not now|n)\b",
    re.IGNORECASE,
)


def extract_yes_no(text: str) -> bool | None:
    """True for a yes, False for a no at the start of a message, else None."""
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)(?:\s*(\d[A-Z]{2}))?\b", re.IGNORECASE)


def extract_postcode(text: str) -> str | None:
    """A UK postcode or outward code ('LS2', 'M1 1AA', 'sw1a 1aa'), upper-cased."""
    for m in _POSTCODE.finditer(text):
        outward = m.group(1).upper()
        if re.fullmatch(r"\d+|[A-Z]+\d+(GB|MB|G)", outward) or outward.endswith(("GB", "MB")):
            continue
        if re.fullmatch(r"[345]G", outward):
            continue
        return f"{outward} {m.group(2).upper()}" if m.group(2) else outward
    return None


_FEATURES = {
    "call_forwarding": re.compile(r"\b(forward(ing)?|divert(ing)?|redirect)\b", re.IGNORECASE),
    "call_waiting": re.compile(r"\b(call waiting|waiting|beep(ing)?)\b", re.IGNORECASE),
    "voicemail": re.compile(r"\b(voicemail|voice mail|answer ?phone)\b", re.IGNORECASE),
    "caller_id": re.compile(
        r"\b(caller id|caller-id|my number (private|hidden|showing)|"
        r"withhold|hide my number|show my number|number private)\b",
        re.IGNORECASE,
    ),
}


def extract_call_feature(text: str) -> str | None:
    for name, pattern in _FEATURES.items():
        if pattern.search(text):
            return name
    return None


def extract_forwarding_condition(text: str) -> str | None:
    lowered = text.lower()
    if re.search(r"no answer|don'?t answer|not answer|unanswered", lowered):
        return "no_answer"
    if "busy" in lowered or "engaged" in lowered:
        return "busy"
    if "unreachable" in lowered or "switched off" in lowered:
        return "unreachable"
    return None


_ORDINAL_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_DAY_OF = re.compile(r"\bday (\d{1,2})\b", re.IGNORECASE)


def extract_day_of_month(text: str) -> int | None:
    """'on the 10th' / 'day 28' -> the day of the month (1-31)."""
    m = _ORDINAL_DAY.search(text) or _DAY_OF.search(text)
    if m and 1 <= int(m.group(1)) <= 31:
        return int(m.group(1))
    return None


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")


def extract_date(text: str, *, today: date) -> date | None:
    """An explicit or relative date: ISO, dd/mm/yyyy, today, tomorrow, next/this <weekday>."""
    lowered = text.lower()
    try:
        if m := _ISO.search(lowered):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _DMY.search(lowered):
            year = int(m.group(3))
            return date(year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    if "day after tomorrow" in lowered:
        return today + timedelta(days=2)
    if re.search(r"\b(tomorrow|tmrw)\b", lowered):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|now)\b", lowered):
        return today
    for index, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", lowered):
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    return None


_BILL_ID = re.compile(r"\b((?:bill|inv|invoice)[-_]?[a-z0-9-]*\d[a-z0-9-]*)\b", re.IGNORECASE)


def extract_bill_id(text: str) -> str | None:
    m = _BILL_ID.search(text)
    return m.group(1) if m else None


_REQUEST_KINDS = {
    "esim": re.compile(r"\be-?sim\b", re.IGNORECASE),
    "port_in": re.compile(
        r"\b(port|pac|bring my number|move my number|keep my number|"
        r"transfer my (old )?number)\b",
        re.IGNORECASE,
    ),
    "broadband_installation": re.compile(r"\b(install|broadband|fibre|engineer)\b", re.IGNORECASE),
    "device_activation": re.compile(
        r"\b(activate|activation|set up my new (phone|handset))\b", re.IGNORECASE
    ),
    "sim_swap": re.compile(
        r"\b(sim swap|new sim|replacement sim|sim (is )?(broken|damaged|not"
        r" working)|nano sim|no sim)\b",
        re.IGNORECASE,
    ),
}


def extract_request_kind(text: str) -> str | None:
    for kind, pattern in _REQUEST_KINDS.items():
        if pattern.search(text):
            return kind
    return None


def extract_loss_reason(text: str) -> str:
    return (
        "stolen" if re.search(r"stolen|nicked|robbed|took my|theft|mugged", text, re.I) else "lost"
    )
