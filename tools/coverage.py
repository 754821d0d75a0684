"""Coverage and known outages for a postcode (works without sign-in)."""

from __future__ import annotations

from typing import Any

from tools.bss.errors import BssNotFoundError
from tools.bss.models import Coverage, Outage
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome, ok
from tools.schemas import CheckCoverageArgs


def when(moment: Any) -> str:
    return moment.strftime("%-d %B %H:%M UTC") if moment else "unknown"


def outage_data(outage: Outage) -> dict[str, Any]:
    return {
        "ref": outage.id,
        "title": outage.title,
        "service": outage.service,
        "districts": outage.districts,
        "since": when(outage.since),
        "expected_fix": when(outage.expected_fix),
        "affects_postcode": outage.affects_postcode,
    }


def outage_note(outage: Outage) -> str:
    return (
        f"Known issue ({outage.id}): {outage.title} since {when(outage.since)}; the fix is "
        f"expected by {when(outage.expected_fix)}."
    )


async def coverage_at(ctx: TurnContext, postcode: str) -> Coverage:
    try:
        return await ctx.bss.get_coverage(postcode=postcode)  # type: ignore[no-any-return]
    except BssNotFoundError:
        raise ToolRefusal(
            "unknown_area", f"I don't have coverage details for {postcode}."
        ) from None


async def check_coverage(ctx: TurnContext, args: CheckCoverageArgs) -> ToolOutcome:
    """Mobile coverage (5G/4G/3G), fibre availability and any known outage for a UK postcode.
    Check it before opening a fault ticket. Works without sign-in."""
    coverage = await coverage_at(ctx, args.postcode)
    fibre = "available" if coverage.fibre else "not available"
    summary = (
        f"{coverage.place} ({coverage.postcode}): mobile {coverage.mobile}, home fibre {fibre}."
    )
    affecting = [o for o in coverage.outages if o.affects_postcode]
    if affecting:
        summary += " " + " ".join(outage_note(o) for o in affecting)
    return ok(
        "check_coverage",
        summary,
        data={
            "postcode": coverage.postcode,
            "area": coverage.area,
            "place": coverage.place,
            "mobile": coverage.mobile,
            "fibre": coverage.fibre,
            "outages": [outage_data(o) for o in coverage.outages],
        },
    )
