"""Service requests run as workflows in the BSS: SIM swap, eSIM, port-in, device activation,
broadband installation."""

from __future__ import annotations

from typing import Any

from switchboard import clock
from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.bss.errors import BssNotFoundError
from tools.bss.models import Offering, Product
from tools.catalog import describe, price_text
from tools.context import TurnContext
from tools.coverage import coverage_at
from tools.failures import ToolRefusal
from tools.lines import customer_of, ensure_active, label, resolve_line
from tools.outcome import ToolOutcome
from tools.quoting import quote
from tools.schemas import StartServiceRequestArgs

KIND_WORDS = {
    "sim_swap": "replacement SIM",
    "esim": "eSIM",
    "port_in": "number transfer",
    "device_activation": "device activation",
    "broadband_installation": "broadband installation",
}


async def _broadband_offer(ctx: TurnContext, args: StartServiceRequestArgs) -> Offering:
    if ctx.customer_type == "prepaid":
        raise ToolRefusal("INELIGIBLE_OFFERING", "Home broadband needs a pay-monthly account.")
    offer_id = args.offer_id or "fibre-150"
    try:
        offer: Offering = await ctx.bss.get_offering(offering_id=offer_id)
    except BssNotFoundError:
        raise ToolRefusal(
            "unknown_offer", f"There's no broadband plan called {offer_id!r}."
        ) from None
    if offer.service_type != "broadband":
        raise ToolRefusal("wrong_kind", f"{offer.name} isn't a broadband plan.")
    coverage = await coverage_at(ctx, args.postcode or "")
    if not coverage.fibre:
        raise ToolRefusal(
            "NO_FIBRE_AT_ADDRESS",
            f"Home fibre isn't available at {args.postcode} "
            f"yet ({coverage.place}: mobile {coverage.mobile}).",
        )
    return offer


async def _ported_number(ctx: TurnContext, args: StartServiceRequestArgs) -> str:
    number = args.port_msisdn or ""
    if not number.startswith("+447"):
        raise ToolRefusal("INVALID_NUMBER", "Only UK mobile numbers can be brought to us.")
    lines = await ctx.bss.list_lines(customer_id=customer_of(ctx))
    if any(line.msisdn == number for line in lines):
        raise ToolRefusal(
            "invalid_input", f"{number} is already on your {ctx.settings.brand} account."
        )
    return number


async def _plan(
    ctx: TurnContext, args: StartServiceRequestArgs, line: Product | None
) -> tuple[str, dict[str, Any], Offering | None]:
    """What the request will do (for the quote), the BSS details, and the plan it sells."""
    who = label(line) if line else ""
    if args.kind == "device_activation":
        if args.imei is None:
            raise ToolRefusal(
                "invalid_input",
                "Activating a device needs its 15-digit IMEI (dial *#06# on the device to see it).",
            )
        return f"Activate the device with IMEI {args.imei} on {who}.", {"imei": args.imei}, None
    if args.kind == "sim_swap":
        return f"Order a replacement SIM for {who}; your number stays the same.", {}, None
    if args.kind == "esim":
        return f"Move {who} to an eSIM; the QR code to install it is sent by e-mail.", {}, None
    if args.kind == "port_in":
        number = await _ported_number(ctx, args)
        pac = (args.pac_code or "").upper()
        summary = (
            f"Bring {number} to {ctx.settings.brand} with PAC {pac}; the number moves "
            "over once your current provider releases it."
        )
        return summary, {"pacCode": pac, "portingMsisdn": number}, None
    offer = await _broadband_offer(ctx, args)
    term = f", {offer.min_term_months}-month term" if offer.min_term_months else ""
    summary = f"Book installation of {offer.name} ({price_text(offer)}{term}) at {args.postcode}."
    return summary, {"postcode": args.postcode or "", "offering": offer.id}, offer


async def start_service_request(ctx: TurnContext, args: StartServiceRequestArgs) -> ToolOutcome:
    """Quote starting a service request: sim_swap (replacement SIM, also for a blocked line),
    esim, port_in (bring a UK mobile number: needs port_msisdn and the PAC), device_activation
    (needs the 15-digit imei) or broadband_installation (needs the postcode; offer_id defaults
    to fibre-150). Starts only after the customer explicitly confirms; progress is then
    reported here."""
    line: Product | None = None
    if args.kind in ("sim_swap", "esim", "device_activation"):
        line = await resolve_line(ctx, args.msisdn)
        if args.kind != "sim_swap":  # a blocked line still gets its replacement SIM
            ensure_active(line)
    summary, details, offer = await _plan(ctx, args, line)
    if args.preferred_date is not None:
        if args.preferred_date <= clock.today():
            raise ToolRefusal("invalid_input", "The preferred date has to be in the future.")
        details["preferredDate"] = args.preferred_date.isoformat()
        summary += f" Preferred date: {args.preferred_date:%-d %B %Y}."
    if args.details:
        details["note"] = args.details
    return await quote(
        ctx,
        tool="start_service_request",
        args={
            **args.model_dump(mode="json", exclude_none=True),  # so an expired quote re-quotes
            "msisdn": line.msisdn if line else None,
            "product_id": line.id if line else None,
            "bss_details": details,
        },
        summary=summary,
        amount=offer.price if offer else None,
        data={"kind": args.kind, "details": details, "offer": describe(offer) if offer else None},
    )


async def execute_start_service_request(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    request = await bss.start_service_request(
        customer_id=action.customer_id,
        kind=args["kind"],
        idempotency_key=action.idempotency_key,
        product_id=args.get("product_id"),
        details=args.get("bss_details") or {},
    )
    return {
        "bss_ref": request.id,
        "state": request.state,
        "message": f"Done: your {KIND_WORDS[args['kind']]} request {request.id} has started; "
        "I'll keep you posted here.",
    }
