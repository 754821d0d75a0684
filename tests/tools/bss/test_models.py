"""The TMF models read an operator's documents liberally through one field map each
(tools/bss/models/tmf.py): what is missing or null takes the model's default, a named entry of
a list is found by its values, amounts are kept to the penny."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tools.bss.models import Customer, Order, Product, Ticket


def test_a_sparse_product_reads_with_defaults() -> None:
    product = Product.from_tmf({"id": "p-1", "status": " active ", "productTerm": None})
    assert (product.name, product.kind, product.status) == ("p-1", "unknown", "active")
    assert product.minimum_term_end is None and product.price is None
    assert product.characteristics == {}


def test_named_entries_are_found_by_their_values() -> None:
    product = Product.from_tmf(
        {
            "id": "p-2",
            "name": "Line",
            "productTerm": [
                {"name": "bundlePeriod", "validFor": {"endDateTime": "2026-12-01T00:00:00Z"}},
                {"name": "minimumTerm", "validFor": {"endDateTime": "2027-06-30T00:00:00Z"}},
            ],
            "productPrice": [{"price": {"taxIncludedAmount": {"value": 12.3}}}],
            "productRelationship": [
                {"relationshipType": "bundled", "product": {"id": "p-9"}},
                {"relationshipType": "addOnTo", "product": {"id": "p-1"}},
            ],
        }
    )
    assert product.minimum_term_end == datetime(2027, 6, 30, tzinfo=UTC)
    assert product.renewal_date == datetime(2026, 12, 1, tzinfo=UTC)
    assert product.addon_to == "p-1"
    assert product.price == Decimal("12.30")
    order = Order.from_tmf(
        {
            "id": "o-1",
            "orderTotalPrice": [
                {"name": "Added to the next bill", "price": {"taxIncludedAmount": {"value": 5}}}
            ],
        }
    )
    assert (order.state, order.items, order.charged_now) == ("", [], None)
    assert order.billed_later == Decimal("5.00")


def test_parties_and_entities_are_told_apart() -> None:
    customer = Customer.from_tmf(
        {
            "id": "c-1",
            "engagedParty": {"name": "Acme Ltd"},
            "contactMedium": [
                {"mediumType": "mobile", "characteristic": {"phoneNumber": "+447700900001"}},
                {"mediumType": "email", "characteristic": {"emailAddress": "ops@acme.test"}},
            ],
            "relatedParty": [{"role": "contact", "name": "Dana"}],
        }
    )
    assert (customer.name, customer.email, customer.postcode) == ("Acme Ltd", "ops@acme.test", None)
    assert (customer.msisdns, customer.contact_name) == (["+447700900001"], "Dana")
    ticket = Ticket.from_tmf(
        {
            "id": "t-1",
            "relatedParty": [{"id": "c-1", "@referredType": "Customer"}],
            "relatedEntity": [
                {"id": "bill-7", "@referredType": "CustomerBill"},
                {"id": "p-2", "@referredType": "Product"},
            ],
        }
    )
    assert (ticket.customer_id, ticket.product_id, ticket.bill_id) == ("c-1", "p-2", "bill-7")
