"""coverage tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import CheckCoverageArgs


async def check_coverage(ctx: TurnContext, args: CheckCoverageArgs) -> ToolOutcome:
    """Mobile coverage (5G/4G/3G), fibre availability and any known outage for a UK postcode.
    Works without sign-in."""
    raise ToolRefusal("not_available", "That isn't available yet.")
