"""Consent and restraint: whether a notice may go to a customer now, later, or not at all.

A notice's category is what a customer says yes or no to: `service` (outages, the steps of
their own orders, tickets and requests), `alerts` (usage, renewal, bills) and `marketing`
(campaigns). Service notices and alerts go unless the customer said no; marketing goes only
after an explicit yes. Quiet hours defer a notice to their end (never drop it); the daily cap
counts alerts and marketing only. Every refusal carries a reason the operator can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from switchboard.hours import quiet_until

CATEGORIES = ("service", "alerts", "marketing")
CATEGORY_OF_KIND: dict[str, str] = {
    "outage": "service",
    "ticket": "service",
    "order": "service",
    "service_request": "service",
    "usage": "alerts",
    "renewal": "alerts",
    "bill": "alerts",
    "campaign": "marketing",
    "survey": "marketing",
}
CAPPED = frozenset({"alerts", "marketing"})
DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Standing:
    """What is known of one customer when a notice is decided."""

    consents: dict[tuple[str, str], bool]  # (category, channel or "*") -> granted
    time_zone: str | None = None
    sent_last_day: int = 0  # capped notices sent to them in the last 24 hours

    def consent(self, category: str, channel: str) -> bool | None:
        for key in ((category, channel), (category, "*")):
            if key in self.consents:
                return self.consents[key]
        return None


@dataclass(frozen=True, slots=True)
class Decision:
    status: str  # pending | deferred | suppressed
    reason: str | None = None
    due_at: datetime | None = None


def zone_of(standing: Standing, default: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(standing.time_zone) if standing.time_zone else default
    except (ZoneInfoNotFoundError, ValueError):
        return default


def decide(
    *,
    category: str,
    channel: str,
    standing: Standing,
    now: datetime,
    quiet_hours: str,
    default_zone: ZoneInfo,
    daily_cap: int,
) -> Decision:
    """Send now (`pending`), later (`deferred` until `due_at`) or never (`suppressed`)."""
    said = standing.consent(category, channel)
    if said is False:
        return Decision("suppressed", "opted_out")
    if category == "marketing" and said is not True:
        return Decision("suppressed", "no_marketing_consent")
    if category in CAPPED and standing.sent_last_day >= daily_cap:
        return Decision("suppressed", "frequency_cap")
    later = quiet_until(quiet_hours, now, zone_of(standing, default_zone))
    if later is not None:
        return Decision("deferred", "quiet_hours", later)
    return Decision("pending", None, now)
