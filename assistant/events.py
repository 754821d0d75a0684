"""Typed turn events. CONTRACT.md §3 is their wire form: `api/` turns each into an SSE frame whose
`event:` is the class's `name` and whose `data:` is `model_dump(mode="json", exclude={"name"})`.

Only add fields or events; never rename or remove them (clients rely on the contract). The
action events are defined by the tools that produce them and re-exported here."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from switchboard.wire import WireEvent
from tools.events import ActionExecuted as ActionExecuted
from tools.events import ActionProposed as ActionProposed

Capability = Literal[
    "faq",
    "balance_usage",
    "top_up",
    "plan_change",
    "renewal",
    "addons_limits",
    "roaming",
    "billing_payments",
    "call_features",
    "sim_line",
    "coverage_faults",
    "request_status",
    "retention",
    "human_agent",
    "greeting",
    "out_of_scope",
]
CAPABILITIES: tuple[str, ...] = Capability.__args__  # type: ignore[attr-defined]
Outcome = Literal["answered", "acted", "proposed", "clarified", "handed_off", "refused"]


_Event = WireEvent  # every event below; the action events are the tools' (tools/events.py)


class TurnStarted(_Event):
    name: ClassVar[str] = "turn.started"
    kind: Literal["turn.started"] = "turn.started"
    turn_id: str
    conversation_id: str


class PassageRef(BaseModel):
    doc_id: str
    title: str
    score: float


class Retrieval(_Event):
    name: ClassVar[str] = "retrieval"
    kind: Literal["retrieval"] = "retrieval"
    passages: list[PassageRef]


class Token(_Event):
    name: ClassVar[str] = "token"
    kind: Literal["token"] = "token"
    text: str


class ToolCall(_Event):
    name: ClassVar[str] = "tool.call"
    kind: Literal["tool.call"] = "tool.call"
    call_id: str
    tool: str
    args: dict[str, Any]


class ToolResult(_Event):
    name: ClassVar[str] = "tool.result"
    kind: Literal["tool.result"] = "tool.result"
    call_id: str
    tool: str
    status: Literal["ok", "error"]
    summary: str


class Citation(_Event):
    name: ClassVar[str] = "citation"
    kind: Literal["citation"] = "citation"
    doc_id: str
    title: str
    url: str


class Handoff(_Event):
    name: ClassVar[str] = "handoff"
    kind: Literal["handoff"] = "handoff"
    reason: str
    queue: str
    summary: str


class AgentMessage(_Event):
    name: ClassVar[str] = "agent.message"
    kind: Literal["agent.message"] = "agent.message"
    agent: str
    text: str


class Notification(_Event):
    name: ClassVar[str] = "notification"
    kind: Literal["notification"] = "notification"
    # `kind` is taken by the discriminator, so the contract's `kind` travels as `notification_kind`
    # internally and is renamed on the wire by `data()`.
    notification_kind: str
    text: str
    ref: str | None = None
    state: str | None = None  # the BSS state for `order`, `ticket` and `service_request`

    def data(self) -> dict[str, Any]:
        found = {"kind": self.notification_kind, "text": self.text, "ref": self.ref}
        return found | ({"state": self.state} if self.state is not None else {})


class ErrorEvent(_Event):
    name: ClassVar[str] = "error"
    kind: Literal["error"] = "error"
    code: str
    message: str


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class TurnCompleted(_Event):
    name: ClassVar[str] = "turn.completed"
    kind: Literal["turn.completed"] = "turn.completed"
    turn_id: str
    text: str
    capability: Capability | None
    outcome: Outcome
    confidence: float = Field(ge=0.0, le=1.0)
    tools: list[str]
    citations: list[str]
    usage: Usage
    latency_ms: int


class PlaybookStep(_Event):
    """Where the conversation's playbook is (assistant/playbooks/, ADR 0050): the journey, its
    current step, the slots collected and the read results kept. The latest one in the log is
    the state, so a journey survives a restart and a channel switch. Added event: clients that
    do not know it ignore it."""

    name: ClassVar[str] = "playbook.step"
    kind: Literal["playbook.step"] = "playbook.step"
    playbook: str
    step: str | None  # None once the journey has ended
    status: Literal["active", "done", "cancelled", "handed_off"]
    slots: dict[str, str] = Field(default_factory=dict)
    saved: dict[str, Any] = Field(default_factory=dict)
    tried: list[str] = Field(default_factory=list)
    at: str  # ISO time of business (switchboard.clock) of the change


TurnEvent = Annotated[
    TurnStarted
    | Retrieval
    | Token
    | ToolCall
    | ToolResult
    | ActionProposed
    | ActionExecuted
    | Citation
    | Handoff
    | AgentMessage
    | Notification
    | ErrorEvent
    | PlaybookStep
    | TurnCompleted,
    Field(discriminator="kind"),
]


class CustomerMessage(_Event):
    """The customer's message as stored (payment data masked), logged before the turn runs so
    the event log holds the whole conversation; an agent console sees it live after a handoff.
    Added event: clients that do not know it ignore it."""

    name: ClassVar[str] = "customer.message"
    kind: Literal["customer.message"] = "customer.message"
    text: str
    client_message_id: str | None = None


class SurveyAsked(_Event):
    """A satisfaction survey after a resolved conversation (api/surveys.py, ADR 0025): the widget
    draws the scale's buttons and answers with `POST .../surveys/{survey_id}`; a phone gets the
    question as a message. Added event: clients that do not know it ignore it."""

    name: ClassVar[str] = "survey"
    kind: Literal["survey"] = "survey"
    survey_id: int
    survey_kind: Literal["nps", "csat"]  # `kind` on the wire, as in Notification
    question: str
    low: int
    high: int

    def data(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey_id,
            "kind": self.survey_kind,
            "question": self.question,
            "low": self.low,
            "high": self.high,
        }


class SurveyAnswered(_Event):
    """The customer answered the survey (from the widget or by a message)."""

    name: ClassVar[str] = "survey.answered"
    kind: Literal["survey.answered"] = "survey.answered"
    survey_id: int
    survey_kind: Literal["nps", "csat"]
    score: int

    def data(self) -> dict[str, Any]:
        return {"survey_id": self.survey_id, "kind": self.survey_kind, "score": self.score}
