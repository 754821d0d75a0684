"""The demo world's static part (catalog, rules, coverage), loaded from `data/world.yaml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from switchboard.settings import Settings

WORLD_FILE = Path(__file__).parent / "data" / "world.yaml"
Segment = Literal["prepaid", "postpaid", "business"]


class Plan(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    name: str
    segment: Segment
    kind: Literal["mobile", "broadband"]
    price: float
    period_days: int | None = None
    data_gb: float | None = None  # None = unlimited
    min_term_months: int = 0
    roaming_included: list[str] = Field(default_factory=list)
    five_g: bool = False
    install_fee: float | None = None
    description: str

    @property
    def unlimited_data(self) -> bool:
        return self.data_gb is None and self.kind == "mobile"

    @property
    def is_bundle(self) -> bool:
        """A prepaid plan paid from credit each period (renewable)."""
        return self.segment == "prepaid" and self.period_days is not None


class Addon(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    name: str
    price: float
    price_unit: Literal["once", "day", "month"] = "once"
    validity_days: int | None = None
    data_gb: float | None = None
    data_boost: bool = False
    segments: list[Segment]
    not_on_unlimited_data: bool = False
    requires_plan: list[str] = Field(default_factory=list)
    requires_device: bool = False
    description: str


class Device(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    name: str
    price: float


class Area(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    area: str
    place: str
    mobile: str
    fibre: bool


class Outage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    area: str
    districts: list[str]
    service: str
    title: str
    # relative to the instant the world is seeded (the project's clock), so a demo looks current
    since_hours_ago: float
    fixed_in_hours: float


class Rules(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    topup_min: float = 5
    topup_max: float = 50
    topup_daily_max: float = 100
    spending_cap_max: float = 100
    max_data_boosts: int = 3
    late_fee: float = 5


class World(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    operator: str
    brand: str
    currency: str
    locale: str = "en_GB"
    plans: list[Plan]
    addons: list[Addon]
    devices: list[Device]
    coverage: list[Area]
    outages: list[Outage]
    rules: Rules
    roaming_zones: dict[str, dict[str, Any]]
    customers: list[dict[str, Any]]

    def plan(self, offering_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == offering_id), None)

    def addon(self, offering_id: str) -> Addon | None:
        return next((a for a in self.addons if a.id == offering_id), None)

    def device(self, offering_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == offering_id), None)

    def area(self, postcode: str) -> Area | None:
        """The coverage area of a UK postcode: its leading letters ('LS2 9JT' -> LS)."""
        outward = postcode.strip().upper().split(" ")[0]
        letters = ""
        for ch in outward:
            if not ch.isalpha():
                break
            letters += ch
        return next((a for a in self.coverage if a.area == letters), None)


@lru_cache(maxsize=4)
def load_world(path: Path = WORLD_FILE) -> World:
    return World.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def with_demo_identity(settings: Settings) -> Settings:
    """`settings` with the demo world's operator name, currency and locale where none is set, in
    demo mode (the BSS is the simulator, in this process or its own); otherwise `settings`
    itself (production requires them: switchboard/production.py)."""
    if not settings.demo:
        return settings
    world = load_world()
    update: dict[str, str] = {}
    if settings.brand_name is None:
        update["brand_name"] = world.brand
    if settings.currency is None:
        update["currency"] = world.currency
        if "locale" not in settings.model_fields_set:
            update["locale"] = world.locale
    return settings.model_copy(update=update) if update else settings
