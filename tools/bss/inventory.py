"""Products and lines (TMF637 Product Inventory): list, find, block, unblock."""

from __future__ import annotations

from tools.bss.errors import (
    BssNotFoundError,
)
from tools.bss.models import (
    Product,
    ProductKind,
)
from tools.bss.transport import (
    INVENTORY,
    BssTransport,
    SuspensionReason,
)


class ProductApi(BssTransport):
    """A customer's products and lines (TMF637), and blocking a lost or stolen line (and
    unblocking it when the phone is found)."""

    async def list_products(
        self, *, customer_id: str, kind: ProductKind | None = None, include_inactive: bool = False
    ) -> list[Product]:
        products = await self._list_owned(Product, f"{INVENTORY}/product", customer_id=customer_id)
        return [
            p
            for p in products
            if (kind is None or p.kind == kind)
            and (include_inactive or p.status in ("active", "suspended", "pendingActive"))
        ]

    async def list_lines(self, *, customer_id: str) -> list[Product]:
        """The customer's mobile lines and broadband services (active or suspended)."""
        return [p for p in await self.list_products(customer_id=customer_id) if p.is_line]

    async def get_product(self, *, customer_id: str, product_id: str) -> Product:
        return await self._get_owned(
            Product, f"{INVENTORY}/product/{product_id}", customer_id=customer_id
        )

    async def find_line(self, *, customer_id: str, msisdn: str) -> Product:
        for line in await self.list_lines(customer_id=customer_id):
            if line.msisdn == msisdn:
                return line
        raise BssNotFoundError(f"No line {msisdn} on this account")

    async def block_line(
        self,
        *,
        customer_id: str,
        product_id: str,
        idempotency_key: str,
        reason: SuspensionReason = "lost",
    ) -> Product:
        """Suspend a line at once (lost or stolen phone); `unblock_line` reactivates it."""
        await self.get_product(customer_id=customer_id, product_id=product_id)
        body = {
            "status": "suspended",
            "productCharacteristic": [{"name": "suspensionReason", "value": reason}],
        }
        return Product.from_tmf(
            await self._call(
                "PATCH",
                f"{INVENTORY}/product/{product_id}",
                json=body,
                idempotency_key=idempotency_key,
            )
        )

    async def unblock_line(
        self, *, customer_id: str, product_id: str, idempotency_key: str
    ) -> Product:
        """Reactivate a suspended line (TMF637 lifecycle `suspended -> active`): the phone that
        was lost turned up. The caller checks the identity (step-up) and the suspension's reason."""
        await self.get_product(customer_id=customer_id, product_id=product_id)
        return Product.from_tmf(
            await self._call(
                "PATCH",
                f"{INVENTORY}/product/{product_id}",
                json={"status": "active"},
                idempotency_key=idempotency_key,
            )
        )
