"""The executor's hands in a turn: tool calls through the turn's own tools (so every call is the
registry's, for the verified customer, with the confirmation protocol for writes), the journey's
lines as tokens, a digression answered by the turn's agent.

With the local engine the executor drives a tool step directly. With an LLM the model is shown
the step (what it is for, the slots collected) with only the step's tool bound, and its answer is
checked: a call to another tool, no call at all (a model that would skip the quote and say
"done") or other arguments are corrected — the step's tool runs with the journey's arguments."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from assistant.events import Token, ToolCall, TurnEvent
from assistant.playbooks.executor import ToolRun
from assistant.playbooks.format import Playbook
from assistant.playbooks.state import JourneyState
from assistant.turn import replies
from assistant.turn.reading import read_tool_message
from assistant.turn.request import TurnDeps, TurnFacts, TurnRequest
from tools.context import turn_config
from tools.registry import SIGN_IN, TOOL_SPECS

log = logging.getLogger(__name__)

Digress = Callable[[str, str], AsyncIterator[TurnEvent]]  # the question, the journey's note


def step_note(playbook: Playbook, state: JourneyState, tool: str | None) -> str:
    """What the model is told about the journey on a turn it takes part in."""
    step = playbook.step(state.step or "") if state.step else None
    slots = json.dumps(state.slots, ensure_ascii=False)
    lines = [
        f"You are guiding the customer through the '{playbook.title}' journey "
        f"(playbook {playbook.name}). Current step: {step.id if step else 'none'} "
        f"({step.kind if step else ''}). Collected so far: {slots}.",
    ]
    if tool is not None:
        lines.append(
            f"At this step call `{tool}` now, with the collected details; no other tool is "
            "allowed and nothing is done until the customer confirms a quote on a later turn."
        )
    return " ".join(lines)


class TurnHands:
    """Collects the journey's events in order; `events` is yielded by the turn afterwards."""

    def __init__(
        self,
        request: TurnRequest,
        deps: TurnDeps,
        facts: TurnFacts,
        *,
        playbook: Playbook,
        state: JourneyState,
        digress: Digress,
        drive_model: bool,
    ) -> None:
        self.request, self.deps, self.facts = request, deps, facts
        self.playbook, self.state = playbook, state
        self._digress = digress
        self.drive_model = drive_model
        self.events: list[TurnEvent] = []
        self.corrections: list[str] = []  # what the model was held to (logged, and for tests)
        self._tools = {t.name: t for t in deps.tools}
        self._calls = 0

    def say(self, text: str) -> None:
        if not text:
            return
        separator = " " if self.facts.reply and not text.startswith("\n") else ""
        self.facts.reply.append(separator + text)
        self.events.append(Token(text=separator + text))

    async def call(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun:
        return await self._run(tool, await self._held(tool, args))

    async def quote(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun:
        run = await self._run(tool, await self._held(tool, args))
        if run.proposed:
            self.facts.outcome = "proposed"
            self.say(replies.confirm_prompt(run.summary))
        else:
            self.say(run.summary)
        return run

    async def hand_off(self, reason: str, summary: str) -> None:
        run = await self._run("transfer_to_human", {"reason": reason, "summary": summary})
        self.say(run.summary)

    async def digress(self, text: str) -> None:
        # An LLM is told where the journey stands; the local engine reads no notes.
        note = (
            step_note(self.playbook, self.state, None)
            + " The customer asked something beside it: answer that only."
            if self.drive_model
            else ""
        )
        async for event in self._digress(text, note):
            self.events.append(event)

    # -- the model, held to the step --------------------------------------------------------

    async def _held(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        """With an LLM: ask the model to make the step's call and check what it does. Another
        tool, or no call, is not obeyed: the step's call is made. The journey's arguments win;
        the model may only add arguments the journey leaves empty (never the line)."""
        if not self.drive_model:
            return args
        messages: Sequence[BaseMessage] = [
            SystemMessage(step_note(self.playbook, self.state, tool)),
            *self.request.history,
            HumanMessage(self.request.text),
        ]
        allowed = [self._tools[tool]] if tool in self._tools else []
        try:
            reply = await self.deps.model.bind_tools(allowed).ainvoke(list(messages))
        except Exception as exc:  # the step runs anyway: the model only takes part
            log.warning("playbook %s: model failed at a held step: %r", self.playbook.name, exc)
            return args
        if not isinstance(reply, AIMessage):
            return args
        self.facts.add_usage(reply.usage_metadata)
        made = [c["name"] for c in reply.tool_calls]
        if made != [tool]:
            self._correct(f"{self.state.step}: the model made {made or 'no call'}")
            return args
        spec = TOOL_SPECS.get(tool)
        fields = set(spec.args_model.model_fields) - {"msisdn"} if spec else set()
        given = reply.tool_calls[0]["args"]
        if any(given.get(name) != value for name, value in args.items()):
            self._correct(f"{self.state.step}: the journey's arguments, not the model's")
        extra = {k: v for k, v in given.items() if k in fields and k not in args}
        if not extra or spec is None:
            return args
        try:
            spec.args_model.model_validate({**extra, **args})
        except ValidationError:
            self._correct(f"{self.state.step}: the model's extra arguments were not valid")
            return args
        return {**extra, **args}

    def _correct(self, what: str) -> None:
        self.corrections.append(what)
        log.info("playbook %s held the model: %s", self.playbook.name, what)

    async def _run(self, tool: str, args: dict[str, Any]) -> ToolRun:
        spec = TOOL_SPECS.get(tool)
        if spec is not None and spec.needs_sign_in and not self.request.ctx.signed_in:
            # Asking would only be refused: the journey says why instead of calling the tool.
            return ToolRun(ok=False, summary=SIGN_IN, data={"code": "sign_in_required"})
        found = self._tools.get(tool)
        self._calls += 1
        call_id = f"pb-{self.request.ctx.turn_id[:8]}-{self._calls}"
        self.events.append(ToolCall(call_id=call_id, tool=tool, args=args))
        self.facts.tools.append(tool)
        if found is None:
            return ToolRun(ok=False, summary="That isn't available here.", data={})
        call = {"type": "tool_call", "name": tool, "args": args, "id": call_id}
        message = await found.ainvoke(call, config=turn_config(self.request.ctx))
        if self.request.trace is not None:  # replayed in the next turns' prompts, as the agent's
            self.request.trace.add_call(AIMessage("", tool_calls=[call]))  # type: ignore[list-item]
            self.request.trace.add_result(message)
        reading = read_tool_message(message)
        self.events.extend(self.facts.on_tool_message(reading))
        data = reading.data if isinstance(reading.data, dict) else {}
        return ToolRun(
            ok=reading.status == "ok",
            summary=reading.proposed.summary if reading.proposed else reading.summary,
            data=data,
            proposed=reading.proposed is not None,
        )
