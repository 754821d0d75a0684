"""The live product catalog (TMF620) as documents, so plan and add-on answers carry current prices.

`CatalogSource` is the seam: anything with `async list_offerings()` returning `CatalogOffering`s.
`BssCatalogSource` adapts the BSS client (`tools.bss.client.BssClient`); `StaticCatalog` is a
fixed list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from knowledge.document import CUSTOMER_TYPES, CustomerType, Document
from switchboard.currency import MoneyFormat, current

CATALOG_SOURCE = "catalog"


class CatalogOffering(BaseModel):
    """One sellable offering with its current price, independent of the wire format."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    category: str = "offering"
    description: str = ""
    price: float | None = None
    currency: str = "GBP"
    period: str | None = None  # "month", "30 days", "day", None for one-off
    segments: tuple[CustomerType, ...] = CUSTOMER_TYPES
    terms: tuple[str, ...] = ()
    href: str | None = None


class CatalogSource(Protocol):
    async def list_offerings(self) -> Sequence[CatalogOffering]: ...


class StaticCatalog:
    """A fixed list of offerings (tests, or a catalog exported to a file)."""

    def __init__(self, offerings: Sequence[CatalogOffering]) -> None:
        self._offerings = list(offerings)

    async def list_offerings(self) -> Sequence[CatalogOffering]:
        return self._offerings


def render_offering(offering: CatalogOffering) -> Document:
    """A short article for one offering: what it is, what it costs, who can have it."""
    price = _price(offering)
    who = (
        "all customers"
        if set(offering.segments) == set(CUSTOMER_TYPES)
        else " and ".join(f"{s} customers" for s in offering.segments)
    )
    lines = [f"# {offering.name}", ""]
    if offering.description:
        lines += [offering.description.strip(), ""]
    lines.append(f"- Price: {price}")
    lines.append(f"- Available to: {who}")
    lines += [f"- {term}" for term in offering.terms]
    kind = offering.category.replace("-", " ")
    return Document(
        id=f"catalog-{offering.id}",
        title=f"{offering.name} ({kind}) — current price",
        url=offering.href or f"catalog:{offering.id}",
        body="\n".join(lines),
        tags=(offering.category, "price", "catalog"),
        customer_types=offering.segments,
        capability="addons_limits" if offering.category in ("addon", "add-on") else "plan_change",
        locale="en",
        source=CATALOG_SOURCE,
        path=f"{CATALOG_SOURCE}/{offering.id}",
    )


async def load_catalog(source: CatalogSource) -> list[Document]:
    return [render_offering(o) for o in await source.list_offerings()]


def _price(offering: CatalogOffering) -> str:
    if offering.price is None:
        return "see the current price list"
    amount = MoneyFormat(offering.currency, current().locale).format(offering.price)
    return f"{amount} per {offering.period}" if offering.period else f"{amount} (one-off)"


def offering_from_tmf(data: dict[str, Any]) -> CatalogOffering:
    """A TMF620 `ProductOffering` (JSON) -> `CatalogOffering`: first price, first category,
    `marketSegment` names as segments."""
    prices = data.get("productOfferingPrice") or []
    price = prices[0] if prices else {}
    amount = (
        (price.get("price") or {}).get("taxIncludedAmount")
        or (price.get("price") or {}).get("dutyFreeAmount")
        or {}
    )
    period = (
        price.get("recurringChargePeriodType") if price.get("priceType") == "recurring" else None
    )
    length = price.get("recurringChargePeriodLength")
    if period and length and int(length) != 1:
        period = f"{length} {period}s"
    categories = data.get("category") or []
    segments = (
        tuple(
            s
            for s in CUSTOMER_TYPES
            if any(
                str(m.get("name", m.get("id", ""))).lower() == s
                for m in data.get("marketSegment") or []
            )
        )
        or CUSTOMER_TYPES
    )
    return CatalogOffering(
        id=str(data["id"]),
        name=str(data.get("name") or data["id"]),
        category=str(categories[0].get("name") or categories[0].get("id"))
        if categories
        else "offering",
        description=str(data.get("description") or ""),
        price=float(amount["value"]) if "value" in amount else None,
        currency=str(amount.get("unit") or "GBP"),
        period=period,
        segments=segments,
        href=data.get("href"),
    )


class _OfferingClient(Protocol):
    async def list_offerings(self) -> Sequence[Any]: ...


class BssCatalogSource:
    """The catalog as the BSS client (`tools.bss.client.BssClient`) reads it from TMF620.

    Offerings that are not sellable (devices shown for reference) are left out.
    `url_template` makes each offering's citation link, e.g. "https://shop.example/{id}".
    """

    def __init__(self, client: _OfferingClient, *, url_template: str = "catalog:{id}") -> None:
        self._client = client
        self._url_template = url_template

    async def list_offerings(self) -> Sequence[CatalogOffering]:
        return [
            offering_from_bss(o, url=self._url_template.format(id=o.id))
            for o in await self._client.list_offerings()
            if getattr(o, "sellable", True)
        ]


def offering_from_bss(o: Any, *, url: str | None = None) -> CatalogOffering:
    """A `tools.bss.models.Offering` -> `CatalogOffering` (read by attribute, no import)."""
    terms: list[str] = []
    if getattr(o, "unlimited_data", False):
        terms.append("Data: unlimited")
    elif getattr(o, "data_allowance_gb", None):
        terms.append(f"Data: {o.data_allowance_gb.normalize():f}GB")
    if getattr(o, "roaming_included", None):
        zones = ", ".join(z.replace("zone", "Zone ") for z in o.roaming_included)
        terms.append(f"Roaming included: {zones}")
    if getattr(o, "min_term_months", None):
        terms.append(f"Minimum term: {o.min_term_months} months")
    if getattr(o, "validity_days", None):
        terms.append(f"Valid for {o.validity_days} days")
    recurring = getattr(o, "price_type", None) == "recurring"
    category = str(getattr(o, "category", None) or "offering")
    if getattr(o, "service_type", None) == "broadband":
        category = "broadband plan"
    return CatalogOffering(
        id=str(o.id),
        name=str(o.name),
        category=category,
        description=str(getattr(o, "description", "") or ""),
        price=float(o.price) if getattr(o, "price", None) is not None else None,
        period=str(o.price_period) if recurring and getattr(o, "price_period", None) else None,
        segments=tuple(s for s in CUSTOMER_TYPES if s in (getattr(o, "segments", None) or []))
        or CUSTOMER_TYPES,
        terms=tuple(terms),
        href=url,
    )
