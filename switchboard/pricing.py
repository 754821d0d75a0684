"""Token prices for the cost metric, in USD per million tokens (prompt, completion): one table for
the offline evals (`evals.pricing` re-exports it) and the operator analytics.

Prices change; the table is a dated snapshot, `SWITCHBOARD_MODEL_PRICES` overrides or extends it,
and an unknown model reports no cost rather than a made-up one. The local engine costs nothing.
Standard library only, so any package can import it."""

from __future__ import annotations

from collections.abc import Mapping

PRICES_AS_OF = "2026-11"
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
}


def cost_usd(
    model: str,
    *,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> float | None:
    """The cost of the tokens on `model` (`local` or `openai:<name>`), or None when unknown.
    `prices` (per million tokens, by model name without `openai:`) take precedence over the
    shipped table."""
    if model == "local":
        return 0.0
    name = model.removeprefix("openai:")
    table = {**PRICES_PER_MILLION, **(prices or {})}
    if name not in table:
        return None
    prompt_price, completion_price = table[name]
    return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1_000_000
