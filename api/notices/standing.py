"""What the notices remember of a customer: their consents, time zone and recent notices — read
in the transaction that decides or sends, and changed by the operator, the customer's
preferences and STOP/START."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.notices.policy import CAPPED, DAY, Standing
from switchboard.db.models import ContactPreference, Notice, NoticeConsent, utcnow


def subjects(customer_id: str, channel: str, recipient: str | None) -> list[str]:
    """Whom a consent row may name: the customer, or the channel address (a STOP from a number
    that was not yet known as the customer's)."""
    return [customer_id, *([f"{channel}:{recipient}"] if recipient else [])]


async def load_standing(
    session: AsyncSession, *, customer_id: str, channel: str, recipient: str | None, now: datetime
) -> Standing:
    rows = await session.scalars(
        select(NoticeConsent).where(
            NoticeConsent.subject.in_(subjects(customer_id, channel, recipient))
        )
    )
    consents: dict[tuple[str, str], bool] = {}
    for row in rows:  # a "no" anywhere wins over a "yes"
        key = (row.category, row.channel)
        consents[key] = consents.get(key, True) and row.granted
    zone = await session.scalar(
        select(ContactPreference.time_zone).where(ContactPreference.customer_id == customer_id)
    )
    sent = await session.scalar(
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.customer_id == customer_id,
            Notice.status == "sent",
            Notice.category.in_(CAPPED),
            Notice.sent_at >= now - DAY,
        )
    )
    return Standing(consents=consents, time_zone=zone, sent_last_day=int(sent or 0))


async def set_consent(
    session: AsyncSession,
    *,
    subject: str,
    category: str,
    channel: str,
    granted: bool,
    source: str,
) -> bool:
    """Record a yes or no; False when it was already so (nothing changed)."""
    row = await session.scalar(
        select(NoticeConsent).where(
            NoticeConsent.subject == subject,
            NoticeConsent.category == category,
            NoticeConsent.channel == channel,
        )
    )
    if row is not None and row.granted == granted:
        return False
    if row is None:
        session.add(
            NoticeConsent(
                subject=subject,
                category=category,
                channel=channel,
                granted=granted,
                source=source[:32],
                updated_at=utcnow(),
            )
        )
    else:
        row.granted, row.source, row.updated_at = granted, source[:32], utcnow()
    await session.flush()
    return True


async def set_preference(
    session: AsyncSession, *, customer_id: str, channel: str | None, time_zone: str | None
) -> None:
    row = await session.get(ContactPreference, customer_id)
    if row is None:
        session.add(
            ContactPreference(
                customer_id=customer_id, channel=channel, time_zone=time_zone, updated_at=utcnow()
            )
        )
    else:
        row.channel, row.time_zone, row.updated_at = channel, time_zone, utcnow()
