"""A turn's part in a playbook journey (called by assistant/turn/loop.py; the format, loader and
executor are assistant/playbooks/): find the active journey or the one the message starts, apply
repair, move the executor, record the new state.

Every journey turn ends with a `playbook.step` event, the state the next turn reads back from the
log (assistant/playbooks/state.py)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import cast

from assistant.events import CAPABILITIES, ActionExecuted, Capability, TurnEvent
from assistant.local.dialogue import ENGINE
from assistant.playbooks import repair
from assistant.playbooks.executor import Executor
from assistant.playbooks.format import Ask, Playbook, Quote
from assistant.playbooks.options import answers
from assistant.playbooks.state import JourneyState
from assistant.turn.journey_hands import Digress, TurnHands
from assistant.turn.request import TurnDeps, TurnFacts, TurnRequest
from switchboard import clock


@dataclass
class Journey:
    playbook: Playbook
    state: JourneyState
    new: bool = False

    def at_quote(self) -> bool:
        step = self.state.step
        return bool(step) and isinstance(self.playbook.step(step or ""), Quote)


def drives_steps(deps: TurnDeps) -> bool:
    """The local engine's steps are driven by the executor; any other model takes part."""
    return getattr(deps.model, "_llm_type", "") == "switchboard-local"


def active_journey(request: TurnRequest, deps: TurnDeps) -> Journey | None:
    library = deps.playbooks
    state = request.journey
    if library is None or state is None or not state.active:
        return None
    playbook = library.get(state.playbook)
    if playbook is None or state.step not in {s.id for s in playbook.steps}:
        return None  # the playbook was removed or changed under the journey: start afresh
    if state.moved and not _continues(playbook, state, request.text):
        return None
    return Journey(playbook, copy.deepcopy(state))


def _continues(playbook: Playbook, state: JourneyState, text: str) -> bool:
    """A journey from the customer's other conversation carries on here only if it is recent
    and this message answers its question (the PAC asked for on the web, sent by WhatsApp);
    anything else is a new request, answered as such."""
    if repair.returned_after(playbook, state, clock.now()) is not None:
        return False
    step = playbook.step(state.step or "")
    return answers(step, text, state)


def started_journey(deps: TurnDeps, text: str) -> Journey | None:
    library = deps.playbooks
    name = library.match(text) if library is not None else None
    playbook = library.get(name) if library is not None else None
    if playbook is None:
        return None
    return Journey(playbook, JourneyState(playbook.name, playbook.steps[0].id), new=True)


def _hands(
    journey: Journey, request: TurnRequest, deps: TurnDeps, facts: TurnFacts, digress: Digress
) -> TurnHands:
    return TurnHands(
        request,
        deps,
        facts,
        playbook=journey.playbook,
        state=journey.state,
        digress=digress,
        drive_model=not drives_steps(deps),
    )


async def run_journey(
    journey: Journey,
    request: TurnRequest,
    deps: TurnDeps,
    facts: TurnFacts,
    text: str,
    digress: Digress,
) -> AsyncIterator[TurnEvent]:
    """The turn of a journey: the customer's message moves it on (or repairs it). A message that
    answers nothing here and starts another journey ("my phone was stolen" while porting a
    number) leaves this one and starts that one."""
    if not journey.new and (other := _switch(journey, deps, text)) is not None:
        journey.state.status = "cancelled"
        yield journey.state.event()
        journey = other
    hands = _hands(journey, request, deps, facts, digress)
    executor = Executor(journey.playbook, journey.state, hands)
    playbook, state = journey.playbook, journey.state
    kind = None if journey.new else repair.classify(playbook, state, text)
    if kind != "digression":  # a digression's answer is the agent's, scored as such
        facts.capability = _capability(playbook)
        facts.fixed_confidence = 0.9
    if journey.new:
        await executor.start(text)
    else:
        back = repair.returned_after(playbook, state, clock.now())
        if back == "restart":
            hands.say(repair.RESTART.format(title=playbook.title.lower()))
            state.step, state.slots, state.saved, state.tried = playbook.steps[0].id, {}, {}, []
            await executor.start(text)
        elif kind == "cancel":
            await executor.cancel()
        elif kind == "tried":
            await executor.tried(text)
        elif kind == "digression":
            await executor.digress(text)
        else:
            if back == "resume" or state.moved:
                hands.say(repair.RESUME.format(title=playbook.title.lower()))
            await executor.on_message(text, open_quote=request.pending is not None)
    for event in hands.events:
        yield event
    _settle_outcome(journey, facts)
    yield state.event()


def _switch(journey: Journey, deps: TurnDeps, text: str) -> Journey | None:
    step = journey.playbook.step(journey.state.step or "")
    if answers(step, text, journey.state):
        return None
    if repair.classify(journey.playbook, journey.state, text) is not None:
        return None
    other = started_journey(deps, text)
    return other if other is not None and other.playbook.name != journey.playbook.name else None


async def after_decision(
    journey: Journey,
    request: TurnRequest,
    deps: TurnDeps,
    facts: TurnFacts,
    *,
    confirmed: bool,
    executed: ActionExecuted | None,
) -> AsyncIterator[TurnEvent]:
    """The customer answered the journey's quote: carry on from the step after it."""
    if not journey.at_quote():
        return
    hands = _hands(journey, request, deps, facts, _no_digression)
    ok = executed is not None and executed.status == "ok"
    await Executor(journey.playbook, journey.state, hands).after_decision(confirmed, ok)
    for event in hands.events:
        yield event
    if ok and executed is not None and journey.state.status == "done":
        _leave_topic(journey, request, deps, executed)
    yield journey.state.event()


def _leave_topic(
    journey: Journey, request: TurnRequest, deps: TurnDeps, executed: ActionExecuted
) -> None:
    """A journey that ended on a confirmed action leaves the local engine the dialogue state its
    own turns keep (`response_metadata`, read by assistant/local/dialogue.previous_state): with
    the playbook's `follow_up: request_status`, a status read of the action's reference, so a
    short question right after ("is it fixed?") is about the ticket just opened. Other models
    read no such state."""
    if journey.playbook.follow_up is None or request.trace is None or not drives_steps(deps):
        return
    ref = (executed.receipt or {}).get("bss_ref")
    request.trace.meta = {
        "engine": ENGINE,
        "capability": "request_status",
        "intent": "status",  # the engine's one request_status intent (its exemplars)
        "slots": {"ref": str(ref)} if ref else {},
    }


async def _no_digression(text: str, note: str) -> AsyncIterator[TurnEvent]:
    return
    yield  # an async generator with nothing in it


def ended(journey: Journey, status: str) -> TurnEvent:
    """The journey stops outside the executor (the customer asked for a person)."""
    journey.state.status = status
    return journey.state.event()


def _capability(playbook: Playbook) -> Capability | None:
    known = playbook.capability in CAPABILITIES  # the loader refuses any other
    return cast(Capability, playbook.capability) if known else None


def _settle_outcome(journey: Journey, facts: TurnFacts) -> None:
    """A journey waiting on the customer's answer has asked for information; otherwise the
    turn's outcome is what its tools did (finish_turn)."""
    if facts.outcome is not None or facts.tool_handoff is not None:
        return
    state = journey.state
    step = journey.playbook.step(state.step) if state.step else None
    if state.active and isinstance(step, Ask):
        facts.outcome = "clarified"


__all__ = [
    "Journey",
    "active_journey",
    "after_decision",
    "ended",
    "run_journey",
    "started_journey",
]
