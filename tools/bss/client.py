"""The BSS client the tools use: an async httpx client over the TM Forum Open APIs, returning
typed models (`tools.bss.models`) and raising typed errors (`tools.bss.errors`).

- Every method takes keyword-only arguments; customer-scoped calls take the verified
  `customer_id` and refuse (as "not found") anything that belongs to someone else.
- Every write takes an `idempotency_key`, sent as the `Idempotency-Key` header; only reads
  and keyed writes are retried (transport errors, timeouts, 502/503/504), with backoff.
- `make_bss_client(settings, app=...)` talks to `settings.bss_url`, or, when it is unset, to
  the app it is given (the built-in simulator, built by the composition root) in-process
  through `httpx.ASGITransport`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar

import httpx

from switchboard import clock
from switchboard.currency import current, money
from switchboard.errors import ConfigError
from tools.bss.auth import BssAuthError, OAuth2ClientCredentials, bss_auth, tls_context
from tools.bss.errors import (
    BssBusinessError,
    BssConflictError,
    BssNotFoundError,
    BssProtocolError,
    BssUnavailableError,
)
from tools.bss.models import (
    AccountOverview,
    Bill,
    Bucket,
    Charge,
    Coverage,
    Customer,
    HubApi,
    Interaction,
    LineFeatures,
    LineOverview,
    Message,
    Offering,
    Order,
    OrderCancellation,
    Outage,
    Payment,
    Product,
    ProductKind,
    ServiceRequest,
    Subscription,
    Ticket,
    TicketType,
    TopUp,
    UsageSummary,
)

if TYPE_CHECKING:
    from switchboard.settings import Settings

Doc = dict[str, Any]
ASGIApp = Callable[..., Awaitable[None]]  # what httpx.ASGITransport runs (the simulator's app)
Closer = Callable[[], Awaitable[None]]


class _Owned(Protocol):
    """A TMF resource model that names the customer it belongs to."""

    @property
    def customer_id(self) -> str | None: ...

    @classmethod
    def from_tmf(cls, doc: Doc) -> Self: ...


_R = TypeVar("_R", bound=_Owned)
CUSTOMER = "/tmf-api/customerManagement/v4"
INVENTORY = "/tmf-api/productInventory/v4"
CATALOG = "/tmf-api/productCatalogManagement/v4"
BALANCE = "/tmf-api/prepayBalanceManagement/v4"
ORDERING = "/tmf-api/productOrderingManagement/v4"
BILL = "/tmf-api/customerBillManagement/v4"
PAYMENT = "/tmf-api/paymentManagement/v4"
TICKET = "/tmf-api/troubleTicket/v4"
FLOW = "/tmf-api/processFlowManagement/v4"
COMMUNICATION = "/tmf-api/communicationManagement/v4"
INTERACTION = "/tmf-api/partyInteraction/v4"
HUB_PATHS: dict[str, str] = {
    "customer": CUSTOMER,
    "inventory": INVENTORY,
    "catalog": CATALOG,
    "balance": BALANCE,
    "ordering": ORDERING,
    "bill": BILL,
    "ticket": TICKET,
    "processFlow": FLOW,
    "communication": COMMUNICATION,
    "partyInteraction": INTERACTION,
}
RETRY_STATUS = {502, 503, 504}
SuspensionReason = Literal["lost", "stolen", "customerRequest", "fraud"]


def _party(customer_id: str) -> list[Doc]:
    return [{"id": customer_id, "role": "customer", "@referredType": "Customer"}]


def _channel(channel: str | None) -> Doc:
    return {"channel": [{"id": channel, "name": channel}]} if channel else {}


class BssClient:
    """Typed, customer-scoped access to the BSS. Use as `async with` or call `aclose()`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_retries: int = 2,
        backoff_s: float = 0.2,
        on_close: Callable[[], Awaitable[None]] | None = None,
        sender: str = "Switchboard",
        extension_path: str = "/ext/v1",
    ) -> None:
        """`sender` signs the messages sent through TMF681 (the operator's name);
        `extension_path` is where the operator's non-TMF coverage and outage API lives."""
        self._http = http
        self._sender = sender
        self._extension = extension_path.rstrip("/")
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._on_close = on_close

    async def __aenter__(self) -> BssClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._on_close is not None:
            await self._on_close()

    # -- transport -----------------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Doc | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        safe = method in ("GET", "DELETE") or idempotency_key is not None
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method, path, params=params, json=json, headers=headers
                )
            except BssAuthError as exc:
                raise BssUnavailableError(f"{method} {path}: credentials: {exc}") from exc
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                if safe and attempt < self._max_retries:
                    attempt += 1
                    await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
                    continue
                raise BssUnavailableError(f"{method} {path}: {type(exc).__name__}") from exc
            if response.status_code in RETRY_STATUS and safe and attempt < self._max_retries:
                attempt += 1
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
                continue
            return self._decode(method, path, response)

    @staticmethod
    def _decode(method: str, path: str, response: httpx.Response) -> Any:
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            if body is None:
                raise BssProtocolError(f"{method} {path}: response is not JSON")
            return body
        if response.status_code in (401, 403):  # our credentials: the operator's to fix
            raise BssUnavailableError(
                f"{method} {path}: HTTP {response.status_code} (check the BSS credentials)",
                status=response.status_code,
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise BssUnavailableError(
                f"{method} {path}: HTTP {response.status_code}", status=response.status_code
            )
        code = str((body or {}).get("code") or f"HTTP_{response.status_code}")
        reason = str((body or {}).get("reason") or response.reason_phrase)
        if response.status_code == 404:
            raise BssNotFoundError(reason, code=code)
        if response.status_code == 409 and code == "IDEMPOTENCY_CONFLICT":
            raise BssConflictError(reason, code=code)
        raise BssBusinessError(
            code, reason, status=response.status_code, message=(body or {}).get("message")
        )

    async def _list(self, path: str, **params: Any) -> list[Doc]:
        body = await self._call(
            "GET", path, params={k: v for k, v in params.items() if v is not None}
        )
        if not isinstance(body, list):
            raise BssProtocolError(f"GET {path}: expected a list")
        return body

    @staticmethod
    def _own(doc_owner: str | None, customer_id: str, what: str, rid: str) -> None:
        if doc_owner != customer_id:
            raise BssNotFoundError(f"{what} {rid} is not on this customer's account")

    async def _get_owned(self, model: type[_R], path: str, *, customer_id: str) -> _R:
        """GET one resource; another customer's is reported as not found (no existence leak)."""
        resource = model.from_tmf(await self._call("GET", path))
        self._own(resource.customer_id, customer_id, model.__name__, path.rsplit("/", 1)[-1])
        return resource

    async def _list_owned(self, model: type[_R], path: str, *, customer_id: str) -> list[_R]:
        """The customer's resources at `path`, filtered by relatedParty and checked again here."""
        docs = await self._list(path, **{"relatedParty.id": customer_id})
        return [r for r in map(model.from_tmf, docs) if r.customer_id == customer_id]

    # -- customers (TMF629) --------------------------------------------------------------------
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

    # -- products (TMF637) ---------------------------------------------------------------------
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
        """Suspend a line at once (lost or stolen phone). Unblocking is an agent's job."""
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

    # -- balance and usage (TMF654, TMF678 rates) ----------------------------------------------
    async def list_buckets(
        self, *, customer_id: str, product_id: str | None = None
    ) -> list[Bucket]:
        params: Doc = {"relatedParty.id": customer_id}
        if product_id:
            params["product.id"] = product_id
        docs = await self._list(f"{BALANCE}/bucket", **params)
        return [Bucket.from_tmf(d) for d in docs if _doc_owner(d) == customer_id]

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

    # -- catalog (TMF620) ----------------------------------------------------------------------
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

    # -- orders (TMF622) -----------------------------------------------------------------------
    async def _order(
        self,
        customer_id: str,
        items: list[Doc],
        idempotency_key: str,
        channel: str | None,
        description: str,
    ) -> Order:
        body: Doc = {
            "relatedParty": _party(customer_id),
            "productOrderItem": items,
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
        item = {
            "id": "1",
            "action": "modify",
            "product": {"id": product_id, "@type": "Product"},
            "productOffering": {"id": offering_id},
        }
        return await self._order(
            customer_id, [item], idempotency_key, channel, f"Change plan to {offering_id}"
        )

    async def renew_plan(
        self, *, customer_id: str, product_id: str, idempotency_key: str, channel: str | None = None
    ) -> Order:
        """Renew a prepaid bundle now: `modify` of the same offering with `renewal=true`."""
        line = await self.get_product(customer_id=customer_id, product_id=product_id)
        item = {
            "id": "1",
            "action": "modify",
            "product": {
                "id": product_id,
                "@type": "Product",
                "productCharacteristic": [{"name": "renewal", "value": True}],
            },
            "productOffering": {"id": line.offering_id or ""},
        }
        return await self._order(customer_id, [item], idempotency_key, channel, "Renew bundle")

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
        item = {
            "id": "1",
            "action": "add",
            "productOffering": {"id": offering_id},
            "product": {
                "productRelationship": [
                    {"relationshipType": "addOnTo", "product": {"id": product_id}}
                ]
            },
        }
        return await self._order(
            customer_id, [item], idempotency_key, channel, f"Add {offering_id}"
        )

    async def remove_addon(
        self,
        *,
        customer_id: str,
        addon_product_id: str,
        idempotency_key: str,
        channel: str | None = None,
    ) -> Order:
        item = {
            "id": "1",
            "action": "delete",
            "product": {"id": addon_product_id, "@type": "Product"},
        }
        return await self._order(
            customer_id, [item], idempotency_key, channel, f"Remove {addon_product_id}"
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
        item = {
            "id": "1",
            "action": "modify",
            "product": {"id": product_id, "@type": "Product", "productCharacteristic": chars},
        }
        return await self._order(
            customer_id, [item], idempotency_key, channel, "Change line features"
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

    # -- bills and payments (TMF678, TMF676-style) ---------------------------------------------
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

    # -- trouble tickets (TMF621) --------------------------------------------------------------
    async def open_ticket(
        self,
        *,
        customer_id: str,
        ticket_type: TicketType,
        description: str,
        idempotency_key: str,
        severity: str = "Minor",
        priority: str = "Medium",
        name: str | None = None,
        product_id: str | None = None,
        bill_id: str | None = None,
        disputed_amount: Decimal | None = None,
        channel: str | None = None,
    ) -> Ticket:
        """Open a fault, billing dispute or complaint about a product and/or bill."""
        entities: list[Doc] = []
        if product_id:
            await self.get_product(customer_id=customer_id, product_id=product_id)
            entities.append(
                {"id": product_id, "role": "affectedProduct", "@referredType": "Product"}
            )
        if bill_id:
            await self.get_bill(customer_id=customer_id, bill_id=bill_id)
            entities.append(
                {"id": bill_id, "role": "disputedBill", "@referredType": "CustomerBill"}
            )
        body: Doc = {
            "description": description,
            "severity": severity,
            "priority": priority,
            "ticketType": ticket_type,
            "externalId": idempotency_key,
            "relatedParty": _party(customer_id),
        }
        if name:
            body["name"] = name
        if entities:
            body["relatedEntity"] = entities
        if disputed_amount is not None:
            body["note"] = [{"text": f"Disputed amount: {money(disputed_amount)}"}]
        if channel:
            body["channel"] = {"id": channel, "name": channel}
        doc = await self._call(
            "POST", f"{TICKET}/troubleTicket", json=body, idempotency_key=idempotency_key
        )
        return Ticket.from_tmf(doc)

    async def get_ticket(self, *, customer_id: str, ticket_id: str) -> Ticket:
        return await self._get_owned(
            Ticket, f"{TICKET}/troubleTicket/{ticket_id}", customer_id=customer_id
        )

    async def list_tickets(self, *, customer_id: str, open_only: bool = False) -> list[Ticket]:
        tickets = await self._list_owned(Ticket, f"{TICKET}/troubleTicket", customer_id=customer_id)
        return [t for t in tickets if t.is_open or not open_only]

    async def update_ticket(
        self,
        *,
        customer_id: str,
        ticket_id: str,
        idempotency_key: str,
        status: Literal["closed", "inProgress", "cancelled"] | None = None,
        note: str | None = None,
        reason: str | None = None,
    ) -> Ticket:
        """Close a resolved ticket, reopen it (`inProgress`), cancel it, or add a note."""
        await self.get_ticket(customer_id=customer_id, ticket_id=ticket_id)
        body: Doc = {}
        if status:
            body["status"] = status
            body["statusChangeReason"] = reason or "Customer request"
        if note:
            body["note"] = [{"text": note}]
        doc = await self._call(
            "PATCH",
            f"{TICKET}/troubleTicket/{ticket_id}",
            json=body,
            idempotency_key=idempotency_key,
        )
        return Ticket.from_tmf(doc)

    # -- service requests (TMF701) -------------------------------------------------------------
    async def start_service_request(
        self,
        *,
        customer_id: str,
        kind: Literal["sim_swap", "esim", "port_in", "device_activation", "broadband_installation"],
        idempotency_key: str,
        product_id: str | None = None,
        details: Mapping[str, str | int | bool] | None = None,
        channel: str | None = None,
    ) -> ServiceRequest:
        """Start a process flow. Details: port_in needs `pacCode` and `portingMsisdn`;
        device_activation `imei`; broadband_installation `postcode` and `offering`."""
        body: Doc = {
            "processFlowSpecification": kind,
            "relatedParty": _party(customer_id),
            "characteristic": [{"name": k, "value": v} for k, v in (details or {}).items()],
        }
        if product_id:
            await self.get_product(customer_id=customer_id, product_id=product_id)
            body["relatedEntity"] = [{"id": product_id, "role": "line", "@referredType": "Product"}]
        if channel:
            body["channel"] = [{"id": channel, "name": channel}]
        doc = await self._call(
            "POST", f"{FLOW}/processFlow", json=body, idempotency_key=idempotency_key
        )
        return await self.get_service_request(customer_id=customer_id, request_id=doc["id"])

    async def get_service_request(self, *, customer_id: str, request_id: str) -> ServiceRequest:
        doc = await self._call("GET", f"{FLOW}/processFlow/{request_id}")
        owner = ServiceRequest.from_tmf(doc).customer_id
        self._own(owner, customer_id, "ProcessFlow", request_id)
        tasks = await self._list(f"{FLOW}/processFlow/{request_id}/taskFlow")
        return ServiceRequest.from_tmf(doc, tasks)

    async def list_service_requests(
        self, *, customer_id: str, open_only: bool = False
    ) -> list[ServiceRequest]:
        requests = await self._list_owned(
            ServiceRequest, f"{FLOW}/processFlow", customer_id=customer_id
        )
        return [
            await self.get_service_request(customer_id=customer_id, request_id=request.id)
            for request in requests
            if request.is_open or not open_only
        ]

    async def cancel_service_request(
        self, *, customer_id: str, request_id: str, idempotency_key: str
    ) -> ServiceRequest:
        request = await self.get_service_request(customer_id=customer_id, request_id=request_id)
        task = next((t for t in request.tasks if t.state in ("new", "active")), None)
        if task is None:
            raise BssBusinessError(
                "INVALID_STATE_TRANSITION", f"{request_id} is already {request.state}", status=409
            )
        await self._call(
            "PATCH",
            f"{FLOW}/processFlow/{request_id}/taskFlow/{task.id}",
            json={"state": "cancelled"},
            idempotency_key=idempotency_key,
        )
        return await self.get_service_request(customer_id=customer_id, request_id=request_id)

    # -- coverage (extension) ------------------------------------------------------------------
    async def get_coverage(self, *, postcode: str) -> Coverage:
        """Mobile/fibre coverage and current outages for a UK postcode (or its district)."""
        return Coverage.from_wire(
            await self._call("GET", f"{self._extension}/coverage", params={"postcode": postcode})
        )

    async def list_outages(self) -> list[Outage]:
        docs = await self._list(f"{self._extension}/outage")
        return [
            Coverage.from_wire(
                {
                    "postcode": "",
                    "area": "",
                    "place": "",
                    "mobile": "",
                    "fibre": False,
                    "outages": [d],
                }
            ).outages[0]
            for d in docs
        ]

    # -- notifications (hub, TMF681) -----------------------------------------------------------
    async def register_listener(
        self,
        *,
        api: HubApi,
        callback: str,
        query: str | None = None,
        idempotency_key: str | None = None,
    ) -> Subscription:
        """Ask the BSS to POST `api`'s events to `{callback}/listener/{eventName}`."""
        body: Doc = {"callback": callback}
        if query:
            body["query"] = query
        doc = await self._call(
            "POST", f"{HUB_PATHS[api]}/hub", json=body, idempotency_key=idempotency_key
        )
        return Subscription(id=doc["id"], callback=doc["callback"], query=doc.get("query"), api=api)

    async def unregister_listener(self, *, api: HubApi, subscription_id: str) -> None:
        await self._call("DELETE", f"{HUB_PATHS[api]}/hub/{subscription_id}")

    async def send_message(
        self,
        *,
        customer_id: str,
        content: str,
        idempotency_key: str,
        message_type: str = "SMS",
        msisdn: str | None = None,
        subject: str | None = None,
    ) -> Message:
        receiver: Doc = {
            "id": customer_id,
            "party": {"id": customer_id, "@referredType": "Customer"},
        }
        if msisdn:
            receiver["phoneNumber"] = msisdn
        body: Doc = {
            "content": content,
            "messageType": message_type,
            "sender": {"id": slug(self._sender), "name": self._sender},
            "receiver": [receiver],
        }
        if subject:
            body["subject"] = subject
        doc = await self._call(
            "POST",
            f"{COMMUNICATION}/communicationMessage",
            json=body,
            idempotency_key=idempotency_key,
        )
        return Message.from_tmf(doc)

    async def record_interaction(
        self,
        *,
        customer_id: str,
        channel: str,
        reason: str,
        description: str,
        direction: Literal["inbound", "outbound"],
        started: datetime,
        idempotency_key: str,
        status: str = "completed",
        item_ref: Doc | None = None,
    ) -> Interaction:
        """Record one contact with the customer (TMF683) in the operator's systems."""
        body: Doc = {
            "interactionDate": {"startDateTime": _iso(started)},
            "reason": reason,
            "description": description,
            "status": status,
            "direction": direction,
            "channel": [
                {"id": channel, "href": f"{INTERACTION}/channel/{channel}", "name": channel}
            ],
            "relatedParty": [
                {
                    "id": customer_id,
                    "href": f"{CUSTOMER}/customer/{customer_id}",
                    "role": "customer",
                    "@referredType": "Customer",
                }
            ],
        }
        if item_ref is not None:
            body["interactionItem"] = [{"reason": reason, "item": item_ref}]
        doc = await self._call(
            "POST", f"{INTERACTION}/partyInteraction", json=body, idempotency_key=idempotency_key
        )
        return Interaction.from_tmf(doc)

    async def close_interaction(self, *, interaction_id: str, idempotency_key: str) -> Interaction:
        """Mark a recorded interaction `completed` (the conversation ended)."""
        doc = await self._call(
            "PATCH",
            f"{INTERACTION}/partyInteraction/{interaction_id}",
            json={"status": "completed"},
            idempotency_key=idempotency_key,
        )
        return Interaction.from_tmf(doc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _doc_owner(doc: Doc) -> str | None:
    for p in doc.get("relatedParty") or []:
        if p.get("@referredType") == "Customer" or p.get("role") == "customer":
            return str(p.get("id"))
    return None


def make_bss_client(
    settings: Settings, *, app: ASGIApp | None = None, on_close: Closer | None = None
) -> BssClient:
    """A client for `settings.bss_url`, or, when it is unset, for `app` in-process — the built-in
    simulator, which the composition root builds (`assistant.runtime`, the evals, the CLI): the
    client speaks TMF over a transport and knows nothing of the simulator. `on_close` runs when
    the client closes (e.g. to release a simulator the client is the only user of)."""
    timeout = httpx.Timeout(settings.bss_timeout_s)
    if settings.bss_url:
        auth, headers = bss_auth(settings)
        http = httpx.AsyncClient(
            base_url=settings.bss_url,
            timeout=timeout,
            auth=auth,
            headers=headers,
            verify=tls_context(settings),
        )
        closing = auth.aclose if isinstance(auth, OAuth2ClientCredentials) else None
        return BssClient(
            http,
            on_close=closing,
            sender=settings.brand,
            extension_path=settings.bss_extension_path,
        )
    if app is None:
        raise ConfigError(
            "SWITCHBOARD_BSS_URL",
            "unset, and no in-process BSS was given",
            "Set it to the operator's TMF base URL, or pass the built-in simulator "
            "(bss.app.create_bss_app) as `app`",
        )
    transport = httpx.ASGITransport(app=app)
    return BssClient(
        httpx.AsyncClient(transport=transport, base_url="http://bss.internal", timeout=timeout),
        on_close=on_close,
        sender=settings.brand,
        extension_path=settings.bss_extension_path,
    )


def no_bss() -> BssClient:
    """The client of a runtime built without a BSS (`build_runtime(with_bss=False)`): every call
    fails as a BSS that cannot be reached, which the tools already answer for."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no BSS is configured for this runtime", request=request)

    transport = httpx.MockTransport(refuse)
    return BssClient(
        httpx.AsyncClient(transport=transport, base_url="http://no-bss.invalid"), max_retries=0
    )


def slug(name: str) -> str:
    """A sender id from the operator's name: "Acme Mobile" → "acme-mobile"."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "operator"
