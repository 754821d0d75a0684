"""A playbook as a Mermaid flowchart (`switchboard playbooks show NAME`)."""

from __future__ import annotations

from assistant.playbooks.checks import targets
from assistant.playbooks.format import Ask, Branch, Call, Exit, Handoff, Playbook, Quote, Say

_LABEL_CHARS = 48


def _label(text: str) -> str:
    text = " ".join(text.split()).replace('"', "'")
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def _node(step: Ask | Call | Branch | Say | Quote | Handoff | Exit) -> str:
    if isinstance(step, Ask):
        return f'{step.id}[/"ask {step.slot} ({step.type})"/]'
    if isinstance(step, Call):
        return f'{step.id}["call {step.tool}"]'
    if isinstance(step, Branch):
        return f'{step.id}{{"{step.check}?"}}'
    if isinstance(step, Say):
        return f'{step.id}["say: {_label(step.text)}"]'
    if isinstance(step, Quote):
        return f'{step.id}[["quote {step.tool} → customer confirms"]]'
    if isinstance(step, Handoff):
        return f'{step.id}(["hand off: {step.reason} → {step.queue or "queue"}"])'
    return f'{step.id}(["exit"])'


def _edge_label(playbook: Playbook, index: int, field: str) -> str:
    step = playbook.steps[index]
    if isinstance(step, Branch) and field.startswith("cases."):
        case = step.cases[int(field.split(".")[1])]
        if case.contains is not None:
            return f"contains {case.contains}"
        return f"is {case.is_}" if case.is_ is not None else f"= {case.equals}"
    return {
        "otherwise": "otherwise",
        "on_cancel": "declined",
        "if_tried": "already tried",
    }.get(field, "confirmed" if isinstance(step, Quote) else "")


def mermaid(playbook: Playbook) -> str:
    lines = ["flowchart TD", f"  %% {playbook.name}: {playbook.title}"]
    lines += [f"  {_node(step)}" for step in playbook.steps]
    for index, step in enumerate(playbook.steps):
        for field, target in targets(playbook, index):
            label = _edge_label(playbook, index, field)
            arrow = f' -->|"{label}"| ' if label else " --> "
            lines.append(f"  {step.id}{arrow}{target}")
    return "\n".join(lines) + "\n"
