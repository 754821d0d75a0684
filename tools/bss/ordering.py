"""Orders (TMF622 Product Ordering): plan changes, renewals, add-ons, line features."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tools.bss.inventory import ProductApi
from tools.bss.models import (
    LineFeatures,
    Order,
    OrderCancellation,
)
from tools.bss.transport import (
    ORDERING,
    Doc,
    _channel,
    _party,
)


def _product(product_id: str, characteristics: list[Doc] | None = None) -> Doc:
    """The inventory product an order item acts on, with the characteristics it sets."""
    product: Doc = {"id": product_id, "@type": "Product"}
    if characteristics:
        product["productCharacteristic"] = characteristics
    return product


class OrderingApi(ProductApi):
    """Product orders (TMF622): plan changes, renewals, add-ons and line features."""

    async def _order(
        self,
        *,
        customer_id: str,
        action: str,
        product: Doc,
        offering_id: str | None = None,
        idempotency_key: str,
        channel: str | None,
        description: str,
    ) -> Order:
        """POST a product order of one item: `action` on `product` (to `offering_id`)."""
        item: Doc = {"id": "1", "action": action, "product": product}
        if offering_id is not None:
            item["productOffering"] = {"id": offering_id}
        body: Doc = {
            "relatedParty": _party(customer_id),
            "productOrderItem": [item],
            "externalId": idempotency_key,
            "description": description,
            **_channel(channel),
        }
        doc = await self._call(
            "POST", f"{ORDERING}/productOrder", json=body, idempotency_key=idempotency_key
        )
        return Order.from_tmf(doc)

    async def change_plan(
        self,
        *,
        customer_id: str,
        product_id: str,
        offering_id: str,
        idempotency_key: str,
        channel: str | None = None,
    ) -> Order:
        """Plan change/upgrade: `modify` of the product to the new offering."""
        return await self._order(
            customer_id=customer_id,
            action="modify",
            product=_product(product_id),
            offering_id=offering_id,
            idempotency_key=idempotency_key,
            channel=channel,
            description=f"Change plan to {offering_id}",
        )

    async def renew_plan(
        self, *, customer_id: str, product_id: str, idempotency_key: str, channel: str | None = None
    ) -> Order:
        """Renew a prepaid bundle now: `modify` of the same offering with `renewal=true`."""
        line = await self.get_product(customer_id=customer_id, product_id=product_id)
        return await self._order(
            customer_id=customer_id,
            action="modify",
            product=_product(product_id, [{"name": "renewal", "value": True}]),
            offering_id=line.offering_id or "",
            idempotency_key=idempotency_key,
            channel=channel,
            description="Renew bundle",
        )

    async def buy_addon(
        self,
        *,
        customer_id: str,
        product_id: str,
        offering_id: str,
        idempotency_key: str,
        channel: str | None = None,
    ) -> Order:
        """Add-on purchase: `add` of the add-on offering, `addOnTo` the line."""
        return await self._order(
            customer_id=customer_id,
            action="add",
            product={
                "productRelationship": [
                    {"relationshipType": "addOnTo", "product": {"id": product_id}}
                ]
            },
            offering_id=offering_id,
            idempotency_key=idempotency_key,
            channel=channel,
            description=f"Add {offering_id}",
        )

    async def remove_addon(
        self,
        *,
        customer_id: str,
        addon_product_id: str,
        idempotency_key: str,
        channel: str | None = None,
    ) -> Order:
        return await self._order(
            customer_id=customer_id,
            action="delete",
            product=_product(addon_product_id),
            idempotency_key=idempotency_key,
            channel=channel,
            description=f"Remove {addon_product_id}",
        )

    async def set_line_features(
        self,
        *,
        customer_id: str,
        product_id: str,
        features: LineFeatures,
        idempotency_key: str,
        channel: str | None = None,
    ) -> Order:
        """Roaming, call forwarding/waiting, voicemail, caller id, spending cap: a `modify`
        order carrying only characteristics (completes in seconds on the demo clock)."""
        chars = features.to_characteristics()
        if not chars:
            raise ValueError("features must set at least one value")
        return await self._order(
            customer_id=customer_id,
            action="modify",
            product=_product(product_id, chars),
            idempotency_key=idempotency_key,
            channel=channel,
            description="Change line features",
        )

    async def set_roaming(
        self, *, customer_id: str, product_id: str, enabled: bool, idempotency_key: str
    ) -> Order:
        return await self.set_line_features(
            customer_id=customer_id,
            product_id=product_id,
            features=LineFeatures(roaming=enabled),
            idempotency_key=idempotency_key,
        )

    async def set_call_forwarding(
        self, *, customer_id: str, product_id: str, number: str | None, idempotency_key: str
    ) -> Order:
        """Forward all calls to `number` (E.164), or switch forwarding off with None."""
        return await self.set_line_features(
            customer_id=customer_id,
            product_id=product_id,
            features=LineFeatures(call_forwarding=number or "off"),
            idempotency_key=idempotency_key,
        )

    async def set_spending_cap(
        self, *, customer_id: str, product_id: str, cap: Decimal | None, idempotency_key: str
    ) -> Order:
        """Monthly cap on out-of-bundle charges, in the operator's currency; None removes it."""
        return await self.set_line_features(
            customer_id=customer_id,
            product_id=product_id,
            features=LineFeatures(spending_cap="none" if cap is None else cap),
            idempotency_key=idempotency_key,
        )

    async def cancel_order(
        self, *, customer_id: str, order_id: str, idempotency_key: str, reason: str | None = None
    ) -> OrderCancellation:
        await self.get_order(customer_id=customer_id, order_id=order_id)
        body: Doc = {"productOrder": {"id": order_id, "@referredType": "ProductOrder"}}
        if reason:
            body["cancellationReason"] = reason
        doc = await self._call(
            "POST", f"{ORDERING}/cancelProductOrder", json=body, idempotency_key=idempotency_key
        )
        return OrderCancellation.from_tmf(doc)

    async def get_order(self, *, customer_id: str, order_id: str) -> Order:
        return await self._get_owned(
            Order, f"{ORDERING}/productOrder/{order_id}", customer_id=customer_id
        )

    async def list_orders(self, *, customer_id: str, open_only: bool = False) -> list[Order]:
        orders = await self._list_owned(Order, f"{ORDERING}/productOrder", customer_id=customer_id)
        return [o for o in orders if o.is_open or not open_only]

    async def wait_for_order(
        self, *, customer_id: str, order_id: str, timeout_s: float = 10.0, poll_s: float = 0.2
    ) -> Order:
        """Poll until the order is final (or `timeout_s` passes); returns its latest state."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            order = await self.get_order(customer_id=customer_id, order_id=order_id)
            if not order.is_open or asyncio.get_running_loop().time() >= deadline:
                return order
            await asyncio.sleep(poll_s)
