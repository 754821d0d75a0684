"""TMF678 bills and their line items (`appliedCustomerBillingRate`), and bill payments
(a TMF676-style `payment` resource, see ADR 0002)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.errors import TmfError, bad_request, not_found, rule
from bss.shapes import gbp, href, money

Doc = dict[str, Any]
VAT = 20.0


def _tax(amount: float) -> tuple[float, float]:
    excluded = round(amount / (1 + VAT / 100), 2)
    return excluded, round(amount - excluded, 2)


def rate_doc(
    *,
    rate_id: str,
    account_id: str,
    line: Doc | None,
    name: str,
    amount: float,
    kind: str,
    when: datetime,
    bill_id: str | None = None,
    period: tuple[datetime, datetime] | None = None,
    description: str | None = None,
) -> Doc:
    excluded, tax = _tax(amount)
    doc: Doc = {
        "id": rate_id,
        "href": href("appliedCustomerBillingRate", rate_id),
        "@type": "AppliedCustomerBillingRate",
        "name": name,
        "type": kind,
        "date": iso(when),
        "isBilled": bill_id is not None,
        "description": description or name,
        "taxIncludedAmount": money(amount),
        "taxExcludedAmount": money(excluded),
        "appliedTax": [{"taxCategory": "VAT", "taxRate": VAT, "taxAmount": money(tax)}],
        "billingAccount": {"id": account_id, "@referredType": "BillingAccount"},
    }
    if line is not None:
        doc["product"] = {
            "id": line["id"],
            "href": line["href"],
            "name": line.get("name", ""),
            "@referredType": "Product",
        }
    if bill_id:
        doc["bill"] = {
            "id": bill_id,
            "href": href("customerBill", bill_id),
            "@referredType": "CustomerBill",
        }
    if period:
        doc["periodCoverage"] = {"startDateTime": iso(period[0]), "endDateTime": iso(period[1])}
    return doc


def bill_doc(
    *,
    bill_id: str,
    bill_no: str,
    customer_id: str,
    account_id: str,
    amount: float,
    bill_date: datetime,
    period: tuple[datetime, datetime],
    due: datetime,
    next_bill: datetime,
    state: str,
    remaining: float,
    payment_method: str | None,
) -> Doc:
    excluded, tax = _tax(amount)
    doc: Doc = {
        "id": bill_id,
        "href": href("customerBill", bill_id),
        "@type": "CustomerBill",
        "billNo": bill_no,
        "billDate": iso(bill_date),
        "runType": "onCycle",
        "category": "normal",
        "state": state,
        "lastUpdate": iso(bill_date),
        "billingPeriod": {"startDateTime": iso(period[0]), "endDateTime": iso(period[1])},
        "paymentDueDate": iso(due),
        "nextBillDate": iso(next_bill),
        "amountDue": money(amount),
        "remainingAmount": money(remaining),
        "taxIncludedAmount": money(amount),
        "taxExcludedAmount": money(excluded),
        "taxItem": [{"taxCategory": "VAT", "taxRate": VAT, "taxAmount": money(tax)}],
        "billingAccount": {"id": account_id, "@referredType": "BillingAccount"},
        "relatedParty": [
            {
                "id": customer_id,
                "role": "customer",
                "href": href("customer", customer_id),
                "@referredType": "Customer",
            }
        ],
        "billDocument": [
            {
                "id": f"{bill_id}-pdf",
                "name": f"Bill {bill_no}",
                "mimeType": "application/pdf",
                "attachmentType": "bill",
                "url": f"/documents/bills/{bill_id}.pdf",
            }
        ],
        "appliedPayment": [],
    }
    if payment_method:
        doc["paymentMethod"] = {"id": payment_method, "@referredType": "PaymentMethod"}
    return doc


async def add_charge(
    ctx: Ctx,
    *,
    customer_id: str,
    line: Doc,
    name: str,
    amount: float,
    kind: str,
    billed_from_credit: bool,
) -> None:
    """Record an unbilled charge (prepaid charges are marked as paid from credit)."""
    number = await ctx.repo.next_number("rate")
    doc = rate_doc(
        rate_id=f"rate-{number:06d}",
        account_id=line["billingAccount"]["id"],
        line=line,
        name=name,
        amount=amount,
        kind=kind,
        when=utcnow(),
        description=f"{name} (paid from credit)" if billed_from_credit else name,
    )
    await ctx.repo.put("appliedCustomerBillingRate", doc, customer_id=customer_id)


def _amount(body: Doc, key: str) -> float | None:
    value = (body.get(key) or {}).get("value")
    return None if value is None else float(value)


async def create_payment(ctx: Ctx, body: Doc) -> Doc:
    """Pay (part of) a bill: TMF676 `Payment` with `paymentItem[].item` = the CustomerBill."""
    items = body.get("paymentItem") or []
    if len(items) != 1 or (items[0].get("item") or {}).get("@referredType") != "CustomerBill":
        raise bad_request("A payment needs exactly one paymentItem whose item is a CustomerBill")
    bill_id = str(items[0]["item"].get("id", ""))
    bill = await ctx.repo.get("customerBill", bill_id)
    if bill is None:
        raise not_found("CustomerBill", bill_id)
    account = (body.get("account") or {}).get("id")
    if account and account != bill["billingAccount"]["id"]:
        raise not_found("CustomerBill", bill_id)
    remaining = float(bill["remainingAmount"]["value"])
    if remaining <= 0:
        raise rule("ALREADY_PAID", f"Bill {bill['billNo']} is already settled", 409)
    amount = _amount(items[0], "amount") or _amount(body, "totalAmount") or remaining
    if amount <= 0 or amount > remaining + 1e-9:
        raise rule("INVALID_AMOUNT", f"Pay between £0.01 and {gbp(remaining)} on this bill")
    method = (body.get("paymentMethod") or {}).get("id")
    customer = await ctx.repo.get("customer", bill["relatedParty"][0]["id"])
    methods = [m["id"] for m in (customer or {}).get("paymentMethod") or []]
    if method and method not in methods:
        raise rule("UNKNOWN_PAYMENT_METHOD", f"Payment method {method} is not on the account")
    number = await ctx.repo.next_number("payment")
    pid = f"PAY-{7100 + number}"
    doc: Doc = {
        "id": pid,
        "href": href("payment", pid),
        "@type": "Payment",
        "status": "succeeded",
        "paymentDate": iso(),
        "statusDate": iso(),
        "totalAmount": money(amount),
        "amount": money(amount),
        "description": f"Payment of bill {bill['billNo']}",
        "account": {"id": bill["billingAccount"]["id"], "@referredType": "BillingAccount"},
        "paymentMethod": {
            "id": method or (methods[0] if methods else "pm-unknown"),
            "@referredType": "PaymentMethod",
        },
        "paymentItem": [
            {
                "amount": money(amount),
                "item": {"id": bill_id, "href": bill["href"], "@referredType": "CustomerBill"},
            }
        ],
        "relatedParty": bill["relatedParty"],
    }
    for key in ("channel", "correlatorId"):
        if key in body:
            doc[key] = body[key]
    left = round(remaining - amount, 2)
    bill["remainingAmount"] = money(left)
    bill["state"] = "settled" if left <= 0 else "partiallyPaid"
    bill["lastUpdate"] = iso()
    bill.setdefault("appliedPayment", []).append(
        {
            "appliedAmount": money(amount),
            "payment": {"id": pid, "href": doc["href"], "@referredType": "Payment"},
        }
    )
    await ctx.repo.save("customerBill", bill)
    await ctx.repo.put("payment", doc, customer_id=bill["relatedParty"][0]["id"])
    return doc


def bill_owner_check(bill: Doc, customer_id: str | None) -> None:
    if customer_id and bill["relatedParty"][0]["id"] != customer_id:
        raise TmfError(404, "NOT_FOUND", f"CustomerBill {bill['id']} does not exist")
