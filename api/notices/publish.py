"""Publishing a notice to an audience: each customer's notice is decided (send now, defer to
the end of their quiet hours, or suppress with a reason) and written as a `notices` row, all in
one transaction; the worker sends the due ones (api/notices/dispatch.py). A dry run decides
the same way and writes nothing, so its counts are the ones a real run will report."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.notices.audience import Target
from api.notices.policy import CATEGORY_OF_KIND, Decision, decide
from api.notices.standing import load_standing
from switchboard import clock
from switchboard.db.models import Notice
from switchboard.settings import Settings


class Summary(BaseModel):
    """What a publication did (or, in a dry run, would do)."""

    kind: str
    ref: str
    dry_run: bool
    audience: int  # customers the notice is for
    send_now: int
    deferred: int  # quiet hours: sent when they end
    suppressed: dict[str, int]  # reason -> customers
    already: int = 0  # notified before under the same key


async def decide_for(
    session: AsyncSession, target: Target, *, kind: str, now: datetime, settings: Settings
) -> Decision:
    standing = await load_standing(
        session,
        customer_id=target.customer_id,
        channel=target.channel,
        recipient=target.recipient,
        now=now,
    )
    return decide(
        category=CATEGORY_OF_KIND[kind],
        channel=target.channel,
        standing=standing,
        now=now,
        quiet_hours="" if kind in QUIET_EXEMPT else settings.notice_quiet_hours,
        default_zone=settings.zone,
        daily_cap=settings.notice_daily_cap,
    )


# the steps of a customer's own request answer them, as a reply would: no quiet hours
QUIET_EXEMPT = frozenset({"ticket", "order", "service_request"})


async def publish(
    sessionmaker: async_sessionmaker[Any],
    targets: list[Target],
    *,
    kind: str,
    ref: str,
    key: str,
    text: str,
    settings: Settings,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Summary:
    """Decide and (unless `dry_run`) record one notice per target; `key` names this publication
    (a second publication under the same key reaches nobody twice)."""
    moment = now or clock.now()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    async with sessionmaker() as session, session.begin():
        keys = [f"{key}:{t.customer_id}"[:160] for t in targets]
        seen = set(
            await session.scalars(select(Notice.dedupe_key).where(Notice.dedupe_key.in_(keys)))
        )
        for target, dedupe in zip(targets, keys, strict=True):
            if dedupe in seen:
                counts["already"] += 1
                continue
            decision = await decide_for(session, target, kind=kind, now=moment, settings=settings)
            counts[decision.status] += 1
            if decision.status == "suppressed":
                reasons[decision.reason or "unknown"] += 1
            if not dry_run:
                session.add(
                    Notice(
                        id=str(uuid.uuid4()),
                        kind=kind,
                        category=CATEGORY_OF_KIND[kind],
                        customer_id=target.customer_id,
                        channel=target.channel,
                        recipient=target.recipient,
                        ref=ref[:64],
                        text=text,
                        dedupe_key=dedupe,
                        status=decision.status,
                        reason=decision.reason,
                        attempts=0,
                        due_at=decision.due_at or moment,
                        created_at=moment,
                    )
                )
    return Summary(
        kind=kind,
        ref=ref,
        dry_run=dry_run,
        audience=len(targets),
        send_now=counts["pending"],
        deferred=counts["deferred"],
        suppressed=dict(reasons),
        already=counts["already"],
    )
