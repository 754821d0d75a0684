"""The operator's non-TMF coverage API: what a postcode gets and the outages touching it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tools.bss.models.tmf import Doc, Frozen, to_datetime


class Outage(Frozen):
    id: str
    title: str
    service: str
    districts: list[str]
    since: datetime | None = None
    expected_fix: datetime | None = None
    affects_postcode: bool = False


class Coverage(Frozen):
    postcode: str
    area: str
    place: str
    mobile: str
    fibre: bool
    outages: list[Outage] = Field(default_factory=list)

    @classmethod
    def from_wire(cls, doc: Doc) -> Coverage:
        return cls(
            postcode=doc["postcode"],
            area=doc["area"],
            place=doc["place"],
            mobile=doc["mobile"],
            fibre=bool(doc["fibre"]),
            outages=[
                Outage(
                    id=o["id"],
                    title=o["title"],
                    service=o["service"],
                    districts=o.get("districts", []),
                    since=to_datetime(o.get("since")),
                    expected_fix=to_datetime(o.get("expectedFix")),
                    affects_postcode=bool(o.get("affectsPostcode")),
                )
                for o in doc.get("outages") or []
            ],
        )
