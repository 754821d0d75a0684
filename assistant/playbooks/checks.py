"""The rules a well-formed playbook keeps beyond its schema. Each problem comes with the location
of the field at fault (as pydantic reports one), which the loader turns into a line number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import get_args

from assistant.events import CAPABILITIES
from assistant.playbooks.format import TERMINAL, Ask, Branch, Call, Handoff, Playbook, Quote
from assistant.playbooks.slot_types import SLOT_TYPES
from tools.handoff import queue_for
from tools.registry import CONFIRMED_TOOLS, TOOL_SPECS
from tools.schemas import HandoffReason

Loc = tuple[str | int, ...]
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.[a-z0-9_.]+)?\}")
HANDOFF_REASONS: tuple[str, ...] = get_args(HandoffReason)
BUILT_IN = frozenset({"opening", "tried"})  # the message that started it; steps skipped


def targets(playbook: Playbook, index: int) -> list[tuple[str, str]]:
    """(field, step id) of every step this one can go to."""
    step = playbook.steps[index]
    if isinstance(step, TERMINAL):
        return []
    found: list[tuple[str, str]] = []
    following = playbook.following(step.id) if step.next is None else step.next
    if isinstance(step, Branch):
        found += [(f"cases.{i}", c.next) for i, c in enumerate(step.cases)]
        found.append(("otherwise", step.otherwise))
    else:
        if following is not None:
            found.append(("next", following))
        if isinstance(step, Quote) and step.on_cancel:
            found.append(("on_cancel", step.on_cancel))
        if isinstance(step, Ask) and step.if_tried:
            found.append(("if_tried", step.if_tried))
    return found


def problems_of(playbook: Playbook) -> list[tuple[Loc, str]]:
    return [*_step_problems(playbook), *_graph_problems(playbook)]


def _step_problems(playbook: Playbook) -> Iterator[tuple[Loc, str]]:
    if playbook.capability not in CAPABILITIES:
        yield ("capability",), f"unknown capability {playbook.capability!r}"
    ids = [s.id for s in playbook.steps]
    known = {s.slot for s in playbook.steps if isinstance(s, Ask)} | BUILT_IN
    known |= {listen.slot for listen in playbook.listen}
    for index, name in enumerate(playbook.trigger.unless_slots):
        if name not in SLOT_TYPES:
            yield ("trigger", "unless_slots", index), f"unknown slot type {name!r}"
    for index, listen in enumerate(playbook.listen):
        if listen.type not in SLOT_TYPES:
            yield ("listen", index, "type"), f"unknown slot type {listen.type!r}"
        elif listen.type == "choice" and not listen.choices:
            yield ("listen", index, "type"), "a `choice` slot needs `choices`"
    known |= {s.save_as for s in playbook.steps if isinstance(s, Call) and s.save_as}
    for index, step in enumerate(playbook.steps):
        at: Loc = ("steps", index)
        if ids.count(step.id) > 1:
            yield (*at, "id"), f"step id {step.id!r} is used twice"
        if isinstance(step, Ask):
            if step.type not in SLOT_TYPES:
                names = ", ".join(sorted(SLOT_TYPES))
                yield (*at, "type"), f"unknown slot type {step.type!r} (one of {names})"
            elif step.type == "choice" and not step.choices:
                yield (*at, "type"), "a `choice` slot needs `choices`"
            elif (step.type == "option") != (step.options is not None):
                yield (*at, "type"), "an `option` slot needs `options`, and only it takes them"
            listed = step.options.from_ if step.options is not None else None
            if listed is not None and listed.split(".")[0] not in known:
                yield (*at, "options"), f"options from {listed!r}: no saved result of that name"
        if isinstance(step, Call | Quote):
            yield from _tool_problems(step, at)
        for slot in getattr(step, "forget", []):
            if slot not in known:
                yield (*at, "forget"), f"forget {slot!r}: no slot of that name"
        if isinstance(step, Handoff) and step.reason not in HANDOFF_REASONS:
            yield (*at, "reason"), f"unknown hand-off reason {step.reason!r}"
        elif isinstance(step, Handoff) and step.queue not in (None, queue_for(step.reason)):
            yield (*at, "queue"), f"reason {step.reason} goes to {queue_for(step.reason)!r}"
        if isinstance(step, Branch) and step.check.split(".")[0] not in known:
            yield (*at, "check"), f"branch on {step.check!r}: no slot or saved result of that name"
        own = {"options"} if isinstance(step, Ask) and step.options is not None else set()
        for name, template in _templates(step):
            for placeholder in PLACEHOLDER.findall(template):
                if placeholder not in known | own:
                    yield (*at, name), f"{{{placeholder}}} is not a slot or a saved result"


def _templates(step: object) -> Iterator[tuple[str, str]]:
    for name in ("prompt", "invalid", "text", "summary"):
        value = getattr(step, name, None)
        if isinstance(value, str):
            yield name, value
    for key, value in (getattr(step, "args", None) or {}).items():
        if isinstance(value, str):
            yield "args", value
            del key


def _tool_problems(step: Call | Quote, at: Loc) -> Iterator[tuple[Loc, str]]:
    spec = TOOL_SPECS.get(step.tool)
    if spec is None:
        yield (*at, "tool"), f"unknown tool {step.tool!r} (tools/registry.py TOOL_SPECS)"
        return
    if isinstance(step, Call) and spec.is_write:
        yield (
            (*at, "tool"),
            f"{step.tool} changes the account: use a `quote` step (confirmed by the customer), "
            "or a `handoff` step for a person",
        )
    if isinstance(step, Quote) and step.tool not in CONFIRMED_TOOLS:
        yield (*at, "tool"), f"{step.tool} is not a write tool that takes a confirmation"
    fields = spec.args_model.model_fields
    for name in step.args:
        if name not in fields:
            yield (*at, "args"), f"{step.tool} has no argument {name!r} ({', '.join(fields)})"


def _graph_problems(playbook: Playbook) -> Iterator[tuple[Loc, str]]:
    index_of = {s.id: i for i, s in enumerate(playbook.steps)}
    for index, step in enumerate(playbook.steps):
        for field_name, target in targets(playbook, index):
            if target not in index_of:
                yield ("steps", index, field_name.split(".")[0]), f"no step {target!r}"
        if not isinstance(step, TERMINAL) and not targets(playbook, index):
            yield (("steps", index), f"step {step.id!r} leads nowhere: give it `next` or end it")
    seen: set[int] = set()
    todo = [0]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += [index_of[t] for _, t in targets(playbook, current) if t in index_of]
    for index, step in enumerate(playbook.steps):
        if index not in seen:
            yield ("steps", index), f"step {step.id!r} is unreachable from {playbook.steps[0].id!r}"
    if not any(isinstance(playbook.steps[i], TERMINAL) for i in seen):
        yield ("steps",), "no exit: the journey needs an `exit` or a `handoff` step"
