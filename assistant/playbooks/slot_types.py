"""Slot types a playbook may ask for: each is an extractor over the customer's message, from the
engine's own slot readers (assistant/local/slots.py) and the yes/no recogniser shared with the
confirmation protocol (assistant/actions/confirmation.py). An extractor returns the slot's value as
text, or None when the message does not hold one (the step then says its `invalid` text)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from assistant.actions.confirmation import detect_decision
from assistant.local import amounts, slots
from switchboard import clock

Extractor = Callable[[str, Mapping[str, Sequence[str]] | None], str | None]

_PAC = re.compile(r"\b([A-Za-z]{3})\s?(\d{6})\b")
_EID = re.compile(r"\b(\d{32})\b")
_IMEI = re.compile(r"\b(\d{15})\b")
_WORD = re.compile(r"[a-z0-9']+")
_MIN_E164 = 12  # "+" and 11 digits: a UK number with its country code


def _postcode(text: str, _: object) -> str | None:
    return slots.extract_postcode(text)


def _phone(text: str, _: object) -> str | None:
    # The extractor is lenient (any possible number); a slot wants a whole one, not the digits
    # of a PAC ("ABC123456" is not a phone number).
    found = [n for n in slots.extract_phone_numbers(text) if len(n) >= _MIN_E164]
    return found[0] if found else None


def _code(pattern: re.Pattern[str]) -> Extractor:
    def extract(text: str, _: object) -> str | None:
        found = pattern.search(text.replace("-", ""))
        return "".join(found.groups()).upper() if found else None

    return extract


def _yes_no(text: str, _: object) -> str | None:
    decision = detect_decision(text)
    if decision is None:
        plain = slots.extract_yes_no(text)
        decision = None if plain is None else "confirm" if plain else "cancel"
    return None if decision is None else "yes" if decision == "confirm" else "no"


def _date(text: str, _: object) -> str | None:
    found = slots.extract_date(text, today=clock.today())
    return found.isoformat() if found is not None and found >= clock.today() else None


def _bill_id(text: str, _: object) -> str | None:
    return slots.extract_bill_id(text)


def _amount(text: str, _: object) -> str | None:
    found = amounts.extract_amount(text, bare=True)
    return str(found.value) if found is not None else None


def _day(text: str, _: object) -> str | None:
    day = slots.extract_day_of_month(text) or amounts.words_to_number(text.strip().lower())
    return str(day) if day is not None and 1 <= day <= 28 else None


def _loss_reason(text: str, _: object) -> str | None:
    if not re.search(r"\b(lost|stolen|nicked|robbed|mugged|theft|missing|can.?t find)", text, re.I):
        return None
    return slots.extract_loss_reason(text)


def _choice(text: str, choices: Mapping[str, Sequence[str]] | None) -> str | None:
    words = set(_WORD.findall(text.lower()))
    lowered = text.lower()
    hits = [
        value
        for value, cues in (choices or {}).items()
        if any((c in words) if " " not in c else (c in lowered) for c in [value, *cues])
    ]
    return hits[0] if len(hits) == 1 else None


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
_POSITION = re.compile(
    r"^(?:(?:the|number|no\.?|#|item|line|charge)\s*)*(\d{1,2}|"
    + "|".join(_ORDINALS)
    + r")(?:\s*(?:one|charge|item|line))?$"
)
# Words that name no entry: "the charge for the data" picks the entry with "data" in its name.
_FILLER = frozenset(
    "the a an for of on my that this one it its is was i me to charge charges item line "
    "bill please thing about with".split()
)


def _number(raw: str) -> Decimal | None:
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _option(text: str, choices: Mapping[str, Sequence[str]] | None) -> str | None:
    """One entry of a saved list (`options` of the step, given as value -> [label, amount]):
    by its position ("the second one", "2"), an amount that only it has ("the 6.40"), or the
    words of its label that only it has ("the data one"). Two equally good entries: None."""
    entries = list((choices or {}).items())
    lowered = " ".join(text.lower().replace("-", " ").split()).strip(" .!?")
    position = _POSITION.match(lowered)
    if position:
        raw = position.group(1)
        index = int(raw) - 1 if raw.isdigit() else _ORDINALS.index(raw)
        return entries[index][0] if 0 <= index < len(entries) else None
    money = amounts.extract_amount(text, bare=True)
    if money is not None:
        priced = [v for v, cues in entries if any(_number(c) == money.value for c in cues[1:])]
        if len(priced) == 1:
            return priced[0]
    words = set(_WORD.findall(lowered)) - _FILLER
    scores = [(len(words & set(_WORD.findall(cues[0].lower()))), v) for v, cues in entries if cues]
    best = max((score for score, _ in scores), default=0)
    top = [v for score, v in scores if score == best]
    return top[0] if best > 0 and len(top) == 1 else None


def _text(text: str, _: object) -> str | None:
    cleaned = " ".join(text.split())
    return cleaned[:500] if len(_WORD.findall(cleaned.lower())) >= 2 else None


@dataclass(frozen=True, slots=True)
class SlotType:
    extract: Extractor
    doc: str
    # A value that can be read from any message of the journey (a postcode, a number); a free
    # text or a yes/no only answers the question it was asked for.
    prefillable: bool = True


SLOT_TYPES: dict[str, SlotType] = {
    "postcode": SlotType(_postcode, "a UK postcode or outward code, upper-cased"),
    "phone": SlotType(_phone, "a phone number, E.164"),
    "pac": SlotType(_code(_PAC), "a PAC or STAC code: 3 letters and 6 digits"),
    "eid": SlotType(_code(_EID), "an eSIM EID: 32 digits"),
    "imei": SlotType(_code(_IMEI), "a device IMEI: 15 digits"),
    "yes_no": SlotType(_yes_no, "yes or no (the confirmation recogniser)", prefillable=False),
    "date": SlotType(_date, "a date from today on (ISO)"),
    "bill_id": SlotType(_bill_id, "a bill reference"),
    "amount": SlotType(_amount, "an amount of money"),
    "day_of_month": SlotType(_day, "a day of the month, 1-28"),
    "loss_reason": SlotType(_loss_reason, "lost or stolen"),
    "choice": SlotType(_choice, "one of the step's `choices`"),
    "option": SlotType(
        _option, "one entry of the step's `options` (a saved list)", prefillable=False
    ),
    "text": SlotType(_text, "free text of two words or more", prefillable=False),
}


def extract(
    type_name: str, text: str, choices: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    return SLOT_TYPES[type_name].extract(text, choices)
