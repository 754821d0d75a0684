"""Demo customers: who can be picked in demo mode (CONTRACT §5), read from the simulator's seed."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from api.auth import Segment


class DemoCustomer(BaseModel):
    msisdn: str
    name: str
    segment: Segment
    customer_id: str
    # A business account's line user: the lines they may act on. None: the whole account
    # (a consumer, or the business contact, who is the account's admin).
    lines: list[str] | None = None


class CustomerDirectory(Protocol):
    async def demo_customers(self) -> list[DemoCustomer]: ...


class SeedDirectory:
    """The seeded demo-world customers of the built-in BSS simulator, one entry per line."""

    async def demo_customers(self) -> list[DemoCustomer]:
        from bss.world import load_world  # the simulator is only needed in demo mode

        found: list[DemoCustomer] = []
        for customer in load_world().customers:
            for line in customer.get("lines", []):
                name = line.get("user") or customer.get("contact") or customer["name"]
                lines = None
                if customer["segment"] == "business":
                    if line.get("user") != customer.get("contact"):
                        lines = [line["msisdn"]]
                    name = f"{name} ({customer['name']})"
                found.append(
                    DemoCustomer(
                        msisdn=line["msisdn"],
                        name=name,
                        segment=customer["segment"],
                        customer_id=customer["id"],
                        lines=lines,
                    )
                )
        return found


async def find_demo_customer(directory: CustomerDirectory, msisdn: str) -> DemoCustomer | None:
    return next((c for c in await directory.demo_customers() if c.msisdn == msisdn), None)
