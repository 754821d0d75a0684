"""Prepaid balance as TMF654 has it: credit and allowance buckets, and top-ups."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from tools.bss.models.tmf import FieldMap, TmfModel, amount_at, at, date_at


class Bucket(TmfModel):
    """A TMF654 balance bucket: credit (GBP) or an allowance (GB, minutes, texts)."""

    id: str
    name: str
    usage_type: str
    remaining: Decimal
    units: str
    initial: Decimal | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    product_id: str | None = None
    status: str | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "name": at("name", default=""),
        "usage_type": at("usageType", default=""),
        "remaining": amount_at("remainingValue", "amount", or_zero=True),
        "units": at("remainingValue", "units", default=""),
        "initial": amount_at("initialValue", "amount"),
        "valid_from": date_at("validFor", "startDateTime"),
        "valid_until": date_at("validFor", "endDateTime"),
        "product_id": at("product", 0, "id"),
        "status": at("status"),
    }


class TopUp(TmfModel):
    id: str
    status: str
    amount: Decimal
    product_id: str | None = None
    balance_before: Decimal | None = None
    balance_after: Decimal | None = None
    requested: datetime | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "status": at("status", default=""),
        "amount": amount_at("amount", "amount", or_zero=True),
        "product_id": at("product", 0, "id"),
        "balance_before": amount_at("impactedBucket", 0, "amountBefore", "amount"),
        "balance_after": amount_at("impactedBucket", 0, "amountAfter", "amount"),
        "requested": date_at("requestedDate"),
    }
