"""Typed views of the TMF resources the tools use. Each `from_tmf()` reads the wire shape
liberally (unknown fields ignored, optional fields optional) so the same models work against
the built-in simulator and an operator's BSS."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from switchboard import clock

Doc = dict[str, Any]
ProductKind = Literal["mobileLine", "broadband", "addon", "device", "unknown"]
ServiceRequestKind = Literal[
    "sim_swap", "esim", "port_in", "device_activation", "broadband_installation"
]
TicketType = Literal["fault", "billingDispute", "complaint", "request", "networkOutage"]
HubApi = Literal[
    "customer",
    "inventory",
    "catalog",
    "balance",
    "ordering",
    "bill",
    "ticket",
    "processFlow",
    "communication",
    "partyInteraction",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None


def _chars(doc: Doc, key: str = "productCharacteristic") -> dict[str, Any]:
    return {str(c.get("name")): c.get("value") for c in doc.get(key) or [] if c.get("name")}


def _owner(doc: Doc) -> str | None:
    for p in doc.get("relatedParty") or []:
        if p.get("@referredType") == "Customer" or p.get("role") == "customer":
            return str(p.get("id"))
    return None


def _money(doc: Doc | None) -> Decimal | None:
    return None if not doc else _dec(doc.get("value"))


class PaymentMethod(_Model):
    id: str
    name: str | None = None


class Customer(_Model):
    id: str
    name: str
    status: str | None = None
    segment: Literal["prepaid", "postpaid", "business"] | None = None
    msisdns: list[str] = Field(default_factory=list)
    email: str | None = None
    postcode: str | None = None
    account_ids: list[str] = Field(default_factory=list)
    payment_methods: list[PaymentMethod] = Field(default_factory=list)
    autopay: bool = False
    autopay_day: int | None = None
    contact_name: str | None = None  # business accounts: the named contact

    @classmethod
    def from_tmf(cls, doc: Doc) -> Customer:
        media = doc.get("contactMedium") or []
        chars = _chars(doc, "characteristic")
        day = chars.get("autopayDay")
        contact = next(
            (p.get("name") for p in doc.get("relatedParty") or [] if p.get("role") == "contact"),
            None,
        )
        return cls(
            id=doc["id"],
            name=doc.get("name") or doc.get("engagedParty", {}).get("name", ""),
            status=doc.get("status"),
            segment=chars.get("segment"),
            msisdns=[
                m["characteristic"]["phoneNumber"]
                for m in media
                if m.get("mediumType") == "mobile"
                and m.get("characteristic", {}).get("phoneNumber")
            ],
            email=next(
                (
                    m["characteristic"].get("emailAddress")
                    for m in media
                    if m.get("mediumType") == "email"
                ),
                None,
            ),
            postcode=next(
                (
                    m["characteristic"].get("postCode")
                    for m in media
                    if m.get("mediumType") == "postalAddress"
                ),
                None,
            ),
            account_ids=[a["id"] for a in doc.get("account") or [] if a.get("id")],
            payment_methods=[
                PaymentMethod(id=p["id"], name=p.get("name"))
                for p in doc.get("paymentMethod") or []
            ],
            autopay=bool(chars.get("autopay", False)),
            autopay_day=int(day) if isinstance(day, int) and day > 0 else None,
            contact_name=contact,
        )


class LineFeatures(_Model):
    """Settable line features (`set_line_features`); `None` means "leave as it is"."""

    roaming: bool | None = None
    call_forwarding: str | None = None  # "off" or an E.164 number
    call_waiting: bool | None = None
    voicemail: bool | None = None
    caller_id: bool | None = None
    spending_cap: Decimal | Literal["none"] | None = None  # GBP per month, postpaid only

    def to_characteristics(self) -> list[Doc]:
        names = {
            "roaming": "roaming",
            "call_forwarding": "callForwarding",
            "call_waiting": "callWaiting",
            "voicemail": "voicemail",
            "caller_id": "callerId",
            "spending_cap": "spendingCap",
        }
        out: list[Doc] = []
        for field_name, tmf_name in names.items():
            value = getattr(self, field_name)
            if value is None:
                continue
            if isinstance(value, Decimal):
                value = float(value)
            out.append({"name": tmf_name, "value": value})
        return out


class Product(_Model):
    """A TMF637 product: a mobile line, a broadband service, an add-on or a device."""

    id: str
    name: str
    kind: ProductKind
    status: str
    customer_id: str | None = None
    billing_account_id: str | None = None
    offering_id: str | None = None
    offering_name: str | None = None
    msisdn: str | None = None
    start_date: datetime | None = None
    minimum_term_end: datetime | None = None
    renewal_date: datetime | None = None  # end of a prepaid bundle period
    price: Decimal | None = None
    price_period: str | None = None  # "month", "30 days", "day"; None = one-off
    addon_to: str | None = None  # add-ons: the line they belong to
    roaming: bool | None = None
    visited_country: str | None = None
    call_forwarding: str | None = None
    call_waiting: bool | None = None
    voicemail: bool | None = None
    caller_id: bool | None = None
    spending_cap: Decimal | None = None  # None = no cap
    sim_type: str | None = None
    suspension_reason: str | None = None
    characteristics: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_line(self) -> bool:
        return self.kind in ("mobileLine", "broadband")

    @classmethod
    def from_tmf(cls, doc: Doc) -> Product:
        chars = _chars(doc)
        kind = chars.get("productType", "unknown")
        terms = {t.get("name"): t for t in doc.get("productTerm") or []}
        prices = doc.get("productPrice") or []
        cap = chars.get("spendingCap")
        addon_to = next(
            (
                r["product"]["id"]
                for r in doc.get("productRelationship") or []
                if r.get("relationshipType") == "addOnTo"
            ),
            None,
        )
        return cls(
            id=doc["id"],
            name=doc.get("name", doc["id"]),
            kind=kind if kind in ("mobileLine", "broadband", "addon", "device") else "unknown",
            status=str(doc.get("status", "unknown")).strip(),
            customer_id=_owner(doc),
            billing_account_id=(doc.get("billingAccount") or {}).get("id"),
            offering_id=(doc.get("productOffering") or {}).get("id"),
            offering_name=(doc.get("productOffering") or {}).get("name"),
            msisdn=chars.get("msisdn"),
            start_date=_dt(doc.get("startDate")),
            minimum_term_end=_dt(
                (terms.get("minimumTerm") or {}).get("validFor", {}).get("endDateTime")
            ),
            renewal_date=_dt(
                (terms.get("bundlePeriod") or {}).get("validFor", {}).get("endDateTime")
            ),
            price=_money(prices[0]["price"].get("taxIncludedAmount")) if prices else None,
            price_period=prices[0].get("recurringChargePeriod") if prices else None,
            addon_to=addon_to,
            roaming=chars.get("roaming"),
            visited_country=chars.get("visitedCountry"),
            call_forwarding=chars.get("callForwarding"),
            call_waiting=chars.get("callWaiting"),
            voicemail=chars.get("voicemail"),
            caller_id=chars.get("callerId"),
            spending_cap=None if cap in (None, "none") else _dec(cap),
            sim_type=chars.get("simType"),
            suspension_reason=chars.get("suspensionReason")
            if doc.get("status") == "suspended"
            else None,
            characteristics=chars,
        )


class Bucket(_Model):
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

    @classmethod
    def from_tmf(cls, doc: Doc) -> Bucket:
        remaining = doc.get("remainingValue") or {}
        valid = doc.get("validFor") or {}
        return cls(
            id=doc["id"],
            name=doc.get("name", ""),
            usage_type=doc.get("usageType", ""),
            remaining=_dec(remaining.get("amount")) or Decimal("0.00"),
            units=remaining.get("units", ""),
            initial=_dec((doc.get("initialValue") or {}).get("amount")),
            valid_from=_dt(valid.get("startDateTime")),
            valid_until=_dt(valid.get("endDateTime")),
            product_id=(doc.get("product") or [{}])[0].get("id"),
            status=doc.get("status"),
        )


class Eligibility(_Model):
    eligible: bool
    code: str | None = None
    reason: str | None = None
    change: str | None = None  # upgrade | downgrade | add


class Offering(_Model):
    """A TMF620 product offering with its price and (if asked for a product) eligibility."""

    id: str
    name: str
    description: str = ""
    category: str | None = None  # plan | addon | device
    segments: list[str] = Field(default_factory=list)
    price: Decimal | None = None
    price_type: str | None = None  # recurring | oneTime
    price_period: str | None = None
    min_term_months: int | None = None
    validity_days: int | None = None
    service_type: str | None = None  # mobile | broadband
    data_allowance_gb: Decimal | None = None
    unlimited_data: bool = False
    roaming_included: list[str] = Field(default_factory=list)
    sellable: bool = True
    eligibility: Eligibility | None = None

    @classmethod
    def from_tmf(cls, doc: Doc) -> Offering:
        pops = doc.get("productOfferingPrice") or []
        pop = pops[0] if pops else {}
        value = pop.get("price") or {}
        amount = (
            _money(value.get("taxIncludedAmount"))
            if "taxIncludedAmount" in value
            else (_dec(value.get("value")))
        )
        terms = {t.get("name"): t for t in doc.get("productOfferingTerm") or []}
        uses = {
            u.get("name"): (
                u.get("productSpecCharValue") or u.get("productSpecCharacteristicValue") or [{}]
            )[0].get("value")
            for u in doc.get("prodSpecCharValueUse") or []
        }
        data = uses.get("dataAllowance")
        roaming = str(uses.get("roamingIncluded") or "none")
        eligibility = doc.get("eligibility")
        return cls(
            id=doc["id"],
            name=doc.get("name", doc["id"]),
            description=doc.get("description", ""),
            category=(doc.get("category") or [{}])[0].get("id"),
            segments=[s["id"] for s in doc.get("marketSegment") or [] if s.get("id")],
            price=amount,
            price_type=pop.get("priceType"),
            price_period=pop.get("recurringChargePeriod"),
            min_term_months=(terms.get("minimumTerm") or {}).get("duration", {}).get("amount"),
            validity_days=(terms.get("validity") or {}).get("duration", {}).get("amount"),
            service_type=uses.get("serviceType"),
            data_allowance_gb=None if data in (None, "unlimited") else _dec(data),
            unlimited_data=data == "unlimited",
            roaming_included=[] if roaming == "none" else roaming.split(","),
            sellable=bool(doc.get("isSellable", True)),
            eligibility=Eligibility(**eligibility) if isinstance(eligibility, dict) else None,
        )


class LineOverview(_Model):
    """Everything about one line a customer asks about first."""

    line: Product
    plan: Offering | None = None
    credit: Decimal | None = None  # prepaid: GBP on the line
    buckets: list[Bucket] = Field(default_factory=list)
    addons: list[Product] = Field(default_factory=list)

    @property
    def data_left_gb(self) -> Decimal | None:
        data = [b for b in self.buckets if b.usage_type == "data" and b.status == "active"]
        return sum((b.remaining for b in data), Decimal("0.00")) if data else None


class AccountOverview(_Model):
    customer: Customer
    lines: list[LineOverview]
    devices: list[Product] = Field(default_factory=list)


class TopUp(_Model):
    id: str
    status: str
    amount: Decimal
    product_id: str | None = None
    balance_before: Decimal | None = None
    balance_after: Decimal | None = None
    requested: datetime | None = None

    @classmethod
    def from_tmf(cls, doc: Doc) -> TopUp:
        impacted = (doc.get("impactedBucket") or [{}])[0]
        return cls(
            id=doc["id"],
            status=doc.get("status", ""),
            amount=_dec((doc.get("amount") or {}).get("amount")) or Decimal("0.00"),
            product_id=(doc.get("product") or [{}])[0].get("id"),
            balance_before=_dec((impacted.get("amountBefore") or {}).get("amount")),
            balance_after=_dec((impacted.get("amountAfter") or {}).get("amount")),
            requested=_dt(doc.get("requestedDate")),
        )


class OrderItem(_Model):
    id: str
    action: str
    state: str | None = None
    offering_id: str | None = None
    product_id: str | None = None
    characteristics: dict[str, Any] = Field(default_factory=dict)


class Order(_Model):
    """A TMF622 product order."""

    id: str
    state: str
    customer_id: str | None = None
    items: list[OrderItem]
    order_date: datetime | None = None
    expected_completion: datetime | None = None
    completion_date: datetime | None = None
    charged_now: Decimal | None = None  # prepaid: taken from credit when the order was accepted
    billed_later: Decimal | None = None  # postpaid: added to the next bill
    description: str | None = None
    notes: list[str] = Field(default_factory=list)
    external_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state not in {"completed", "failed", "partial", "cancelled", "rejected"}

    @classmethod
    def from_tmf(cls, doc: Doc) -> Order:
        items = []
        for item in doc.get("productOrderItem") or []:
            product = item.get("product") or {}
            rel = next(
                (
                    r["product"].get("id")
                    for r in product.get("productRelationship") or []
                    if r.get("product")
                ),
                None,
            )
            items.append(
                OrderItem(
                    id=str(item.get("id")),
                    action=str(item.get("action")),
                    state=item.get("state"),
                    offering_id=(item.get("productOffering") or {}).get("id"),
                    product_id=product.get("id") or rel,
                    characteristics=_chars(product),
                )
            )
        totals = {
            t.get("name"): (t.get("price") or {}).get("taxIncludedAmount")
            for t in doc.get("orderTotalPrice") or []
        }
        return cls(
            id=doc["id"],
            state=doc.get("state", ""),
            customer_id=_owner(doc),
            items=items,
            order_date=_dt(doc.get("orderDate")),
            expected_completion=_dt(doc.get("expectedCompletionDate")),
            completion_date=_dt(doc.get("completionDate")),
            charged_now=_money(totals.get("Paid from credit")),
            billed_later=_money(totals.get("Added to the next bill")),
            description=doc.get("description"),
            notes=[n.get("text", "") for n in doc.get("note") or []],
            external_id=doc.get("externalId"),
        )


class OrderCancellation(_Model):
    id: str
    state: str
    order_id: str
    reason: str | None = None

    @classmethod
    def from_tmf(cls, doc: Doc) -> OrderCancellation:
        return cls(
            id=doc["id"],
            state=doc.get("state", ""),
            order_id=(doc.get("productOrder") or {}).get("id", ""),
            reason=doc.get("cancellationReason"),
        )


class Charge(_Model):
    """A TMF678 applied billing rate: one line item (billed or not yet)."""

    id: str
    name: str
    type: str | None = None  # recurring | usage | oneTime | penalty
    amount: Decimal
    date: datetime | None = None
    is_billed: bool = False
    bill_id: str | None = None
    product_id: str | None = None
    description: str | None = None

    @property
    def out_of_bundle(self) -> bool:
        return self.type == "usage"

    @classmethod
    def from_tmf(cls, doc: Doc) -> Charge:
        return cls(
            id=doc["id"],
            name=doc.get("name", ""),
            type=doc.get("type"),
            amount=_money(doc.get("taxIncludedAmount")) or Decimal("0.00"),
            date=_dt(doc.get("date")),
            is_billed=bool(doc.get("isBilled")),
            bill_id=(doc.get("bill") or {}).get("id"),
            product_id=(doc.get("product") or {}).get("id"),
            description=doc.get("description"),
        )


class Bill(_Model):
    """A TMF678 customer bill, with its line items when fetched with `get_bill`."""

    id: str
    bill_no: str | None = None
    state: str
    customer_id: str | None = None
    billing_account_id: str | None = None
    bill_date: datetime | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    due_date: datetime | None = None
    amount_due: Decimal
    remaining: Decimal
    items: list[Charge] = Field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.remaining > 0 and self.due_date is not None and self.due_date < clock.now()

    @classmethod
    def from_tmf(cls, doc: Doc, items: list[Charge] | None = None) -> Bill:
        period = doc.get("billingPeriod") or {}
        return cls(
            id=doc["id"],
            bill_no=doc.get("billNo"),
            state=doc.get("state", ""),
            customer_id=_owner(doc),
            billing_account_id=(doc.get("billingAccount") or {}).get("id"),
            bill_date=_dt(doc.get("billDate")),
            period_start=_dt(period.get("startDateTime")),
            period_end=_dt(period.get("endDateTime")),
            due_date=_dt(doc.get("paymentDueDate")),
            amount_due=_money(doc.get("amountDue")) or Decimal("0.00"),
            remaining=_money(doc.get("remainingAmount")) or Decimal("0.00"),
            items=items or [],
        )


class UsageSummary(_Model):
    """Charges in a period, with the out-of-bundle part separated."""

    start: datetime | None = None
    end: datetime | None = None
    charges: list[Charge]

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0.00"))

    @property
    def out_of_bundle_total(self) -> Decimal:
        return sum((c.amount for c in self.charges if c.out_of_bundle), Decimal("0.00"))


class Payment(_Model):
    id: str
    status: str
    amount: Decimal
    bill_id: str | None = None
    payment_method_id: str | None = None
    date: datetime | None = None

    @classmethod
    def from_tmf(cls, doc: Doc) -> Payment:
        item = (doc.get("paymentItem") or [{}])[0].get("item") or {}
        return cls(
            id=doc["id"],
            status=doc.get("status", ""),
            amount=_money(doc.get("totalAmount")) or Decimal("0.00"),
            bill_id=item.get("id"),
            payment_method_id=(doc.get("paymentMethod") or {}).get("id"),
            date=_dt(doc.get("paymentDate")),
        )


class Ticket(_Model):
    """A TMF621 trouble ticket (fault, billing dispute, complaint)."""

    id: str
    status: str
    ticket_type: str
    name: str | None = None
    description: str = ""
    severity: str | None = None
    priority: str | None = None
    customer_id: str | None = None
    product_id: str | None = None
    bill_id: str | None = None
    created: datetime | None = None
    expected_resolution: datetime | None = None
    resolution_date: datetime | None = None
    status_reason: str | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status not in {"closed", "cancelled", "rejected", "resolved"}

    @classmethod
    def from_tmf(cls, doc: Doc) -> Ticket:
        entities = doc.get("relatedEntity") or []
        return cls(
            id=doc["id"],
            status=doc.get("status", ""),
            ticket_type=doc.get("ticketType", ""),
            name=doc.get("name"),
            description=doc.get("description", ""),
            severity=doc.get("severity"),
            priority=doc.get("priority"),
            customer_id=_owner(doc),
            product_id=next(
                (e["id"] for e in entities if e.get("@referredType") == "Product"), None
            ),
            bill_id=next(
                (e["id"] for e in entities if e.get("@referredType") == "CustomerBill"), None
            ),
            created=_dt(doc.get("creationDate")),
            expected_resolution=_dt(doc.get("expectedResolutionDate")),
            resolution_date=_dt(doc.get("resolutionDate")),
            status_reason=doc.get("statusChangeReason"),
            notes=[n.get("text", "") for n in doc.get("note") or []],
        )


class Task(_Model):
    id: str
    name: str
    state: str


class ServiceRequest(_Model):
    """A TMF701 process flow (SIM swap, eSIM, port-in, device activation, installation)."""

    id: str
    kind: str
    state: str
    customer_id: str | None = None
    product_id: str | None = None
    created: datetime | None = None
    characteristics: dict[str, Any] = Field(default_factory=dict)
    tasks: list[Task] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state in {"active", "hold"}

    @classmethod
    def from_tmf(cls, doc: Doc, tasks: list[Doc] | None = None) -> ServiceRequest:
        return cls(
            id=doc["id"],
            kind=doc.get("processFlowSpecification", ""),
            state=doc.get("state", ""),
            customer_id=_owner(doc),
            product_id=next(
                (
                    e["id"]
                    for e in doc.get("relatedEntity") or []
                    if e.get("@referredType") == "Product"
                ),
                None,
            ),
            created=_dt(doc.get("processFlowDate")),
            characteristics=_chars(doc, "characteristic"),
            tasks=[
                Task(id=t["id"], name=t.get("taskFlowSpecification", ""), state=t.get("state", ""))
                for t in tasks or []
            ],
        )


class Outage(_Model):
    id: str
    title: str
    service: str
    districts: list[str]
    since: datetime | None = None
    expected_fix: datetime | None = None
    affects_postcode: bool = False


class Coverage(_Model):
    postcode: str
    area: str
    place: str
    mobile: str
    fibre: bool
    outages: list[Outage] = Field(default_factory=list)

    @classmethod
    def from_wire(cls, doc: Doc) -> Coverage:
        return cls(
            postcode=doc["postcode"],
            area=doc["area"],
            place=doc["place"],
            mobile=doc["mobile"],
            fibre=bool(doc["fibre"]),
            outages=[
                Outage(
                    id=o["id"],
                    title=o["title"],
                    service=o["service"],
                    districts=o.get("districts", []),
                    since=_dt(o.get("since")),
                    expected_fix=_dt(o.get("expectedFix")),
                    affects_postcode=bool(o.get("affectsPostcode")),
                )
                for o in doc.get("outages") or []
            ],
        )


class Subscription(_Model):
    id: str
    callback: str
    query: str | None = None
    api: HubApi


class Interaction(_Model):
    """A TMF683 party interaction: the operator's record of one contact with a customer."""

    id: str
    status: str
    direction: str
    reason: str
    channel: str | None = None

    @classmethod
    def from_tmf(cls, doc: Doc) -> Interaction:
        channels = doc.get("channel") or []
        return cls(
            id=doc["id"],
            status=doc.get("status", ""),
            direction=doc.get("direction", ""),
            reason=doc.get("reason", ""),
            channel=channels[0].get("id") if channels else None,
        )


class Message(_Model):
    id: str
    state: str
    message_type: str
    content: str

    @classmethod
    def from_tmf(cls, doc: Doc) -> Message:
        return cls(
            id=doc["id"],
            state=doc.get("state", ""),
            message_type=doc.get("messageType", ""),
            content=doc.get("content", ""),
        )
