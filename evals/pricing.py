"""Token prices for the eval cost metric: the one table in `switchboard.pricing`."""

from switchboard.pricing import PRICES_AS_OF, PRICES_PER_MILLION, cost_usd

__all__ = ["PRICES_AS_OF", "PRICES_PER_MILLION", "cost_usd"]
