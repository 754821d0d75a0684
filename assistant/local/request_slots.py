"""The slots of a recognised request: the amounts, numbers, postcodes, items and kinds that
matter for its capability, under the canonical names the tools take."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from assistant.local.amounts import extract_amount
from assistant.local.catalog import CatalogItem, match_item
from assistant.local.slots import (
    extract_bill_id,
    extract_call_feature,
    extract_day_of_month,
    extract_forwarding_condition,
    extract_loss_reason,
    extract_on_off,
    extract_phone_numbers,
    extract_postcode,
    extract_request_kind,
)

_PAC = re.compile(r"\b[A-Za-z]{3}\d{6}\b")
_REMOVE = re.compile(r"\b(remove|no cap|take off|get rid|none|no limit|turn off|switch off)\b")


def extract_slots(
    text: str,
    capability: str,
    intent: str,
    *,
    catalog: Sequence[CatalogItem],
    today: date,
) -> dict[str, Any]:
    """The slots of `text` that matter for this capability (canonical names)."""
    lowered = text.lower()
    slots: dict[str, Any] = {}
    numbers = extract_phone_numbers(text)
    bare = capability in {"top_up", "addons_limits"}
    amount = extract_amount(text, bare=bare)
    if amount is not None:
        slots["amount"] = float(amount.value)
        slots["currency"] = amount.currency
    if capability in {"plan_change", "faq"}:
        if item := match_item(text, catalog, kind="plan"):
            slots["plan_id"] = item.id
    if capability == "addons_limits":
        if item := match_item(text, catalog, kind="addon"):
            slots["addon_id"] = item.id
            slots.pop("amount", None)
        if intent == "spending_cap" and _REMOVE.search(lowered):
            slots["remove"] = True
    if (on := extract_on_off(lowered)) is not None:
        slots["enabled"] = on
    if capability == "call_features":
        if feature := extract_call_feature(text):
            slots["feature"] = feature
        if numbers:
            slots["forward_to"] = numbers[0]
            slots.setdefault("enabled", True)
        if condition := extract_forwarding_condition(text):
            slots["condition"] = condition
    elif numbers:
        slots["msisdn"] = numbers[0]
    if postcode := extract_postcode(text):
        if capability in {"coverage_faults"} or re.search(r"\d", postcode):
            slots["postcode"] = postcode
    if capability == "billing_payments":
        if (day := extract_day_of_month(text)) is not None:
            slots["day"] = day
        if bill := extract_bill_id(text):
            slots["bill_id"] = bill
    if capability in {"sim_line", "coverage_faults"} and (kind := extract_request_kind(text)):
        slots["kind"] = kind
    if capability == "sim_line" and intent == "block_line":
        slots["reason"] = extract_loss_reason(text)
    if capability == "sim_line" and (pac := _PAC.search(text)):
        slots["pac_code"] = pac.group(0).upper()
    if slots.get("kind") == "port_in" and numbers:
        slots["port_msisdn"] = numbers[0]
        slots.pop("msisdn", None)
    if capability == "balance_usage" and re.search(
        r"\b(last|previous) (month|bill|period)", lowered
    ):
        slots["period"] = "previous"
    if capability == "coverage_faults" and intent != "install":
        slots["fault_kind"] = _fault_kind(lowered, intent)
    del today  # dates matter only for slots not yet used by any tool
    return slots


def _fault_kind(text: str, intent: str) -> str:
    broadband = re.search(r"broadband|fibre|wifi|wi-fi|router|home internet", text)
    if broadband:
        return "broadband_slow" if re.search(r"slow|speed|buffer", text) else "broadband_down"
    if re.search(r"call|ring", text):
        return "calls_failing"
    if intent == "slow_data" or re.search(r"slow|data|4g|5g|internet", text):
        return "slow_data"
    if intent == "no_signal" or re.search(r"signal|service|bars", text):
        return "no_signal"
    return "other"
