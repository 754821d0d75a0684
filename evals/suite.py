"""The suite format: YAML files of multi-turn conversations with expectations (docs/evals.md).

Every model forbids unknown keys, so a typo in a suite file is an error rather than an
expectation that silently never runs."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from assistant.events import CAPABILITIES

TOOLS: frozenset[str] = frozenset(
    {
        "get_account_overview",
        "get_usage",
        "list_offers",
        "get_bills",
        "get_request_status",
        "check_coverage",
        "search_knowledge",
        "top_up",
        "change_plan",
        "renew_plan",
        "buy_addon",
        "set_spending_cap",
        "set_roaming",
        "set_call_feature",
        "pay_bill",
        "set_autopay",
        "dispute_charge",
        "report_fault",
        "block_line",
        "unblock_line",
        "start_service_request",
        "transfer_to_human",
    }
)
OUTCOMES: tuple[str, ...] = ("answered", "acted", "proposed", "clarified", "handed_off", "refused")
_DEMO_MSISDN = re.compile(r"^\+447700900\d{3}$")
ANONYMOUS = "anonymous"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _check_capabilities(values: list[str] | None) -> list[str] | None:
    for value in values or []:
        if value not in CAPABILITIES:
            raise ValueError(f"unknown capability {value!r} (one of {', '.join(CAPABILITIES)})")
    return values


OneOrMany = Annotated[list[str], BeforeValidator(_one_or_many)]


class ToolExpectation(_Strict):
    """A tool that must be called; `args` is a subset its arguments must contain."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _known_tool(cls, value: str) -> str:
        if value not in TOOLS:
            raise ValueError(f"unknown tool {value!r}")
        return value


class HandoffExpectation(_Strict):
    """`handoff: true`, `handoff: false` or `handoff: {reason: customer_request}`."""

    expected: bool = True
    reason: OneOrMany | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return {"expected": value}
        if isinstance(value, str):
            return {"expected": True, "reason": value}
        return value


def _check_tool_names(values: list[str] | None) -> list[str] | None:
    for value in values or []:
        if value not in TOOLS and value != "any_write":
            raise ValueError(f"unknown tool {value!r} (or 'any_write')")
    return values


class TurnExpectation(_Strict):
    """What one assistant turn must do. Every field is optional: unset means "not checked".

    `capability` and `outcome` accept one value or a list of acceptable values; `contains` items
    are strings or lists of alternatives (any one must appear, case-insensitive)."""

    capability: OneOrMany | None = None
    outcome: OneOrMany | None = None
    tools: list[ToolExpectation] | None = None
    no_tools: OneOrMany | None = None
    action: Literal["proposed", "executed", "failed", "none"] | None = None
    handoff: HandoffExpectation | None = None
    citations: OneOrMany | None = None
    retrieved: OneOrMany | None = None
    contains: list[str | list[str]] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    max_latency_ms: int | None = Field(default=None, gt=0)
    judge: str | None = None

    @field_validator("capability")
    @classmethod
    def _known_capability(cls, values: list[str] | None) -> list[str] | None:
        return _check_capabilities(values)

    @field_validator("no_tools")
    @classmethod
    def _known_tools(cls, values: list[str] | None) -> list[str] | None:
        return _check_tool_names(values)

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            if value not in OUTCOMES:
                raise ValueError(f"unknown outcome {value!r} (one of {', '.join(OUTCOMES)})")
        return values


class TicketExpectation(_Strict):
    """A ticket, order or service request opened during the conversation."""

    kind: Literal["trouble_ticket", "dispute", "service_request", "any"] = "any"
    state: str | None = None


class StateExpectation(_Strict):
    """The BSS state of the customer's line when the conversation ends."""

    balance_delta: float | None = None
    plan: str | None = None
    addons_include: OneOrMany = Field(default_factory=list)
    addons_exclude: OneOrMany = Field(default_factory=list)
    line_status: str | None = None
    roaming: bool | None = None
    spending_cap: float | None = None
    new_tickets: int | None = Field(default=None, ge=0)
    ticket: TicketExpectation | None = None


class ConversationExpectation(_Strict):
    """What the whole conversation must achieve."""

    handoff: HandoffExpectation | None = None
    allow_handoff: bool = False  # with no handoff expectation, a handoff fails the case unless set
    state: StateExpectation | None = None
    no_tools: OneOrMany | None = None
    resolved: bool | None = None
    max_latency_ms: int | None = Field(default=None, gt=0)

    @field_validator("no_tools")
    @classmethod
    def _known_tools(cls, values: list[str] | None) -> list[str] | None:
        return _check_tool_names(values)


class Turn(_Strict):
    """One scripted customer message; `confirm_action: true` confirms the pending action through
    the API (the widget's button) instead of sending text."""

    user: str = ""
    confirm_action: bool = False
    expect: TurnExpectation = Field(default_factory=TurnExpectation)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool) or (
            isinstance(value, dict) and isinstance(value.get("user"), bool)
        ):
            raise ValueError('quote the message: YAML reads yes/no/on/off as true/false ("yes")')
        return {"user": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_input(self) -> Turn:
        if not self.user.strip() and not self.confirm_action:
            raise ValueError("a turn needs a non-empty `user` message or `confirm_action: true`")
        return self


class SimulatedCustomer(_Strict):
    """An LLM plays the customer towards `goal` (only when a model is configured)."""

    goal: str
    opener: str | None = None
    max_turns: int = Field(default=6, ge=1, le=20)


class Case(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.:-]*$", max_length=120)]
    description: str = ""
    customer: str = ANONYMOUS
    channel: Literal["web", "whatsapp", "sms", "telegram"] = "web"
    state: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    turns: list[Turn] = Field(default_factory=list)
    simulate: SimulatedCustomer | None = None
    expect: ConversationExpectation = Field(default_factory=ConversationExpectation)

    @field_validator("customer")
    @classmethod
    def _demo_customer(cls, value: str) -> str:
        if value != ANONYMOUS and not _DEMO_MSISDN.match(value):
            raise ValueError("customer must be 'anonymous' or a demo msisdn +447700900xxx")
        return value

    @model_validator(mode="after")
    def _has_turns(self) -> Case:
        if not self.turns and self.simulate is None:
            raise ValueError("a case needs `turns` or `simulate`")
        if self.turns and self.turns[0].confirm_action:
            raise ValueError("the first turn cannot be `confirm_action`")
        return self

    @property
    def anonymous(self) -> bool:
        return self.customer == ANONYMOUS


class Suite(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    cases: list[Case]
    source: str = ""  # the file or benchmark it came from; set by the loader
