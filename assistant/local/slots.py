"""Slot extraction (amounts are in `amounts.py`): phone numbers, on/off, yes/no, dates, postcodes,
call features, bill ids. Catalog names (plans, add-ons) are matched in `catalog.py`."""

from __future__ import annotations

import re
from datetime import date, timedelta

import phonenumbers


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


def strip_phone_numbers(text: str) -> str:
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
