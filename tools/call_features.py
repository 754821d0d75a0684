"""Call forwarding, call waiting, voicemail and caller id on or off."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.bss.models import LineFeatures, Product
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import ensure_active, label, resolve_line
from tools.orders import settle_order
from tools.outcome import ToolOutcome
from tools.quoting import nothing_to_do, quote
from tools.schemas import SetCallFeatureArgs

NAMES = {
    "call_forwarding": "call forwarding",
    "call_waiting": "call waiting",
    "voicemail": "voicemail",
    "caller_id": "caller ID",
}


def _current(line: Product, feature: str) -> bool | str | None:
    if feature == "call_forwarding":
        return line.call_forwarding if line.call_forwarding not in (None, "off") else False
    value: bool | None = getattr(line, feature)
    return value


async def set_call_feature(ctx: TurnContext, args: SetCallFeatureArgs) -> ToolOutcome:
    """Quote turning call forwarding, call waiting, voicemail or caller id on or off. Call
    forwarding on needs `forward_to` (all calls are forwarded). Nothing changes until the
    customer explicitly confirms on their next message."""
    line = await resolve_line(ctx, args.msisdn)
    ensure_active(line)
    name = NAMES[args.feature]
    if args.feature == "call_forwarding" and args.enabled:
        if args.condition not in (None, "always"):
            raise ToolRefusal(
                "unsupported",
                "I can forward all calls; forwarding only when busy or unanswered is set from "
                "the phone with a dial code, which I can look up for you.",
            )
        if args.forward_to == line.msisdn:
            raise ToolRefusal("invalid_input", "Calls can't be forwarded to the same number.")
    current = _current(line, args.feature)
    wanted: bool | str = args.forward_to or True if args.enabled else False
    if current == wanted:
        state = f"on, to {current}" if isinstance(current, str) else ("on" if current else "off")
        return nothing_to_do("set_call_feature", f"{name.capitalize()} is already {state}.")
    if args.feature == "call_forwarding" and args.enabled:
        summary = f"Forward all calls to {label(line)} to {args.forward_to}."
    else:
        summary = f"Turn {name} {'on' if args.enabled else 'off'} for {label(line)}."
    return await quote(
        ctx,
        tool="set_call_feature",
        args={
            "msisdn": line.msisdn,
            "feature": args.feature,
            "enabled": args.enabled,
            "forward_to": args.forward_to,
            "product_id": line.id,
        },
        summary=summary,
        data={"feature": args.feature, "currently": current},
    )


async def execute_set_call_feature(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    feature, enabled = args["feature"], bool(args["enabled"])
    if feature == "call_forwarding":
        features = LineFeatures(call_forwarding=args["forward_to"] if enabled else "off")
    else:
        features = LineFeatures(**{feature: enabled})
    order = await bss.set_line_features(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        features=features,
        idempotency_key=action.idempotency_key,
    )
    state = "on" if enabled else "off"
    return await settle_order(
        bss, action, order, f"Done: {NAMES[feature]} is {state} for {args['msisdn']}."
    )
