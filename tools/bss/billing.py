"""Bills and payments (TMF678 Customer Bill Management, TMF676-style payments)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tools.bss.models import (
    Bill,
    Charge,
    Payment,
)
from tools.bss.transport import (
    BILL,
    PAYMENT,
    BssTransport,
    Doc,
    _channel,
)


class BillingApi(BssTransport):
    """A customer's bills and payments towards them (TMF678, TMF676-style)."""

    async def list_bills(self, *, customer_id: str, limit: int = 12) -> list[Bill]:
        """Newest first, without line items (use `get_bill` for those)."""
        bills = await self._list_owned(Bill, f"{BILL}/customerBill", customer_id=customer_id)
        bills.sort(key=lambda b: b.bill_date or datetime.min.replace(tzinfo=UTC), reverse=True)
        return bills[:limit]

    async def get_bill(self, *, customer_id: str, bill_id: str) -> Bill:
        doc = await self._call("GET", f"{BILL}/customerBill/{bill_id}")
        bill = Bill.from_tmf(doc)
        self._own(bill.customer_id, customer_id, "CustomerBill", bill_id)
        rates = await self._list(f"{BILL}/appliedCustomerBillingRate", **{"bill.id": bill_id})
        return Bill.from_tmf(doc, items=[Charge.from_tmf(r) for r in rates])

    async def pay_bill(
        self,
        *,
        customer_id: str,
        bill_id: str,
        idempotency_key: str,
        amount: Decimal | None = None,
        payment_method_id: str | None = None,
        channel: str | None = None,
    ) -> Payment:
        """Pay a bill (all that remains by default) with a stored payment method."""
        bill = await self.get_bill(customer_id=customer_id, bill_id=bill_id)
        value = float(amount if amount is not None else bill.remaining)
        body: Doc = {
            "account": {"id": bill.billing_account_id or "", "@referredType": "BillingAccount"},
            "totalAmount": {"unit": "GBP", "value": value},
            "paymentItem": [
                {
                    "amount": {"unit": "GBP", "value": value},
                    "item": {"id": bill_id, "@referredType": "CustomerBill"},
                }
            ],
            "correlatorId": idempotency_key,
            **_channel(channel),
        }
        if payment_method_id:
            body["paymentMethod"] = {"id": payment_method_id}
        doc = await self._call(
            "POST", f"{PAYMENT}/payment", json=body, idempotency_key=idempotency_key
        )
        return Payment.from_tmf(doc)
