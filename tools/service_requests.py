"""service requests tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import StartServiceRequestArgs


async def start_service_request(ctx: TurnContext, args: StartServiceRequestArgs) -> ToolOutcome:
    """Quote starting a service request: sim_swap (replacement SIM), esim, port_in (bring a
    number: needs port_msisdn and the PAC/STAC code), device_activation, or
    broadband_installation (needs the postcode). Starts only after the customer explicitly
    confirms."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_start_service_request(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
