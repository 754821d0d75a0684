"""One pydantic argument model per tool (CONTRACT.md §2). These are what a model fills in, so
nothing here names the customer: identity comes from the turn's verified context.

Every model forbids unknown fields and normalises its values (E.164 numbers, pence-exact amounts
amounts, upper-case postcodes); names are stable once published."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools.validation import (
    LongText,
    Money,
    Msisdn,
    OfferId,
    PositiveMoney,
    Postcode,
    Query,
    Ref,
    ShortText,
)

LINE_HELP = "which of the customer's own lines; leave empty for the line they are signed in with"


class ToolArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=4000)


class LineArgs(ToolArgs):
    msisdn: Msisdn | None = Field(default=None, description=LINE_HELP)


# --- read tools -------------------------------------------------------------------------------


class GetAccountOverviewArgs(LineArgs):
    pass


class GetUsageArgs(LineArgs):
    period: Literal["current", "previous"] = Field(
        default="current", description="the current billing period/bundle, or the previous one"
    )


class ListOffersArgs(LineArgs):
    kind: Literal["plan", "addon", "all"] = "all"


class GetBillsArgs(ToolArgs):
    limit: int = Field(default=3, ge=1, le=12, description="how many recent bills")
    bill_id: Ref | None = Field(default=None, description="one bill, with its line items")


class GetRequestStatusArgs(ToolArgs):
    ref: Ref | None = Field(
        default=None, description="an order, ticket or service request id; empty for all open"
    )
    kind: Literal["all", "order", "ticket", "service_request"] = "all"


class CheckCoverageArgs(ToolArgs):
    postcode: Postcode


class SearchKnowledgeArgs(ToolArgs):
    query: Query
    k: int = Field(default=4, ge=1, le=8)
    topic: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[a-z_]+$",
        description="optional capability id (CONTRACT §1) the question is about: that topic's "
        "articles rank a little higher, none is excluded",
    )


# --- write tools (quoted, executed after the customer confirms) ---------------------------------


class TopUpArgs(LineArgs):
    amount: PositiveMoney
    currency: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217; empty: the operator's"
    )


class ChangePlanArgs(LineArgs):
    offer_id: OfferId


class RenewPlanArgs(LineArgs):
    pass


class BuyAddonArgs(LineArgs):
    offer_id: OfferId


class SetSpendingCapArgs(LineArgs):
    amount: Money | None = Field(
        default=None, description="monthly cap in the operator's currency; empty removes it"
    )
    currency: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217; empty: the operator's"
    )


class SetRoamingArgs(LineArgs):
    enabled: bool


CallFeature = Literal["call_forwarding", "call_waiting", "voicemail", "caller_id"]
ForwardCondition = Literal["always", "no_answer", "busy", "unreachable"]


class SetCallFeatureArgs(LineArgs):
    feature: CallFeature
    enabled: bool
    forward_to: Msisdn | None = Field(
        default=None, description="for call_forwarding on: the number calls go to"
    )
    condition: ForwardCondition | None = Field(
        default=None, description="for call_forwarding on: when to forward (default always)"
    )

    @model_validator(mode="after")
    def _forwarding(self) -> Self:
        forwarding_on = self.feature == "call_forwarding" and self.enabled
        if forwarding_on and self.forward_to is None:
            raise ValueError("call forwarding needs the number to forward calls to")
        if not forwarding_on and (self.forward_to is not None or self.condition is not None):
            raise ValueError("forward_to and condition apply only to turning call forwarding on")
        return self


class PayBillArgs(ToolArgs):
    bill_id: Ref | None = Field(default=None, description="empty: the oldest unpaid bill")
    amount: PositiveMoney | None = Field(default=None, description="empty: the full balance due")
    currency: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217; empty: the operator's"
    )


class SetAutopayArgs(ToolArgs):
    enabled: bool
    day: int | None = Field(default=None, ge=1, le=28, description="day of the month, 1-28")

    @model_validator(mode="after")
    def _day(self) -> Self:
        if self.enabled and self.day is None:
            raise ValueError("which day of the month (1-28) should the payment be taken?")
        if not self.enabled and self.day is not None:
            raise ValueError("a day applies only to turning autopay on")
        return self


class DisputeChargeArgs(ToolArgs):
    bill_id: Ref
    item_id: Ref | None = Field(
        default=None, description="the bill line disputed; empty: the whole bill"
    )
    reason: ShortText


FaultKind = Literal[
    "no_signal", "slow_data", "calls_failing", "broadband_down", "broadband_slow", "other"
]


class ReportFaultArgs(LineArgs):
    kind: FaultKind
    description: LongText
    postcode: Postcode | None = Field(default=None, description="where the problem happens")


class BlockLineArgs(LineArgs):
    reason: Literal["lost", "stolen", "other"]


class UnblockLineArgs(LineArgs):
    pass


ServiceRequestKind = Literal[
    "sim_swap", "esim", "port_in", "device_activation", "broadband_installation"
]


class StartServiceRequestArgs(LineArgs):
    kind: ServiceRequestKind
    details: ShortText | None = None
    port_msisdn: Msisdn | None = Field(default=None, description="port_in: the number to bring")
    pac_code: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{3}\d{6}$",
        description="port_in: the PAC from the current provider, 3 letters and 6 digits",
    )
    postcode: Postcode | None = Field(default=None, description="broadband_installation address")
    offer_id: OfferId | None = Field(default=None, description="broadband_installation plan")
    preferred_date: date | None = None
    imei: str | None = Field(default=None, pattern=r"^\d{15}$", description="device_activation")

    @model_validator(mode="after")
    def _per_kind(self) -> Self:
        if self.kind == "port_in" and (self.port_msisdn is None or self.pac_code is None):
            raise ValueError("a port-in needs the number to bring and its PAC code")
        if self.kind == "broadband_installation" and self.postcode is None:
            raise ValueError("a broadband installation needs the postcode of the address")
        if self.kind != "port_in" and (self.port_msisdn or self.pac_code):
            raise ValueError("port_msisdn and pac_code apply only to a port-in")
        return self


HandoffReason = Literal[
    "customer_request",
    "retention",
    "cancellation",
    "port_out",
    "complaint",
    "compensation",
    "billing_dispute",
    "technical",
    "identity",
    "vulnerable_customer",
    "low_confidence",
    "unresolved",
    "other",
]


class TransferToHumanArgs(ToolArgs):
    reason: HandoffReason
    summary: LongText = Field(description="what the customer wants and what was tried so far")


ARGS_MODELS: dict[str, type[ToolArgs]] = {
    "get_account_overview": GetAccountOverviewArgs,
    "get_usage": GetUsageArgs,
    "list_offers": ListOffersArgs,
    "get_bills": GetBillsArgs,
    "get_request_status": GetRequestStatusArgs,
    "check_coverage": CheckCoverageArgs,
    "search_knowledge": SearchKnowledgeArgs,
    "top_up": TopUpArgs,
    "change_plan": ChangePlanArgs,
    "renew_plan": RenewPlanArgs,
    "buy_addon": BuyAddonArgs,
    "set_spending_cap": SetSpendingCapArgs,
    "set_roaming": SetRoamingArgs,
    "set_call_feature": SetCallFeatureArgs,
    "pay_bill": PayBillArgs,
    "set_autopay": SetAutopayArgs,
    "dispute_charge": DisputeChargeArgs,
    "report_fault": ReportFaultArgs,
    "block_line": BlockLineArgs,
    "unblock_line": UnblockLineArgs,
    "start_service_request": StartServiceRequestArgs,
    "transfer_to_human": TransferToHumanArgs,
}
