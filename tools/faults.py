"""faults tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import ReportFaultArgs


async def report_fault(ctx: TurnContext, args: ReportFaultArgs) -> ToolOutcome:
    """Quote opening a fault ticket (no signal, slow data, calls failing, broadband down or
    slow) with the customer's description and postcode. Check check_coverage for a known
    outage first. Opens only after the customer explicitly confirms."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_report_fault(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
