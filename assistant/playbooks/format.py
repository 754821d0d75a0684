"""The playbook format (docs/playbooks.md): one YAML file per journey, a list of steps.

A step is one of `ask` (a typed slot), `call` (a read tool), `branch` (on a slot or a tool
result), `say` (a templated message), `quote` (a write tool, through the confirmation protocol),
`handoff` (to a queue, with a reason) and `exit`. `next` defaults to the step listed after it.
The JSON Schema of this format is `Playbook.model_json_schema()` (`switchboard playbooks schema`).
Cross-step rules (known tools and slot types, reachability, exits) are the loader's."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Template = Annotated[str, Field(max_length=2000, description="text with {slot} placeholders")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Strict):
    """When a conversation starts this playbook: a message close to one of `examples`, or one
    that contains every word of one of `phrases`' entries."""

    examples: list[Annotated[str, Field(min_length=3)]] = Field(min_length=1)
    phrases: list[list[str]] = Field(
        default_factory=list, description="word sets; a message with all words of one starts it"
    )
    unless: list[str] = Field(
        default_factory=list, description="a message containing any of these never starts it"
    )
    unless_slots: list[str] = Field(
        default_factory=list, description="slot types: a message holding one never starts it"
    )


class Listen(_Strict):
    """A slot read from the customer's messages without asking (how they put the problem,
    whether they already asked for a ticket); `default` when they never say."""

    slot: StepId
    type: str
    choices: dict[str, list[str]] | None = None
    default: str | None = None


class _Step(_Strict):
    id: StepId
    next: StepId | None = Field(default=None, description="default: the step listed after it")


class Options(_Strict):
    """Type `option`: the choices are the entries of a list in a saved tool result (the line
    items of a bill). The customer picks one by its number in the list, its label's words or
    its amount; the slot holds the entry's `value`, and the whole entry is kept under the
    slot's name for templates (`{charge.name}`)."""

    from_: str = Field(alias="from", description="a saved list: `bill.bills.0.items`")
    value: str = Field(description="the entry's key the slot holds, e.g. `item_id`")
    label: str = Field(description="the entry's key that names it to the customer, e.g. `name`")
    amount: str | None = Field(
        default=None, description="the entry's key holding a money amount, shown and matched"
    )


class Ask(_Step):
    """Ask for a typed slot; the customer's answer is read by the slot type's extractor. In the
    prompt, `{options}` is the numbered list of a step's `options`."""

    kind: Literal["ask"] = "ask"
    slot: StepId
    type: str = Field(description="a slot type (docs/playbooks.md), e.g. postcode, phone, yes_no")
    prompt: Template
    invalid: Template | None = Field(default=None, description="said when the answer is unusable")
    choices: dict[str, list[str]] | None = Field(
        default=None, description="type `choice`: value -> words that mean it"
    )
    options: Options | None = Field(
        default=None, description="type `option`: the saved list the customer picks from"
    )
    if_tried: StepId | None = Field(
        default=None, description="where 'I already tried that' goes (default: `next`)"
    )
    prefill: bool = Field(
        default=True, description="read the slot from earlier messages of the journey too"
    )


class Call(_Step):
    """Call a read tool; its result is kept under `save_as` for branches and templates."""

    kind: Literal["call"] = "call"
    tool: str
    args: dict[str, str | int | bool] = Field(default_factory=dict)
    save_as: StepId | None = None


class Case(_Strict):
    equals: str | int | bool | None = None
    contains: str | None = None
    is_: Literal["empty", "nonempty", "true", "false", "ok", "error"] | None = Field(
        default=None, alias="is"
    )
    next: StepId


class Branch(_Step):
    """Go to the first case that holds for `check` (a slot or `saved.path.in.result`)."""

    kind: Literal["branch"] = "branch"
    check: str = Field(description="a slot, or a saved result's path: `coverage.summary`")
    cases: list[Case] = Field(min_length=1)
    otherwise: StepId


class Say(_Step):
    kind: Literal["say"] = "say"
    text: Template
    forget: list[StepId] = Field(
        default_factory=list, description="slots cleared here, so their steps ask them again"
    )


class Quote(_Step):
    """Quote a write tool: the customer confirms on a later turn (CONTRACT §4); `next` follows
    a confirmed action, `on_cancel` a declined one."""

    kind: Literal["quote"] = "quote"
    tool: str
    args: dict[str, str | int | bool] = Field(default_factory=dict)
    on_cancel: StepId | None = None


class Handoff(_Step):
    """Hand the conversation to a person: ends the journey."""

    kind: Literal["handoff"] = "handoff"
    reason: str = Field(description="a hand-off reason of transfer_to_human; it picks the queue")
    queue: str | None = Field(default=None, description="the reason's queue, stated for readers")
    text: Template | None = None
    summary: Template


class Exit(_Step):
    """The journey is over; `text` is said first."""

    kind: Literal["exit"] = "exit"
    text: Template | None = None


Step = Annotated[Ask | Call | Branch | Say | Quote | Handoff | Exit, Field(discriminator="kind")]


class Playbook(_Strict):
    name: StepId
    title: str
    capability: str = Field(description="the capability id (CONTRACT §1) of the journey's turns")
    description: str = ""
    trigger: Trigger
    resume_after_hours: float = Field(
        default=24, gt=0, description="after this long silent, `on_return` applies"
    )
    on_return: Literal["resume", "restart"] = "resume"
    follow_up: Literal["request_status"] | None = Field(
        default=None,
        description="what a short question right after the journey's confirmed action is "
        "about: `request_status`, the ticket or request it opened ('is it fixed?')",
    )
    listen: list[Listen] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    def step(self, step_id: str) -> Ask | Call | Branch | Say | Quote | Handoff | Exit:
        return next(s for s in self.steps if s.id == step_id)

    def following(self, step_id: str) -> str | None:
        """Where a step goes next when it does not say: the step listed after it."""
        index = next(i for i, s in enumerate(self.steps) if s.id == step_id)
        step = self.steps[index]
        if step.next is not None:
            return step.next
        return self.steps[index + 1].id if index + 1 < len(self.steps) else None


TERMINAL = (Handoff, Exit)
