"""Bills and their line items found in `get_bills` results, and which one a customer means."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.local.amounts import extract_amount


@dataclass(frozen=True, slots=True)
class BillItem:
    bill_id: str
    item_id: str | None
    name: str
    amount: Decimal | None


def bill_items(payload: Any) -> list[BillItem]:
    """Every bill (item_id None) and bill line found in a get_bills result."""
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump()
    out: list[BillItem] = []
    _walk(payload, out)
    return out


def _walk(node: Any, out: list[BillItem]) -> None:
    if isinstance(node, Mapping):
        bill_id = node.get("bill_id") or (node.get("id") if "items" in node else None)
        if isinstance(bill_id, str):
            out.append(
                BillItem(
                    bill_id,
                    None,
                    str(node.get("name") or "bill"),
                    _money(node.get("amount") or node.get("total")),
                )
            )
            for item in node.get("items") or node.get("lines") or []:
                if isinstance(item, Mapping):
                    item_id = item.get("item_id") or item.get("id")
                    out.append(
                        BillItem(
                            bill_id,
                            str(item_id) if item_id else None,
                            str(item.get("name") or item.get("description") or ""),
                            _money(item.get("amount")),
                        )
                    )
            return
        for value in node.values():
            _walk(value, out)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, out)


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def match_charge(text: str, items: Sequence[BillItem]) -> BillItem | None:
    """The bill line `text` describes (by amount, else by words), or the only bill."""
    lines = [i for i in items if i.item_id]
    amount = extract_amount(text)
    if amount is not None:
        same = [i for i in lines if i.amount == amount.value] or [
            i for i in items if i.amount == amount.value
        ]
        if len(same) == 1:
            return same[0]
    words = set(re.findall(r"[a-z]{4,}", text.lower())) - {"charge", "bill", "dispute", "want"}
    scored = [(len(words & set(re.findall(r"[a-z]{4,}", i.name.lower()))), i) for i in lines]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        scored.sort(key=lambda s: -s[0])
        if len(scored) == 1 or scored[0][0] > scored[1][0]:
            return scored[0][1]
    bills = {i.bill_id for i in items}
    if len(bills) == 1 and not lines:
        return items[0]
    return None
