"""Money in the operator's currency and locale (switchboard/currency.py, ADR 0043)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bss.world import with_demo_identity
from switchboard import currency
from switchboard.currency import CURRENCY_CODE, CURRENCY_SIGN, MoneyFormat
from switchboard.settings import load_settings


@pytest.mark.parametrize(
    ("code", "locale", "value", "expected"),
    [
        ("GBP", "en_GB", 10, "£10"),
        ("GBP", "en_GB", "10.5", "£10.50"),
        ("GBP", "en_GB", Decimal("1234"), "£1,234"),
        ("GBP", "en_GB", -3, "-£3"),
        ("EUR", "de_DE", 10, "10\xa0€"),
        ("EUR", "de_DE", 1234.5, "1.234,50\xa0€"),
        ("EUR", "fr_FR", 1234.5, "1\u202f234,50\xa0€"),
        ("USD", "en_US", 0.1, "$0.10"),
        ("INR", "en_IN", 123456, "₹1,23,456"),
    ],
)
def test_amounts_are_written_as_the_locale_writes_them(
    code: str, locale: str, value: object, expected: str
) -> None:
    assert MoneyFormat(code, locale).format(value) == expected


def test_configure_moves_every_later_amount() -> None:
    currency.configure("EUR", "de_DE")
    assert currency.money(5) == "5\xa0€"
    currency.configure("GBP", "en_GB")
    assert currency.money(5) == "£5"


@pytest.mark.parametrize(("code", "locale"), [("XYZ", "en_GB"), ("GBP", "zz_QQ"), ("gbp", "en")])
def test_an_unknown_currency_or_locale_is_refused(code: str, locale: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        MoneyFormat(code, locale)


@pytest.mark.parametrize("text", ["£10", "€10", "$10", "¥10", "₹10", "₦10"])
def test_every_currency_sign_is_read_before_an_amount(text: str) -> None:
    assert re.fullmatch(rf"{CURRENCY_SIGN}\d+", text)


def test_currency_codes_are_upper_case_words_only() -> None:
    assert re.search(rf"\b{CURRENCY_CODE}\s?\d", "EUR 10")
    assert not re.search(rf"\b{CURRENCY_CODE}\s?\d", "my eur 10 sim")


def test_demo_mode_takes_the_demo_worlds_identity_and_production_keeps_its_own() -> None:
    demo = with_demo_identity(load_settings())
    assert (demo.brand, demo.currency, demo.locale) == ("Brightwave", "GBP", "en_GB")
    own = with_demo_identity(load_settings(brand_name="Acme", currency="EUR", locale="de_DE"))
    assert (own.brand, own.currency, own.locale) == ("Acme", "EUR", "de_DE")
    assert with_demo_identity(load_settings(locale="en_IE")).locale == "en_IE"
    production = load_settings(mode="production", token_secret="t" * 40, console_token="c" * 40)
    assert with_demo_identity(production).brand_name is None
