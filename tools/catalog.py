"""Offers from the live catalog, with the BSS's eligibility verdict for the customer's line,
and the reasons a customer is given when an offer isn't for them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from switchboard import clock
from tools.bss.models import Eligibility, LineOverview, Offering, Product
from tools.context import TurnContext
from tools.failures import BSS_MESSAGES, ToolRefusal
from tools.lines import customer_of, label
from tools.money import money

SEGMENT_WORDS = {"prepaid": "prepaid", "postpaid": "pay-monthly", "business": "business"}


async def offers_for(
    ctx: TurnContext, line: Product, category: Literal["plan", "addon"] | None = None
) -> list[Offering]:
    """The catalog with each offering's eligibility for `line` (prices from the BSS)."""
    offers = await ctx.bss.list_offerings(
        category=category, customer_id=customer_of(ctx), product_id=line.id
    )
    return [o for o in offers if o.category in ("plan", "addon")]


async def find_offer(
    ctx: TurnContext, line: Product, offer_id: str, category: Literal["plan", "addon"]
) -> Offering:
    """The live offer `offer_id` for `line`, if it exists, is a `category` and is eligible."""
    offers = {o.id: o for o in await offers_for(ctx, line)}
    offer = offers.get(offer_id)
    if offer is None:
        raise ToolRefusal(
            "unknown_offer",
            f"There's no {'plan' if category == 'plan' else 'add-on'} called {offer_id!r} in our "
            "catalog; list_offers shows what's available.",
        )
    if offer.category != category:
        what, other = (
            ("a plan", "change_plan") if offer.category == "plan" else ("an add-on", "buy_addon")
        )
        raise ToolRefusal("wrong_kind", f"{offer.name} is {what}; use {other}.")
    verdict = offer.eligibility
    if verdict is not None and not verdict.eligible:
        raise ToolRefusal(
            verdict.code or "INELIGIBLE_OFFERING", ineligible_message(ctx, offer, verdict, line)
        )
    return offer


def ineligible_message(
    ctx: TurnContext, offer: Offering, verdict: Eligibility, line: Product
) -> str:
    code = (verdict.code or "").upper()
    kind = "plan" if offer.category == "plan" else "add-on"
    segment = ctx.customer_type
    if (
        code == "INELIGIBLE_OFFERING"
        and segment
        and offer.segments
        and segment not in offer.segments
    ):
        return f"{offer.name} isn't available on a {SEGMENT_WORDS[segment]} line."
    if code == "ALREADY_ON_PLAN":
        return f"{label(line)} is already on {offer.name}."
    if code in ("DOWNGRADE_IN_MIN_TERM", "MINIMUM_TERM_NOT_ENDED"):
        when = f" on {day(line.minimum_term_end)}" if line.minimum_term_end else ""
        return (
            f"{offer.name} costs less than the current plan, and a move to a cheaper plan is only "
            f"possible once the minimum term ends{when}. Upgrades are possible at any time."
        )
    if code == "ADDON_ALREADY_ACTIVE":
        return f"{offer.name} is already active on {label(line)}."
    if code in BSS_MESSAGES and code != "INELIGIBLE_OFFERING":
        return BSS_MESSAGES[code]
    if verdict.reason and len(verdict.reason) <= 200:
        return f"That {kind} isn't available here: {verdict.reason}."
    return f"{offer.name} isn't available on {label(line)}."


def day(moment: datetime | None) -> str:
    return moment.strftime("%-d %B %Y") if moment else ""


def days_away(moment: datetime, today: datetime | None = None) -> str:
    """' (in 21 days)', ' (tomorrow)', ' (today)': how far the date is on the calendar."""
    start = (today or clock.now()).date()
    days = (moment.astimezone(UTC).date() - start).days
    if days < 0:
        return ""
    return " (today)" if days == 0 else " (tomorrow)" if days == 1 else f" (in {days} days)"


def price_text(offer: Offering) -> str:
    if offer.price is None:
        return "price on request"
    period = offer.price_period
    if not period:
        return money(offer.price)
    return (
        f"{money(offer.price)} per {period}"
        if not period[0].isdigit()
        else (f"{money(offer.price)} every {period}")
    )


def describe(offer: Offering) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "offer_id": offer.id,
        "name": offer.name,
        "kind": offer.category,
        "price": str(offer.price) if offer.price is not None else None,
        "price_text": price_text(offer),
        "description": offer.description,
    }
    if offer.min_term_months:
        doc["minimum_term_months"] = offer.min_term_months
    if offer.validity_days:
        doc["validity_days"] = offer.validity_days
    if offer.eligibility is not None and offer.eligibility.change:
        doc["change"] = offer.eligibility.change
    return doc


def needs_credit(overview: LineOverview, amount: Decimal, what: str) -> None:
    """Prepaid charges come from credit: refuse a quote the credit can't cover."""
    if overview.credit is not None and overview.credit < amount:
        raise ToolRefusal(
            "INSUFFICIENT_BALANCE",
            f"{what} costs {money(amount)} and the credit on {label(overview.line)} is "
            f"{money(overview.credit)}. A top-up first would cover it.",
        )
