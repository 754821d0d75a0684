"""TMF resource shapes: base paths, hrefs, references and money, in one place."""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]

API: dict[str, str] = {
    "customer": "/tmf-api/customerManagement/v4",
    "inventory": "/tmf-api/productInventory/v4",
    "catalog": "/tmf-api/productCatalogManagement/v4",
    "balance": "/tmf-api/prepayBalanceManagement/v4",
    "ordering": "/tmf-api/productOrderingManagement/v4",
    "bill": "/tmf-api/customerBillManagement/v4",
    "ticket": "/tmf-api/troubleTicket/v4",
    "processFlow": "/tmf-api/processFlowManagement/v4",
    "communication": "/tmf-api/communicationManagement/v4",
    "payment": "/tmf-api/paymentManagement/v4",
    "partyInteraction": "/tmf-api/partyInteraction/v4",
}

# resource kind -> (api, collection path segment)
KINDS: dict[str, tuple[str, str]] = {
    "customer": ("customer", "customer"),
    "product": ("inventory", "product"),
    "productOffering": ("catalog", "productOffering"),
    "productOfferingPrice": ("catalog", "productOfferingPrice"),
    "bucket": ("balance", "bucket"),
    "topupBalance": ("balance", "topupBalance"),
    "productOrder": ("ordering", "productOrder"),
    "cancelProductOrder": ("ordering", "cancelProductOrder"),
    "customerBill": ("bill", "customerBill"),
    "appliedCustomerBillingRate": ("bill", "appliedCustomerBillingRate"),
    "troubleTicket": ("ticket", "troubleTicket"),
    "processFlow": ("processFlow", "processFlow"),
    "communicationMessage": ("communication", "communicationMessage"),
    "payment": ("payment", "payment"),
    "partyInteraction": ("partyInteraction", "partyInteraction"),
}

CURRENCY = "GBP"
VAT_RATE = 20.0


def href(kind: str, rid: str) -> str:
    api, segment = KINDS[kind]
    return f"{API[api]}/{segment}/{rid}"


def task_href(flow_id: str, task_id: str) -> str:
    return f"{API['processFlow']}/processFlow/{flow_id}/taskFlow/{task_id}"


def party(customer_id: str, *, name: str | None = None, role: str = "customer") -> Doc:
    ref: Doc = {
        "id": customer_id,
        "href": href("customer", customer_id),
        "role": role,
        "@referredType": "Customer",
    }
    if name:
        ref["name"] = name
    return ref


def ref(kind: str, rid: str, *, name: str | None = None, referred: str | None = None) -> Doc:
    doc: Doc = {"id": rid, "href": href(kind, rid)}
    if name:
        doc["name"] = name
    doc["@referredType"] = referred or kind[0].upper() + kind[1:]
    return doc


def money(value: float) -> Doc:
    """TMF620/622/637/678 `Money` (singular `unit`)."""
    return {"unit": CURRENCY, "value": round(value, 2)}


def quantity(amount: float, units: str = CURRENCY) -> Doc:
    """TMF654 `Quantity` (plural `units`)."""
    return {"amount": round(amount, 2), "units": units}


def price(value: float) -> Doc:
    """TMF `Price`: tax-included and duty-free amounts at the UK VAT rate."""
    duty_free = value / (1 + VAT_RATE / 100)
    return {
        "taxIncludedAmount": money(value),
        "dutyFreeAmount": money(duty_free),
        "taxRate": VAT_RATE,
    }


def gbp(value: float) -> str:
    return f"£{value:,.2f}"


def characteristic(name: str, value: Any) -> Doc:
    value_type = (
        "boolean"
        if isinstance(value, bool)
        else "number"
        if isinstance(value, int | float)
        else "string"
    )
    return {"name": name, "value": value, "valueType": value_type}


def char_value(doc: Doc, name: str, default: Any = None, key: str = "productCharacteristic") -> Any:
    for item in doc.get(key) or []:
        if item.get("name") == name:
            return item.get("value")
    return default


def set_char(doc: Doc, name: str, value: Any, key: str = "productCharacteristic") -> None:
    items = doc.setdefault(key, [])
    for item in items:
        if item.get("name") == name:
            item["value"] = value
            item["valueType"] = characteristic(name, value)["valueType"]
            return
    items.append(characteristic(name, value))


def owner(doc: Doc) -> str | None:
    """The customer a resource belongs to, from its `relatedParty` with role customer."""
    for p in doc.get("relatedParty") or []:
        if p.get("@referredType") == "Customer" or p.get("role") == "customer":
            return str(p["id"])
    return None
