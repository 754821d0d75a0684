"""Slot extraction: amounts, phone numbers, on/off, yes/no, postcodes, catalog names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.local.amounts import extract_amount, words_to_number
from assistant.local.catalog import DEMO_CATALOG, match_item
from assistant.local.slots import (
    extract_day_of_month,
    extract_on_off,
    extract_phone_numbers,
    extract_postcode,
    extract_yes_no,
)

_UNITS = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] + (f" {_UNITS[unit]}" if unit else "")


@settings(deadline=None)  # the shared CI machine is slow at times
@given(st.integers(min_value=1, max_value=99))
def test_spelled_numbers_read_back(n: int) -> None:
    assert words_to_number(spell(n)) == n
    assert extract_amount(f"top up {spell(n)} pounds please") == extract_amount(f"£{n}")


@settings(deadline=None)  # the shared CI machine is slow at times
@given(
    st.integers(min_value=1, max_value=500),
    st.sampled_from(["£{n}", "{n} quid", "{n} pounds", "{n} gbp", "GBP {n}", "£ {n}"]),
    st.sampled_from(["top up {a}", "add {a} to my phone", "{a} please", "can u put {a} on"]),
)
def test_amount_formats(n: int, money: str, sentence: str) -> None:
    amount = extract_amount(sentence.format(a=money.format(n=n)))
    assert amount is not None
    assert (amount.value, amount.currency) == (Decimal(n), "GBP")


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("stick a tenner on", 10, "GBP"),
        ("a fiver will do", 5, "GBP"),
        ("top up £7.50", Decimal("7.50"), "GBP"),
        ("50p", Decimal("0.5"), "GBP"),
        ("$15", 15, "USD"),
        ("twenty euros", 20, "EUR"),
    ],
)
def test_amount_slang_and_currencies(text: str, value: Decimal, currency: str) -> None:
    amount = extract_amount(text)
    assert amount is not None and (amount.value, amount.currency) == (Decimal(value), currency)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("put eight pounds seventy five on my phone", "8.75"),
        ("pay 30 pounds 20 off the bill", "30.20"),
        ("top up six pounds and forty p", "6.40"),
        ("forty pounds for my daughter", "40"),
        ("top up 15 quid 3 times a week", "15"),
        ("add twenty pounds 10 minutes from now", "20"),
    ],
)
def test_pence_after_pounds_count(text: str, value: str) -> None:
    amount = extract_amount(text)
    assert amount is not None and amount.value == Decimal(value)


@pytest.mark.parametrize(
    "text", ["buy a 5gb boost", "top up", "call me at 10am", "on the 15th", "07700 900123"]
)
def test_no_amount_where_there_is_none(text: str) -> None:
    assert extract_amount(text, bare=True) is None


def test_bare_numbers_count_only_when_asked() -> None:
    assert extract_amount("top up 20") is None
    assert extract_amount("top up 20", bare=True) == extract_amount("£20")
    assert extract_amount("top up 15 on 07700 900002", bare=True) == extract_amount("£15")


@settings(deadline=None)  # the shared CI machine is slow at times
@given(
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["07700 900{:03d}", "+44 7700 900{:03d}", "07700900{:03d}"]),
)
def test_uk_numbers_to_e164(n: int, pattern: str) -> None:
    assert extract_phone_numbers(f"forward to {pattern.format(n)} please") == [f"+447700900{n:03d}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("turn on roaming", True),
        ("switch roaming off", False),
        ("disable call waiting", False),
        ("enable voicemail", True),
        ("i don't want voicemail", False),
        ("how much is it", None),
    ],
)
def test_on_off(text: str, expected: bool | None) -> None:
    assert extract_on_off(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes do it", True),
        ("yeah go ahead", True),
        ("no thanks", False),
        ("nope", False),
        ("what about roaming", None),
    ],
)
def test_yes_no(text: str, expected: bool | None) -> None:
    assert extract_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is there an outage in ls2", "LS2"),
        ("M1 1AA", "M1 1AA"),
        ("sw1a 1aa", "SW1A 1AA"),
        ("my 5g is slow", None),
        ("30gb plan", None),
    ],
)
def test_postcodes(text: str, expected: str | None) -> None:
    assert extract_postcode(text) == expected


def test_day_of_month() -> None:
    assert extract_day_of_month("autopay on the 28th") == 28
    assert extract_day_of_month("no day here") is None


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("upgrade me to unlimted", "plan", "unlimited"),
        ("put me on unlimited max", "plan", "unlimited-max"),
        ("i want the 30 gig plan", "plan", "smart-30gb"),
        ("get the 5 gig boost", "addon", "data-5gb"),
        ("add 500 international minutes", "addon", "intl-minutes-500"),
        ("i want a cheaper plan", "plan", None),
        ("stick one more gig on for me", "addon", "data-1gb"),  # "a gig" is 1GB
        ("a single gb would do", "addon", "data-1gb"),
    ],
)
def test_catalog_names_match_fuzzily(text: str, kind: str, expected: str | None) -> None:
    item = match_item(text, DEMO_CATALOG, kind=kind)
    assert (item.id if item else None) == expected
