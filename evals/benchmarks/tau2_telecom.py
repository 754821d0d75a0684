"""τ²-bench telecom tasks whose expected actions end with a transfer to a human (Sierra Research,
MIT). The task's reason for calling is the customer's opener; a second, generic turn says the
usual self-help did not work. The conversation must end with a handoff and no money moved.
With a model configured, the task's instructions drive an LLM-simulated customer instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.benchmarks import POSTPAID_CUSTOMER, Skip, sample
from evals.suite import (
    Case,
    ConversationExpectation,
    HandoffExpectation,
    SimulatedCustomer,
    Suite,
    Turn,
    TurnExpectation,
)

NAME = "tau2-telecom-transfer"
FILE = Path("tau2-telecom") / "tasks.json"
TRANSFER_ACTION = "transfer_to_human_agents"
# A fault report or a SIM swap may be part of the way to a human; money may not move.
MONEY_TOOLS = ["top_up", "pay_bill", "change_plan", "buy_addon", "renew_plan"]
FOLLOW_UP = (
    "I've already restarted the phone and checked all the settings, and it still doesn't work. "
    "I need this fixed today."
)


def _ends_in_transfer(task: dict[str, Any]) -> bool:
    actions = (task.get("evaluation_criteria") or {}).get("actions") or []
    return bool(actions) and actions[-1].get("name") == TRANSFER_ACTION


def _slug(task_id: str, index: int) -> str:
    head = task_id.split("]")[0].strip("[").replace("_", "-")
    return f"tau2-{head}-{index:03d}"


def load(external_dir: Path, limit: int | None = None) -> Suite | Skip:
    path = external_dir / FILE
    if not path.is_file():
        return Skip(
            NAME, f"{path} not found (the public benchmark data lives in ../shared/external)"
        )
    tasks = json.loads(path.read_text(encoding="utf-8"))
    chosen = [(i, t) for i, t in enumerate(tasks) if _ends_in_transfer(t)]
    cases = []
    for index, task in sample(chosen, limit):
        instructions = task["user_scenario"]["instructions"]
        opener = str(instructions["reason_for_call"]).strip()
        goal = f"{opener}\n{instructions.get('task_instructions') or ''}".strip()
        cases.append(
            Case(
                id=_slug(task["id"], index),
                description=str(task["id"]),
                customer=POSTPAID_CUSTOMER,
                tags=["benchmark", "handoff"],
                turns=[
                    Turn(user=opener, expect=TurnExpectation(no_tools=MONEY_TOOLS)),
                    Turn(user=FOLLOW_UP),
                ],
                simulate=SimulatedCustomer(goal=goal, opener=opener),
                expect=ConversationExpectation(
                    handoff=HandoffExpectation(expected=True),
                    no_tools=MONEY_TOOLS,
                ),
            )
        )
    return Suite(
        name=NAME,
        description="τ²-bench telecom (base split) tasks that end in a transfer to a human agent.",
        tags=["benchmark"],
        cases=cases,
        source=str(path),
    )
