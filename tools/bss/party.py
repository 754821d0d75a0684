"""Customers (TMF629 Customer Management): look-up by number, autopay."""

from __future__ import annotations

from tools.bss.models import (
    Customer,
)
from tools.bss.transport import (
    CUSTOMER,
    BssTransport,
    Doc,
)


class CustomerApi(BssTransport):
    """Customers (TMF629): look-up by phone number, autopay."""

    async def find_customer_by_msisdn(self, *, msisdn: str) -> Customer | None:
        """The customer with this mobile number (E.164), or None."""
        docs = await self._list(
            f"{CUSTOMER}/customer", **{"contactMedium.characteristic.phoneNumber": msisdn}
        )
        return Customer.from_tmf(docs[0]) if docs else None

    async def list_customers(self, *, limit: int = 100, offset: int = 0) -> list[Customer]:
        """Every customer (the demo sign-in picker and operator tools; not customer-scoped)."""
        docs = await self._list(f"{CUSTOMER}/customer", limit=limit, offset=offset or None)
        return [Customer.from_tmf(d) for d in docs]

    async def get_customer(self, *, customer_id: str) -> Customer:
        return Customer.from_tmf(await self._call("GET", f"{CUSTOMER}/customer/{customer_id}"))

    async def set_autopay(
        self,
        *,
        customer_id: str,
        enabled: bool,
        idempotency_key: str,
        day: int | None = None,
        payment_method_id: str | None = None,
    ) -> Customer:
        """Autopay (Direct Debit on a day 1-28) as customer characteristics (ADR 0002)."""
        chars: list[Doc] = [{"name": "autopay", "value": enabled}]
        if day is not None:
            chars.append({"name": "autopayDay", "value": day})
        if payment_method_id is not None:
            chars.append({"name": "autopayMethod", "value": payment_method_id})
        current = await self._call("GET", f"{CUSTOMER}/customer/{customer_id}")
        # TMF629 v4's Customer_Update requires engagedParty: send the current one unchanged
        doc = await self._call(
            "PATCH",
            f"{CUSTOMER}/customer/{customer_id}",
            json={"engagedParty": current["engagedParty"], "characteristic": chars},
            idempotency_key=idempotency_key,
        )
        return Customer.from_tmf(doc)
