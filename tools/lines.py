"""Whose line is it? The customer comes from the turn's verified context; a line, bill or
ticket the model names must be on that customer's account, or the tool refuses."""

from __future__ import annotations

from tools.bss.models import Product
from tools.context import TurnContext
from tools.failures import ToolRefusal


def customer_of(ctx: TurnContext) -> str:
    if ctx.customer_id is None:  # the registry refuses first; this guards direct calls
        raise ToolRefusal("sign_in_required", "Please sign in or verify your number first.")
    return ctx.customer_id


def not_yours(msisdn: str) -> ToolRefusal:
    return ToolRefusal(
        "not_yours",
        f"{msisdn} isn't a line on your account, so I can't look at or change it. I can only "
        "help with the lines you're signed in for.",
    )


def allowed(ctx: TurnContext, lines: list[Product]) -> list[Product]:
    """The lines this caller may see and act on: all of the account's, or a business line
    user's own (a colleague's line is treated exactly like a stranger's)."""
    if ctx.lines is None:
        return lines
    return [line for line in lines if line.msisdn in ctx.lines]


async def resolve_line(ctx: TurnContext, msisdn: str | None, *, mobile: bool = True) -> Product:
    """The customer's line named by `msisdn`, else the line they signed in with, else their
    only line. A number that is not theirs is refused without saying whose it is."""
    customer_id = customer_of(ctx)
    lines = allowed(ctx, await ctx.bss.list_lines(customer_id=customer_id))
    candidates = [line for line in lines if line.kind == "mobileLine"] if mobile else lines
    wanted = msisdn or ctx.msisdn
    if wanted is not None:
        for line in candidates:
            if line.msisdn == wanted:
                return line  # type: ignore[no-any-return]
        if msisdn is not None:
            raise not_yours(msisdn)
    if len(candidates) == 1:
        return candidates[0]  # type: ignore[no-any-return]
    if not candidates:
        raise ToolRefusal("no_line", "I can't find a mobile line on your account for that.")
    numbers = ", ".join(line.msisdn for line in candidates if line.msisdn)
    raise ToolRefusal("which_line", f"Which of your lines do you mean: {numbers}?")


async def broadband_of(ctx: TurnContext) -> Product:
    lines = allowed(ctx, await ctx.bss.list_lines(customer_id=customer_of(ctx)))
    for line in lines:
        if line.kind == "broadband":
            return line  # type: ignore[no-any-return]
    raise ToolRefusal("no_broadband", "There's no home broadband on your account.")


def label(line: Product) -> str:
    return line.msisdn or line.name


def ensure_active(line: Product) -> None:
    if line.status == "suspended":
        raise ToolRefusal(
            "LINE_SUSPENDED",
            f"{label(line)} is suspended, so it can't be changed until it is unblocked. "
            "Unblocking needs a quick identity check with one of our team.",
            offer_human=True,
        )
