"""Token prices for the cost metric, in USD per million tokens (prompt, completion).

Prices change; the table is a dated snapshot and an unknown model reports no cost rather than a
made-up one. The local engine costs nothing."""

from __future__ import annotations

PRICES_AS_OF = "2026-11"
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
}


def cost_usd(model: str, *, prompt_tokens: int, completion_tokens: int) -> float | None:
    """The cost of the tokens on `model` (`local` or `openai:<name>`), or None when unknown."""
    if model == "local":
        return 0.0
    name = model.removeprefix("openai:")
    if name not in PRICES_PER_MILLION:
        return None
    prompt_price, completion_price = PRICES_PER_MILLION[name]
    return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1_000_000
