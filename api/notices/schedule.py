"""The schedule's sweep: every customer's account is read from the BSS and each alert found
(api/notices/alerts.py) is published as a notice — once per alert key, so a sweep that runs
every hour tells a customer about their 80% once per allowance period."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from api.notices.alerts import Alert, bill_alerts, renewal_alerts, usage_alerts
from api.notices.audience import every_customer, targets
from api.notices.publish import publish
from switchboard import clock
from switchboard.settings import Settings

log = logging.getLogger(__name__)


async def alerts_for(
    bss: Any, customer_id: str, *, now: datetime, settings: Settings
) -> list[Alert]:
    overview = await bss.get_account_overview(customer_id=customer_id)
    bills = await bss.list_bills(customer_id=customer_id)
    return [
        *usage_alerts(overview),
        *renewal_alerts(overview, now=now, days=settings.notice_renewal_days),
        *bill_alerts(bills, now=now, factor=settings.notice_bill_shock_factor),
    ]


async def sweep(
    sessionmaker: async_sessionmaker[Any],
    bss: Any,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> Counter[str]:
    """Publish every alert due now; counts of notices by decision (`pending`, `deferred`,
    `suppressed`, `already`)."""
    moment = now or clock.now()
    counts: Counter[str] = Counter()
    async for customer in every_customer(bss):
        try:
            found = await alerts_for(bss, customer.id, now=moment, settings=settings)
        except Exception:  # one customer's account must not stop the sweep
            log.exception("alerts for %s failed", customer.id)
            continue
        audience = await targets(sessionmaker, [customer])
        for alert in found:
            summary = await publish(
                sessionmaker,
                audience,
                kind=alert.kind,
                ref=alert.ref,
                key=alert.key,
                text=alert.text,
                settings=settings,
                now=moment,
            )
            counts.update(
                pending=summary.send_now,
                deferred=summary.deferred,
                suppressed=sum(summary.suppressed.values()),
                already=summary.already,
            )
    return counts
