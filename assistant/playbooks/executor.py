"""The one playbook executor, for every chat model: it moves a journey through its steps.

The executor decides *what* the journey does next; its `Hands` do it (call a tool, quote a write,
say a line, answer a digression) — with the local engine directly, with an LLM through the
model held to the step (assistant/turn/journey_hands.py). A turn ends on a question to the customer,
an open quote, a hand-off or an exit. Repair (assistant/playbooks/repair.py) comes first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.playbooks import repair
from assistant.playbooks.format import Ask, Branch, Call, Case, Exit, Handoff, Playbook, Quote, Say
from assistant.playbooks.options import answers, choices_of, options_of, options_text, resolve
from assistant.playbooks.slot_types import SLOT_TYPES, extract
from assistant.playbooks.state import JourneyState

_MAX_STEPS = 40  # steps moved in one turn: a loop in a playbook cannot hold the turn
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


@dataclass(frozen=True, slots=True)
class ToolRun:
    ok: bool
    summary: str
    data: dict[str, Any]
    proposed: bool = False


class Hands(Protocol):
    async def call(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun: ...

    async def quote(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun: ...

    async def hand_off(self, reason: str, summary: str) -> None: ...

    async def digress(self, text: str) -> None: ...

    def say(self, text: str) -> None: ...


def render(template: str, state: JourneyState, step: Ask | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) == "options" and step is not None:
            return options_text(step, state)
        found = resolve(state, match.group(1))
        if isinstance(found, list):
            return ", ".join(str(v) for v in found) or "none"
        return "" if found is None else str(found)

    return _PLACEHOLDER.sub(value, template)


def _args(args: dict[str, Any], state: JourneyState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in args.items():
        value = _tidy(render(raw, state)) if isinstance(raw, str) else raw
        if value != "":  # an optional slot left empty leaves the argument out
            out[name] = value
    return out


def _tidy(text: str) -> str:
    """A template with empty slots: no ". ." runs, no label left with nothing after it."""
    text = re.sub(r"(?:\s*\.)+(\s|$)", r".\1", text)
    text = re.sub(r"[^.]*:\s*(\.|$)", "", text)
    return " ".join(text.split()).strip(" .")


def _holds(case: Case, value: Any) -> bool:
    if case.contains is not None:
        return case.contains.lower() in str(value or "").lower()
    if case.is_ is not None:
        truthy = bool(value) and value not in ("no", "false")
        return {
            "empty": not value,
            "nonempty": bool(value),
            "true": truthy,
            "false": not truthy,
            "ok": isinstance(value, dict) and bool(value.get("ok")),
            "error": isinstance(value, dict) and not value.get("ok"),
        }[case.is_]
    return str(value).lower() == str(case.equals).lower()


class Executor:
    def __init__(self, playbook: Playbook, state: JourneyState, hands: Hands) -> None:
        self.playbook, self.state, self.hands = playbook, state, hands

    # -- entry points -----------------------------------------------------------------------

    async def start(self, text: str) -> None:
        """A message started the journey: whatever it already says fills its slots."""
        self.prefill(text)
        await self.run()

    async def on_message(self, text: str, *, open_quote: bool = False) -> None:
        """The customer's message while the journey waits on `state.step`."""
        step = self.playbook.step(self.state.step or "")
        self.listen(text)
        fixed = [] if answers(step, text, self.state) else self.corrections(text)
        if fixed:
            self.hands.say(repair.noted([self.playbook.step(f) for f in fixed], self.state))
            await self.rewind_to(fixed[0])
            return
        if isinstance(step, Ask):
            await self._answer(step, text)
        elif isinstance(step, Quote) and open_quote:
            await self._amend_quote(step, text)
        else:
            await self.run()

    async def cancel(self) -> None:
        self.state.status = "cancelled"
        self.hands.say(repair.CANCELLED.format(title=self.playbook.title.lower()))

    async def tried(self, text: str) -> None:
        """'I already tried that': the guided step counts as done and did not help."""
        step = self.playbook.step(self.state.step or "")
        if not isinstance(step, Ask):
            await self.run()
            return
        self.state.tried.append(step.id)
        self.state.slots["tried"] = ", ".join(self.state.tried)
        self.state.slots[step.slot] = "no" if step.type == "yes_no" else "tried"
        self.hands.say(repair.SKIP_TRIED)
        self._go(step.if_tried or self.playbook.following(step.id))
        await self.run()

    async def digress(self, text: str) -> None:
        """A question beside the journey: answered, then the step is asked again."""
        await self.hands.digress(text)
        step = self.playbook.step(self.state.step or "")
        if isinstance(step, Ask):
            prompt = render(step.prompt, self.state, step)
            self.hands.say("\n\n" + repair.BACK.format(prompt=prompt))
        elif isinstance(step, Quote):
            self.hands.say("\n\n" + repair.STILL_OPEN)

    async def after_decision(self, confirmed: bool, ok: bool) -> None:
        """The open quote of the current step was confirmed (and ran) or declined."""
        step = self.playbook.step(self.state.step or "")
        if not isinstance(step, Quote):
            return
        if confirmed and ok:
            self._go(self.playbook.following(step.id))
        elif not confirmed and step.on_cancel:
            self._go(step.on_cancel)
        else:
            self.state.status = "done" if confirmed else "cancelled"
            return
        await self.run()

    # -- slots ------------------------------------------------------------------------------

    def listen(self, text: str) -> None:
        for listen in self.playbook.listen:
            if listen.slot not in self.state.slots:
                value = extract(listen.type, text, listen.choices)
                if value is not None:
                    self.state.slots[listen.slot] = value

    def prefill(self, text: str) -> None:
        self.state.slots.setdefault("opening", " ".join(text.split())[:300])
        self.listen(text)
        for listen in self.playbook.listen:
            if listen.default is not None:
                self.state.slots.setdefault(listen.slot, listen.default)
        for step in self.playbook.steps:
            if isinstance(step, Ask) and step.prefill and SLOT_TYPES[step.type].prefillable:
                value = extract(step.type, text, step.choices)
                if value is not None and step.slot not in self.state.slots:
                    self.state.slots[step.slot] = value

    def corrections(self, text: str) -> list[str]:
        """Earlier slots this message gives a new value for ("actually it's LS2 7AB")."""
        changed: list[str] = []
        current = self.state.step
        for step in self.playbook.steps:
            if step.id == current:
                break
            if not isinstance(step, Ask) or step.slot not in self.state.slots:
                continue
            if not SLOT_TYPES[step.type].prefillable or step.type == "choice":
                continue
            value = extract(step.type, text, step.choices)
            if value is not None and value != self.state.slots[step.slot]:
                self.state.slots[step.slot] = value
                changed.append(step.id)
        return changed

    async def _answer(self, step: Ask, text: str) -> None:
        value = extract(step.type, text, choices_of(step, self.state))
        if value is None:
            invalid = render(step.invalid or repair.INVALID, self.state, step)
            self.hands.say(invalid + " " + render(step.prompt, self.state, step))
            return
        self.state.slots[step.slot] = value
        if step.options is not None:  # the picked entry, for `{slot.label}` and the like
            key = step.options.value
            picked = [e for e in options_of(step, self.state) if str(e.get(key)) == value]
            self.state.saved[step.slot] = picked[0] if picked else {}
        self._go(self.playbook.following(step.id))
        await self.run()

    async def _amend_quote(self, step: Quote, text: str) -> None:
        """More detail while the quote is open: added to the journey's free-text slot that the
        quote carries, and quoted afresh (the new quote supersedes the old)."""
        carried = [
            s
            for s in self.playbook.steps
            if isinstance(s, Ask) and s.type == "text" and f"{{{s.slot}}}" in str(step.args)
        ]
        if not carried or len(text.split()) < 2:
            self.hands.say(repair.STILL_OPEN)
            return
        slot = carried[-1].slot
        self.state.slots[slot] = (self.state.slots.get(slot, "") + ". " + text.strip()).strip(". ")
        self.hands.say(repair.ADDED)
        await self.run()

    async def rewind_to(self, step_id: str) -> None:
        self._go(step_id)
        await self.run()

    # -- the walk ---------------------------------------------------------------------------

    def _go(self, step_id: str | None) -> None:
        self.state.step = step_id
        if step_id is None:
            self.state.status = "done"

    async def run(self) -> None:
        for _ in range(_MAX_STEPS):
            if not self.state.active:
                return
            step = self.playbook.step(self.state.step or "")
            if isinstance(step, Ask):
                if step.slot in self.state.slots:
                    self._go(self.playbook.following(step.id))
                    continue
                self.hands.say(render(step.prompt, self.state, step))
                return
            if isinstance(step, Call):
                result = await self.hands.call(step.id, step.tool, _args(step.args, self.state))
                if step.save_as:
                    self.state.saved[step.save_as] = {
                        "ok": result.ok,
                        "summary": result.summary,
                        **result.data,
                    }
                self._go(self.playbook.following(step.id))
            elif isinstance(step, Branch):
                value = resolve(self.state, step.check)
                target = next((c.next for c in step.cases if _holds(c, value)), step.otherwise)
                self._go(target)
            elif isinstance(step, Say):
                self.hands.say(render(step.text, self.state))
                for slot in step.forget:
                    self.state.slots.pop(slot, None)
                self._go(self.playbook.following(step.id))
            elif isinstance(step, Quote):
                result = await self.hands.quote(step.id, step.tool, _args(step.args, self.state))
                if not result.proposed:  # refused (sign-in, a rule): the journey stops here
                    self.state.status = "cancelled"
                return
            elif isinstance(step, Handoff):
                if step.text:
                    self.hands.say(render(step.text, self.state))
                self.state.status = "handed_off"
                await self.hands.hand_off(step.reason, render(step.summary, self.state))
                return
            elif isinstance(step, Exit):
                if step.text:
                    self.hands.say(render(step.text, self.state))
                self.state.status = "done"
                return
        self.state.status = "cancelled"
        self.hands.say(repair.LOST)
