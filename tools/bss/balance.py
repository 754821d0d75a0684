"""Balances, usage and top-ups (TMF654 Prepay Balance Management, TMF678 rates)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from switchboard import clock
from switchboard.currency import current
from tools.bss.catalog import CatalogApi
from tools.bss.errors import (
    BssBusinessError,
)
from tools.bss.models import (
    AccountOverview,
    Bucket,
    Charge,
    LineOverview,
    Product,
    TopUp,
    UsageSummary,
)
from tools.bss.models.tmf import owner
from tools.bss.party import CustomerApi
from tools.bss.transport import (
    BALANCE,
    BILL,
    Doc,
)


class BalanceApi(CatalogApi, CustomerApi):
    """Credit, allowances and usage of a line, and top-ups (TMF654)."""

    async def list_buckets(
        self, *, customer_id: str, product_id: str | None = None
    ) -> list[Bucket]:
        params: Doc = {"relatedParty.id": customer_id}
        if product_id:
            params["product.id"] = product_id
        docs = await self._list(f"{BALANCE}/bucket", **params)
        return [Bucket.from_tmf(d) for d in docs if owner(d) == customer_id]

    async def get_line_overview(self, *, customer_id: str, product_id: str) -> LineOverview:
        line = await self.get_product(customer_id=customer_id, product_id=product_id)
        return await self._overview(customer_id, line)

    async def get_account_overview(self, *, customer_id: str) -> AccountOverview:
        """Customer, every line with plan, status, renewal date, credit, allowances, add-ons."""
        customer = await self.get_customer(customer_id=customer_id)
        products = await self.list_products(customer_id=customer_id)
        buckets = await self.list_buckets(customer_id=customer_id)
        offerings = {o.id: o for o in await self.list_offerings(category="plan")}
        lines = []
        for line in (p for p in products if p.is_line):
            own = [b for b in buckets if b.product_id == line.id and b.status == "active"]
            credit = next((b.remaining for b in own if b.usage_type == "monetary"), None)
            lines.append(
                LineOverview(
                    line=line,
                    plan=offerings.get(line.offering_id or ""),
                    credit=credit,
                    buckets=own,
                    addons=[p for p in products if p.addon_to == line.id],
                )
            )
        return AccountOverview(
            customer=customer, lines=lines, devices=[p for p in products if p.kind == "device"]
        )

    async def _overview(self, customer_id: str, line: Product) -> LineOverview:
        buckets = [
            b
            for b in await self.list_buckets(customer_id=customer_id, product_id=line.id)
            if b.status == "active"
        ]
        plan = await self.get_offering(offering_id=line.offering_id) if line.offering_id else None
        addons = [
            p
            for p in await self.list_products(customer_id=customer_id, kind="addon")
            if p.addon_to == line.id
        ]
        credit = next((b.remaining for b in buckets if b.usage_type == "monetary"), None)
        return LineOverview(line=line, plan=plan, credit=credit, buckets=buckets, addons=addons)

    async def get_usage(
        self,
        *,
        customer_id: str,
        product_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> UsageSummary:
        """Charges (billed and unbilled) dated in [since, until), e.g. to explain extra
        charges; `out_of_bundle_total` sums the usage charges."""
        customer = await self.get_customer(customer_id=customer_id)
        charges: list[Charge] = []
        for account in customer.account_ids:
            docs = await self._list(
                f"{BILL}/appliedCustomerBillingRate", **{"billingAccount.id": account}
            )
            charges += [Charge.from_tmf(d) for d in docs]
        if product_id:
            await self.get_product(customer_id=customer_id, product_id=product_id)
            charges = [c for c in charges if c.product_id == product_id]
        charges = [
            c
            for c in charges
            if c.date is None
            or ((since is None or c.date >= since) and (until is None or c.date < until))
        ]
        charges.sort(key=lambda c: c.date or datetime.min.replace(tzinfo=UTC))
        return UsageSummary(start=since, end=until, charges=charges)

    async def topped_up_today(self, *, customer_id: str, product_id: str) -> Decimal:
        """What was topped up on this line today (UTC), for the daily-limit check."""
        docs = await self._list(
            f"{BALANCE}/topupBalance", **{"relatedParty.id": customer_id, "product.id": product_id}
        )
        today = clock.today()
        ups = [TopUp.from_tmf(d) for d in docs]
        return sum(
            (
                t.amount
                for t in ups
                if t.status == "completed" and t.requested and t.requested.date() == today
            ),
            Decimal("0.00"),
        )

    async def top_up(
        self,
        *,
        customer_id: str,
        product_id: str,
        amount: Decimal,
        idempotency_key: str,
        payment_method_id: str | None = None,
        channel: str | None = None,
        currency: str | None = None,
    ) -> TopUp:
        """TMF654 `topupBalance` of `amount` (in `currency`, the operator's when None) to the
        line's credit bucket."""
        line = await self.get_product(customer_id=customer_id, product_id=product_id)
        credit = next(
            (
                b
                for b in await self.list_buckets(customer_id=customer_id, product_id=product_id)
                if b.usage_type == "monetary"
            ),
            None,
        )
        if credit is None:
            raise BssBusinessError("INELIGIBLE_PRODUCT", f"{product_id} has no prepaid credit")
        body: Doc = {
            "amount": {"amount": float(amount), "units": currency or current().currency},
            "usageType": "monetary",
            "bucket": {"id": credit.id},
            "partyAccount": {"id": line.billing_account_id or ""},
            "product": [{"id": product_id}],
            "requestor": {"id": customer_id, "@referredType": "Customer"},
            "description": "Top-up requested via Switchboard",
        }
        if payment_method_id:
            body["paymentMethod"] = {"id": payment_method_id}
        if channel:
            body["channel"] = {"id": channel, "name": channel}
        doc = await self._call(
            "POST", f"{BALANCE}/topupBalance", json=body, idempotency_key=idempotency_key
        )
        return TopUp.from_tmf(doc)
