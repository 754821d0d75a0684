"""Typed views of the TMF resources the tools use, one module per TMF API as in the client
(`party`, `inventory`, `catalog`, `balance`, `ordering`, `billing`, `tickets`, `flows`,
`communication`, the non-TMF `extension`), the account overview put together from them, and
`tmf`: the one `from_tmf` that reads every resource from its wire shape by a field map."""

from tools.bss.models.balance import Bucket, TopUp
from tools.bss.models.billing import Bill, Charge, Payment, UsageSummary
from tools.bss.models.catalog import Eligibility, Offering
from tools.bss.models.communication import HubApi, Interaction, Message, Subscription
from tools.bss.models.extension import Coverage, Outage
from tools.bss.models.flows import ServiceRequest, ServiceRequestKind, Task
from tools.bss.models.inventory import LineFeatures, Product, ProductKind
from tools.bss.models.ordering import Order, OrderCancellation, OrderItem
from tools.bss.models.overview import AccountOverview, LineOverview
from tools.bss.models.party import Customer, PaymentMethod
from tools.bss.models.tickets import Ticket, TicketType

__all__ = [
    "AccountOverview",
    "Bill",
    "Bucket",
    "Charge",
    "Coverage",
    "Customer",
    "Eligibility",
    "HubApi",
    "Interaction",
    "LineFeatures",
    "LineOverview",
    "Message",
    "Offering",
    "Order",
    "OrderCancellation",
    "OrderItem",
    "Outage",
    "Payment",
    "PaymentMethod",
    "Product",
    "ProductKind",
    "ServiceRequest",
    "ServiceRequestKind",
    "Subscription",
    "Task",
    "Ticket",
    "TicketType",
    "TopUp",
    "UsageSummary",
]
