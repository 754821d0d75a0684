"""Offerings (TMF620 Product Catalog Management)."""

from __future__ import annotations

from typing import Literal

from tools.bss.inventory import ProductApi
from tools.bss.models import (
    Offering,
)
from tools.bss.transport import (
    CATALOG,
    Doc,
)


class CatalogApi(ProductApi):
    """The operator's product offerings (TMF620)."""

    async def list_offerings(
        self,
        *,
        category: Literal["plan", "addon", "device"] | None = None,
        customer_id: str | None = None,
        product_id: str | None = None,
    ) -> list[Offering]:
        """Offerings with prices; with `product_id` (and its `customer_id`) each carries the
        BSS's eligibility verdict for that line."""
        params: Doc = {}
        if category:
            params["category.id"] = category
        if product_id:
            if customer_id is None:
                raise ValueError("product_id needs the customer_id it belongs to")
            await self.get_product(customer_id=customer_id, product_id=product_id)
            params["eligibleFor"] = product_id
        return [
            Offering.from_tmf(d) for d in await self._list(f"{CATALOG}/productOffering", **params)
        ]

    async def get_offering(self, *, offering_id: str) -> Offering:
        return Offering.from_tmf(
            await self._call("GET", f"{CATALOG}/productOffering/{offering_id}")
        )
