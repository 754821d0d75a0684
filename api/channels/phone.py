"""Phone numbers at the boundary: everything is compared in E.164 only."""

from __future__ import annotations

import phonenumbers


def to_e164(raw: str | None, *, region: str = "GB") -> str | None:
    """`raw` as E.164 ("+447700900001"), or None if it cannot be a phone number.

    WhatsApp sends numbers without "+" ("447700900001"): digits-only input longer than a
    national number is read as international."""
    if not raw:
        return None
    text = raw.strip()
    if text.isdigit() and len(text) > 10:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # "possible", not "valid": the demo world lives in Ofcom's drama range (07700 900xxx),
    # which libphonenumber deliberately calls invalid; the channel vouches for the number.
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
