"""The operator's non-TMF extension: coverage and outages by postcode."""

from __future__ import annotations

from tools.bss.models import (
    Coverage,
    Outage,
)
from tools.bss.transport import (
    BssTransport,
)


class CoverageApi(BssTransport):
    """Coverage and outages by postcode, from the operator's non-TMF extension API."""

    async def get_coverage(self, *, postcode: str) -> Coverage:
        """Mobile/fibre coverage and current outages for a UK postcode (or its district)."""
        return Coverage.from_wire(
            await self._call("GET", f"{self._extension}/coverage", params={"postcode": postcode})
        )

    async def list_outages(self) -> list[Outage]:
        docs = await self._list(f"{self._extension}/outage")
        return [
            Coverage.from_wire(
                {
                    "postcode": "",
                    "area": "",
                    "place": "",
                    "mobile": "",
                    "fibre": False,
                    "outages": [d],
                }
            ).outages[0]
            for d in docs
        ]
